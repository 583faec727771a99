/**
 * One error model, one exit: every error class of cors-gen extends CorsGenError, `cli/main.ts` alone maps its
 * kind to an exit code and to the `--json` envelope, and no command module imports `main.ts` back (no cycle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT_CODE, ExternalError, InvalidInputError, UsageError, CorsGenError } from '../../src/errors.js';
import { cli, ROOT } from './capture.js';

const SRC = path.join(ROOT, 'src');

vi.mock('../../src/spec/load.js', async (original) => {
  const real = await original<typeof import('../../src/spec/load.js')>();
  return {
    ...real,
    // A bug anywhere below a command: `validate bug.yaml` meets a plain Error, which nothing translates.
    loadSpec: (file: string) =>
      file.endsWith('bug.yaml') ? Promise.reject(new TypeError('boom')) : real.loadSpec(file),
  };
});

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
  );
}

/** The relative static imports of a file (`import ... from './x.js'` and `export ... from`), resolved to `.ts`. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((m) =>
    path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')),
  );
}

function reaches(from: string, target: string, seen = new Set<string>()): boolean {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return staticImports(from).some((f) => reaches(f, target, seen));
}

describe('the error model', () => {
  it('maps each kind to its exit code: usage and external 2, invalid and internal 1', () => {
    expect(EXIT_CODE).toEqual({ usage: 2, external: 2, invalid: 1, internal: 1 });
    expect(
      [new UsageError('u'), new ExternalError('e', { code: 'x' }), new InvalidInputError('i', { code: 'y' })].map(
        (e) => [e instanceof CorsGenError, e.kind],
      ),
    ).toEqual([
      [true, 'usage'],
      [true, 'external'],
      [true, 'invalid'],
    ]);
  });

  it('has one base: no class in src/ extends Error directly but CorsGenError', () => {
    const direct = files(SRC).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/class (\w+) extends Error\b/g)].map((m) => m[1]),
    );
    expect(direct).toEqual(['CorsGenError']);
  });

  it('decides exit codes in cli/main.ts alone: no other module names process.exit or process.exitCode', () => {
    const users = files(SRC).filter((f) => /process\.exit(Code)?\b/.test(readFileSync(f, 'utf8')));
    expect(users.map((f) => path.relative(SRC, f))).toEqual([path.join('cli', 'main.ts')]);
  });

  it('reports a bug as an internal error: exit 1, the stack and "please report" on stderr, the envelope under --json', async () => {
    const r = await cli(['validate', 'bug.yaml', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cors-gen: internal error: TypeError: boom\n\s+at /);
    expect(r.stderr).toMatch(/please report it with the command you ran/);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: false, error: { code: 'internal', message: 'boom' } });
    expect(doc.error.fix).toMatch(/please report/);
  });
});

describe('the command modules', () => {
  it.each(readdirSync(path.join(SRC, 'cli', 'commands')))(
    'cli/commands/%s does not import cli/main.ts, directly or through others (no cycle)',
    (name) => {
      expect(reaches(path.join(SRC, 'cli', 'commands', name), path.join(SRC, 'cli', 'main.ts'))).toBe(false);
    },
  );

  it('the cycle check would see one: cli/main.ts reaches every command', () => {
    for (const name of readdirSync(path.join(SRC, 'cli', 'commands')))
      expect(reaches(path.join(SRC, 'cli', 'main.ts'), path.join(SRC, 'cli', 'commands', name))).toBe(true);
  });
});
