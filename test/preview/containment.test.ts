/**
 * A module folder is as untrusted as any file in a repository: its `archive_file.source_dir` and the Lambda
 * `handler` decide which code the preview runs, and its `.tf` and stage files are read and quoted in errors.
 * Code outside the module folder (an absolute `source_dir`, one that climbs with `..`, a `lambda` folder that is
 * a symlink, a handler path with `..`) is refused before any port is taken, so the preview never runs it; a module
 * or stage file that is a symlink to a file outside, or not a regular file (a FIFO would block the read for ever),
 * is refused without being read. What a module file says reaches the terminal escaped, and values nested or
 * doubled without bound are module errors rather than crashes. Everything happens in temporary folders.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { ModuleError } from '../../src/preview/errors.js';
import { REPO, editModule, generateModules, send, type GeneratedModules } from '../support/preview.js';

let modules: GeneratedModules;
let outside: string;
let marker: string;
/** A file outside every module folder whose content must never be printed. */
let secret: string;
const SECRET = 'wJalrXUtnFEMI-not-a-real-key';

beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
  // Code outside every module folder that leaves a mark when it runs.
  outside = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-outside-'));
  marker = path.join(outside, 'ran');
  const code = `import { writeFileSync } from 'node:fs';\nexport const handler = async () => { writeFileSync(${JSON.stringify(marker)}, 'x'); return { statusCode: 200, body: 'outside' }; };\n`;
  writeFileSync(path.join(outside, 'index.mjs'), code);
  secret = path.join(outside, 'secret.env');
  writeFileSync(secret, `AWS_SECRET_ACCESS_KEY=${SECRET}\n`);
});
afterAll(() => {
  modules?.cleanup();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

/** Starts the preview on `dir`; when it starts, calls a route so that any code it would run, runs. */
async function attempt(dir: string): Promise<unknown> {
  try {
    const p = await startPreview({ module: dir, log: () => undefined });
    try {
      await send(`${p.api}/health`);
    } finally {
      await p.close();
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('the preview runs only code inside the module folder', () => {
  it('refuses an absolute source_dir outside the module', async () => {
    const dir = modules.copy('orders-api');
    editModule(dir, 'main.tf', '"${path.module}/lambda"', JSON.stringify(outside));
    const error = await attempt(dir);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/source_dir .* is outside the module folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a source_dir that climbs out with ".."', async () => {
    const dir = modules.copy('orders-api');
    editModule(
      dir,
      'main.tf',
      '"${path.module}/lambda"',
      JSON.stringify(`\${path.module}/${path.relative(dir, outside)}`),
    );
    const error = await attempt(dir);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/outside the module folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a lambda folder that is a symlink to a folder outside the module', async () => {
    const dir = modules.copy('orders-api');
    renameSync(path.join(dir, 'lambda'), path.join(dir, 'lambda-was'));
    symlinkSync(outside, path.join(dir, 'lambda'));
    const error = await attempt(dir);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/outside the module folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a handler whose file climbs out of source_dir', async () => {
    const dir = modules.copy('orders-api');
    mkdirSync(path.join(dir, 'lambda', 'sub'));
    const handler = `${path.relative(path.join(dir, 'lambda'), path.join(outside, 'index'))}.handler`;
    editModule(dir, 'main.tf', '"index.handler"', JSON.stringify(handler));
    const error = await attempt(dir);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/handler .* leaves source_dir/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a handler file that is a symlink to a file outside the module', async () => {
    const dir = modules.copy('orders-api');
    rmSync(path.join(dir, 'lambda', 'index.mjs'));
    symlinkSync(path.join(outside, 'index.mjs'), path.join(dir, 'lambda', 'index.mjs'));
    const error = await attempt(dir);
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/index\.mjs is a symlink to a file outside the module folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('still runs a handler in a subfolder of source_dir, as Lambda does', async () => {
    const dir = modules.copy('orders-api');
    mkdirSync(path.join(dir, 'lambda', 'src'));
    writeFileSync(path.join(dir, 'lambda', 'src', 'entry.mjs'), "export { handler } from '../index.mjs';\n");
    editModule(dir, 'main.tf', '"index.handler"', '"src/entry.handler"');
    expect(await attempt(dir)).toBeUndefined();
  });
});

describe('the preview reads only regular files inside the module folder', () => {
  it.each([
    ['stages/leak.tfvars', 'leak'],
    ['stages/leak.tfvars.json', 'leak'],
    ['zz.tf', undefined],
    ['zz.tf.json', undefined],
  ])('refuses %s when it is a symlink to a file outside the module, without quoting it', async (name, stage) => {
    const dir = modules.copy('orders-api');
    symlinkSync(secret, path.join(dir, name));
    const error = await startPreview({ module: dir, log: () => undefined, ...(stage ? { stage } : {}) }).then(
      (p) => p.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect(String((error as Error).message)).toMatch(/outside the module folder/);
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(SECRET);
  });

  it('refuses a .tf file that is a FIFO at once instead of waiting for a writer', async () => {
    const dir = modules.copy('orders-api');
    expect(spawnSync('mkfifo', [path.join(dir, 'zz.tf')]).status).toBe(0);
    const error = await startPreview({ module: dir, log: () => undefined }).then(
      (p) => p.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as Error).message).toMatch(/not a regular file/);
  }, 10_000);
});

describe('what a module file says reaches the terminal as text', () => {
  it('escapes control characters from a .tf.json in the error (no terminal sequence gets through)', async () => {
    const dir = modules.copy('orders-api');
    writeFileSync(
      path.join(dir, 'zz.tf.json'),
      JSON.stringify({ '\u001b]0;PWNED\u0007\u001b[2J\u009b31m\nforged line': {} }),
    );
    const error = await startPreview({ module: dir, log: () => undefined }).then(
      (p) => p.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    const message = (error as ModuleError).message;
    expect(message).toContain('"\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\x0aforged line" blocks are not supported');
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('a module file nested without bound is a module error, not a crash', () => {
  it.each([
    ['parentheses', JSON.stringify({ locals: { deep: `\${${'('.repeat(20_000)}1${')'.repeat(20_000)}}` } })],
    ['lists', `{"locals": {"deep": ${'['.repeat(50_000)}${']'.repeat(50_000)}}}`],
  ])('refuses %s nested thousands deep', async (_what, content) => {
    const dir = modules.copy('orders-api');
    writeFileSync(path.join(dir, 'zz.tf.json'), content);
    const error = await startPreview({ module: dir, log: () => undefined }).then(
      (p) => p.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(/^zz\.tf\.json: .*(nest more than 64 levels|nests too deeply)/);
  });
});

describe('a module value that doubles without bound is a module error, not a crash', () => {
  /** Locals l0..l39, each two copies of the one before (2^39 copies of l0): a billion laughs in Terraform. */
  function doubling(first: string, twice: (previous: string) => string): string {
    const locals: Record<string, string> = { l0: first };
    for (let i = 1; i < 40; i++) locals[`l${i}`] = twice(`local.l${i - 1}`);
    return JSON.stringify({ locals });
  }

  it.each([
    ['a string', doubling('aaaaaaaaaaaaaaaa', (l) => `\${${l}}\${${l}}`), '${local.l39}'],
    ['a list', doubling('${["a"]}', (l) => `\${concat(${l}, ${l})}`), '${length(local.l39)}'],
    // Each object holds the one before twice: cheap to build, 2^39 copies once encoded (as the REST API's body is).
    [
      'an object, then encoded',
      doubling('aaaaaaaaaaaaaaaa', (l) => `\${{ a = ${l}, b = ${l} }}`).replace(
        /\}\}$/,
        ', "encoded": "${jsonencode(local.l39)}"}}',
      ),
      '${local.encoded}',
    ],
  ])('refuses %s doubled 39 times', async (_what, locals, use) => {
    const dir = modules.copy('orders-api');
    writeFileSync(path.join(dir, 'zz.tf.json'), locals);
    editModule(dir, 'main.tf', 'ALLOW_HEADERS     = "', `ALLOW_HEADERS     = "${use}`);
    const error = await startPreview({ module: dir, log: () => undefined }).then(
      (p) => p.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(
      /zz\.tf\.json: local\.(l\d+|encoded): .*(longer than|more than) .* the preview/,
    );
  });
});
