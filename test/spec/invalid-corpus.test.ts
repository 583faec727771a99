import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, cli, plainEnv, ROOT } from '../cli/capture.js';

/**
 * The corpus of invalid specs (test/spec/invalid/): one broken rule per file, each run through the real CLI.
 * `expectations.json` says, for each file, the exit code, the error's code, the path inside the spec, its
 * position and its message and fix, exactly as `validate` must print them.
 */

interface Expectation {
  readonly file: string;
  readonly rule: string;
  readonly exit: 1 | 2;
  readonly code: string;
  readonly path: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
  readonly fix: string | null;
}

const CORPUS = 'test/spec/invalid';
const EXPECTATIONS = JSON.parse(readFileSync(path.join(ROOT, CORPUS, 'expectations.json'), 'utf8')) as Expectation[];
/** As the CLI names the file: relative to the working directory (the repository root under vitest). */
const display = (e: Expectation) => path.relative(process.cwd(), path.join(ROOT, CORPUS, e.file));
const specArg = display;

describe('the invalid-spec corpus', () => {
  it('has at least 45 specs, each with exactly one expectation', () => {
    const files = readdirSync(path.join(ROOT, CORPUS)).filter((f) => f !== 'expectations.json');
    expect(files.length).toBeGreaterThanOrEqual(45);
    const expected = EXPECTATIONS.map((e) => e.file);
    expect(new Set(expected).size).toBe(expected.length);
    for (const f of files) expect(expected, `${f} has no expectation`).toContain(f);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(5);
  });

  it('covers every validation rule of the spec', () => {
    const codes = new Set(EXPECTATIONS.map((e) => e.code));
    const rules = [
      // origins
      'origin-path',
      'origin-query',
      'origin-fragment',
      'origin-trailing-slash',
      'origin-userinfo',
      'origin-no-scheme',
      'origin-scheme',
      'origin-uppercase',
      'origin-null',
      'origin-default-port',
      'origin-port',
      'origin-whitespace',
      'origin-non-ascii',
      'origin-wildcard-form',
      'origin-not-canonical',
      'origin-empty',
      'star-mixed',
      'star-with-credentials',
      'star-header-with-credentials',
      'method-star-with-credentials',
      'method-star-rest',
      // shape
      'unknown-key',
      'type',
      'required',
      'not-allowed-value',
      'invalid-format',
      'invalid-key',
      'too-few',
      'too-big',
      'too-small',
      'version',
      // routes
      'route-duplicate',
      'route-sibling-variable',
      'route-path',
      'no-routes',
      // targets
      'wildcard-unsupported',
      'function-url-methods-count',
      'function-url-method',
      'too-many-origins',
      'origin-too-long',
      'origins-too-large',
      'rest-definition-too-large',
      // the file itself
      'duplicate-key',
      'syntax',
      'alias-bomb',
      'encoding',
      'empty',
      'unreadable',
    ];
    for (const rule of rules) expect(codes, `no corpus file for ${rule}`).toContain(rule);
  });

  describe.each(EXPECTATIONS.map((e) => [e.file, e] as const))('%s', (_file, e) => {
    it(`rejects ${e.rule} with exit ${e.exit}, naming the path, the position and the fix`, async () => {
      const { code, stdout, stderr } = await cli(['validate', '--spec', specArg(e)]);
      expect(code).toBe(e.exit);
      if (e.exit === 2) {
        expect(stdout).toBe('');
        expect(stderr).toBe(`cors-gen: ${e.message}\n`);
        return;
      }
      // The report is validate's result: stdout, so that `cors-gen validate > report.txt` captures it.
      expect(stderr).toBe('');
      const where = `${display(e)}${e.line !== null ? `:${e.line}:${e.column}` : ''}`;
      const expectedLine = `error ${where} ${e.path ? `${e.path}: ` : ''}${e.message}${e.fix ? `; ${e.fix}` : ''}`;
      const errorLines = stdout.split('\n').filter((l) => l.startsWith('error '));
      expect(errorLines).toEqual([expectedLine]);
      expect(stdout).toMatch(
        new RegExp(
          `^${display(e).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid, 1 error\\(s\\)(, \\d+ warning\\(s\\))?$`,
          'm',
        ),
      );
    });

    it('with --json prints only one JSON document on stdout, with file, line, column, path, code, message and fix', async () => {
      const { code, stdout, stderr } = await cli(['validate', '--json', '--spec', specArg(e)]);
      expect(code).toBe(e.exit);
      expect(stderr).toBe('');
      const doc = JSON.parse(stdout) as {
        ok: boolean;
        file: string;
        errors: Record<string, unknown>[];
        warnings: unknown[];
      };
      expect(doc.ok).toBe(false);
      expect(doc.errors).toHaveLength(1);
      const [error] = doc.errors;
      expect(error).toMatchObject({ severity: 'error', code: e.code, path: e.path, message: e.message });
      if (e.exit === 2) return;
      expect(doc.file).toBe(display(e));
      expect(error!.file).toBe(display(e));
      expect(error!.line).toBe(e.line ?? undefined);
      expect(error!.column).toBe(e.column ?? undefined);
      expect(error!.fix).toBe(e.fix ?? undefined);
    });
  });
});

