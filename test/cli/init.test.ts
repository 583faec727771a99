import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { init, specNameFrom } from '../../src/spec/init.js';
import { API_KINDS, RUNTIMES } from '../../src/spec/model.js';
import { loadSpec } from '../../src/spec/load.js';
import { binary, BIN, cli, plainEnv } from './capture.js';
import { runOnPty } from './pty.js';

let root: string;
let dir: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-init-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = path.join(root, `case-${++n}`, 'shop-frontend');
  await mkdir(dir, { recursive: true });
});

const spec = () => path.join(dir, 'cors-gen.yaml');

describe('init --yes', () => {
  it('writes a spec in an empty folder that validate accepts (exit 0)', async () => {
    const written = await cli(['init', '--yes', '--dir', dir]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain('wrote ');
    // No installed cors-gen here: the editor schema is written next to the spec.
    expect(await readdir(dir)).toEqual(['cors-gen.schema.json', 'cors-gen.yaml']);
    const validated = await cli(['validate', '--spec', spec()]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).not.toContain('error');
    expect(validated.stdout).not.toContain('warning');
  });

  it('works the same through the built binary in the current folder, and validate finds the file itself', async () => {
    const written = await binary(['init', '--yes'], { cwd: dir, env: plainEnv() });
    expect(written.code).toBe(0);
    expect(written.stderr).toContain('wrote cors-gen.yaml');
    const validated = await binary(['validate'], { cwd: dir, env: plainEnv() });
    expect(validated.code).toBe(0);
    expect(validated.stderr).toBe('');
    // Stage origins count too: the summary names every list the module is configured with, and the website's origin.
    expect(validated.stdout).toBe(
      "ok cors-gen.yaml: shop-frontend (rest), 2 route(s), 2 origin(s): 1 in cors.allowOrigins, 1 in stages.dev plus the S3 website's\n",
    );
  });

  it('names the API after the folder and keeps machine paths out of the file', async () => {
    await cli(['init', '--yes', '--dir', dir]);
    const text = await readFile(spec(), 'utf8');
    expect(text).toContain('name: shop-frontend\n');
    expect(text).not.toContain(root);
    expect(text).not.toContain(os.homedir());
  });

  it('puts development origins in a dev stage, keeping prod clean', async () => {
    await cli(['init', '--yes', '--dir', dir]);
    const data = parseYaml(await readFile(spec(), 'utf8')) as {
      cors: { allowOrigins: string[] };
      stages: Record<string, { allowOrigins: string[] }>;
    };
    expect(data.cors.allowOrigins).toEqual(['https://app.example.com']);
    expect(data.stages.dev!.allowOrigins).toEqual(['http://localhost:3000']);
  });

  it('takes every flag into the file', async () => {
    const r = await cli([
      'init',
      '--yes',
      '--dir',
      dir,
      '--name',
      'billing',
      '--api',
      'http',
      '--origin',
      'https://a.example.com',
      '--origin',
      'https://b.example.com,http://localhost:5173',
      '--credentials',
      '--runtime',
      'python3.13',
      '--no-frontend',
    ]);
    expect(r.code).toBe(0);
    const result = await loadSpec(spec(), dir);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.model).toMatchObject({
      name: 'billing',
      api: 'http',
      cors: { allowOrigins: ['https://a.example.com', 'https://b.example.com'], allowCredentials: true },
      frontend: { enabled: false },
      lambda: { runtime: 'python3.13' },
      stages: [{ name: 'dev', allowOrigins: ['http://localhost:5173'] }],
    });
  });

  it('writes a valid spec for every target, runtime and credentials setting', async () => {
    for (const api of API_KINDS) {
      for (const runtime of RUNTIMES) {
        for (const credentials of [false, true]) {
          const target = path.join(dir, `${api}-${runtime}-${credentials}`);
          const result = await init({ dir: target, api, runtime, credentials });
          expect(result.ok, `${api} ${runtime} ${credentials}`).toBe(true);
          const loaded = await loadSpec(path.join(target, 'cors-gen.yaml'), target);
          expect(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors)).toBe(true);
          // The warnings a starter spec may carry, with credentials, are real and worth knowing: cookies from the
          // API's default host are third-party, the limit of REST gateway responses, and the plain-http website
          // origin trusted in production.
          expect(loaded.warnings.map((w) => w.code).sort()).toEqual(
            credentials
              ? [
                  'credentials-without-domain',
                  // once for production's list, once for the dev stage's (its own .tfvars)
                  ...(api === 'rest' ? ['gateway-errors-first-origin', 'gateway-errors-first-origin'] : []),
                  'http-in-prod',
                ]
              : [],
          );
        }
      }
    }
  });
});

