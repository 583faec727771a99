/**
 * The built CLI keeps V8's compiled code between runs (src/cli/code-cache.ts) in a folder of the OS temp folder:
 * a second run reuses it and writes nothing, the output never depends on it, and a cache that is damaged, or a
 * folder another user could write or that is a link, is never used.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './specs.js';

const BIN = path.join(ROOT, 'dist/cli/bin.js');
const EXAMPLE = path.join(ROOT, 'examples/orders-api/cors-gen.yaml');
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-code-cache-test-'));
  scratch.push(dir);
  return dir;
}

/** Runs the CLI with `tmp` as the OS temp folder; returns its exit code and output. */
function cli(tmp: string, args: readonly string[], env: Record<string, string> = {}, bin = BIN) {
  const { NODE_DISABLE_COMPILE_CACHE: _, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...inherited, TMPDIR: tmp, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

const cacheDir = (tmp: string) => path.join(tmp, `cors-gen-code-cache-${process.getuid?.() ?? 'user'}`);
const cacheFiles = (tmp: string) => readdirSync(cacheDir(tmp)).sort();
/** Whether Node keeps compiled code itself (22.1+): then the CLI leaves the caching to it. */
const nodeCaches =
  typeof ((await import('node:module')).default as { enableCompileCache?: unknown }).enableCompileCache === 'function';

describe.skipIf(nodeCaches)('the code cache of the built CLI (Node 20)', () => {
  it('keeps one file per bundle and command, reuses it on the next run, and generates the same files', () => {
    const tmp = tempDir();
    const first = cli(tmp, ['generate', '--spec', EXAMPLE, '--out', path.join(tmp, 'a')]);
    expect(first.status, first.output).toBe(0);
    const files = cacheFiles(tmp);
    expect(files.map((f) => f.split('.').slice(0, 2).join('.'))).toEqual(['cdktf-vendor.generate', 'cli.generate']);
    expect(statSync(cacheDir(tmp)).mode & 0o777).toBe(0o700);
    const written = files.map((f) => statSync(path.join(cacheDir(tmp), f)).mtimeMs);

    const second = cli(tmp, ['generate', '--spec', EXAMPLE, '--out', path.join(tmp, 'b')]);
    expect(second.status, second.output).toBe(0);
    expect(cacheFiles(tmp)).toEqual(files);
    expect(files.map((f) => statSync(path.join(cacheDir(tmp), f)).mtimeMs)).toEqual(written);

    const uncached = cli(tmp, ['generate', '--spec', EXAMPLE, '--out', path.join(tmp, 'c')], {
      NODE_DISABLE_COMPILE_CACHE: '1',
    });
    expect(uncached.status, uncached.output).toBe(0);
    for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'lambda/index.mjs']) {
      const read = (dir: string) => readFileSync(path.join(tmp, dir, 'orders-api', f), 'utf8');
      expect(read('b'), f).toBe(read('a'));
      expect(read('c'), f).toBe(read('a'));
    }
    // validate runs other code: a file of its own, and CDKTF's bundle is not even compiled.
    expect(cli(tmp, ['validate', '--spec', EXAMPLE]).status).toBe(0);
    expect(cacheFiles(tmp).filter((f) => f.includes('.validate.'))).toEqual([
      expect.stringMatching(/^cli\.validate\./),
    ]);
  });

  it('runs a changed bundle of the same length and time as changed (the key is a hash of its bytes)', () => {
    const tmp = tempDir();
    const pkg = path.join(tmp, 'pkg');
    for (const d of ['dist', 'templates', 'schema']) cpSync(path.join(ROOT, d), path.join(pkg, d), { recursive: true });
    cpSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    const bin = path.join(pkg, 'dist/cli/bin.js');
    const bundle = path.join(pkg, 'dist/cli.cjs');
    expect(cli(tmp, ['validate', '--spec', EXAMPLE], {}, bin).output).toContain('4 route(s)');
    const { mtime } = statSync(bundle);
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replaceAll('route(s)', 'ROUTE(S)'));
    utimesSync(bundle, mtime, mtime);
    expect(cli(tmp, ['validate', '--spec', EXAMPLE], {}, bin).output).toContain('4 ROUTE(S)');
    // A word that is no command gets no cache file of its own.
    cli(tmp, ['no-such-command'], {}, bin);
    expect(cacheFiles(tmp).filter((f) => f.includes('no-such-command'))).toEqual([]);
  });

  it('replaces a damaged cache file, and the run is unaffected', () => {
    const tmp = tempDir();
    expect(cli(tmp, ['validate', '--spec', EXAMPLE]).status).toBe(0);
    const [file] = cacheFiles(tmp);
    writeFileSync(path.join(cacheDir(tmp), file!), Buffer.alloc(4096, 7));
    const r = cli(tmp, ['validate', '--spec', EXAMPLE]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/^ok .*orders-api \(rest\)/m);
    expect(readFileSync(path.join(cacheDir(tmp), file!)).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('never uses a folder that others may write, or a link to another folder', () => {
    const open = tempDir();
    mkdirSync(cacheDir(open));
    chmodSync(cacheDir(open), 0o777);
    expect(cli(open, ['validate', '--spec', EXAMPLE]).status).toBe(0);
    expect(cacheFiles(open)).toEqual([]);

    const linked = tempDir();
    const elsewhere = path.join(linked, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, cacheDir(linked));
    expect(cli(linked, ['validate', '--spec', EXAMPLE]).status).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
