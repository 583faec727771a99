import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load.js';
import type { Runtime } from '../../src/spec/model.js';
import { checkLambdaSource, LAMBDA_CODE_QUOTAS } from '../../src/spec/source-check.js';
import { ARCHIVE_EXCLUDES, walkSource } from '../../src/spec/source-files.js';

// `validate` on lambda.source: a repository in a temporary folder, the spec at its root, the code in backend/.

const repos: string[] = [];
afterAll(() => repos.forEach((r) => rmSync(r, { recursive: true, force: true })));

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-source-'));
  repos.push(root);
  mkdirSync(path.join(root, '.git'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
  }
  return root;
}

async function check(files: Record<string, string>, handler: string, runtime: Runtime = 'nodejs22.x', dir = 'backend') {
  return issuesOf(repo(files), handler, runtime, dir);
}

async function issuesOf(root: string, handler: string, runtime: Runtime = 'nodejs22.x', dir = 'backend') {
  const issues = await checkLambdaSource(path.join(root, 'cors-gen.yaml'), runtime, { dir, handler });
  return issues.map((i) => ({ severity: i.severity, code: i.code, path: i.path, message: i.message, fix: i.fix }));
}

describe('validate: the lambda.source folder', () => {
  it('warns of a folder that does not exist yet (a build output CI has not built), without checking the handler', async () => {
    const root = repo({});
    expect(
      await checkLambdaSource(path.join(root, 'cors-gen.yaml'), 'nodejs22.x', {
        dir: 'backend/dist',
        handler: 'app.handler',
      }),
    ).toEqual([
      {
        severity: 'warning',
        code: 'lambda-source-missing',
        path: 'lambda.source',
        message: expect.stringMatching(/^"backend\/dist" does not exist yet .*the handler is not checked$/),
        fix: expect.stringMatching(/build it before "terraform apply" or "cors-gen preview"/),
      },
    ]);
  });

  it('refuses a file where a folder belongs', async () => {
    expect(await check({ 'backend/app.mjs': '' }, 'app.handler', 'nodejs22.x', 'backend/app.mjs')).toEqual([
      expect.objectContaining({ code: 'lambda-source-not-folder', fix: expect.stringContaining('"backend"') }),
    ]);
  });

  it('refuses a folder outside the repository', async () => {
    expect(await check({}, 'app.handler', 'nodejs22.x', '../elsewhere')).toEqual([
      expect.objectContaining({ code: 'lambda-source-outside', message: expect.stringContaining('outside') }),
    ]);
  });

  it('refuses a symbolic link that leads out of the repository, and follows one that stays inside', async () => {
    const outside = repo({ 'lib/index.js': '' });
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;', 'shared/util.js': '' });
    symlinkSync(path.join(root, 'shared'), path.join(root, 'backend/shared'));
    const spec = path.join(root, 'cors-gen.yaml');
    const source = { dir: 'backend', handler: 'app.handler' };
    expect(await checkLambdaSource(spec, 'nodejs22.x', source)).toEqual([]);
    mkdirSync(path.join(root, 'backend/node_modules'));
    symlinkSync(path.join(outside, 'lib'), path.join(root, 'backend/node_modules/lib'));
    expect(await checkLambdaSource(spec, 'nodejs22.x', source)).toEqual([
      expect.objectContaining({
        code: 'lambda-source-link-outside',
        message: expect.stringContaining('node_modules/lib is a symbolic link to'),
        fix: expect.stringContaining('--install-links'),
      }),
    ]);
  });
});

