import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModuleError, PreviewSetupError } from '../../src/preview/errors.js';
import { startPreview } from '../../src/preview/index.js';
import { localPython, runtimeVersionWarnings } from '../../src/preview/lambda/versions.js';
import { get, project, scratch, serve, siteOrigin } from './own-code-support.js';

// The user's own code (lambda.source) in preview: a repository in a temporary folder with the spec, the code in
// backend/ and the module generated into generated/own-code, served from a staged copy of what the zips will hold.

describe('preview with lambda.source', () => {
  it('runs the code from a copy outside the repository, removed on close', async () => {
    const { root, module } = await project({
      'backend/app.mjs':
        'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ root: process.env.LAMBDA_TASK_ROOT, cwd: import.meta.url }) });',
    });
    const p = await serve(module);
    const reply = await get(p);
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toEqual([siteOrigin(p)]);
    const { root: taskRoot, cwd } = JSON.parse(reply.body) as { root: string; cwd: string };
    expect(taskRoot.startsWith(realpathSync(os.tmpdir()))).toBe(true);
    expect(taskRoot.startsWith(root)).toBe(false);
    expect(cwd).toContain(taskRoot);
    await p.close();
    expect(existsSync(taskRoot)).toBe(false);
  });

  it("fails, as Lambda would, on a dependency found only in the repository's own node_modules", async () => {
    const { module } = await project({
      'node_modules/only-here/package.json': '{"name":"only-here","main":"index.js"}',
      'node_modules/only-here/index.js': 'exports.x = 1;',
      'backend/app.mjs':
        "import { x } from 'only-here';\nexport const handler = async () => ({ statusCode: 200, body: String(x) });",
    });
    const log: string[] = [];
    const p = await serve(module, log);
    const reply = await get(p);
    expect(reply.status).toBe(500);
    // The wrapper's 500 still carries the CORS headers, so the browser can read it.
    expect(reply.headers['access-control-allow-origin']).toEqual([siteOrigin(p)]);
    expect(log.join('\n')).toContain("Cannot find package 'only-here'");
  });

  it('leaves out what archive_file excludes', async () => {
    const { module } = await project({
      'backend/app.mjs':
        "import { existsSync } from 'node:fs';\nexport const handler = async () => ({ statusCode: 200, body: String(existsSync(process.env.LAMBDA_TASK_ROOT + '/.DS_Store')) });",
      'backend/.DS_Store': 'finder',
    });
    expect((await get(await serve(module))).body).toBe('false');
  });

  it('refuses a symbolic link in the code that leads out of the repository, with the fix', async () => {
    const outside = scratch('cors-gen-outside-');
    writeFileSync(path.join(outside, 'secret.js'), 'exports.x = 1;');
    const { module, root } = await project({ 'backend/app.mjs': 'export const handler = async () => ({});' });
    symlinkSync(path.join(outside, 'secret.js'), path.join(root, 'backend/linked.js'));
    await expect(startPreview({ module })).rejects.toThrow(
      /linked\.js is a symbolic link to .*outside the repository.*--install-links/,
    );
  });

  it('refuses a layer the module does not build, after its own', async () => {
    const { module } = await project({ 'backend/app.mjs': 'export const handler = async () => ({});' });
    await expect(
      startPreview({ module, vars: ['layers=["arn:aws:lambda:us-east-1:123456789012:layer:x:1"]'] }),
    ).rejects.toThrow(/layer "arn:aws:lambda:us-east-1:123456789012:layer:x:1" is not built by this module/);
  });

  it('runs a Python handler in a folder with the layer after the task root on sys.path', async () => {
    const { module } = await project(
      {
        'backend/api/main.py': 'def handler(event, context):\n    return {"statusCode": 200, "body": "py"}\n',
        // A user module named like the wrapper's own cors module must not replace it.
        'backend/cors.py': 'raise RuntimeError("imported the user\'s cors.py")\n',
      },
      'python3.12',
      'api/main.handler',
    );
    const p = await serve(module);
    const reply = await get(p);
    expect(reply).toMatchObject({ status: 200, body: 'py' });
    expect(reply.headers['access-control-allow-origin']).toEqual([siteOrigin(p)]);
  });

  it('warns once when the local Node major version differs from the runtime', async () => {
    const { module } = await project({ 'backend/app.mjs': 'export const handler = async () => ({});' }, 'nodejs24.x');
    const log: string[] = [];
    const p = await serve(module, log);
    const local = process.versions.node.split('.')[0];
    const warned = p.warnings.filter((w) => w.includes('runs on nodejs24.x'));
    expect(warned).toHaveLength(local === '24' ? 0 : 1);
  });
});