describe('nothing is written when validation fails', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-corpus-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const invalid = EXPECTATIONS.filter((e) => e.exit === 1);
  it.each(invalid.map((e) => [e.file]))('validate and generate leave the folder of %s as it was', async (file) => {
    const dir = await mkdtemp(path.join(tmp, 'spec-'));
    const spec = path.join(dir, file);
    await copyFile(path.join(ROOT, CORPUS, file), spec);
    expect((await cli(['validate', '--spec', spec])).code).toBe(1);
    const generated = await cli(['generate', '--spec', spec, '--out', path.join(dir, 'generated')]);
    expect(generated.code).toBe(1);
    expect(generated.stdout).toContain('nothing was written');
    expect(await readdir(dir)).toEqual([file]);
  });

  it('generate with a missing spec exits 2 and creates no output folder', async () => {
    const out = path.join(tmp, 'never');
    const result = await cli(['generate', '--spec', path.join(tmp, 'missing.yaml'), '--out', out]);
    expect(result.code).toBe(2);
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the built binary', () => {
  const byFile = (f: string) => EXPECTATIONS.find((e) => e.file === f)!;

  it.each([
    ['origin-trailing-slash.yaml'],
    ['invalid-json-trailing-comma.json'],
    ['star-with-credentials.yaml'],
    ['not-utf8.yaml'],
  ])('exits 1 for %s and prints the error line', async (file) => {
    const e = byFile(file);
    const { code, stdout, stderr } = await binary(['validate', '--spec', `${CORPUS}/${file}`], { env: plainEnv() });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toContain(
      `error ${CORPUS}/${file}${e.line !== null ? `:${e.line}:${e.column}` : ''} ${e.path ? `${e.path}: ` : ''}${e.message}`,
    );
  });

  it('prints the issue example in exactly its shape', async () => {
    const { stdout } = await binary(['validate', '--spec', `${CORPUS}/origin-trailing-slash.yaml`], {
      env: plainEnv(),
    });
    expect(stdout).toMatch(
      /^error test\/spec\/invalid\/origin-trailing-slash\.yaml:8:7 cors\.allowOrigins\[1\]: "https:\/\/app\.example\.com\/" has a trailing slash; write "https:\/\/app\.example\.com"$/m,
    );
  });

  it('exits 2 for a missing file and for a directory', async () => {
    const missing = await binary(['validate', '--spec', `${CORPUS}/missing.yaml`], { env: plainEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`cors-gen: ${CORPUS}/missing.yaml: no such file\n`);
    const directory = await binary(['validate', '--spec', CORPUS], { env: plainEnv() });
    expect(directory.code).toBe(2);
    expect(directory.stderr).toBe(`cors-gen: ${CORPUS}: is a directory, not a spec file\n`);
  });

  it('with --json writes one parseable document on stdout even for an unreadable file', async () => {
    const invalid = await binary(['validate', '--json', '--spec', `${CORPUS}/route-duplicate.yaml`], {
      env: plainEnv(),
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe('');
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      ok: false,
      errors: [{ code: 'route-duplicate', path: 'routes[2].path', line: 12, column: 11 }],
    });
    const missing = await binary(['validate', '--json', '--spec', `${CORPUS}/missing.yaml`], { env: plainEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('');
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, errors: [{ code: 'unreadable' }] });
  });
});