describe('validate: the Node handler', () => {
  it('names the files the runtime tries when none exists', async () => {
    const [issue] = await check({ 'backend/src/other.mjs': '' }, 'src/app.handler');
    expect(issue).toMatchObject({ code: 'lambda-handler-file-missing', path: 'lambda.handler' });
    expect(issue!.message).toContain('src/app.js, src/app.mjs, src/app.cjs');
  });

  it('accepts a handler whose module is a folder (the runtime require()s it: index.js or package.json main)', async () => {
    expect(await check({ 'backend/api/index.js': 'exports.handler = async () => ({});' }, 'api.handler')).toEqual([]);
  });

  it('refuses a folder require() cannot load (no index.js, no package.json)', async () => {
    expect(await check({ 'backend/dist/app.mjs': 'export const handler = async () => ({});' }, 'dist.handler')).toEqual(
      [expect.objectContaining({ code: 'lambda-handler-file-missing' })],
    );
  });

  it('accepts a handler found as a package in node_modules (the runtime falls back to Node resolution)', async () => {
    expect(await check({ 'backend/node_modules/api/index.js': '' }, 'api.handler')).toEqual([]);
  });

  it.each([
    ['export const', 'export const handler = async () => ({});'],
    ['export async function', 'export async function handler(event) {}'],
    ['export class', 'export class handler {}'],
    ['export { x as handler }', 'const run = () => {}; export { run as handler };'],
    ['export * (not conclusive)', "export * from './impl.mjs';"],
  ])('accepts an ES module with %s', async (_, text) => {
    expect(await check({ 'backend/app.mjs': text }, 'app.handler')).toEqual([]);
  });

  it('refuses an ES module without the export, and says the default export does not count', async () => {
    const [issue] = await check({ 'backend/app.mjs': 'export default async () => ({});' }, 'app.handler');
    expect(issue).toMatchObject({ code: 'lambda-handler-export-missing' });
    expect(issue!.message).toContain('so the default export is "app.default"');
    expect(await check({ 'backend/app.mjs': 'export default async () => ({});' }, 'app.default')).toEqual([]);
    expect(issue!.fix).toContain('export const handler');
  });

  it('reads a .js file as the nearest package.json says', async () => {
    const esm = { 'backend/package.json': '{"type":"module"}', 'backend/app.js': 'exports.handler = 1;' };
    expect((await check(esm, 'app.handler'))[0]).toMatchObject({ message: expect.stringContaining('an ES module') });
    expect(await check({ 'backend/app.js': 'exports.handler = async () => ({});' }, 'app.handler')).toEqual([]);
  });

  it.each([
    ['module.exports = { handler }', 'const handler = 1; module.exports = { handler };'],
    ['module.exports.handler =', 'module.exports.handler = () => {};'],
    ['module.exports = require (not conclusive)', "module.exports = require('./impl');"],
    ['Object.defineProperty (not conclusive)', 'Object.defineProperty(exports, "handler", { get: () => f });'],
  ])('accepts CommonJS with %s', async (_, text) => {
    expect(await check({ 'backend/app.cjs': text }, 'app.handler')).toEqual([]);
  });

  it('refuses CommonJS without the export', async () => {
    expect(await check({ 'backend/app.cjs': 'exports.main = () => {};' }, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-handler-export-missing',
        fix: expect.stringContaining('exports.handler'),
      }),
    ]);
  });
});

describe('validate: the Python handler', () => {
  it('refuses a missing module and names the file the runtime imports', async () => {
    const [issue] = await check({ 'backend/main.py': '' }, 'src/app.handler', 'python3.12');
    expect(issue).toMatchObject({
      code: 'lambda-handler-file-missing',
      message: expect.stringContaining('src/app.py'),
    });
  });

  it('refuses "async def" with the fix', async () => {
    const [issue] = await check(
      { 'backend/app.py': 'async def handler(event, context):\n    pass\n' },
      'app.handler',
      'python3.12',
    );
    expect(issue).toMatchObject({ code: 'lambda-handler-async', fix: expect.stringContaining('asyncio.run') });
  });

  it.each([
    ['def handler', 'def handler(event, context):\n    return {}\n'],
    ['handler = ...', 'from x import make\nhandler = make()\n'],
    ['from x import handler', 'from .impl import handler\n'],
    ['from x import * (not conclusive)', 'from impl import *\n'],
  ])('accepts a module with %s', async (_, text) => {
    expect(await check({ 'backend/app.py': text }, 'app.handler', 'python3.12')).toEqual([]);
  });

  it('refuses a module without the function', async () => {
    expect(
      await check({ 'backend/app.py': 'def main(event, context):\n    pass\n' }, 'app.handler', 'python3.12'),
    ).toEqual([expect.objectContaining({ code: 'lambda-handler-export-missing' })]);
  });

  it("refuses a folder whose _cors_gen would shadow the wrapper's package", async () => {
    const issues = await check(
      { 'backend/app.py': 'def handler(e, c):\n    pass\n', 'backend/_cors_gen.py': '' },
      'app.handler',
      'python3.12',
    );
    expect(issues).toEqual([expect.objectContaining({ code: 'lambda-source-shadows-wrapper' })]);
  });
});

