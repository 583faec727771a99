import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { binary, cli, plainEnv } from '../cli/capture.js';
import {
  REPO,
  editModule,
  freePorts,
  generateModules,
  send,
  startCli,
  until,
  type GeneratedModules,
} from '../support/preview.js';

let modules: GeneratedModules;
const scratch: string[] = [];
beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
});
afterAll(() => {
  modules.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('cors-gen preview as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints exactly one JSON line with --json, serves, and exits 0 on %s',
    async (signal) => {
      const run = startCli(['--module', modules.dirs.get('orders-api')!, '--json']);
      try {
        await until(() => run.stdout().includes('\n'), 'the JSON line');
        const urls = JSON.parse(run.stdout().trim()) as { api: string; site: string; foreignSite: string };
        expect(Object.keys(urls)).toEqual(['schemaVersion', 'ok', 'api', 'site', 'foreignSite']);
        expect(urls).toMatchObject({ ok: true });
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
    },
  );

  it('uses the ports it is given, and prints the URLs for a human without --json', async () => {
    const ports = await freePorts(3);
    const run = startCli([
      '--module',
      modules.dirs.get('orders-api')!,
      '--api-port',
      String(ports[0]),
      '--site-port',
      String(ports[1]),
      '--foreign-port',
      String(ports[2]),
    ]);
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
    const run = startCli(['--module', modules.dirs.get('orders-api')!, '--site-dir', site, '--json']);
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
    editModule(
      dir,
      'main.tf',
      'distinct(concat(var.allowed_origins, [local.website_origin]))',
      'setunion(var.allowed_origins, [local.website_origin])',
    );
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
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: 'cannot-serve',
        message: expect.stringMatching(/^cannot serve .*: .*has no aws_api_gateway_stage/),
      },
    });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
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

  it('passes every --var to the module, and exits 2 for one naming no variable of the module', async () => {
    const bad = await cli([
      'preview',
      '--module',
      modules.dirs.get('orders-api')!,
      '--var',
      'timeout=5',
      '--var',
      'nope=1',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^cors-gen: --var nope: the module declares no variable "nope"\n  fix: use one of allowed_origins, /,
    );
    const refused = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--var', 'memory_size=64']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /invalid value for var\.memory_size: memory_size must be a whole number of MB from 128 to 10240/,
    );
  });

  it('exits 2 for a stage the module does not have, listing the stages it has', async () => {
    const r = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--stage', 'staging']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'cors-gen: --stage "staging": the module has no such stage; its stages are dev\n  fix: use --stage dev, or add stages.staging.allowOrigins to the spec and run "cors-gen generate"\n',
    );
    const json = await cli(['preview', '--module', modules.dirs.get('orders-api')!, '--stage', 'staging', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: 'unknown-stage',
        message: '--stage "staging": the module has no such stage; its stages are dev',
        fix: 'use --stage dev, or add stages.staging.allowOrigins to the spec and run "cors-gen generate"',
      },
    });
  });

  it('finds the module of a spec in generated/<name>, and says so when it is missing', async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-project-'));
    scratch.push(project);
    writeFileSync(
      path.join(project, 'cors-gen.yaml'),
      'version: 1\nname: not-generated\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /x\n    methods: [GET]\n',
    );
    const run = startCli(['--spec', 'cors-gen.yaml'], project);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toMatch(/generated\/not-generated: no such folder/);
  });

  it('under --json, every refusal is one line {ok:false,error:{code,message,fix}} on stdout', async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-project-'));
    scratch.push(project);
    writeFileSync(
      path.join(project, 'broken.yaml'),
      'version: 1\nname: broken\ncors:\n  allowOrigins: [https://app.example.com/]\nroutes:\n  - path: /x\n    methods: [GET]\n',
    );
    const cases: [readonly string[], number, unknown][] = [
      [
        ['broken.yaml'],
        1,
        {
          code: 'invalid-spec',
          message: 'broken.yaml: 1 error(s)',
          fix: 'fix the spec ("cors-gen validate" lists the errors), run "cors-gen generate", then preview',
        },
      ],
      [
        [],
        2,
        {
          code: 'unreadable',
          message: expect.stringMatching(
            /^no spec found: looked for cors-gen\.yaml, cors-gen\.yml, cors-gen\.json in /,
          ),
        },
      ],
      [
        ['a.yaml', '--spec', 'b.yaml'],
        2,
        { code: 'usage', message: 'two specs given: a.yaml and --spec b.yaml', fix: 'give one' },
      ],
      [
        ['broken.yaml', '--module', 'generated/broken'],
        2,
        {
          code: 'usage',
          message: 'both a spec (broken.yaml) and --module generated/broken given',
          fix: 'give the spec (its module is generated/<name>) or the module folder',
        },
      ],
      [
        ['--module', modules.dirs.get('orders-api')!, '--site-dir', 'no-such-folder'],
        2,
        {
          code: 'usage',
          message: '--site-dir no-such-folder: not a folder',
          fix: 'pass the folder that holds your built frontend (its index.html)',
        },
      ],
    ];
    for (const [args, code, error] of cases) {
      const r = await binary(['preview', ...args, '--json'], { cwd: project, env: plainEnv({ NO_COLOR: '1' }) });
      expect([args, r.code], r.stderr).toEqual([args, code]);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, ok: false, error });
    }
  });

  it('warns when the module was generated from another version of the spec', async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-project-'));
    scratch.push(project);
    const spec = 'version: 1\nname: stale\ncors:\n  allowOrigins: ["*"]\nroutes:\n  - path: /x\n    methods: [GET]\n';
    writeFileSync(path.join(project, 'cors-gen.yaml'), spec);
    await generate({ cwd: project });
    writeFileSync(path.join(project, 'cors-gen.yaml'), spec.replace('/x', '/y'));
    const run = startCli(['cors-gen.yaml'], project);
    try {
      await until(() => run.stderr().includes('Ctrl+C'), 'the banner');
      expect(run.stderr()).toContain(
        'warning generated/stale was generated from another version of cors-gen.yaml; run "cors-gen generate" to preview what the spec says now\n',
      );
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('documents its flags in --help', async () => {
    const r = await cli(['preview', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--spec', '--module', '--stage', '--api-port', '--site-port', '--site-dir', '--json', '--host'])
      expect(r.stdout).toContain(flag);
  });
});
