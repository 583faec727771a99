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
  const root = repo(files);
  const issues = await checkLambdaSource(path.join(root, 'cors-gen.yaml'), runtime, { dir, handler });
  return issues.map((i) => ({ code: i.code, path: i.path, message: i.message, fix: i.fix }));
}

describe('validate: the lambda.source folder', () => {
  it('refuses a folder that does not exist, with the fix', async () => {
    expect(await check({}, 'app.handler')).toEqual([
      expect.objectContaining({
        code: 'lambda-source-missing',
        path: 'lambda.source',
        message: expect.stringContaining('"backend" does not exist'),
        fix: expect.stringContaining("relative to this spec's folder"),
      }),
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
    expect(issue!.message).toContain('does not use the default export');
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
  it('reports the on-disk errors with the spec file, line and column', async () => {
    const root = repo({
      'cors-gen.yaml':
        'version: 1\nname: byo\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\nlambda:\n  source: backend\n  handler: app.handler\n',
    });
    const result = await loadSpec(path.join(root, 'cors-gen.yaml'), root);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      expect.objectContaining({ code: 'lambda-source-missing', file: 'cors-gen.yaml', line: 9, column: 11 }),
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