describe("validate: Lambda's code size quotas", () => {
  function sparse(file: string, bytes: number): void {
    closeSync(openSync(file, 'w'));
    truncateSync(file, bytes);
  }

  it('refuses a folder above 250 MB unzipped', async () => {
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    sparse(path.join(root, 'backend/data.bin'), LAMBDA_CODE_QUOTAS.unzipped + 1);
    const issues = await checkLambdaSource(path.join(root, 'cors-gen.yaml'), 'nodejs22.x', {
      dir: 'backend',
      handler: 'app.handler',
    });
    expect(issues).toEqual([
      expect.objectContaining({ code: 'lambda-source-too-large', message: expect.stringContaining('250 MB unzipped') }),
    ]);
  });

  it('accepts 60 MB that compresses well, and refuses 51 MB that does not (50 MB zipped)', async () => {
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    const spec = path.join(root, 'cors-gen.yaml');
    const source = { dir: 'backend', handler: 'app.handler' };
    sparse(path.join(root, 'backend/zeros.bin'), 60 * 1024 * 1024);
    expect(await checkLambdaSource(spec, 'nodejs22.x', source)).toEqual([]);
    rmSync(path.join(root, 'backend/zeros.bin'));
    writeFileSync(path.join(root, 'backend/random.bin'), randomBytes(51 * 1024 * 1024));
    expect(await checkLambdaSource(spec, 'nodejs22.x', source)).toEqual([
      expect.objectContaining({ code: 'lambda-source-too-large', message: expect.stringContaining('50 MB') }),
    ]);
  });
});

describe('validate (loadSpec) with lambda.source', () => {
  const spec =
    'version: 1\nname: byo\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\nlambda:\n  source: backend\n  handler: app.handler\n';

  it('reports the on-disk errors with the spec file, line and column', async () => {
    const root = repo({ 'cors-gen.yaml': spec, 'backend/app.mjs': 'export default 1;' });
    const result = await loadSpec(path.join(root, 'cors-gen.yaml'), root);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      expect.objectContaining({ code: 'lambda-handler-export-missing', file: 'cors-gen.yaml', line: 10, column: 12 }),
    ]);
  });

  it('passes a spec whose folder is not built yet, with the warning at its line', async () => {
    const root = repo({ 'cors-gen.yaml': spec });
    const result = await loadSpec(path.join(root, 'cors-gen.yaml'), root);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'lambda-source-missing',
        file: 'cors-gen.yaml',
        line: 9,
        column: 11,
      }),
    ]);
  });

  it('warns that the folder holds the module when it reaches it through a link (backend -> .)', async () => {
    const root = repo({
      'cors-gen.yaml': spec.replace('handler: app.handler', 'handler: code/app.handler'),
      'code/app.mjs': 'export const handler = async () => ({});',
    });
    symlinkSync('.', path.join(root, 'backend'));
    const result = await loadSpec(path.join(root, 'cors-gen.yaml'), root);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'lambda-source-holds-module',
        message: expect.stringContaining('generated/byo'),
      }),
    ]);
  });

  it('refuses lambda.handler without lambda.source, and the other way round', async () => {
    const base =
      'version: 1\nname: byo\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\n';
    const root = repo({
      'a.yaml': `${base}lambda:\n  handler: app.handler\n`,
      'b.yaml': `${base}lambda:\n  source: backend\n`,
    });
    const a = await loadSpec(path.join(root, 'a.yaml'), root);
    const b = await loadSpec(path.join(root, 'b.yaml'), root);
    expect(!a.ok && a.errors.map((e) => [e.code, e.fix])).toEqual([
      ['lambda-handler-without-source', expect.stringContaining('add lambda.source')],
    ]);
    expect(!b.ok && b.errors.map((e) => [e.code, e.fix])).toEqual([
      ['lambda-handler-missing', expect.stringContaining('add lambda.handler')],
    ]);
  });
});

describe('the files of lambda.source, as the zip holds them', () => {
  const files = (root: string) => {
    const out: string[] = [];
    expect(walkSource(path.join(root, 'backend'), root, (f) => void out.push(f.rel))).toEqual({});
    return out;
  };

  it("leaves out Git's folder and Terraform's working folder", () => {
    const root = repo({ 'backend/app.mjs': '', 'backend/.git/HEAD': '', 'backend/.terraform/providers/x': '' });
    expect(files(root)).toEqual(['app.mjs']);
  });

  it("walks a folder reached by two paths twice, as archive_file zips it (pnpm's links), and a cycle once", () => {
    const root = repo({ 'backend/node_modules/.pnpm/lib@1/index.js': '' });
    symlinkSync(path.join(root, 'backend/node_modules/.pnpm/lib@1'), path.join(root, 'backend/node_modules/lib'));
    symlinkSync(path.join(root, 'backend'), path.join(root, 'backend/node_modules/.pnpm/lib@1/up'));
    expect(files(root)).toEqual(['node_modules/.pnpm/lib@1/index.js', 'node_modules/lib/index.js']);
  });
});

describe('validate: a TypeScript handler', () => {
  it.each(['nodejs22.x', 'nodejs24.x'] as const)(
    'on %s, asks for the build output: Lambda runs JavaScript',
    async (runtime) => {
      expect(
        await check({ 'backend/app.ts': 'export const handler = async () => ({});' }, 'app.handler', runtime),
      ).toEqual([
        expect.objectContaining({
          code: 'lambda-handler-file-missing',
          fix: expect.stringMatching(/build output folder/),
        }),
      ]);
    },
  );
});

