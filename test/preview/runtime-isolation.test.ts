/**
 * The preview runs the user's code with what Lambda's runtime gives it and nothing else from this machine: Python
 * without the developer's site-packages (but with the runtime's boto3), Node with the runtime's AWS SDK v3 as a
 * fallback after the code's own node_modules, nothing from a shared folder above the staged copy, and no handler
 * or task root that a hand-edited module points elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModuleError, PreviewSetupError } from '../../src/preview/errors.js';
import { startPreview } from '../../src/preview/index.js';
import { lambdaEnv } from '../../src/preview/lambda/environments.js';
import { editModule } from '../support/preview.js';
import { get, project, scratch, serve, writeFiles } from './own-code-support.js';

const machineHas = (module: string) => spawnSync('python3', ['-c', `import ${module}`]).status === 0;

describe('Python code imports only what Lambda would give it', () => {
  it("does not import a package of this machine's site-packages (PyYAML)", async () => {
    // Meaningful only where python3 has PyYAML: it is what the preview used to import.
    expect(machineHas('yaml')).toBe(true);
    const { module } = await project(
      {
        'backend/app.py': 'import yaml\ndef handler(event, context):\n    return {"statusCode": 200, "body": "yaml"}\n',
      },
      'python3.12',
    );
    const log: string[] = [];
    const reply = await get(await serve(module, log));
    expect(reply.status).toBe(500);
    expect(log.join('\n')).toContain("No module named 'yaml'");
  });

  it("imports this machine's boto3 and its dependencies as the runtime's SDK, after the code's own packages", async () => {
    expect(machineHas('boto3')).toBe(true);
    const { module } = await project(
      {
        'backend/app.py': [
          'import boto3, botocore, dateutil, sys',
          'import vendored',
          'def handler(event, context):',
          '    return {"statusCode": 200, "body": "%s|%s|%s" % (boto3.__file__, vendored.WHERE, "yaml" in sys.modules)}',
          '',
        ].join('\n'),
        'backend/vendored.py': 'WHERE = "task root"\n',
      },
      'python3.12',
    );
    const reply = await get(await serve(module));
    expect(reply.status).toBe(200);
    const [boto3File, vendored, yaml] = reply.body.split('|');
    expect(boto3File).toMatch(/cors-gen-python-sdk-[^/]+\/boto3\/__init__\.py$/);
    expect(vendored).toBe('task root');
    expect(yaml).toBe('False');
  });

  it('prefers a boto3 vendored into the code over the runtime one', async () => {
    const { module } = await project(
      {
        'backend/app.py':
          'import boto3\ndef handler(event, context):\n    return {"statusCode": 200, "body": boto3.WHO}\n',
        'backend/boto3/__init__.py': 'WHO = "vendored"\n',
      },
      'python3.12',
    );
    expect((await get(await serve(module))).body).toBe('vendored');
  });

  it("imports from the layer's python/lib/<runtime>/site-packages, as Lambda adds it", async () => {
    const { module } = await project(
      {
        'backend/app.py':
          'import layered\ndef handler(event, context):\n    return {"statusCode": 200, "body": layered.WHERE}\n',
      },
      'python3.12',
    );
    writeFiles(module, { 'layer/python/lib/python3.12/site-packages/layered.py': 'WHERE = "layer"\n' });
    expect((await get(await serve(module))).body).toBe('layer');
  });

  it("says that Lambda provides boto3 when this machine's python3 has none", async () => {
    // A virtual environment without the system's site-packages: what a machine without boto3 looks like.
    const venv = path.join(scratch('cors-gen-python-'), 'venv');
    expect(spawnSync('python3', ['-m', 'venv', '--without-pip', venv]).status).toBe(0);
    const python = path.join(venv, 'bin', 'python3');
    const { module } = await project(
      { 'backend/app.py': 'import boto3\ndef handler(event, context):\n    return {"statusCode": 200}\n' },
      'python3.12',
    );
    const log: string[] = [];
    const reply = await get(await serve(module, log, { python }));
    expect(reply.status).toBe(500);
    const hints = log.filter((l) => l.includes('warning: Lambda'));
    expect(hints).toEqual([
      expect.stringMatching(/Lambda's python3\.12 runtime provides boto3 .* does not find boto3 .*pip install boto3/),
    ]);
  });
});

describe("the function's variables and files never choose the Python interpreter", () => {
  /** The interpreter `python3` runs on this machine, as the preview resolves it. */
  const real = spawnSync('python3', ['-I', '-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).stdout.trim();

  /**
   * A launcher like pyenv's and asdf's shims (a bash script): PYENV_VERSION or a .python-version in the current
   * folder picks another interpreter, and bash runs the file BASH_ENV names first. Both record that they ran.
   */
  function shim(): { python: string; marker: string; hook: string } {
    const bin = scratch('cors-gen-shim-');
    const marker = path.join(bin, 'ran');
    writeFiles(bin, {
      'hook.sh': `echo hook >> ${marker}\n`,
      'other-python': `#!/bin/sh\necho other >> ${marker}\nexec ${real} "$@"\n`,
      python3: `#!/usr/bin/env bash\nif [ -n "$PYENV_VERSION" ] || [ -f .python-version ]; then exec ${bin}/other-python "$@"; fi\nexec ${real} "$@"\n`,
    });
    chmodSync(path.join(bin, 'python3'), 0o755);
    chmodSync(path.join(bin, 'other-python'), 0o755);
    return { python: path.join(bin, 'python3'), marker, hook: path.join(bin, 'hook.sh') };
  }

  const APP = {
    'backend/app.py': [
      'import os, sys',
      'def handler(event, context):',
      '    return {"statusCode": 200, "body": "%s|%s|%s" % (sys.executable, os.environ.get("BASH_ENV"), os.environ.get("PYENV_VERSION"))}',
      '',
    ].join('\n'),
  };

  it.each(['BASH_ENV', 'PYENV_VERSION', '.python-version'])(
    "runs the interpreter python3 resolves to for the preview itself, whatever the function's %s says",
    async (what) => {
      const { python, marker, hook } = shim();
      const variable = { BASH_ENV: `BASH_ENV=${JSON.stringify(hook)}`, PYENV_VERSION: 'PYENV_VERSION="3.13.0"' }[what];
      const { module } = await project(
        { ...APP, ...(what === '.python-version' ? { 'backend/.python-version': '3.13.0\n' } : {}) },
        'python3.12',
      );
      const p = await serve(module, [], {
        python,
        ...(variable ? { vars: [`environment_variables={${variable}}`] } : {}),
      });
      const reply = await get(p);
      expect(reply.status).toBe(200);
      // The code still sees the function's variables, as on Lambda.
      expect(reply.body).toBe(
        `${real}|${what === 'BASH_ENV' ? hook : 'None'}|${what === 'PYENV_VERSION' ? '3.13.0' : 'None'}`,
      );
      expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
    },
  );

  it("keeps the runtime's own logging when the code has a logging.py, as Lambda's bootstrap has imported it", async () => {
    const { module } = await project(
      {
        'backend/app.py': 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n',
        'backend/logging.py': 'raise RuntimeError("imported the code\'s logging.py")\n',
      },
      'python3.12',
    );
    const p = await serve(module);
    const reply = await get(p);
    expect(reply).toMatchObject({ status: 200, body: 'ok' });
    expect(reply.headers['access-control-allow-origin']).toEqual([p.site.replace(/\/$/, '')]);
  });
});

