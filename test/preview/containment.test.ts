/**
 * A module folder is as untrusted as any file in a repository: its `archive_file.source_dir` and the Lambda
 * `handler` decide which code the preview runs. Code outside the module folder (an absolute `source_dir`, one
 * that climbs with `..`, a `lambda` folder that is a symlink, a handler path with `..`) is refused before any
 * port is taken, so the preview never runs it. Everything happens in temporary folders.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { ModuleError } from '../../src/preview/errors.js';
import { REPO, editModule, generateModules, send, type GeneratedModules } from './helpers.js';

let modules: GeneratedModules;
let outside: string;
let marker: string;

beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
  // Code outside every module folder that leaves a mark when it runs.
  outside = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-outside-'));
  marker = path.join(outside, 'ran');
  const code = `import { writeFileSync } from 'node:fs';\nexport const handler = async () => { writeFileSync(${JSON.stringify(marker)}, 'x'); return { statusCode: 200, body: 'outside' }; };\n`;
  writeFileSync(path.join(outside, 'index.mjs'), code);
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
    editModule(dir, 'main.tf', '"${path.module}/lambda"', JSON.stringify(`\${path.module}/${path.relative(dir, outside)}`));
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

  it('still runs a handler in a subfolder of source_dir, as Lambda does', async () => {
    const dir = modules.copy('orders-api');
    mkdirSync(path.join(dir, 'lambda', 'src'));
    writeFileSync(path.join(dir, 'lambda', 'src', 'entry.mjs'), "export { handler } from '../index.mjs';\n");
    editModule(dir, 'main.tf', '"index.handler"', '"src/entry.handler"');
    expect(await attempt(dir)).toBeUndefined();
  });
});