describe("the README's list of what the function's zip leaves out", () => {
  it('names every exclude the module gives archive_file', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const paragraph = readme.slice(readme.indexOf("What goes into the function's zip"));
    const sentence = paragraph.slice(0, paragraph.indexOf("into the layer's zip"));
    for (const glob of ARCHIVE_EXCLUDES) expect(sentence).toContain(`\`${glob.slice('**/'.length)}\``);
  });
});

describe('validate reads nothing through a link it would refuse, and no file that is not a small regular file', () => {
  it('refuses a link to /dev/zero as package.json before reading it', async () => {
    const root = repo({ 'backend/src/app.js': 'exports.handler = async () => ({});' });
    symlinkSync('/dev/zero', path.join(root, 'backend/src/package.json'));
    expect(await issuesOf(root, 'src/app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-link-outside',
        message: expect.stringContaining('src/package.json is a symbolic link to /dev/zero, outside the repository'),
      }),
    ]);
  });

  it.each(['/etc/passwd', '/proc/self/mem'])(
    'refuses app.js -> %s with the link error alone (the file is not read)',
    async (target) => {
      const root = repo({});
      mkdirSync(path.join(root, 'backend'));
      symlinkSync(target, path.join(root, 'backend/app.js'));
      expect(await issuesOf(root, 'app.handler')).toEqual([
        expect.objectContaining({ severity: 'error', code: 'lambda-source-link-outside', path: 'lambda.source' }),
      ]);
    },
  );

  it('does not block on a FIFO as package.json, nor read a package.json above the folder that links out', async () => {
    const root = repo({ 'backend/app.js': 'exports.handler = async () => ({});' });
    execFileSync('mkfifo', [path.join(root, 'backend/package.json')]);
    symlinkSync('/dev/zero', path.join(root, 'package.json'));
    // The FIFO is not a file the zip holds, and which loader runs app.js is then unknown: nothing conclusive.
    expect(await issuesOf(root, 'app.handler')).toEqual([]);
  });
});

describe('validate: links that would zip the repository itself', () => {
  const files = (root: string, dir = 'backend') => {
    const out: string[] = [];
    const walked = walkSource(path.join(root, dir), root, (f) => void out.push(f.rel));
    return { files: out, error: walked.error?.message };
  };

  it.each([
    ['its root', 'backend', 'backend/src/all', '../..'],
    ['a folder that holds the code', 'svc/backend', 'svc/backend/up', '..'],
  ])('refuses a link to %s', async (_, dir, link, target) => {
    const root = repo({
      [`${dir}/app.mjs`]: 'export const handler = 1;',
      [`${dir}/src/x.js`]: '',
      '.git/objects/ab': '',
    });
    symlinkSync(target, path.join(root, link));
    expect(await issuesOf(root, 'app.handler', 'nodejs22.x', dir)).toEqual([
      expect.objectContaining({
        code: 'lambda-source-link-outside',
        message: expect.stringMatching(/is a symbolic link to .*: the zip would carry the repository itself/),
        fix: expect.stringContaining('remove the link'),
      }),
    ]);
  });

  it('leaves Terraform state out of the zip, also in a linked module folder', () => {
    const root = repo({
      'backend/app.mjs': '',
      'generated/api/main.tf': '',
      'generated/api/terraform.tfstate': '{}',
      'generated/api/terraform.tfstate.backup': '{}',
      'backend/terraform.tfstate': '{}',
    });
    symlinkSync('../generated', path.join(root, 'backend/gen'));
    expect(files(root)).toEqual({ files: ['app.mjs', 'gen/api/main.tf'], error: undefined });
  });

  it('still follows a link to a sibling folder inside the repository', () => {
    const root = repo({ 'backend/app.mjs': '', 'shared/util.js': '' });
    symlinkSync('../shared', path.join(root, 'backend/shared'));
    expect(files(root)).toEqual({ files: ['app.mjs', 'shared/util.js'], error: undefined });
  });
});

