/**
 * `cors-gen init --from-openapi` on OpenAPI documents not written for this project, from the npm package
 * @readme/oas-examples 8.x (https://github.com/readmeio/oas/tree/main/packages/oas-examples, MIT license,
 * copyright ReadMe): the Swagger Petstore in its Swagger 2.0 (YAML) and OpenAPI 3.0 (JSON) forms, and
 * 3.0/yaml/security.yaml, which declares every kind of security scheme. The resulting specs validate, generate,
 * and the preview serves their routes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startPreview } from '../../src/preview/index.js';
import { freePorts, generateModules, header, send } from '../support/preview.js';
import { cli } from './capture.js';
import { runOnPty } from './pty.js';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('@readme/oas-examples/package.json'));
const DOCUMENTS = {
  'petstore-2.0': '2.0/yaml/petstore.yaml',
  'petstore-3.0': '3.0/json/petstore.json',
  security: '3.0/yaml/security.yaml',
} as const;

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-adopt-'));
  mkdirSync(path.join(repo, '.git'));
  mkdirSync(path.join(repo, 'docs'));
  for (const file of Object.values(DOCUMENTS))
    copyFileSync(path.join(EXAMPLES, file), path.join(repo, 'docs', path.basename(file)));
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const doc = (name: keyof typeof DOCUMENTS) => path.join(repo, 'docs', path.basename(DOCUMENTS[name]));
async function adopt(name: keyof typeof DOCUMENTS, dir: string, ...flags: string[]) {
  const out = path.join(repo, dir);
  const r = await cli(['init', '--yes', '--dir', out, '--from-openapi', doc(name), ...flags]);
  return { ...r, dir: out, spec: path.join(out, 'cors-gen.yaml') };
}

describe('init --from-openapi on third-party documents', () => {
  it.each([
    ['petstore-2.0', 'rest'],
    ['petstore-3.0', 'rest'],
    ['security', 'rest'],
    ['security', 'http'],
  ] as const)(
    '%s as api: %s writes a spec that validate accepts and generate turns into a module',
    async (name, api) => {
      const r = await adopt(name, `${name}-${api}`, '--api', api);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`wrote `);
      const validated = await cli(['validate', '--spec', r.spec]);
      expect(validated.code, validated.stdout + validated.stderr).toBe(0);
      expect(validated.stdout).not.toMatch(/\berror\b/);
      const generated = await cli(['generate', '--spec', r.spec, '--out', path.join(r.dir, 'generated')]);
      expect(generated.code, generated.stdout + generated.stderr).toBe(0);
    },
  );

  it('keeps the Petstore paths under their basePath (2.0) or server path (3.0), with the same routes in both forms', async () => {
    const two = parseYaml(readFileSync((await adopt('petstore-2.0', 'p2')).spec, 'utf8'));
    const three = parseYaml(readFileSync((await adopt('petstore-3.0', 'p3')).spec, 'utf8'));
    expect(two.name).toBe('swagger-petstore');
    expect(two.routes).toContainEqual({ path: '/v2/pet/{petId}', methods: ['GET', 'POST', 'DELETE'] });
    expect(two.routes).toContainEqual({ path: '/v2/user/{username}', methods: ['GET', 'PUT', 'DELETE'] });
    expect(two.routes).toHaveLength(14);
    expect(three.routes).toEqual(two.routes);
    // Its schemes (OAuth 2 and an API key in the header "api_key") have no REST equivalent: said, not dropped silently.
    expect(two.authorizers).toBeUndefined();
    expect(two.cors.allowHeaders).toEqual(['Content-Type', 'Authorization', 'api_key']);
  });

  it('maps the security document: x-api-key to apiKeyRequired on REST, OAuth 2 and OpenID Connect to JWT on HTTP', async () => {
    const rest = await adopt('security', 'sec-rest');
    const restSpec = parseYaml(readFileSync(rest.spec, 'utf8'));
    expect(restSpec.routes).toContainEqual({
      path: '/anything/apiKey',
      methods: ['GET', 'POST', 'PUT'],
      apiKeyRequired: true,
    });
    expect(rest.stderr).toContain(
      'docs/security.yaml security scheme "basic": is not carried over: API Gateway has no authorizer for HTTP "basic" authentication',
    );
    const http = await adopt('security', 'sec-http', '--api', 'http');
    const httpSpec = parseYaml(readFileSync(http.spec, 'utf8'));
    expect(httpSpec.routes).toContainEqual({
      path: '/anything/openIdConnect',
      methods: ['POST'],
      auth: 'openidconnect',
    });
    expect(httpSpec.authorizers.openidconnect).toEqual({
      type: 'jwt',
      issuer: 'https://example.com',
      audience: ['replace-me'],
    });
    expect(http.stderr).toContain('set authorizers.openidconnect.audience');
  });

  it('writes the same spec on every run', async () => {
    const a = readFileSync((await adopt('security', 'same-1', '--api', 'http')).spec, 'utf8');
    const b = readFileSync((await adopt('security', 'same-2', '--api', 'http')).spec, 'utf8');
    expect(a.replace('same-1', 'X')).toBe(b.replace('same-2', 'X'));
  });

  it('serves an adopted route through the preview, with CORS for an allowed origin', async () => {
    const site = `http://localhost:${(await freePorts(1))[0]!}`;
    const r = await adopt('petstore-2.0', 'served', '--origin', site, '--no-frontend');
    expect(r.code, r.stderr).toBe(0);
    const modules = await generateModules([{ name: 'served', spec: r.spec }]);
    try {
      const preview = await startPreview({ module: modules.dirs.get('served')! });
      try {
        const reply = await send(`${preview.api}/v2/pet/findByStatus?status=available`, { headers: { Origin: site } });
        expect(reply.status).toBe(200);
        expect(header(reply, 'access-control-allow-origin')).toBe(site);
        const unknown = await send(`${preview.api}/pet/findByStatus`, { headers: { Origin: site } });
        expect(unknown.status).toBe(403);
      } finally {
        await preview.close();
      }
    } finally {
      modules.cleanup();
    }
  });
});

describe('init --from-openapi on a terminal', () => {
  it('asks the CORS questions, but neither the API type nor the routes, which come from the document', async () => {
    const r = await runOnPty(
      ['init', '--from-openapi', 'docs/petstore.yaml', '--dir', 'asked'],
      ['\r', 'https://app.mycorp.io\r', 'n\r', '\r', '\r', 'n\r'],
      { cwd: repo, env: { NO_COLOR: '1' } },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('API name (swagger-petstore): ');
    expect(r.screen).toContain('API type: rest (routes and authorizers come from ../docs/petstore.yaml)');
    expect(r.screen).toContain(
      'Request headers your frontend sends, comma-separated (Content-Type,Authorization,api_key): ',
    );
    expect(r.screen).not.toContain('Route 1');
    const spec = parseYaml(readFileSync(path.join(repo, 'asked', 'cors-gen.yaml'), 'utf8'));
    expect(spec.cors.allowOrigins).toEqual(['https://app.mycorp.io']);
    expect(spec.routes).toHaveLength(14);
    expect(spec.frontend.enabled).toBe(false);
  });
});

describe('init --from-openapi refuses', () => {
  it('a document outside the repository of the spec (exit 2)', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-outside-'));
    try {
      writeFileSync(path.join(outside, 'api.yaml'), 'openapi: 3.0.0\npaths: {/a: {get: {}}}\n');
      const r = await cli([
        'init',
        '--yes',
        '--dir',
        path.join(repo, 'outside'),
        '--from-openapi',
        path.join(outside, 'api.yaml'),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--from-openapi: ".*api\.yaml" .*outside/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a Function URL, which has no routes (exit 2), and a document without routable paths (exit 1)', async () => {
    const url = await adopt('security', 'url', '--api', 'function-url');
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--from-openapi needs --api rest or http');
    writeFileSync(path.join(repo, 'docs', 'empty.yaml'), 'openapi: 3.0.0\npaths: {/a: {options: {}}}\n');
    const empty = await cli([
      'init',
      '--yes',
      '--dir',
      path.join(repo, 'empty'),
      '--from-openapi',
      path.join(repo, 'docs', 'empty.yaml'),
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no path of the document can be routed by API Gateway');
  });

  it('a file that is not an OpenAPI document, naming it (exit 1), and a missing file (exit 2)', async () => {
    writeFileSync(path.join(repo, 'docs', 'spec.yaml'), 'version: 1\nname: x\n');
    const wrong = await cli([
      'init',
      '--yes',
      '--dir',
      path.join(repo, 'w'),
      '--from-openapi',
      path.join(repo, 'docs', 'spec.yaml'),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/spec\.yaml: is not an OpenAPI document/);
    const missing = await cli([
      'init',
      '--yes',
      '--dir',
      path.join(repo, 'm'),
      '--from-openapi',
      path.join(repo, 'docs', 'nope.yaml'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml cannot be read/);
  });
});
