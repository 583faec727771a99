import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load.js';
import type { SpecIssue } from '../../src/spec/issue.js';
import { ROUTE_METHODS, type CorsModel } from '../../src/spec/model.js';
import { parseSpecText } from '../../src/spec/parse.js';
import { validateSpec, type ValidationResult } from '../../src/spec/validate.js';
import { cli } from '../cli/capture.js';

/** Validates YAML text as if it were the file `cors-gen.yaml`, positions included. */
function validateText(text: string, file = 'cors-gen.yaml'): ValidationResult {
  const parsed = parseSpecText(text, file);
  if (!parsed.ok) throw new Error(`does not parse: ${JSON.stringify(parsed.errors)}`);
  return validateSpec(parsed.parsed.data, { file, parsed: parsed.parsed });
}

function model(text: string): CorsModel {
  const result = validateText(text);
  if (!result.ok) throw new Error(`invalid: ${JSON.stringify(result.errors)}`);
  return result.model;
}

function warnings(text: string): SpecIssue[] {
  const result = validateText(text);
  expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
  return [...result.warnings];
}
const allWarnings = warnings;

const MINIMAL = `version: 1
name: orders-api
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users
    methods: [GET]
`;

describe('normalization', () => {
  it('fills every default of a minimal spec', () => {
    expect(model(MINIMAL)).toEqual({
      version: 1,
      name: 'orders-api',
      api: 'rest',
      stage: 'prod',
      cors: {
        allowOrigins: ['https://app.example.com'],
        allowMethods: ['GET'],
        allowHeaders: ['Content-Type', 'Authorization'],
        exposeHeaders: [],
        allowCredentials: false,
        maxAge: 600,
        enforceOrigin: false,
      },
      routes: [{ path: '/users', segments: [{ kind: 'literal', value: 'users' }], methods: ['GET'] }],
      frontend: { enabled: false, indexDocument: 'index.html' },
      lambda: {
        runtime: 'nodejs22.x',
        memorySize: 256,
        timeout: 10,
        environment: {},
        policyArns: [],
        policyJson: null,
        layers: [],
        vpc: { subnetIds: [], securityGroupIds: [] },
      },
      stages: [],
    });
  });

  it("defaults allowMethods to the union of the routes' methods, in a fixed order", () => {
    const m = model(`version: 1
name: orders-api
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users/{id}
    methods: [DELETE, GET, PATCH]
  - path: /users
    methods: [POST, GET]
  - path: /files/{proxy+}
    methods: [HEAD]
`);
    expect(m.cors.allowMethods).toEqual(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']);
    expect(m.routes.map((r) => r.methods)).toEqual([['GET', 'PATCH', 'DELETE'], ['GET', 'POST'], ['HEAD']]);
    expect(m.routes.map((r) => r.path)).toEqual(['/users/{id}', '/users', '/files/{proxy+}']);
    expect(m.routes[0]!.segments).toEqual([
      { kind: 'literal', value: 'users' },
      { kind: 'param', name: 'id' },
    ]);
    expect(m.routes[2]!.segments).toEqual([
      { kind: 'literal', value: 'files' },
      { kind: 'greedy', name: 'proxy' },
    ]);
  });

  it('defaults allowMethods to all six route methods for a Function URL without routes', () => {
    const m = model(`version: 1
name: hook
api: function-url
cors:
  allowOrigins: [https://app.example.com]
`);
    expect(m.cors.allowMethods).toEqual([...ROUTE_METHODS]);
    expect(m.routes).toEqual([]);
  });

  it('keeps explicit allowMethods, ordered and without duplicates (with a warning)', () => {
    const result = validateText(`version: 1
name: orders-api
cors:
  allowOrigins: [https://app.example.com]
  allowMethods: [POST, OPTIONS, GET, POST]
routes:
  - path: /users
    methods: [GET, POST]
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.model.cors.allowMethods).toEqual(['GET', 'POST', 'OPTIONS']);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ code: 'method-duplicate', path: 'cors.allowMethods[3]', line: 5, column: 38 }),
    );
  });

  it('removes duplicate origins, headers and route methods, warning at each duplicate', () => {
    const result = validateText(`version: 1
name: orders-api
cors:
  allowOrigins:
    - https://app.example.com
    - https://admin.example.com
    - https://app.example.com
  allowHeaders: [Content-Type, X-Trace, content-type]
  exposeHeaders: [X-Request-Id, x-request-id]
routes:
  - path: /users
    methods: [GET, GET]
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.model.cors.allowOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(result.model.cors.allowHeaders).toEqual(['Content-Type', 'X-Trace']);
    expect(result.model.cors.exposeHeaders).toEqual(['X-Request-Id']);
    expect(result.model.routes[0]!.methods).toEqual(['GET']);
    expect(result.warnings.map((w) => [w.code, w.path, w.line, w.column])).toEqual([
      ['origin-duplicate', 'cors.allowOrigins[2]', 7, 7],
      ['header-duplicate', 'cors.allowHeaders[2]', 8, 41],
      ['header-duplicate', 'cors.exposeHeaders[1]', 9, 33],
      ['method-duplicate', 'routes[0].methods[1]', 12, 20],
    ]);
    expect(result.warnings.every((w) => w.severity === 'warning' && w.fix === 'remove the duplicate')).toBe(true);
  });

  it('keeps maxAge 0 (it disables the preflight cache) and an empty allowHeaders', () => {
    const m = model(MINIMAL.replace('cors:\n', 'cors:\n  maxAge: 0\n  allowHeaders: []\n'));
    expect(m.cors.maxAge).toBe(0);
    expect(m.cors.allowHeaders).toEqual([]);
  });

  it('sorts stages by name and removes duplicate origins in them', () => {
    const m = model(`${MINIMAL}stages:
  staging:
    allowOrigins: [https://staging.example.com]
  dev:
    allowOrigins: [http://localhost:3000, http://localhost:3000, http://localhost:5173]
`);
    expect(m.stages).toEqual([
      { name: 'dev', allowOrigins: ['http://localhost:3000', 'http://localhost:5173'] },
      { name: 'staging', allowOrigins: ['https://staging.example.com'] },
    ]);
  });

  it('uses the $default stage for the HTTP API', () => {
    expect(model(MINIMAL.replace('cors:', 'api: http\ncors:')).stage).toBe('$default');
    expect(model(MINIMAL.replace('cors:', 'stage: v1\ncors:')).stage).toBe('v1');
  });

  it('returns a deeply frozen model', () => {
    const m = model(`${MINIMAL}stages:
  dev:
    allowOrigins: [http://localhost:3000]
`);
    const objects: unknown[] = [
      m,
      m.cors,
      m.cors.allowOrigins,
      m.cors.allowMethods,
      m.routes,
      m.routes[0],
      m.routes[0]!.segments,
      m.routes[0]!.segments[0],
      m.frontend,
      m.lambda,
      m.stages,
      m.stages[0],
    ];
    for (const o of objects) expect(Object.isFrozen(o)).toBe(true);
    expect(() => {
      (m.cors.allowOrigins as string[]).push('https://evil.example');
    }).toThrow(TypeError);
    expect(() => {
      (m as { name: string }).name = 'other';
    }).toThrow(TypeError);
  });

  it('accepts every origin form a browser sends, and "*" without credentials', () => {
    const m = model(`version: 1
name: orders-api
cors:
  allowOrigins:
    - https://app.example.com
    - http://localhost:3000
    - http://127.0.0.1:8080
    - http://[::1]:5173
    - https://xn--bcher-kva.example
    - https://app.example.com:8443
    - "https://*.preview.example.com"
routes:
  - path: /
    methods: [GET]
`);
    expect(m.cors.allowOrigins).toHaveLength(7);
    expect(m.routes[0]!.segments).toEqual([]);
    expect(model(MINIMAL.replace('[https://app.example.com]', '["*"]')).cors.allowOrigins).toEqual(['*']);
    expect(
      model(MINIMAL.replace('cors:', 'api: http\ncors:').replace('[https://app.example.com]', '["https://*"]')).cors
        .allowOrigins,
    ).toEqual(['https://*']);
  });

  it('reads the same spec from JSON', async () => {
    const json = JSON.stringify(
      {
        version: 1,
        name: 'orders-api',
        cors: { allowOrigins: ['https://app.example.com'] },
        routes: [{ path: '/users', methods: ['GET'] }],
      },
      null,
      2,
    );
    expect(validateText(json, 'cors-gen.json')).toEqual({ ...validateText(MINIMAL), warnings: [] });
  });

  it('gives issues without positions when validating data rather than a file', () => {
    const result = validateSpec({
      version: 1,
      name: 'orders-api',
      cors: { allowOrigins: ['https://app.example.com/'] },
      routes: [{ path: '/a', methods: ['GET'] }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        severity: 'error',
        code: 'origin-trailing-slash',
        path: 'cors.allowOrigins[0]',
        message: '"https://app.example.com/" has a trailing slash',
        fix: 'write "https://app.example.com"',
      },
    ]);
  });

  it('never throws on arbitrary data', () => {
    for (const data of [
      undefined,
      null,
      0,
      'x',
      [],
      {},
      { version: 1 },
      { cors: null },
      { cors: { allowOrigins: [null, 1, {}] } },
      { routes: 'x' },
    ]) {
      expect(() => validateSpec(data)).not.toThrow();
      expect(validateSpec(data).ok).toBe(false);
    }
  });
});

describe('files as users save them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-valid-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a UTF-8 byte-order mark and a U+FFFD character written on purpose', async () => {
    const file = path.join(dir, 'bom.yaml');
    await writeFile(file, `\uFEFF# a spec with a BOM and a replacement character: \uFFFD\n${MINIMAL}`);
    const result = await loadSpec(file, dir);
    expect(result.ok).toBe(true);
    expect(result.file).toBe('bom.yaml');
  });

  it('reports positions correctly in a file with CRLF line endings', async () => {
    const file = path.join(dir, 'crlf.yaml');
    await writeFile(
      file,
      MINIMAL.replace('[https://app.example.com]', '[https://a.example.com, https://b.example.com/]').replace(
        /\n/g,
        '\r\n',
      ),
    );
    const result = await loadSpec(file, dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toMatchObject([
      { code: 'origin-trailing-slash', path: 'cors.allowOrigins[1]', line: 4, column: 41 },
    ]);
  });

  it('refuses a file larger than a spec could be without parsing it', async () => {
    const file = path.join(dir, 'huge.yaml');
    await writeFile(file, `${MINIMAL}# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await loadSpec(file, dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toMatchObject([{ code: 'too-large', file: 'huge.yaml' }]);
  });

  it('names the file relative to the working directory, never absolutely', async () => {
    const file = path.join(dir, 'nested', 'spec.yaml');
    await rm(path.dirname(file), { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file)));
    await writeFile(file, MINIMAL.replace('version: 1', 'version: 3'));
    const result = await loadSpec(file, dir);
    expect(result.file).toBe(path.join('nested', 'spec.yaml'));
    expect(JSON.stringify(result)).not.toContain(dir);
  });
});

describe('lint warnings', () => {
  const prod = (origins: string, extra = '') => `version: 1
name: orders-api
${extra}cors:
  allowOrigins: ${origins}
routes:
  - path: /users
    methods: [GET]
`;

  it('warns about http:// origins other than localhost in a stage named prod or production', () => {
    expect(warnings(prod('[http://app.example.com]'))).toEqual([
      {
        severity: 'warning',
        code: 'http-in-prod',
        path: 'cors.allowOrigins[0]',
        message: '"http://app.example.com" is plain http in stage "prod"; a network attacker can act as it',
        fix: 'write "https://app.example.com"',
        file: 'cors-gen.yaml',
        line: 4,
        column: 18,
      },
    ]);
    expect(warnings(prod('[http://app.example.com]', 'stage: production\n')).map((w) => w.code)).toEqual([
      'http-in-prod',
    ]);
    expect(warnings(prod('[http://app.example.com]', 'stage: staging\n'))).toEqual([]);
    expect(
      warnings(
        `${prod('[https://app.example.com]')}stages:\n  production:\n    allowOrigins: [http://app.example.com]\n`,
      ),
    ).toMatchObject([{ code: 'http-in-prod', path: 'stages.production.allowOrigins[0]', line: 10, column: 20 }]);
  });

  it('warns about localhost in prod, and not in other stages', () => {
    expect(warnings(prod('[https://app.example.com, http://localhost:3000]'))).toMatchObject([
      {
        code: 'localhost-in-prod',
        path: 'cors.allowOrigins[1]',
        message: '"http://localhost:3000" is a development origin in stage "prod"',
        fix: 'move it to stages.dev.allowOrigins',
      },
    ]);
    expect(warnings(prod('[http://127.0.0.1:8080]')).map((w) => w.code)).toEqual(['localhost-in-prod']);
    expect(
      warnings(`${prod('[https://app.example.com]')}stages:\n  dev:\n    allowOrigins: [http://localhost:3000]\n`),
    ).toEqual([]);
  });

  it('warns about "*" on an API that allows the Authorization header', () => {
    expect(warnings(prod('["*"]'))).toMatchObject([
      { code: 'star-with-authorization', path: 'cors.allowOrigins', line: 4, column: 17 },
    ]);
    expect(warnings(prod('["*"]').replace('cors:\n', 'cors:\n  allowHeaders: [Content-Type]\n'))).toEqual([]);
  });

  it('warns about wildcard origins, and more strongly with credentials', () => {
    expect(warnings(prod('["https://*.example.com"]'))).toMatchObject([
      {
        code: 'wildcard-origin',
        path: 'cors.allowOrigins[0]',
        message: '"https://*.example.com" allows every matching host',
      },
    ]);
    const withCredentials = warnings(
      prod('["https://*.example.com"]').replace('cors:\n', 'cors:\n  allowCredentials: true\n'),
    ).filter((w) => w.code !== 'credentials-without-domain');
    // The pattern also leaves API Gateway's own errors readable from no origin (see below).
    expect(withCredentials).toMatchObject([
      { code: 'gateway-errors-first-origin' },
      { code: 'wildcard-with-credentials', path: 'cors.allowOrigins[0]', line: 5 },
    ]);
    expect(withCredentials[1]!.message).toContain('taken-over subdomain');
    expect(warnings(prod('["https://*"]', 'api: http\n')).map((w) => w.code)).toEqual(['wildcard-origin']);
  });

  it('warns when maxAge is above what Chromium honours (7200 s), not at it', () => {
    expect(warnings(prod('[https://app.example.com]').replace('cors:\n', 'cors:\n  maxAge: 7201\n'))).toMatchObject([
      { code: 'max-age-capped', path: 'cors.maxAge', fix: 'write 7200 or less', line: 4, column: 11 },
    ]);
    expect(warnings(prod('[https://app.example.com]').replace('cors:\n', 'cors:\n  maxAge: 7200\n'))).toEqual([]);
  });

  it("warns that API Gateway's own errors name one origin on a REST API with credentials and several origins", () => {
    const credentialed = (origins: string, extra = '') =>
      prod(origins, extra).replace('cors:\n', 'cors:\n  allowCredentials: true\n');
    // Credentialed specs without a custom domain also get credentials-without-domain (tested with the domain rules).
    const warnings = (text: string) => allWarnings(text).filter((w) => w.code !== 'credentials-without-domain');
    expect(warnings(credentialed('[https://app.example.com, https://admin.example.com]'))).toMatchObject([
      {
        code: 'gateway-errors-first-origin',
        path: 'cors.allowCredentials',
        message: expect.stringContaining('"https://app.example.com"'),
      },
    ]);
    // The website bucket's origin counts as a second origin.
    // (and, plain http trusted with credentials in prod, it gets the http-in-prod warning too).
    expect(
      warnings(credentialed('[https://app.example.com]', 'frontend:\n  enabled: true\n')).map((w) => w.code),
    ).toEqual(['http-in-prod', 'gateway-errors-first-origin']);
    expect(warnings(credentialed('[https://app.example.com]'))).toEqual([]);
    expect(warnings(credentialed('[https://app.example.com, https://admin.example.com]', 'api: http\n'))).toEqual([]);
    expect(warnings(prod('[https://app.example.com, https://admin.example.com]'))).toEqual([]);
  });

  it('names the first exact origin as the one that reads gateway errors, never a wildcard pattern', () => {
    const credentialed = (origins: string, extra = '') =>
      prod(origins, extra).replace('cors:\n', 'cors:\n  allowCredentials: true\n');
    const first = (text: string) => warnings(text).find((w) => w.code === 'gateway-errors-first-origin');
    expect(first(credentialed('["https://*.example.com", https://app.example.com]'))).toMatchObject({
      message:
        'API Gateway\'s own errors (403 for an unknown path, 429, 502) will be readable only from "https://app.example.com": with credentials, gateway responses can name one origin; errors your Lambda returns carry the right origin',
      fix: 'list the exact origin that most needs to read those errors first',
    });
    expect(first(credentialed('["https://*.example.com"]', 'frontend:\n  enabled: true\n'))!.message).toContain(
      'readable only from the S3 website origin:',
    );
    expect(first(credentialed('["https://*.example.com"]'))).toMatchObject({
      message:
        "API Gateway's own errors (403 for an unknown path, 429, 502) will be readable from no origin: with credentials, gateway responses name one exact origin, and cors.allowOrigins lists only wildcard patterns; errors your Lambda returns carry the right origin",
      fix: 'list the exact origin that most needs to read those errors first, before the patterns',
    });
  });

  it("checks each stage's own list: a stage's gateway errors name its first origin", () => {
    const text = prod('[https://app.example.com]')
      .replace('cors:\n', 'cors:\n  allowCredentials: true\n')
      .concat('stages:\n  dev:\n    allowOrigins: [http://localhost:5173, http://localhost:5718]\n');
    expect(warnings(text).filter((w) => w.code === 'gateway-errors-first-origin')).toEqual([
      expect.objectContaining({
        path: 'stages.dev.allowOrigins',
        message:
          'in stage "dev", API Gateway\'s own errors (403 for an unknown path, 429, 502) will be readable only from "http://localhost:5173": with credentials, gateway responses can name one origin; errors your Lambda returns carry the right origin',
      }),
    ]);
  });

  it('warns that routes do not restrict a Function URL', () => {
    expect(warnings(prod('[https://app.example.com]', 'api: function-url\n'))).toEqual([
      expect.objectContaining({
        code: 'function-url-routes',
        path: 'routes',
        message:
          'routes do not restrict a Lambda Function URL: every path and method reaches your function (routes only set the default of cors.allowMethods)',
        fix: 'check the path and method in your handler (event.rawPath, event.requestContext.http.method), or use api: http to route',
      }),
    ]);
    expect(
      warnings('version: 1\nname: hook\napi: function-url\ncors:\n  allowOrigins: [https://app.example.com]\n'),
    ).toEqual([]);
  });

  it('warns that stage is ignored for the HTTP API and Function URLs', () => {
    expect(warnings(prod('[https://app.example.com]', 'api: http\nstage: v1\n'))).toMatchObject([
      { code: 'stage-ignored', path: 'stage', line: 4, column: 8 },
    ]);
    expect(warnings(prod('[https://app.example.com]', 'api: function-url\nstage: v1\n')).map((w) => w.code)).toEqual([
      'stage-ignored',
      'function-url-routes',
    ]);
    expect(warnings(prod('[https://app.example.com]', 'stage: v1\n'))).toEqual([]);
  });

  it("warns about a Lambda timeout above API Gateway's 29 s, but not for a Function URL", () => {
    expect(warnings(prod('[https://app.example.com]', 'lambda:\n  timeout: 30\n'))).toMatchObject([
      { code: 'timeout-above-gateway', path: 'lambda.timeout', line: 4, column: 12 },
    ]);
    expect(warnings(prod('[https://app.example.com]', 'lambda:\n  timeout: 29\n'))).toEqual([]);
    expect(
      warnings(prod('[https://app.example.com]', 'api: function-url\nlambda:\n  timeout: 300\n')).map((w) => w.code),
    ).toEqual(['function-url-routes']);
  });

  it('warns when a route method that needs a preflight is missing from an explicit allowMethods', () => {
    const spec = prod('[https://app.example.com]')
      .replace('methods: [GET]', 'methods: [GET, POST, DELETE]')
      .replace('cors:\n', 'cors:\n  allowMethods: [GET]\n');
    // POST is safelisted (a simple request needs no preflight); DELETE is not.
    expect(warnings(spec)).toMatchObject([
      { code: 'method-not-allowed', path: 'routes[0].methods', fix: 'add "DELETE" to cors.allowMethods' },
    ]);
  });

  const EVERY_WARNING = `version: 1
name: orders-api
api: http
stage: prod
cors:
  allowOrigins: ["*"]
  maxAge: 9000
routes:
  - path: /users
    methods: [GET, GET]
lambda:
  timeout: 60
stages:
  prod:
    allowOrigins: [http://app.example.com, http://localhost:3000, "https://*"]
`;

  it('never fail validate: exit 0, warnings printed, and ok: true in --json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-warn-'));
    try {
      const file = path.join(dir, 'cors-gen.yaml');
      await writeFile(file, EVERY_WARNING);
      const human = await cli(['validate', '--spec', file]);
      expect(human.code).toBe(0);
      const printed = human.stdout.split('\n').filter((l) => l.startsWith('warning '));
      expect(printed).toHaveLength(8);
      expect(human.stdout).toMatch(
        /^ok .*cors-gen\.yaml: orders-api \(http\), 1 route\(s\), 4 origin\(s\): 1 in cors\.allowOrigins, 3 in stages\.prod, 8 warning\(s\)$/m,
      );
      const json = await cli(['validate', '--json', '--spec', file]);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.stdout) as { ok: boolean; errors: unknown[]; warnings: SpecIssue[] };
      expect(doc.ok).toBe(true);
      expect(doc.errors).toEqual([]);
      expect(doc.warnings.map((w) => w.code).sort()).toEqual(
        [
          'http-in-prod',
          'localhost-in-prod',
          'max-age-capped',
          'method-duplicate',
          'stage-ignored',
          'star-with-authorization',
          'timeout-above-gateway',
          'wildcard-origin',
        ].sort(),
      );
      for (const w of doc.warnings)
        expect(w).toMatchObject({
          severity: 'warning',
          line: expect.any(Number),
          column: expect.any(Number),
          fix: expect.any(String),
        });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('route paths', () => {
  it.each([
    [
      '/users/a b',
      'segment "a b" has characters API Gateway does not accept in a path part (" "); only letters, digits, ".", "_", "-" and ":"',
      'write "/users/a-b"',
    ],
    [
      '/files/*/meta',
      'segment "*" is a literal "*" in API Gateway, not a wildcard (a greedy {proxy+} matches everything below a path; earlier versions of cors-gen accepted it)',
      'write "/files/{proxy+}" ({proxy+} must be the last segment)',
    ],
    [
      '/users/:userId/orders/:orderId',
      'segment ":userId" is a literal in API Gateway, not a parameter (paths use {name}; earlier versions of cors-gen accepted it)',
      'write "/users/{userId}/orders/{orderId}"',
    ],
    [
      '/files/{key}/{key+}',
      'uses the parameter {key} twice (each parameter of a path needs its own name; earlier versions of cors-gen accepted it)',
      'write "/files/{key}/{key2+}"',
    ],
    [
      '/a/./b',
      'has the dot segment ".", which browsers and HTTP clients remove before sending (RFC 3986 section 5.2.4), so the route is never reached (earlier versions of cors-gen accepted it)',
      'write the path without "." and ".." segments',
    ],
  ])('refuses %j with the reason and the fix', (route, reason, fix) => {
    const result = validateSpec({
      version: 1,
      name: 'orders-api',
      cors: { allowOrigins: ['https://app.example.com'] },
      routes: [{ path: route, methods: ['GET'] }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        severity: 'error',
        code: 'route-path',
        path: 'routes[0].path',
        message: `${JSON.stringify(route)} ${reason}`,
        fix,
      },
    ]);
  });

  it('accepts what API Gateway accepts: letters, digits, . _ - and : in literals, {param}, a final {proxy+}', () => {
    const result = validateSpec({
      version: 1,
      name: 'orders-api',
      cors: { allowOrigins: ['https://app.example.com'] },
      routes: [{ path: '/v1.2/events:batch/my_items-x/{id}/{proxy+}', methods: ['GET'] }],
    });
    expect(result.ok).toBe(true);
  });
});

describe('stage names that JavaScript objects already carry', () => {
  const spec = (stages: string) =>
    `version: 1\nname: shop\napi: rest\nroutes:\n  - path: /orders\n    methods: [GET]\ncors:\n  allowOrigins: ["https://app.example.com"]\nstages:\n${stages}`;
  const rule = 'stage names are lowercase letters, digits, "-" or "_", and not "constructor" or "prototype"';

  it('refuses "__proto__" instead of silently dropping it, in YAML and in JSON', () => {
    for (const [text, file] of [
      [spec('  __proto__:\n    allowOrigins: ["https://a.example.com"]\n'), 'cors-gen.yaml'],
      [
        '{"version":1,"name":"shop","api":"rest","routes":[{"path":"/orders","methods":["GET"]}],"cors":{"allowOrigins":["https://app.example.com"]},"stages":{"__proto__":{"allowOrigins":["https://a.example.com"]}}}',
        'cors-gen.json',
      ],
    ] as const) {
      const result = validateText(text, file);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.errors.map((e) => [e.path, e.code, e.message])).toEqual([
        ['stages.__proto__', 'invalid-key', `"__proto__" is not allowed as a name here: ${rule}`],
      ]);
    }
  });

  it('refuses "constructor" and "prototype", which a plain object already has', () => {
    const result = validateText(
      spec(
        '  constructor:\n    allowOrigins: ["https://a.example.com"]\n  prototype:\n    allowOrigins: ["https://b.example.com"]\n',
      ),
    );
    expect(!result.ok && result.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual([
      `10:3 stages.constructor: "constructor" is not allowed as a name here: ${rule}`,
      `12:3 stages.prototype: "prototype" is not allowed as a name here: ${rule}`,
    ]);
  });

  it('still accepts names that merely contain them', () => {
    expect(
      model(spec('  constructors:\n    allowOrigins: ["https://a.example.com"]\n')).stages.map((s) => s.name),
    ).toEqual(['constructors']);
  });
});