describe('the starter spec talks only about what it configures', () => {
  it("without a website bucket, it says to list the site's origin and has no index document", async () => {
    await cli(['init', '--yes', '--dir', dir, '--no-frontend']);
    const text = await readFile(spec(), 'utf8');
    expect(text).toContain(
      'frontend:\n  # Your site is hosted elsewhere: list its origin in cors.allowOrigins (or a stage). true adds an S3 website bucket.\n  enabled: false\n',
    );
    expect(text).not.toMatch(/website origin|s3-website|indexDocument/);
  });

  it('with a website bucket, it says its origin is allowed too', async () => {
    await cli(['init', '--yes', '--dir', dir]);
    const text = await readFile(spec(), 'utf8');
    expect(text).toContain(
      '  # An S3 website bucket for your frontend; its origin (http://<bucket>.s3-website-<region>.amazonaws.com) is\n  # allowed too.\n  enabled: true\n  indexDocument: index.html\n',
    );
  });

  it('--yes prints where each origin went and why, on stderr', async () => {
    const r = await cli(['init', '--yes', '--dir', dir, '--origin', 'https://app.example.com,http://localhost:5173']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('  https://app.example.com -> cors.allowOrigins (a production origin)\n');
    expect(r.stderr).toContain(
      '  http://localhost:5173 -> stages.dev (a development origin: production should not trust a page any local process can serve)\n',
    );
    const only = await cli(['init', '--yes', '--force', '--dir', dir, '--origin', 'http://localhost:5173']);
    expect(only.stderr).toContain(
      '  http://localhost:5173 -> cors.allowOrigins (a development origin, kept in production because no other origin was given)\n',
    );
  });

  it('--route and --header (repeatable) go into the spec; --api takes any case', async () => {
    const r = await cli([
      'init',
      '--yes',
      '--dir',
      dir,
      '--api',
      'HTTP',
      '--route',
      'get,post /users',
      '--route',
      'DELETE /users/{id}',
      '--header',
      'X-Api-Key',
      '--header',
      'Content-Type',
    ]);
    expect(r.code).toBe(0);
    const loaded = await loadSpec(spec(), dir);
    expect(loaded.ok && loaded.model).toMatchObject({
      api: 'http',
      routes: [
        { path: '/users', methods: ['GET', 'POST'] },
        { path: '/users/{id}', methods: ['DELETE'] },
      ],
      cors: { allowHeaders: ['X-Api-Key', 'Content-Type'] },
    });
  });
});

describe('cors-gen schema', () => {
  it('writes the editor schema next to the spec, and leaves an up-to-date copy alone', async () => {
    const first = await cli(['schema', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^wrote .*cors-gen\.schema\.json\n/);
    expect(first.stderr).toContain('# yaml-language-server: $schema=./cors-gen.schema.json');
    expect(JSON.parse(await readFile(path.join(dir, 'cors-gen.schema.json'), 'utf8'))).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
    const again = await cli(['schema', '--dir', dir]);
    expect(again.stderr).toMatch(/cors-gen\.schema\.json is up to date\n/);
  });
});

describe('init refuses to overwrite', () => {
  it('exits 1 the second time without --force and leaves the first file byte for byte', async () => {
    expect((await cli(['init', '--yes', '--dir', dir, '--origin', 'https://first.example.com'])).code).toBe(0);
    const before = await readFile(spec());
    const again = await cli(['init', '--yes', '--dir', dir, '--api', 'http', '--origin', 'https://second.example.com']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /cors-gen\.yaml already exists; it was left as it is\. Pass --force to overwrite it\./,
    );
    expect((await readFile(spec())).equals(before)).toBe(true);
  });

  it('also exits 1 through the binary', async () => {
    expect((await binary(['init', '--yes'], { cwd: dir, env: plainEnv() })).code).toBe(0);
    const before = await readFile(spec());
    const again = await binary(['init', '--yes', '--name', 'other-name'], { cwd: dir, env: plainEnv() });
    expect(again.code).toBe(1);
    expect((await readFile(spec())).equals(before)).toBe(true);
  });

  it('overwrites with --force', async () => {
    await cli(['init', '--yes', '--dir', dir]);
    const forced = await cli([
      'init',
      '--yes',
      '--force',
      '--dir',
      dir,
      '--api',
      'function-url',
      '--origin',
      'https://second.example.com',
    ]);
    expect(forced.code).toBe(0);
    const text = await readFile(spec(), 'utf8');
    expect(text).toContain('api: function-url');
    expect(text).toContain('"https://second.example.com"');
  });

  it('on a terminal, refuses before asking anything (the answers would be thrown away)', async () => {
    await writeFile(spec(), 'version: 1\n');
    const r = await runOnPty(['init'], [], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.screen).toContain(
      'error cors-gen.yaml already exists; it was left as it is. Pass --force to overwrite it.',
    );
    expect(r.screen).not.toContain('API name');
  });

  it('refuses when the folder already has a cors-gen.json', async () => {
    await writeFile(path.join(dir, 'cors-gen.json'), '{}\n');
    const r = await cli(['init', '--yes', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cors-gen.json already exists');
    expect(await readdir(dir)).toEqual(['cors-gen.json']);
  });
});

describe('init --source --handler (an existing backend)', () => {
  it('writes lambda.source relative to the spec and lambda.handler, checked on disk like validate', async () => {
    await mkdir(path.join(dir, 'backend/src'), { recursive: true });
    await writeFile(path.join(dir, 'backend/src/app.mjs'), 'export const handler = async () => ({ statusCode: 200 });');
    const r = await cli([
      'init',
      '--yes',
      '--dir',
      dir,
      '--source',
      path.join(dir, 'backend'),
      '--handler',
      'src/app.handler',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const written = parseYaml(await readFile(spec(), 'utf8')) as { lambda: Record<string, unknown> };
    expect(written.lambda).toMatchObject({ source: 'backend', handler: 'src/app.handler' });
    expect((await cli(['validate', '--spec', spec()])).code).toBe(0);
  });

  it('writes nothing for a handler the folder lacks, naming the flag', async () => {
    await mkdir(path.join(dir, 'backend'), { recursive: true });
    const r = await cli([
      'init',
      '--yes',
      '--dir',
      dir,
      '--source',
      path.join(dir, 'backend'),
      '--handler',
      'app.handler',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error --handler: "app\.handler": the folder has no app\.js, app\.mjs, app\.cjs/);
    expect(await readdir(dir)).toEqual(['backend']);
  });

  it('writes the spec with a warning for a folder not built yet, and nothing for one that would hold the module', async () => {
    const typo = await cli([
      'init',
      '--yes',
      '--dir',
      dir,
      '--source',
      path.join(dir, 'backedn'),
      '--handler',
      'app.handler',
    ]);
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain('warning lambda.source: "backedn" does not exist yet');
    await rm(spec());
    await writeFile(path.join(dir, 'app.mjs'), 'export const handler = async () => ({});');
    const dot = await cli(['init', '--yes', '--dir', dir, '--source', dir, '--handler', 'app.handler']);
    expect(dot.code).toBe(1);
    expect(dot.stderr).toMatch(
      /error --source: "\." holds the module folder generated\/shop-frontend, where "cors-gen generate" writes/,
    );
    expect((await readdir(dir)).filter((f) => f !== 'cors-gen.schema.json')).toEqual(['app.mjs']);
  });

  it('exits 2 for --source without --handler', async () => {
    const r = await cli(['init', '--yes', '--dir', dir, '--source', 'backend']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cors-gen: --source needs --handler\n {2}fix: give both/);
  });
});

describe('init with bad input', () => {
  it('writes nothing and exits 1 for an invalid --origin, naming the flag, the value and the fix', async () => {
    const r = await cli(['init', '--yes', '--dir', dir, '--origin', 'https://app.example.com/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error --origin: "https://app.example.com/" has a trailing slash; write "https://app.example.com"',
    );
    expect(r.stderr).toContain('cors-gen.yaml was not written: fix the flags above.');
    // No position in a file that does not exist.
    expect(r.stderr).not.toMatch(/cors-gen\.yaml:\d+:\d+/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes nothing for "*" with --credentials, or an invalid --name', async () => {
    const star = await cli(['init', '--yes', '--dir', dir, '--origin', '*', '--credentials']);
    expect(star.code).toBe(1);
    expect(star.stderr).toContain('error --origin: "*" cannot be combined with allowCredentials: true');
    // The fix is said in flags: there is no spec to edit yet.
    expect(star.stderr).toContain('list the exact origins, or leave out --credentials\n');
    const name = await cli(['init', '--yes', '--dir', dir, '--name', 'Billing_API']);
    expect(name.code).toBe(1);
    expect(name.stderr).toContain('error --name: "Billing_API" must be 2-40 characters');
    expect(name.stderr).toContain('write "billing-api"');
    expect(await readdir(dir)).toEqual([]);
  });

  it('exits 2 for a value a flag does not take, with a hint which to pick', async () => {
    const r = await cli(['init', '--yes', '--dir', dir, '--api', 'graphql']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cors-gen: --api "graphql" is not one of rest, http, function-url\n {2}fix: .+\n$/);
    expect(await readdir(dir)).toEqual([]);
    const route = await cli(['init', '--yes', '--dir', dir, '--route', '/users']);
    expect(route.code).toBe(2);
    expect(route.stderr).toMatch(
      /^cors-gen: --route "\/users": expected methods, a space and a path, e.g. "GET,POST \/users"\n {2}fix: .+\n$/,
    );
    const method = await cli(['init', '--yes', '--dir', dir, '--route', 'FETCH /users']);
    expect(method.stderr).toMatch(
      /^cors-gen: --route "FETCH \/users": "FETCH" is not one of GET, HEAD, POST, PUT, PATCH, DELETE\n {2}fix: .+\n$/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('names the spec key, not a flag the user did not type, when a default is what is wrong', async () => {
    // "*" typed with --origin: the flag is named. Credentials come from the flag too.
    const typed = await cli(['init', '--yes', '--dir', dir, '--origin', '*', '--credentials']);
    expect(typed.stderr).toContain('error --origin: "*" cannot be combined');
    // A route typed with --route whose path is wrong: named by its flag, with the fix.
    const route = await cli(['init', '--yes', '--dir', dir, '--route', 'GET /orders/:id']);
    expect(route.code).toBe(1);
    expect(route.stderr).toContain(
      'error --route: "/orders/:id" segment ":id" is a literal in API Gateway, not a parameter (paths use {name}; earlier versions of cors-gen accepted it); write "/orders/{id}"',
    );
  });
});

describe('init without --yes', () => {
  it('does not prompt when stdin is not a terminal: it takes the defaults and exits', async () => {
    const child = spawn(process.execPath, [BIN, 'init'], {
      cwd: dir,
      env: plainEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // stdin stays open: a prompt would wait for it forever.
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(stderr).not.toContain('API name');
    expect(await readdir(dir)).toEqual(['cors-gen.schema.json', 'cors-gen.yaml']);
  });

  it('asks on a terminal, re-asks only the wrong answers (keeping the others), shows where origins went, and writes routes', async () => {
    const r = await runOnPty(
      ['init'],
      [
        'billing\r',
        'REST\r',
        'https://shop.example.com/,http://localhost:5173\r',
        '\r',
        'y\r',
        'get,post /orders\r',
        'GET /orders/:id\r',
        'GET /orders/{id}\r',
        '\r',
        'Content-Type,X-Api-Key\r',
        'Python3.12\r',
        'n\r',
      ],
      { cwd: dir, env: { NO_COLOR: '1' } },
    );
    expect(r.screen).toContain('API name (shop-frontend): ');
    expect(r.screen).toContain(
      'rest: full control (wildcard origins, API Gateway errors with CORS); http: cheaper and simpler; function-url: one Lambda, no gateway',
    );
    // The wrong origin: the problem and its fix, then the corrected list offered as the default.
    expect(r.screen).toContain(
      'error cors.allowOrigins[0]: "https://shop.example.com/" has a trailing slash; write "https://shop.example.com"',
    );
    expect(r.screen).toContain('Allowed origins, comma-separated (https://shop.example.com,http://localhost:5173): ');
    expect(r.screen).toContain('https://shop.example.com -> cors.allowOrigins (a production origin)');
    expect(r.screen).toContain(
      'http://localhost:5173 -> stages.dev (a development origin: production should not trust a page any local process can serve)',
    );
    // The wrong route: asked again as route 2, route 1 kept.
    expect(r.screen).toContain(
      'error routes[1].path: "/orders/:id" segment ":id" is a literal in API Gateway, not a parameter (paths use {name}; earlier versions of cors-gen accepted it); write "/orders/{id}"',
    );
    expect(r.screen.match(/Route 2 \(done\): /g)).toHaveLength(2);
    // Prompts never name flags the user did not type.
    expect(r.screen).not.toMatch(/--(origin|route|name|api)\b/);
    expect(r.code).toBe(0);
    const loaded = await loadSpec(spec(), dir);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.model).toMatchObject({
      name: 'billing',
      api: 'rest',
      cors: {
        allowOrigins: ['https://shop.example.com'],
        allowCredentials: true,
        allowHeaders: ['Content-Type', 'X-Api-Key'],
      },
      routes: [
        { path: '/orders', methods: ['GET', 'POST'] },
        { path: '/orders/{id}', methods: ['GET'] },
      ],
      stages: [{ name: 'dev', allowOrigins: ['http://localhost:5173'] }],
      lambda: { runtime: 'python3.12' },
      frontend: { enabled: false },
    });
  });

  it('offers the fixed origin in place when a development origin comes first (the error counts within production)', async () => {
    const r = await runOnPty(
      ['init'],
      ['billing\r', 'rest\r', 'http://localhost:5173, https://app.mycorp.io/\r', '\r', 'n\r', '\r', '\r', '\r', 'n\r'],
      { cwd: dir, env: { NO_COLOR: '1' } },
    );
    expect(r.screen).toContain(
      'error cors.allowOrigins[0]: "https://app.mycorp.io/" has a trailing slash; write "https://app.mycorp.io"',
    );
    expect(r.screen).toContain('Allowed origins, comma-separated (http://localhost:5173,https://app.mycorp.io): ');
    expect(r.code).toBe(0);
    const loaded = await loadSpec(spec(), dir);
    expect(loaded.ok && loaded.model).toMatchObject({
      cors: { allowOrigins: ['https://app.mycorp.io'] },
      stages: [{ name: 'dev', allowOrigins: ['http://localhost:5173'] }],
    });
  });

  it('asks a yes/no question again when the answer is neither', async () => {
    const r = await runOnPty(
      ['init'],
      ['billing\r', 'rest\r', '\r', 'X-Custom\r', 'y\r', '\r', '\r', '\r', 'maybe\r', 'n\r'],
      { cwd: dir, env: { NO_COLOR: '1' } },
    );
    expect(r.screen).toContain('  "X-Custom" is not y or n');
    expect(r.screen).toContain('  "maybe" is not y or n');
    expect(r.code).toBe(0);
    const loaded = await loadSpec(spec(), dir);
    expect(loaded.ok && loaded.model).toMatchObject({ cors: { allowCredentials: true }, frontend: { enabled: false } });
  });

  it('re-asks only the origins when they conflict with a later answer ("*" with credentials)', async () => {
    const r = await runOnPty(
      ['init'],
      ['billing\r', 'http\r', '*\r', 'y\r', '\r', '\r', '\r', '\r', 'https://app.example.com\r'],
      { cwd: dir, env: { NO_COLOR: '1' } },
    );
    expect(r.screen).toContain('error cors.allowOrigins[0]: "*" cannot be combined with allowCredentials: true');
    expect(r.screen.match(/API name \(/g)).toHaveLength(1);
    expect(r.code).toBe(0);
    const loaded = await loadSpec(spec(), dir);
    expect(loaded.ok && loaded.model).toMatchObject({
      name: 'billing',
      api: 'http',
      cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true },
    });
  });

  it('re-asks for an API type it does not know', async () => {
    const r = await runOnPty(['init'], ['\r', 'soap\r', 'rest\r', '\r', '\r', '\r', '\r', '\r', '\r'], { cwd: dir });
    expect(r.screen).toContain('"soap" is not one of rest, http, function-url');
    expect(r.code).toBe(0);
    expect((await loadSpec(spec(), dir)).ok).toBe(true);
  });

  it("takes flags as the prompts' defaults, and asks no routes for a Function URL", async () => {
    const r = await runOnPty(
      ['init', '--name', 'from-flag', '--api', 'function-url'],
      ['\r', '\r', '\r', '\r', '\r', '\r', '\r'],
      { cwd: dir },
    );
    expect(r.screen).toContain('API name (from-flag): ');
    expect(r.screen).toContain('(function-url): ');
    expect(r.screen).not.toContain('Route 1');
    expect(r.code).toBe(0);
    const text = await readFile(spec(), 'utf8');
    expect(text).toContain('api: function-url');
    expect(text).not.toMatch(/^routes:/m);
    expect(text).toContain(
      '# A Function URL has no routes: every path and method reaches your function; route in your handler.',
    );
  });

  it('--yes stays non-interactive on a terminal too', async () => {
    const r = await runOnPty(['init', '--yes', '--route', 'GET /health'], [], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain('): ');
    expect(await readFile(spec(), 'utf8')).toContain('  - path: /health\n    methods: [GET]\n');
  });

  it('Ctrl+C at a prompt cancels: exit 1, nothing written, no "internal error"', async () => {
    const r = await runOnPty(['init'], ['billing\r', '\u0003'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.screen).toContain('init cancelled; nothing was written.');
    expect(r.screen).not.toContain('internal error');
    expect(await readdir(dir)).toEqual([]);
  });

  it('Ctrl+D at a prompt cancels too', async () => {
    const r = await runOnPty(['init'], ['\u0004'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.screen).toContain('init cancelled; nothing was written.');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('specNameFrom', () => {
  it.each([
    ['shop-frontend', 'shop-frontend'],
    ['My App_2', 'my-app-2'],
    ['2024-api', 'api'],
    ['x', 'my-api'],
    ['---', 'my-api'],
    ['Ünïcode Ñame', 'n-code-ame'],
    ['a'.repeat(50), 'a'.repeat(40)],
  ])('%j -> %j, always a valid spec name', (folder, name) => {
    expect(specNameFrom(folder)).toBe(name);
    expect(specNameFrom(folder)).toMatch(/^[a-z][a-z0-9-]{1,39}$/);
  });
});