describe('validate: a folder whose links multiply its paths', () => {
  // Each level holds ten links to the level below: 10^n paths for n levels, from 11 + 10 * n entries on disk.
  function bomb(levels: number): string {
    const root = repo({ 'backend/l0/f': '' });
    for (let i = 1; i <= levels; i++) {
      mkdirSync(path.join(root, `backend/l${i}`));
      for (let d = 0; d < 10; d++) symlinkSync(`../l${i - 1}`, path.join(root, `backend/l${i}/d${d}`));
    }
    return root;
  }

  it('stops after 100,000 files and folders with the folder and the fix, in a bounded time', async () => {
    const root = bomb(7);
    const started = Date.now();
    const [issue, ...rest] = await issuesOf(root, 'l0/f.handler');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      severity: 'error',
      code: 'lambda-source-too-many-files',
      path: 'lambda.source',
      message: expect.stringMatching(/^"backend": holds more than 100,000 files and folders with its links followed/),
      fix: expect.stringContaining('remove the links that lead to the same folders'),
    });
  });

  it('refuses a chain of links nested deeper than a path can be on Lambda (a longer chain overflowed the stack)', async () => {
    // c1/n -> ../c2, c2/n -> ../c3, ...: each folder a real one, the path n/n/n/... one level longer each time.
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    const levels = 2_100;
    for (let i = 1; i <= levels; i++) mkdirSync(path.join(root, `c${i}`));
    symlinkSync('../c1', path.join(root, 'backend/n'));
    for (let i = 1; i < levels; i++) symlinkSync(`../c${i + 1}`, path.join(root, `c${i}/n`));
    expect(await issuesOf(root, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-too-deep',
        message: expect.stringMatching(
          /^"backend": holds n\/n\/.* \(2044 folders deep with its links followed\), a path longer than Linux allows/,
        ),
        fix: expect.stringContaining('remove the links that chain folders'),
      }),
    ]);
  });

  it('counts each zip entry toward the 50 MB zipped quota, however small the file', async () => {
    // 2,000 empty files with long names: no content, but each zip entry holds its ~400-byte path twice and 76
    // bytes of headers (1.8 MB). Thirty links to their folder make it 31 copies: more than 50 MB of zip.
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    const long = 'x'.repeat(200);
    mkdirSync(path.join(root, 'backend', long));
    for (let j = 0; j < 2000; j++) writeFileSync(path.join(root, 'backend', long, `${long}${j}`), '');
    expect(await issuesOf(root, 'app.handler')).toEqual([]);
    for (let k = 0; k < 30; k++) symlinkSync(long, path.join(root, 'backend', `${long}${k}`));
    expect(await issuesOf(root, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-too-large',
        message: expect.stringContaining('zips to more than 50.0 MB'),
      }),
    ]);
  });
});

describe('validate: what Python imports for the handler', () => {
  it.each(['_cors_gen.abi3.so', '_cors_gen.cpython-312-x86_64-linux-gnu.so', '_cors_gen', '_cors_gen.py'])(
    "refuses a top-level %s, which Python would import instead of the wrapper's package",
    async (name) => {
      const root = repo({ 'backend/app.py': 'def handler(e, c):\n    pass\n' });
      if (name.includes('.')) writeFileSync(path.join(root, 'backend', name), '');
      else mkdirSync(path.join(root, 'backend', name));
      expect(await issuesOf(root, 'app.handler', 'python3.12')).toEqual([
        expect.objectContaining({
          code: 'lambda-source-shadows-wrapper',
          message: expect.stringContaining(`holds ${name};`),
          fix: `rename ${name} in your code`,
        }),
      ]);
    },
  );

  it.each([
    ['a .md of the same stem', 'handlers/apx.md'],
    ['a .txt of the same stem', 'handlers/apx.txt'],
    ['a .pyc, which the zip leaves out', 'handlers/apx.pyc'],
  ])('refuses a module that only %s stands for', async (_, file) => {
    expect(await check({ [`backend/${file}`]: '' }, 'handlers/apx.handler', 'python3.12')).toEqual([
      expect.objectContaining({
        code: 'lambda-handler-file-missing',
        message: expect.stringContaining('handlers/apx.py'),
      }),
    ]);
  });

  it.each(['apx.so', 'apx.abi3.so', 'apx.cpython-312-x86_64-linux-gnu.so', 'apx.pyd'])(
    'accepts an extension module %s',
    async (file) => {
      expect(await check({ [`backend/handlers/${file}`]: '' }, 'handlers/apx.handler', 'python3.12')).toEqual([]);
    },
  );

  it("refuses a handler in a module of the standard library's name that the folder does not hold", async () => {
    const [issue, ...rest] = await check({ 'backend/os.txt': '' }, 'os.system', 'python3.12');
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      code: 'lambda-handler-stdlib',
      path: 'lambda.handler',
      message: expect.stringContaining("os is a module of Python's standard library"),
      fix: expect.stringContaining('"app.handler" for app.py'),
    });
    expect(await check({ 'backend/email/__init__.py': '' }, 'email.missing.handler', 'python3.12')).toEqual([
      expect.objectContaining({ code: 'lambda-handler-file-missing' }),
    ]);
  });
});