describe('preview with lambda.source, when the folder cannot be staged', () => {
  const saved = process.env['TMPDIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  });

  it('says to build a folder not built yet, as preview --spec does', async () => {
    const { root, module } = await project({ 'backend/app.mjs': 'export const handler = async () => ({});' });
    rmSync(path.join(root, 'backend'), { recursive: true });
    const error = await startPreview({ module }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/source_dir \S*\/\.\.\/\.\.\/backend is not a folder$/);
    expect(error).toMatchObject({
      code: 'lambda-source-missing',
      fix: 'build it (your build writes that folder), then run "cors-gen preview" again',
    });
  });

  it('refuses a path Lambda can open but the staged copy cannot hold, naming it, the cause and the fix', async () => {
    // The copy lives deeper than /var/task/: here under a long TMPDIR, so that the repository's path still fits.
    const tmp = path.join(scratch('cors-gen-long-'), 't'.repeat(200));
    mkdirSync(tmp);
    const deep = `${'abcdefghi/'.repeat(392)}f.js`;
    const { module } = await project({
      'backend/app.mjs': 'export const handler = async () => ({});',
      [`backend/${deep}`]: '',
    });
    process.env['TMPDIR'] = tmp;
    const error = await startPreview({ module }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreviewSetupError);
    const { message, fix, code } = error as PreviewSetupError;
    expect(message).toMatch(
      /^aws_lambda_function\.handler: the preview cannot copy abcdefghi\/abcdefghi\/.*\.\.\. \(392 folders deep\) of /,
    );
    expect(message).toContain(`into its staged copy under ${realpathSync(tmp)}`);
    expect(message).toMatch(/ENAMETOOLONG/);
    expect(code).toBe('staging-path-too-long');
    expect(fix).toMatch(/set TMPDIR to a shorter folder/);
  });
});

describe('runtimeVersionWarnings', () => {
  const code = (runtime: string, staged = true) =>
    ({
      address: 'aws_lambda_function.handler',
      functionName: 'f',
      dir: '/x',
      handler: 'app.handler',
      runtime,
      environment: {},
      timeoutSeconds: 3,
      memoryMb: 128,
      ...(staged ? { staged: { layers: [] } } : {}),
    }) as const;

  it('names a Python 3.x that differs from the runtime, once for many functions', () => {
    const warnings = runtimeVersionWarnings([code('python3.12'), code('python3.12')], '3.11.7');
    expect(warnings).toEqual([
      expect.stringContaining('python3.12 but the preview runs your code with the local Python 3.11'),
    ]);
    expect(runtimeVersionWarnings([code('python3.12')], '3.12.1')).toEqual([]);
  });

  it('says nothing for the generated stub (not staged)', () => {
    expect(runtimeVersionWarnings([code('python3.12', false)], '3.11.7')).toEqual([]);
  });
});

describe('localPython', () => {
  it('resolves a command to the absolute path and version of the interpreter it runs', () => {
    const { executable, version } = localPython('python3');
    expect(path.isAbsolute(executable)).toBe(true);
    expect(version).toMatch(/^3\.\d+\.\d+/);
  });

  it('says which command cannot be run, and the fix', () => {
    expect(() => localPython('/nonexistent/python3')).toThrow(
      expect.objectContaining({
        code: 'python-missing',
        message: expect.stringMatching(
          /^the module's Lambda code is Python and "\/nonexistent\/python3" cannot be run/,
        ),
        fix: 'install Python 3 so that "/nonexistent/python3" runs it, then run cors-gen preview again',
      }),
    );
  });
});
