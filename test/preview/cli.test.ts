import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli } from '../cli/capture.js';
import { REPO, editModule, generateModules, send, type GeneratedModules } from './helpers.js';

let modules: GeneratedModules;
const scratch: string[] = [];
beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
});
afterAll(() => {
  modules.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `cors-gen preview ...` as a real process (the built binary), so signals and the exit code are real. */
function start(args: readonly string[], cwd = REPO): Running {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does it first)`);
  const child = spawn(process.execPath, [BIN, 'preview', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cors-gen preview as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints exactly one JSON line with --json, serves, and exits 0 on %s', async (signal) => {
    const run = start(['--module', modules.dirs.get('orders-api')!, '--json']);
    try {
      await until(() => run.stdout().includes('\n'), 'the JSON line');
      const urls = JSON.parse(run.stdout().trim()) as { api: string; site: string; foreignSite: string };
      expect(Object.keys(urls)).toEqual(['schemaVersion', 'api', 'site', 'foreignSite']);
      expect(urls.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
      const page = await send(urls.site);
      expect(page.status).toBe(200);
      expect(page.body).toContain('cors-gen preview');
      expect((await send(`${urls.api}/health`)).status).toBe(200);
      run.child.kill(signal);
      const exit = await run.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(run.stdout().trim().split('\n')).toHaveLength(1);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('uses the ports it is given, and prints the URLs for a human without --json', async () => {
    const ports = await freePorts(3);
    const run = start(['--module', modules.dirs.get('orders-api')!, '--api-port', String(ports[0]), '--site-port', String(ports[1]), '--foreign-port', String(ports[2])]);
    try {
      await until(() => run.stderr().includes('Ctrl+C'), 'the banner');
      expect(run.stdout()).toBe('');
      expect(run.stderr()).toContain(`API           http://127.0.0.1:${ports[0]}/prod`);
      expect(run.stderr()).toContain(`site          http://127.0.0.1:${ports[1]}/`);
      expect(run.stderr()).toContain(`foreign site  http://127.0.0.1:${ports[2]}/`);
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('serves --site-dir on the site and foreign origins, keeping the demo at /__preview/demo', async () => {
    const site = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-site-'));
    scratch.push(site);
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>my frontend</title>');
    mkdirSync(path.join(site, 'assets'));
    writeFileSync(path.join(site, 'assets/app.js'), 'console.log(1)');
    const run = start(['--module', modules.dirs.get('orders-api')!, '--site-dir', site, '--json']);
    try {
      await until(() => run.stdout().includes('\n'), 'the JSON line');
      const urls = JSON.parse(run.stdout()) as { site: string; foreignSite: string };
      for (const base of [urls.site, urls.foreignSite]) {
        expect((await send(base)).body).toContain('my frontend');
        const js = await send(`${base}assets/app.js`);
        expect(js.headers['content-type']).toEqual(['text/javascript; charset=utf-8']);
        expect((await send(`${base}missing.html`)).status).toBe(404);
        expect((await send(`${base}..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
        expect((await send(`${base}__preview/demo`)).body).toContain('window.__corsPreview');
      }
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('cors-gen preview refuses to start, with the reason', () => {
  it('exits 1 for a module it cannot serve, naming the file, the address and the expression', async () => {
    const dir = modules.copy('orders-api');
    editModule(dir, 'main.tf', 'distinct(concat(var.allowed_origins, [local.website_origin]))', 'setunion(var.allowed_origins, [local.website_origin])');
    const r = await cli(['preview', '--module', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/main\.tf: local\.allowed_origins: function "setunion" is not supported by the preview/);
    expect(r.stderr).toContain('setunion(var.allowed_origins');
  });

  it('exits 1 with a JSON error line under --json', async () => {
    const dir = modules.copy('orders-api');
    editModule(dir, 'main.tf', /resource "aws_api_gateway_stage" "api" \{[\s\S]*?\n\}\n/, '');
    editModule(dir, 'outputs.tf', 'aws_api_gateway_stage.api.invoke_url', 'aws_api_gateway_rest_api.api.execution_arn');
    const r = await cli(['preview', '--module', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, error: expect.stringMatching(/has no aws_api_gateway_stage/) });
  });

  it('exits 2 for a folder that does not exist, suggesting generate', async () => {
    const r = await cli(['preview', '--module', path.join(os.tmpdir(), 'cors-gen-nothing-here')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such folder; run "cors-gen generate" first/);
  });

  it('exits 2 for a port that is taken', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const r = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--api-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      busy.close();
    }
  });

  it('exits 2 for a port that is not a port', async () => {
    const r = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--site-port', '70000']);
    expect(r.code).toBe(2);
  });

  it('exits 2 for a stage the module has no tfvars for', async () => {
    const r = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--stage', 'qa']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no stages\/qa\.tfvars/);
  });

  it('finds the module of a spec in generated/<name>, and says so when it is missing', async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-project-'));
    scratch.push(project);
    writeFileSync(path.join(project, 'cors-gen.yaml'), 'version: 1\nname: not-generated\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /x\n    methods: [GET]\n');
    const run = start(['--spec', 'cors-gen.yaml'], project);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toMatch(/generated\/not-generated: no such folder/);
  });

  it('documents its flags in --help', async () => {
    const r = await cli(['preview', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--spec', '--module', '--stage', '--api-port', '--site-port', '--site-dir', '--json', '--host']) expect(r.stdout).toContain(flag);
  });
});

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