describe('validate: dependencies the zip would not hold', () => {
  const greet = { 'backend/node_modules/greet/index.js': 'exports.greet = () => "hi";' };
  const app = { 'backend/dist/app.js': 'const { greet } = require("greet"); exports.handler = async () => greet();' };

  it('warns when the handler imports a package and the folder has no node_modules, with the recipe', async () => {
    expect(await check({ ...greet, ...app }, 'app.handler', 'nodejs22.x', 'backend/dist')).toEqual([
      {
        severity: 'warning',
        code: 'lambda-source-dependencies-outside',
        path: 'lambda.source',
        message:
          '"backend/dist" has no node_modules, but app.js imports greet: only the folder is zipped, so these imports fail on Lambda and in preview',
        fix: expect.stringContaining('npm ci --omit=dev --prefix "backend/dist"'),
      },
    ]);
    const esm = {
      'backend/dist/app.mjs':
        "import { z } from 'zod';\nimport '@scope/pkg/sub';\nconst pg = await import(\"pg\");\nexport const handler = async () => ({});",
    };
    expect((await check(esm, 'app.handler', 'nodejs22.x', 'backend/dist'))[0]!.message).toContain(
      'app.mjs imports @scope/pkg, pg, zod:',
    );
    // A folder with its own package.json needs only the install.
    const withPackage = { ...greet, ...app, 'backend/dist/package.json': '{"dependencies":{"greet":"1"}}' };
    expect((await check(withPackage, 'app.handler', 'nodejs22.x', 'backend/dist'))[0]!.fix).toBe(
      'install them into the folder: npm ci --omit=dev --prefix "backend/dist" (npm install --omit=dev without a package-lock.json), or bundle the handler with its dependencies into one file',
    );
  });

  it("is quiet for built-ins, relative files, the runtime's AWS SDK, a bundle, or a folder with its own node_modules", async () => {
    const quiet = {
      'backend/package.json': '{"dependencies":{"react":"19","zod":"3"}}',
      'package.json': '{"dependencies":{"react":"19"}}',
      'backend/dist/app.mjs':
        "import fs from 'node:fs';\nimport path from 'path';\nimport { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { x } from './lib/x.mjs';\nexport const handler = async () => ({});",
    };
    expect(await check(quiet, 'app.handler', 'nodejs22.x', 'backend/dist')).toEqual([]);
    const own = { ...greet, 'backend/dist/node_modules/greet/index.js': '', ...app };
    expect(await check(own, 'app.handler', 'nodejs22.x', 'backend/dist')).toEqual([]);
  });
});

describe('validate: the Node handler as the runtime calls it', () => {
  it.each([
    ['exports.handler = (event, context, callback) => {}', 'app.js'],
    ['exports.handler = function (event, context, callback) {}', 'app.js'],
    ['module.exports = { handler }; function handler(event, context, cb) {}', 'app.cjs'],
    ['export const handler = async (event, context, callback) => {};', 'app.mjs'],
    ['const run = (event, context, callback) => {};\nexport { run as handler };', 'app.mjs'],
    ['function run(event,\n  context,\n  callback) {}\nexports.handler = run;', 'app.js'],
    ['const run = function (event, context, callback) {};\nmodule.exports = { handler: run };', 'app.cjs'],
  ])('refuses a callback handler on nodejs24.x: %s', async (text, file) => {
    expect(await check({ [`backend/${file}`]: text }, 'app.handler', 'nodejs24.x')).toEqual([
      expect.objectContaining({
        code: 'lambda-handler-callback',
        path: 'lambda.handler',
        message: expect.stringContaining('Runtime.CallbackHandlerDeprecated'),
        fix: expect.stringContaining('async (event, context)'),
      }),
    ]);
    expect(await check({ [`backend/${file}`]: text }, 'app.handler', 'nodejs22.x')).toEqual([]);
  });

  it.each([
    'exports.handler = async (event, context) => {}',
    'exports.handler = async (event, context, callback = undefined) => {}',
    'exports.handler = async (event, ...rest) => {}',
    'function base(event, context, callback) {}\nexports.handler = middy(base);',
    'function handler(event, context, callback) {}\nexports.handler = wrap(handler);',
    'exports.handler = (0, _wrap.default)(base, context, extra);',
  ])('accepts on nodejs24.x: %s', async (text) => {
    expect(await check({ 'backend/app.js': text }, 'app.handler', 'nodejs24.x')).toEqual([]);
  });

  it('says to rename CommonJS to .cjs when "type": "module" makes it an ES module', async () => {
    const files = {
      'backend/package.json': '{"type":"module"}',
      'backend/src/app.js': 'exports.handler = async () => ({});',
    };
    expect(await check(files, 'src/app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-handler-export-missing',
        message: expect.stringContaining('package.json says "type": "module"'),
        fix: 'rename the file to src/app.cjs (and lambda.handler stays "src/app.handler"), or remove "type": "module" from package.json',
      }),
    ]);
  });
});