/** A stand-in for an installed SDK client and one of its own dependencies, in `node_modules` of `at`. */
const sdkPackage = (at: string, name = 'repository') => ({
  [`${at}node_modules/@aws-sdk/client-dynamodb/package.json`]: '{"name":"@aws-sdk/client-dynamodb","main":"index.js"}',
  [`${at}node_modules/@aws-sdk/client-dynamodb/index.js`]: `exports.from = ${JSON.stringify(name)} + require('@smithy/fake-dep').suffix;`,
  [`${at}node_modules/@smithy/fake-dep/package.json`]: '{"name":"@smithy/fake-dep","main":"index.js"}',
  [`${at}node_modules/@smithy/fake-dep/index.js`]: "exports.suffix = '+smithy';",
});

describe('Node code gets the runtime-provided AWS SDK v3', () => {
  const APP = [
    "import { createRequire } from 'node:module';",
    "import { from } from '@aws-sdk/client-dynamodb';",
    'const required = createRequire(import.meta.url)("@aws-sdk/client-dynamodb").from;',
    'export const handler = async () => ({ statusCode: 200, body: `${from}|${required}` });',
  ].join('\n');

  it("resolves @aws-sdk/* (import and require) from the repository's dev dependency, with its dependencies", async () => {
    const { module } = await project({ ...sdkPackage(''), 'backend/app.mjs': APP });
    const reply = await get(await serve(module));
    expect(reply).toMatchObject({ status: 200, body: 'repository+smithy|repository+smithy' });
  });

  it('prefers the SDK the code bundles in its own node_modules', async () => {
    const { module } = await project({
      ...sdkPackage(''),
      ...sdkPackage('backend/', 'bundled'),
      'backend/app.mjs': APP,
    });
    expect((await get(await serve(module))).body).toBe('bundled+smithy|bundled+smithy');
  });

  it('does not give the function an @aws-sdk entry that links outside the repository, and says so', async () => {
    const outside = scratch('cors-gen-outside-');
    writeFiles(outside, {
      'evil/package.json': '{"name":"@aws-sdk/client-evil","main":"index.js"}',
      'evil/index.js': "exports.from = 'outside';",
    });
    const { root, module } = await project({
      ...sdkPackage(''),
      'backend/app.mjs': [
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        'export const handler = async () => {',
        "  let evil = 'not found';",
        "  try { evil = require('@aws-sdk/client-evil').from; } catch {}",
        "  return { statusCode: 200, body: `${require('@aws-sdk/client-dynamodb').from}|${evil}` };",
        '};',
      ].join('\n'),
    });
    symlinkSync(path.join(outside, 'evil'), path.join(root, 'node_modules/@aws-sdk/client-evil'), 'dir');
    const p = await serve(module);
    expect((await get(p)).body).toBe('repository+smithy|not found');
    expect(p.warnings).toContainEqual(
      expect.stringContaining(
        `node_modules/@aws-sdk/client-evil is a symbolic link to ${path.join(outside, 'evil')}, outside the repository`,
      ),
    );
  });

  it('says that Lambda provides the SDK and how to install it when the repository has none', async () => {
    const { module } = await project({ 'backend/app.mjs': APP });
    const log: string[] = [];
    const reply = await get(await serve(module, log));
    expect(reply.status).toBe(500);
    expect(log.filter((l) => l.includes('warning: Lambda'))).toEqual([
      expect.stringMatching(
        /runtime provides the AWS SDK for JavaScript v3.*none has @aws-sdk\/client-dynamodb: install it as a dev dependency there \(npm i -D @aws-sdk\/client-dynamodb, /,
      ),
    ]);
  });
});

describe('a folder above the staged copy', () => {
  const saved = process.env['TMPDIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  });

  it.each([
    [
      'node_modules',
      (marker: string) => ({
        'node_modules/leftpadx/index.js': `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x');`,
      }),
    ],
    ['package.json', () => ({ 'package.json': '{"type":"commonjs"}' })],
  ])('refuses to run anything when it holds %s, naming it and the fix', async (name, files) => {
    const marker = path.join(scratch('cors-gen-marker-'), 'ran');
    const { module } = await project({
      'backend/app.mjs': `import { writeFileSync } from 'node:fs';\nimport 'leftpadx';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nexport const handler = async () => ({ statusCode: 200 });`,
    });
    // A shared temporary folder someone else wrote to; the preview's own folder is made inside it.
    const shared = scratch('cors-gen-shared-');
    writeFiles(shared, files(marker));
    mkdirSync(path.join(shared, 'tmp'));
    process.env['TMPDIR'] = path.join(shared, 'tmp');
    const error = await startPreview({ module }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreviewSetupError);
    expect((error as PreviewSetupError).message).toContain(
      `${path.join(shared, name)} is in a folder above the preview's staged copy`,
    );
    expect((error as PreviewSetupError).fix).toMatch(/set TMPDIR to a private folder/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('a folder above the staged copy, written after the preview started', () => {
  const saved = process.env['TMPDIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  });

  it('fails the next cold start instead of loading from it', async () => {
    const marker = path.join(scratch('cors-gen-marker-'), 'ran');
    const { module } = await project({
      'backend/app.mjs': "import 'leftpadx';\nexport const handler = async () => ({ statusCode: 200 });",
    });
    const shared = scratch('cors-gen-shared-');
    mkdirSync(path.join(shared, 'tmp'));
    process.env['TMPDIR'] = path.join(shared, 'tmp');
    const log: string[] = [];
    const p = await serve(module, log);
    writeFiles(shared, {
      'node_modules/leftpadx/index.js': `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x');`,
    });
    const reply = await get(p);
    expect(reply.status).toBe(502);
    expect(existsSync(marker)).toBe(false);
    expect(log.join('\n')).toContain(`${path.join(shared, 'node_modules')} appeared in a folder above the staged copy`);
  });
});

describe('a hand-edited module', () => {
  const APP = { 'backend/app.mjs': 'export const handler = async () => ({ statusCode: 200 });' };
  const SETTING = /CORS_GEN_HANDLER(\s+)= "app\.handler"/;

  it.each(['/tmp/evil/x.handler', '../outside/x.handler', 'src/../../x.handler'])(
    'refuses CORS_GEN_HANDLER %s, which leaves the code',
    async (handler) => {
      const { module } = await project(APP);
      editModule(module, 'main.tf', SETTING, `CORS_GEN_HANDLER$1= ${JSON.stringify(handler)}`);
      const error = await startPreview({ module }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModuleError);
      expect((error as ModuleError).message).toContain(
        `main.tf: aws_lambda_function.handler.environment.variables: CORS_GEN_HANDLER ${JSON.stringify(handler)} is not a handler inside the function's code`,
      );
      expect((error as ModuleError).fix).toMatch(/set lambda\.handler in the spec/);
    },
  );

  it('refuses a variable Lambda reserves, with the error Lambda gives', async () => {
    const { module } = await project(APP);
    editModule(module, 'main.tf', SETTING, 'CORS_GEN_HANDLER$1= "app.handler"\n    LAMBDA_TASK_ROOT = "/tmp/evil"');
    await expect(startPreview({ module })).rejects.toThrow(
      /contains reserved keys that are currently not supported for modification\. Reserved keys used in this request: LAMBDA_TASK_ROOT/,
    );
  });

  it('lets the code see NODE_PATH and HOME but not load packages from the folders they name', async () => {
    const elsewhere = scratch('cors-gen-elsewhere-');
    writeFiles(elsewhere, {
      'np/evilpkg/index.js': "module.exports = 'NODE_PATH';",
      '.node_modules/evilpkg/index.js': "module.exports = 'HOME';",
    });
    const { module } = await project({
      'backend/app.cjs': [
        'exports.handler = async () => {',
        "  let found = 'not found';",
        "  try { found = require('evilpkg'); } catch {}",
        '  return { statusCode: 200, body: `${found}|${process.env.NODE_PATH}|${process.env.HOME}` };',
        '};',
      ].join('\n'),
    });
    const vars = [
      `environment_variables={NODE_PATH=${JSON.stringify(`${elsewhere}/np`)}, HOME=${JSON.stringify(elsewhere)}}`,
    ];
    const reply = await get(await serve(module, [], { vars }));
    expect(reply.body).toBe(`not found|${elsewhere}/np|${elsewhere}`);
  });

  it("does not apply a module's LD_* variables to this machine's python3, and says so", async () => {
    const { module } = await project(
      {
        'backend/app.py':
          'import os\ndef handler(event, context):\n    return {"statusCode": 200, "body": repr(os.environ.get("LD_PRELOAD"))}\n',
      },
      'python3.12',
    );
    const p = await serve(module, [], { vars: ['environment_variables={LD_PRELOAD="/tmp/evil.so"}'] });
    expect((await get(p)).body).toBe('None');
    expect(p.warnings).toContainEqual(
      expect.stringContaining(
        "aws_lambda_function.handler sets LD_PRELOAD; the preview does not apply it to this machine's python3",
      ),
    );
  });

  it("keeps the runtime's own variables over the module's", () => {
    const env = lambdaEnv(
      {
        address: 'aws_lambda_function.handler',
        functionName: 'f',
        dir: '/staged/task',
        handler: 'app.handler',
        runtime: 'nodejs22.x',
        environment: { LAMBDA_TASK_ROOT: '/tmp/evil', AWS_REGION: 'eu-west-1', LANG: 'de_DE.UTF-8' },
        timeoutSeconds: 3,
        memoryMb: 128,
      },
      { LANG: 'C.UTF-8' },
    );
    expect(env).toMatchObject({ LAMBDA_TASK_ROOT: '/staged/task', AWS_REGION: 'us-east-1', LANG: 'de_DE.UTF-8' });
  });
});
