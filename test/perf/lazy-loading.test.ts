/**
 * `validate`, `init` and `check` must not load CDKTF: they run in editors' save hooks and
 * CI, and CDKTF plus the provider classes are most of cors-gen's start-up. The built CLI runs in a child process
 * that records every module it loads (test/perf/fixtures/record-loads.mjs); a module counts as CDKTF when it is
 * a file of cdktf, constructs or @cdktf/* or, in the bundle, a file that contains their classes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './specs.js';

const BIN = path.join(ROOT, 'dist/cli/bin.js');
const HOOK = path.join(ROOT, 'test/perf/fixtures/record-loads.mjs');
const EXAMPLE = path.join(ROOT, 'examples/orders-api/cors-gen.yaml');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-lazy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// `init --from-openapi` reads a document inside the spec's folder (no repository holds the temporary folder).
const PETSTORE = path.join(tmp, 'adopt', 'petstore.yaml');
mkdirSync(path.dirname(PETSTORE));
copyFileSync(path.join(ROOT, 'node_modules/@readme/oas-examples/2.0/yaml/petstore.yaml'), PETSTORE);
// A spec built on that document (`openapi:`): validate reads the document, still without CDKTF.
const ON_PETSTORE = path.join(tmp, 'adopt', 'on-petstore.yaml');
writeFileSync(
  ON_PETSTORE,
  'version: 1\nname: pets\nopenapi: petstore.yaml\ncors:\n  allowOrigins: [https://app.example.com]\n',
);

/** jsii type names that CDKTF's, constructs' and the providers' classes carry; nothing else contains them. */
const CDKTF_MARKERS = ['fqn: "cdktf.', 'fqn: "constructs.', 'fqn: "@cdktf/'];
const CDKTF_PATH = /[\\/]node_modules[\\/](cdktf|constructs|@cdktf[\\/][^\\/]+)[\\/]/;

interface Run {
  readonly status: number | null;
  readonly output: string;
  /** Files loaded, as paths. */
  readonly loaded: string[];
}

let runs = 0;
function run(...args: string[]): Run {
  const log = path.join(tmp, `loads-${runs++}.txt`);
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, CORS_GEN_LOAD_LOG: log, NO_COLOR: '1' },
    timeout: 60_000,
  });
  const loaded = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(4))
        .map((f) => (f.startsWith('file:') ? fileURLToPath(f) : f))
    : [];
  return { status: r.status, output: r.stdout + r.stderr, loaded: [...new Set(loaded)] };
}

function cdktfModules(loaded: readonly string[]): string[] {
  return loaded.filter(
    (f) =>
      CDKTF_PATH.test(f) ||
      (/\.c?js$/.test(f) && existsSync(f) && CDKTF_MARKERS.some((m) => readFileSync(f, 'utf8').includes(m))),
  );
}

describe('lazy loading', () => {
  it('runs the built CLI (npm test builds it first)', () => {
    expect(existsSync(BIN), `${BIN} is missing: run "npm run build"`).toBe(true);
  });

  it('detects CDKTF where it is loaded: generate loads it', () => {
    const r = run('generate', '--spec', EXAMPLE, '--out', path.join(tmp, 'out'));
    expect(r.status, r.output).toBe(0);
    expect(r.loaded.length).toBeGreaterThan(1);
    expect(cdktfModules(r.loaded)).not.toEqual([]);
  });

  it.each([
    ['validate', ['validate', '--spec', EXAMPLE]],
    ['validate --json', ['validate', '--spec', EXAMPLE, '--json']],
    ['init --help', ['init', '--help']],
    ['init --yes', ['init', '--yes', '--dir', path.join(tmp, 'init')]],
    ['init --from-openapi', ['init', '--yes', '--dir', path.dirname(PETSTORE), '--from-openapi', PETSTORE]],
    ['validate FILE FILE', ['validate', EXAMPLE, EXAMPLE]],
    ['validate with openapi:', ['validate', ON_PETSTORE]],
    ['schema', ['schema', '--dir', path.join(tmp, 'schema')]],
    ['check --help', ['check', '--help']],
    ['--help', ['--help']],
  ])('%s never loads CDKTF', (_name, args) => {
    const r = run(...args);
    expect(r.status, r.output).toBe(0);
    expect(
      r.loaded.some((f) => f.startsWith(path.join(ROOT, 'dist'))),
      'the recorder saw the CLI load',
    ).toBe(true);
    expect(cdktfModules(r.loaded)).toEqual([]);
  });
});