describe("validate: a lambda.source that is Git's or Terraform's folder", () => {
  it.each([
    ['the .git folder', '.git', undefined, '.git', false],
    ['a folder inside .git', '.git/hooks', undefined, '.git', true],
    ['a link to .git (code -> .git)', 'code', '.git', '.git', false],
    ["a module's .terraform", 'generated/nd/.terraform', undefined, '.terraform', false],
    ['a link into a .terraform', 'code', 'generated/nd/.terraform/providers', '.terraform', true],
  ])("refuses %s, whose files would become the function's code", async (_, dir, linkTo, name, inside) => {
    const root = repo({
      '.git/config': '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\n',
      '.git/hooks/pre-commit': '',
      'generated/nd/.terraform/providers/x': '',
    });
    if (linkTo !== undefined) symlinkSync(linkTo, path.join(root, dir));
    expect(await issuesOf(root, 'app.handler', 'nodejs22.x', dir)).toEqual([
      {
        severity: 'error',
        code: 'lambda-source-excluded',
        path: 'lambda.source',
        message: expect.stringMatching(
          new RegExp(
            `^${JSON.stringify(dir)}: is .* \\(its real path\\), ${inside ? `inside \\${name}, ` : ''}.*: zipped whole, it would become the function's code$`,
          ),
        ),
        fix: `point lambda.source at the folder of your code (e.g. "backend"), outside ${name}`,
      },
    ]);
  });
});

describe('validate: links onto what the zip leaves out', () => {
  it.each([
    ['Terraform state', 'backend/state.json', '../generated/nd/terraform.tfstate', 'terraform.tfstate', false],
    [
      'a state backup',
      'backend/state.bak',
      '../generated/nd/terraform.tfstate.backup',
      'terraform.tfstate.backup',
      false,
    ],
    ["Terraform's working folder", 'backend/tfdir', '../generated/nd/.terraform', '.terraform', false],
    ['a file inside .terraform', 'backend/p', '../generated/nd/.terraform/providers/x', '.terraform', true],
    ["the repository's .git", 'backend/g2', '../.git', '.git', false],
    ['a folder inside .git', 'backend/objects', '../.git/objects', '.git', true],
  ])(
    "refuses a link to %s, which the excludes would let through under the link's name",
    async (_, link, target, name, inside) => {
      const root = repo({
        'backend/app.mjs': 'export const handler = 1;',
        'generated/nd/terraform.tfstate': '{"secret":"x"}',
        'generated/nd/terraform.tfstate.backup': '{}',
        'generated/nd/.terraform/providers/x': '',
        '.git/objects/ab': '',
      });
      symlinkSync(target, path.join(root, link));
      const issues = await issuesOf(root, 'app.handler');
      expect(issues).toEqual([
        expect.objectContaining({
          code: 'lambda-source-link-outside',
          fix: `remove the link; the function's code needs nothing of ${name}`,
        }),
      ]);
      const linked = `${link.slice('backend/'.length)} is a symbolic link to ${path.join(root, target.slice(3))}`;
      expect(issues[0]!.message.startsWith(`"backend": ${linked}, ${inside ? `inside ${name}, ` : ''}`)).toBe(true);
      expect(issues[0]!.message).toContain(`: the zip leaves out ${name} by its name, not a link to it`);
      expect(issues[0]!.message.includes(`, inside ${name}, `)).toBe(inside);
    },
  );

  it.each([
    ['a module folder', 'backend/mod', '../generated/nd', 'mod is a symbolic link to', 'which is a module'],
    [
      'a folder that holds a module',
      'backend/gen',
      '../generated',
      'gen is a symbolic link to',
      'whose nd is a module',
    ],
  ])('refuses a link to %s cors-gen generated (it holds .cors-gen.json)', async (_, link, target, starts, what) => {
    const root = repo({
      'backend/app.mjs': 'export const handler = 1;',
      'generated/nd/.cors-gen.json': '{}',
      'generated/nd/main.tf': '',
    });
    symlinkSync(target, path.join(root, link));
    expect(await issuesOf(root, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-link-outside',
        message: expect.stringMatching(
          new RegExp(`^"backend": ${starts} .*, ${what} cors-gen generated \\(it holds \\.cors-gen\\.json\\)`),
        ),
        fix: expect.stringContaining('remove the link'),
      }),
    ]);
  });

  it('still zips a module folder that the code folder holds without a link (validate warns of that elsewhere)', () => {
    const root = repo({ 'backend/app.mjs': '', 'backend/generated/nd/.cors-gen.json': '{}' });
    const out: string[] = [];
    expect(walkSource(path.join(root, 'backend'), root, (f) => void out.push(f.rel))).toEqual({});
    expect(out).toEqual(['app.mjs', 'generated/nd/.cors-gen.json']);
  });
});

