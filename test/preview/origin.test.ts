/**
 * `cors-gen preview` for a spec without a frontend (an app hosted elsewhere): the demo page is served on a
 * local origin the module allows, the stage is chosen when only one has such an origin, the URL printed is that
 * origin, and every way this cannot work (no local origin, its port taken, a --site-port no origin has, several
 * stages to choose from) says what to do. Every spec uses ports that are free when the test starts.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { localOrigin } from '../../src/preview/site/origin.js';
import { binary, plainEnv } from '../cli/capture.js';
import { startPreview } from '../../src/preview/index.js';
import {
  REPO,
  editModule,
  freePorts,
  generateModules,
  header,
  send,
  startCli,
  until,
  type Running,
} from '../support/preview.js';

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A project folder with cors-gen.yaml (no frontend) and its generated module, as `cors-gen generate` leaves it. */
async function project(
  name: string,
  origins: { prod: string[]; stages?: Record<string, string[]>; credentials?: boolean },
): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-origin-'));
  scratch.push(dir);
  const stages = Object.entries(origins.stages ?? {})
    .map(([stage, list]) => `  ${stage}:\n    allowOrigins: [${list.join(', ')}]\n`)
    .join('');
  const spec = `version: 1\nname: ${name}\napi: rest\ncors:\n  allowOrigins: [${origins.prod.join(', ')}]\n  allowCredentials: ${origins.credentials ?? false}\nroutes:\n  - path: /orders\n    methods: [GET, POST]\n${stages ? `stages:\n${stages}` : ''}`;
  writeFileSync(path.join(dir, 'cors-gen.yaml'), spec);
  const result = await generate({ cwd: dir });
  if (!('dir' in result) || !result.ok) throw new Error(`generate failed: ${JSON.stringify(result)}`);
  return dir;
}

const run = (dir: string, args: readonly string[]) =>
  binary(['preview', ...args], { cwd: dir, env: plainEnv({ NO_COLOR: '1' }) });

async function occupy(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return server;
}

async function stop(r: Running): Promise<void> {
  r.child.kill('SIGTERM');
  expect((await r.exited).code).toBe(0);
}

describe('a spec whose only local origin is in a stage', () => {
  let dir: string;
  let port: number;
  beforeAll(async () => {
    [port] = (await freePorts(1)) as [number];
    dir = await project('orders', { prod: ['https://app.mycorp.io'], stages: { dev: [`http://localhost:${port}`] } });
  });

  it('chooses that stage, says so, serves the page on that origin and prints exactly it as the URL to open', async () => {
    const r = startCli([], dir);
    try {
      await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
      const lines = r.stderr().split('\n');
      expect(lines).toContain(
        `no --stage given: using stage dev, the only stage that allows a local origin (http://localhost:${port}) to serve the demo page on`,
      );
      expect(lines).toContain('serving generated/orders (rest, stage dev)');
      expect(lines).toContain(`  site          http://localhost:${port}/   allowed by stage dev`);
      expect(
        lines.some((l) =>
          /^ {2}foreign site {2}http:\/\/127\.0\.0\.1:\d+\/ {3}not allowed by stage dev: shows what the browser blocks$/.test(
            l,
          ),
        ),
      ).toBe(true);
      expect(lines).toContain(`Open http://localhost:${port}/ in a browser. Ctrl+C stops.`);
      expect(r.stderr()).not.toMatch(/warning/);
      // The page answers on that port, addressed as the browser addresses it.
      const page = await send(`http://127.0.0.1:${port}/`, { headers: { Host: `localhost:${port}` } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<span class="role" id="badge">allowed origin</span>');
      // ... and the API lets that origin read it.
      const api = /API {11}(\S+)/.exec(r.stderr())![1]!;
      expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/);
      const preflight = await send(`${api}/orders`, {
        method: 'OPTIONS',
        headers: { Origin: `http://localhost:${port}`, 'Access-Control-Request-Method': 'POST' },
      });
      expect(header(preflight, 'access-control-allow-origin')).toBe(`http://localhost:${port}`);
      await stop(r);
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  it('takes the spec as a positional argument, and prints one JSON line with ok, the URLs and the stage', async () => {
    const r = startCli(['cors-gen.yaml', '--json'], dir);
    try {
      await until(() => r.stdout().includes('\n'), 'the JSON line');
      const ready = JSON.parse(r.stdout()) as Record<string, string>;
      expect(Object.keys(ready)).toEqual(['schemaVersion', 'ok', 'api', 'site', 'foreignSite', 'stage']);
      expect(ready).toMatchObject({ ok: true, site: `http://localhost:${port}/`, stage: 'dev' });
      await stop(r);
      expect(r.stdout().trim().split('\n')).toHaveLength(1);
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  it('serves the API without the demo page when the port is taken (your own dev server), for your page to call', async () => {
    const busy = await occupy(port);
    const r = startCli(['--stage', 'dev'], dir);
    try {
      await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
      const lines = r.stderr().split('\n');
      expect(lines).toContain(
        `warning http://localhost:${port} in use (port ${port}), often by your own dev server: serving the API without the demo page`,
      );
      expect(lines).toContain(
        `  your page     http://localhost:${port}/   allowed by stage dev, its port in use: no demo page`,
      );
      const api = /API {11}(\S+)/.exec(r.stderr())![1]!;
      expect(lines).toContain(`Your page on http://localhost:${port} can call ${api}. Ctrl+C stops.`);
      // The dev server keeps its port, and its page's preflight is allowed.
      const preflight = await send(`${api}/orders`, {
        method: 'OPTIONS',
        headers: { Origin: `http://localhost:${port}`, 'Access-Control-Request-Method': 'POST' },
      });
      expect(header(preflight, 'access-control-allow-origin')).toBe(`http://localhost:${port}`);
      await stop(r);
    } finally {
      busy.close();
      r.child.kill('SIGKILL');
    }
  });

  it('refuses --site-dir when the port is taken: nothing would serve that folder', async () => {
    mkdirSync(path.join(dir, 'site'), { recursive: true });
    writeFileSync(path.join(dir, 'site/index.html'), '<p>mine</p>');
    const busy = await occupy(port);
    try {
      const r = await run(dir, ['--stage', 'dev', '--site-dir', 'site']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `cors-gen: site: port ${port} on 127.0.0.1 is already in use, and --site-dir site must be served on http://localhost:${port}, the local origin stage dev allows\n  fix: stop what listens on port ${port} (often your own dev server) and run the preview again, or leave --site-dir out and open your own page on http://localhost:${port}\n`,
      );
    } finally {
      busy.close();
    }
  });

  it('says so in the --json ready line when the port is taken', async () => {
    const busy = await occupy(port);
    const r = startCli(['--stage', 'dev', '--json'], dir);
    try {
      await until(() => r.stdout().includes('\n'), 'the JSON line');
      expect(JSON.parse(r.stdout())).toMatchObject({ ok: true, site: `http://localhost:${port}/`, demoPage: false });
      await stop(r);
    } finally {
      busy.close();
      r.child.kill('SIGKILL');
    }
  });

  it('refuses a --site-port that no allowed origin has, naming the origins it allows', async () => {
    const r = await run(dir, ['--site-port', String(port === 65535 ? 1024 : port + 1)]);
    const other = port === 65535 ? 1024 : port + 1;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `cors-gen: --site-port ${other}: no local origin stage dev allows has that port (it allows http://localhost:${port}), and the demo page must be served on an allowed origin\n  fix: leave --site-port out, or add http://localhost:${other} to stages.dev.allowOrigins, run "cors-gen generate" and preview again\n`,
    );
  });
});

describe('a stage with two local origins', () => {
  it("serves on the second when the first one's port is taken, and says so", async () => {
    const [a, b] = (await freePorts(2)) as [number, number];
    const dir = await project('two', {
      prod: ['https://app.mycorp.io'],
      stages: { dev: [`http://localhost:${a}`, `http://127.0.0.1:${b}`] },
    });
    const busy = await occupy(a);
    const r = startCli(['--stage', 'dev'], dir);
    try {
      await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
      expect(r.stderr()).toContain(
        `warning http://localhost:${a} in use (port ${a}); serving the demo page on http://127.0.0.1:${b}, also allowed\n`,
      );
      expect(r.stderr()).toContain(`Open http://127.0.0.1:${b}/ in a browser.`);
      expect(r.stderr()).not.toContain('no --stage given');
      await stop(r);
    } finally {
      busy.close();
      r.child.kill('SIGKILL');
    }
  });
});

describe('a spec with no origin the preview can serve', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('remote', { prod: ['https://app.mycorp.io'], stages: { dev: ['https://dev.mycorp.io'] } });
  });

  const message =
    'no origin the module allows can be served locally (the defaults allow https://app.mycorp.io; stage dev allows https://dev.mycorp.io): without an S3 website in the module, the preview serves its demo page on an allowed http://localhost:<port> or http://127.0.0.1:<port> origin';
  const fix =
    'add http://localhost:5173 to stages.dev.allowOrigins in cors-gen.yaml, run "cors-gen generate", then "cors-gen preview --stage dev"';

  it('says which origin to add, where, and what to run, and exits 1', async () => {
    const r = await run(dir, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`cors-gen: ${message}\n  fix: ${fix}\n`);
    expect(r.stdout).toBe('');
  });

  it('under --json, prints {ok:false,error:{code,message,fix}} on stdout', async () => {
    const r = await run(dir, ['--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: { code: 'no-local-origin', message, fix },
    });
  });

  it('names a spec that is not the default one in the commands it suggests', async () => {
    mkdirSync(path.join(dir, 'api'), { recursive: true });
    copyFileSync(path.join(dir, 'cors-gen.yaml'), path.join(dir, 'api', 'spec.yaml'));
    const r = await run(dir, ['api/spec.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '\n  fix: add http://localhost:5173 to stages.dev.allowOrigins in api/spec.yaml, run "cors-gen generate --spec api/spec.yaml", then "cors-gen preview --spec api/spec.yaml --stage dev"\n',
    );
  });

  it('with --stage, speaks of that stage only', async () => {
    const r = await run(dir, ['--stage', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cors-gen: no origin the module allows can be served locally (stage dev allows https://dev.mycorp.io): ',
    );
  });

  it('without stages, suggests adding a dev stage', async () => {
    const bare = await project('bare', { prod: ['https://app.mycorp.io'] });
    const r = await run(bare, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'cors-gen: no origin the module allows can be served locally (the defaults allow https://app.mycorp.io): without an S3 website in the module, the preview serves its demo page on an allowed http://localhost:<port> or http://127.0.0.1:<port> origin\n  fix: add a dev stage to cors-gen.yaml (stages: { dev: { allowOrigins: [http://localhost:5173] } }), run "cors-gen generate", then "cors-gen preview --stage dev"\n',
    );
  });

  it('without stages, answers --stage qa by suggesting that stage, not "leave --stage out" (which fails too)', async () => {
    const bare = await project('bare-qa', { prod: ['https://app.mycorp.io'] });
    const r = await run(bare, ['--stage', 'qa', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: 'no-local-origin',
        message:
          'no origin the module allows can be served locally (the defaults allow https://app.mycorp.io): without an S3 website in the module, the preview serves its demo page on an allowed http://localhost:<port> or http://127.0.0.1:<port> origin',
        fix: 'add a qa stage to cors-gen.yaml (stages: { qa: { allowOrigins: [http://localhost:5173] } }), run "cors-gen generate", then "cors-gen preview --stage qa"',
      },
    });
  });
});

describe('several stages with a local origin', () => {
  it('asks which one, listing them with their origins', async () => {
    const [a, b] = (await freePorts(2)) as [number, number];
    const dir = await project('many', {
      prod: ['https://app.mycorp.io'],
      stages: { dev: [`http://localhost:${a}`], qa: [`http://127.0.0.1:${b}`] },
    });
    const r = await run(dir, ['--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: 'choose-stage',
        message: `the module's defaults allow no local origin to serve the demo page on, and several stages do: dev (http://localhost:${a}); qa (http://127.0.0.1:${b})`,
        fix: 'pass --stage dev or --stage qa',
      },
    });
  });
});

describe('a module that allows every origin', () => {
  it('serves the page on a free loopback port, and says the foreign origin is allowed too', async () => {
    const dir = await project('anyone', { prod: ['"*"'] });
    const r = startCli([], dir);
    try {
      await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
      expect(r.stderr()).toMatch(/\n {2}site {10}http:\/\/127\.0\.0\.1:\d+\/ {3}allowed by the module\n/);
      expect(r.stderr()).toMatch(
        /\n {2}foreign site {2}http:\/\/127\.0\.0\.1:\d+\/ {3}allowed by the module too \(it allows any origin, or a pattern matches\)\n/,
      );
      await stop(r);
    } finally {
      r.child.kill('SIGKILL');
    }
  });
});

describe('which allowed origins this machine can serve', () => {
  it.each([
    ['http://localhost:5173', 5173],
    ['http://127.0.0.1:3000', 3000],
    ['http://localhost', undefined],
    ['https://localhost:5173', undefined],
    ['http://127.0.0.1:0', undefined],
    ['http://localhost:70000', undefined],
    ['http://localhost.evil.example:5173', undefined],
    ['http://127.0.0.2:5173', undefined],
    ['http://[::1]:5173', undefined],
    ['https://app.mycorp.io', undefined],
  ] as const)('%s -> port %s', (origin, port) => {
    expect(localOrigin(origin)?.port).toBe(port);
  });
});

describe('an origin the module does not allow is never called allowed', () => {
  it('a website module edited so that the website origin is dropped: the site is labelled not allowed, with a warning', async () => {
    const modules = await generateModules([
      { name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') },
    ]);
    try {
      const dir = modules.copy('orders-api');
      editModule(
        dir,
        'main.tf',
        'distinct(concat(var.allowed_origins, [local.website_origin]))',
        'var.allowed_origins',
      );
      const lines: string[] = [];
      const p = await startPreview({ module: dir, log: (l) => lines.push(l) });
      try {
        const site = p.site.replace(/\/$/, '');
        expect([p.website, p.siteAllowed, p.foreignAllowed]).toEqual([true, false, false]);
        expect(lines).toContain(
          `warning: the module's API does not allow the site origin ${site} (a preflight from it gets no Access-Control-Allow-Origin naming it): the demo page there will be blocked like the foreign one`,
        );
        const page = await send(p.site);
        expect(page.body).toContain('<span class="role" id="badge">not an allowed origin</span>');
        expect(page.body).not.toContain('>allowed origin<');
      } finally {
        await p.close();
      }
    } finally {
      modules.cleanup();
    }
  });
});