describe('validate: the cap on entries counts what the zip leaves out', () => {
  it('stops at 100,000 entries when links revisit a folder of excluded files (each visit reads and matches them)', async () => {
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    mkdirSync(path.join(root, 'backend/p'));
    for (let i = 0; i < 1000; i++) writeFileSync(path.join(root, `backend/p/f${i}.pyc`), '');
    expect(await issuesOf(root, 'app.handler')).toEqual([]);
    mkdirSync(path.join(root, 'backend/l'));
    for (let i = 0; i < 101; i++) symlinkSync('../p', path.join(root, `backend/l/x${i}`));
    expect(await issuesOf(root, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-too-many-files',
        message: expect.stringMatching(
          /holds more than 100,000 files and folders with its links followed, those the zip leaves out included/,
        ),
      }),
    ]);
  });
});

describe('validate: file names that are not UTF-8', () => {
  it('names a committed file whose name is not UTF-8 (not "a link that points nowhere") and says to rename it', async () => {
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    mkdirSync(path.join(root, 'backend/docs'));
    writeFileSync(
      Buffer.concat([Buffer.from(path.join(root, 'backend/docs/caf')), Buffer.from([0xe9]), Buffer.from('.txt')]),
      'x',
    );
    expect(await issuesOf(root, 'app.handler')).toEqual([
      {
        severity: 'error',
        code: 'lambda-source-file-name',
        path: 'lambda.source',
        message: `"backend": holds docs/caf\\xe9.txt: the file name is not valid UTF-8 (Terraform's archive provider and the preview cannot carry it)`,
        fix: 'rename it to a UTF-8 name',
      },
    ]);
  });

  it('names a link whose target is not UTF-8', async () => {
    const root = repo({ 'backend/app.mjs': 'export const handler = 1;' });
    const bad = Buffer.concat([Buffer.from(path.join(root, 'caf')), Buffer.from([0xe9])]);
    mkdirSync(bad);
    symlinkSync(bad, path.join(root, 'backend/lib'));
    expect(await issuesOf(root, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-file-name',
        message: expect.stringContaining('lib is a symbolic link to a path whose name is not valid UTF-8'),
      }),
    ]);
  });
});

describe('validate: Python handler modules the runtime has already imported', () => {
  const def = 'def handler(event, context):\n    return {}\n';

  it.each([
    ['json.py', 'json.handler', 'json.py'],
    ['logging/__init__.py', 'logging.handler', 'logging/__init__.py'],
    ['json/app.py', 'json/app.handler', 'json/'],
    ['time.py (a built-in)', 'time.handler', 'time.py'],
    ['re.py (the wrapper imports re)', 're.handler', 're.py'],
  ])('refuses %s: "import" returns the standard library\'s module', async (file, handler, own) => {
    const files = { [`backend/${file.split(' ')[0]}`]: def };
    const top = handler.split(/[./]/)[0];
    expect(await check(files, handler, 'python3.12')).toEqual([
      {
        severity: 'error',
        code: 'lambda-handler-stdlib',
        path: 'lambda.handler',
        message: `${JSON.stringify(handler)}: ${top} is a module of Python's standard library that the runtime has already imported when it loads the handler, so "import ${handler.slice(0, handler.lastIndexOf('.')).replace('/', '.')}" gets the standard library's ${top}, not the folder's ${own} (https://docs.python.org/3/reference/import.html#the-module-cache)`,
        fix: `rename ${own} to a name the standard library does not use, and write that name in lambda.handler (e.g. "app.handler" for app.py)`,
      },
    ]);
  });

  it('accepts a standard-library name the runtime has not imported when the folder holds the module', async () => {
    expect(await check({ 'backend/email.py': def }, 'email.handler', 'python3.12')).toEqual([]);
    expect(
      await check(
        { 'backend/email/__init__.py': '', 'backend/email/send.py': def },
        'email/send.handler',
        'python3.13',
      ),
    ).toEqual([]);
  });

  it('refuses a namespace folder named like a standard-library package: the standard library wins', async () => {
    expect(await check({ 'backend/email/send.py': def }, 'email/send.handler', 'python3.12')).toEqual([
      {
        severity: 'error',
        code: 'lambda-handler-stdlib',
        path: 'lambda.handler',
        message: `"email/send.handler": email is a module of Python's standard library, and the folder's email/ has no __init__.py: a folder without one is a namespace package, which loses to the standard library's email, so the runtime would fail with "No module named 'email.send'"`,
        fix: 'add email/__init__.py or rename the folder',
      },
    ]);
  });
});
