/**
 * A module folder is committed to repositories, so anyone who can open a pull request can plant files in it.
 * This fuzzer plants random journals, manifests, locks, staged names and symbolic links (dangling, to outside,
 * to inside) in a module folder that sits inside a sentinel tree, runs `generate` (the library function; a few
 * runs through the CLI and the built binary) and asserts:
 * - no file outside the module folder is ever created, changed or deleted (the whole sentinel tree, links and
 *   their targets included, is hashed before and after);
 * - every run ends in success or a clean refusal (a result with a reason and a message; never an exception,
 *   never a hang), and a refusal leaves the module folder as it was.
 *
 * Runs: 100 by default, CORS_GEN_RELIABILITY_RUNS to change it (the reliability report uses 300); the seed is
 * printed and CORS_GEN_RELIABILITY_SEED replays one.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { generate } from '../../src/synth/generate.js';
import { recordFigures, runNode, Stat, STACK_TRACE, Tally } from '../support/reliability-report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'dist/cli/bin.js');
const RUNS = Number(process.env['CORS_GEN_RELIABILITY_RUNS'] ?? (process.env['CORS_GEN_RELIABILITY_DIR'] ? 300 : 100));
const SEED = Number(process.env['CORS_GEN_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
/** The hang detector: generous, since two cores are shared with the rest of the suite. */
const RUN_LIMIT_MS = 20_000;

const SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com]
  allowHeaders: [Content-Type]
routes:
  - path: /orders
    methods: [GET, POST]
stages:
  dev:
    allowOrigins: [http://localhost:3000]
`;

/** Where cors-gen writes in the module folder (and a few names it never writes). */
const MODULE_FILES = [
  'main.tf',
  'variables.tf',
  'outputs.tf',
  'versions.tf',
  'README.md',
  '.gitignore',
  '.cors-gen.json',
  'lambda/index.mjs',
  'lambda/cors.mjs',
  'lambda/app.mjs',
  'stages/dev.tfvars',
  'stages/old.tfvars',
  'main.tf.json',
];
/** Entries planted in journals and manifests; `@ABS` becomes an absolute path to the victim. */
const ENTRIES: readonly unknown[] = [
  '../../../victim.txt',
  '../../x',
  '@ABS',
  'lambda/../../../victim.txt',
  'stages/../../../x',
  'C:/victim.txt',
  '..\\..\\victim.txt',
  '\\\\host\\share\\x',
  'main.tf',
  'lambda/app.mjs',
  'lambda/index.mjs',
  '.cors-gen.json',
  'stages/dev.tfvars',
  'README.md',
  'notes.txt',
  '',
  'main.tf\u0000',
  '.',
  'lambda',
  7,
  null,
  { a: 1 },
];

type LinkTarget = 'dangling' | 'outside-file' | 'outside-dir' | 'inside';
type Plant =
  | {
      kind: 'journal';
      staged: unknown[];
      folders: unknown[] | undefined;
      replaced: unknown[] | undefined;
      created: unknown[] | undefined;
      committed: boolean | undefined;
      garbage: boolean;
    }
  | { kind: 'manifest'; files: unknown[]; userOwned: unknown[]; garbage: boolean }
  | { kind: 'lock'; as: 'dead-pid' | 'own-pid' | 'garbage' | 'link'; to: LinkTarget }
  | {
      kind: 'staged';
      file: string;
      suffix: '.cors-gen-new' | '.cors-gen-old';
      as: 'file' | 'folder' | 'link';
      to: LinkTarget;
    }
  | { kind: 'link'; at: string; to: LinkTarget }
  | { kind: 'file-for-folder'; at: 'lambda' | 'stages' }
  | { kind: 'fifo'; at: string }
  | { kind: 'module-link' };

const entry = fc.constantFrom(...ENTRIES);
const linkTarget = fc.constantFrom<LinkTarget>('dangling', 'outside-file', 'outside-dir', 'inside');
const plant: fc.Arbitrary<Plant> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('journal' as const),
      staged: fc.array(entry, { maxLength: 3 }),
      folders: fc.option(
        fc.array(
          fc.constantFrom<unknown>('lambda', 'stages', '..', '../..', '../../..', '@ABS', 'lambda/..', 'x', ''),
          { maxLength: 2 },
        ),
        { nil: undefined },
      ),
      replaced: fc.option(fc.array(entry, { maxLength: 3 }), { nil: undefined }),
      created: fc.option(fc.array(entry, { maxLength: 3 }), { nil: undefined }),
      committed: fc.option(fc.boolean(), { nil: undefined }),
      garbage: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('manifest' as const),
      files: fc.array(entry, { maxLength: 4 }),
      userOwned: fc.array(entry, { maxLength: 2 }),
      garbage: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('lock' as const),
      as: fc.constantFrom('dead-pid' as const, 'own-pid' as const, 'garbage' as const, 'link' as const),
      to: linkTarget,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('staged' as const),
      file: fc.constantFrom(...MODULE_FILES, '.cors-gen.journal'),
      suffix: fc.constantFrom('.cors-gen-new' as const, '.cors-gen-old' as const),
      as: fc.constantFrom('file' as const, 'folder' as const, 'link' as const, 'link' as const),
      to: linkTarget,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      at: fc.constantFrom(...MODULE_FILES, 'lambda', 'stages', '.cors-gen.journal'),
      to: linkTarget,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('file-for-folder' as const),
      at: fc.constantFrom('lambda' as const, 'stages' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fifo' as const),
      at: fc.constantFrom('main.tf', 'README.md', '.cors-gen.json', '.cors-gen.journal'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'module-link' as const }) },
);
const scenario = fc.record({
  previous: fc.boolean(),
  plants: fc.array(plant, { minLength: 1, maxLength: 5 }),
  force: fc.boolean(),
});

// ---- figures ------------------------------------------------------------------------------------------------

const outcomes = new Tally();
const planted = new Tally();
const runTime = new Stat();
let runs = 0;
let cliRuns = 0;

// ---- the sentinel tree --------------------------------------------------------------------------------------

let work = '';
let template = '';
let deadPid = 0;
let n = 0;

interface Layout {
  /** Everything a run may see; only `module` may change. */
  readonly sentinel: string;
  readonly project: string;
  readonly module: string;
}

function layout(): Layout {
  const sentinel = path.join(work, `run-${n++}`);
  const project = path.join(sentinel, 'a', 'b', 'project');
  mkdirSync(path.join(project, 'generated'), { recursive: true });
  writeFileSync(path.join(project, 'cors-gen.yaml'), SPEC);
  writeFileSync(path.join(sentinel, 'victim.txt'), 'victim\n');
  writeFileSync(path.join(sentinel, 'a', 'x'), 'x\n');
  mkdirSync(path.join(sentinel, 'outside', 'dir'), { recursive: true });
  writeFileSync(path.join(sentinel, 'outside', 'file.tf'), 'outside\n');
  writeFileSync(path.join(sentinel, 'outside', 'dir', 'index.mjs'), 'outside\n');
  return { sentinel, project, module: path.join(project, 'generated', 'shop') };
}

/** Every entry under `dir` except `skip`: type, content hash or link target. Never follows a link, never reads a FIFO. */
function hashTree(dir: string, skip?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (p === skip) continue;
      const stats = lstatSync(p);
      const rel = path.relative(dir, p);
      if (stats.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (stats.isDirectory()) {
        out[rel] = 'folder';
        walk(p);
      } else if (stats.isFile()) out[rel] = `file ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      else out[rel] = 'other';
    }
  };
  walk(dir);
  return out;
}

function target(l: Layout, to: LinkTarget, i: number): string {
  if (to === 'dangling') return path.join(l.sentinel, `planted-${i}`);
  if (to === 'outside-file') return path.join(l.sentinel, 'outside', 'file.tf');
  if (to === 'outside-dir') return path.join(l.sentinel, 'outside', 'dir');
  return 'README.md';
}

/** Makes the parent folders of a module entry, unless something that is not a real folder is in the way. */
function parentReady(l: Layout, rel: string): boolean {
  let d = l.module;
  for (const part of path
    .dirname(rel)
    .split('/')
    .filter((p) => p !== '.')) {
    d = path.join(d, part);
    let stats;
    try {
      stats = lstatSync(d);
    } catch {
      mkdirSync(d);
      continue;
    }
    if (!stats.isDirectory()) return false;
  }
  return true;
}

function clear(p: string): void {
  rmSync(p, { recursive: true, force: true });
}

function plantAll(l: Layout, plants: readonly Plant[]): void {
  plants.forEach((p, i) => {
    planted.add(p.kind);
    const at = (rel: string) => path.join(l.module, rel);
    const abs = (e: unknown) => (e === '@ABS' ? path.join(l.sentinel, 'victim.txt') : e);
    switch (p.kind) {
      case 'journal':
        clear(at('.cors-gen.journal'));
        writeFileSync(
          at('.cors-gen.journal'),
          p.garbage
            ? '{"staged": ['
            : JSON.stringify({
                staged: p.staged.map(abs),
                folders: p.folders?.map(abs),
                replaced: p.replaced?.map(abs),
                created: p.created?.map(abs),
                committed: p.committed,
              }),
        );
        return;
      case 'manifest': {
        clear(at('.cors-gen.json'));
        const files = Object.fromEntries(
          p.files.map((e) => [String(abs(e)), createHash('sha256').update('victim\n').digest('hex')]),
        );
        writeFileSync(
          at('.cors-gen.json'),
          p.garbage
            ? 'not json'
            : JSON.stringify({
                generator: 'cors-gen',
                version: '0.0.1',
                spec: { file: '../../cors-gen.yaml', sha256: '' },
                format: 'hcl',
                files,
                userOwned: p.userOwned.map(abs),
              }),
        );
        return;
      }
      case 'lock':
        clear(at('.cors-gen.lock'));
        if (p.as === 'link') symlinkSync(target(l, p.to, i), at('.cors-gen.lock'));
        else
          writeFileSync(
            at('.cors-gen.lock'),
            p.as === 'dead-pid' ? String(deadPid) : p.as === 'own-pid' ? String(process.pid) : 'garbage',
          );
        return;
      case 'staged': {
        const rel = p.file + p.suffix;
        if (!parentReady(l, rel)) return;
        clear(at(rel));
        if (p.as === 'file') writeFileSync(at(rel), 'staged\n');
        else if (p.as === 'folder') mkdirSync(at(rel));
        else symlinkSync(target(l, p.to, i), at(rel));
        return;
      }
      case 'link':
        if (!parentReady(l, p.at)) return;
        clear(at(p.at));
        symlinkSync(target(l, p.to, i), at(p.at));
        return;
      case 'file-for-folder':
        clear(at(p.at));
        writeFileSync(at(p.at), 'not a folder\n');
        return;
      case 'fifo':
        clear(at(p.at));
        execFileSync('mkfifo', [at(p.at)]);
        return;
      case 'module-link':
        clear(l.module);
        symlinkSync(path.join(l.sentinel, 'outside', 'dir'), l.module);
        return;
    }
  });
}

function capture(): Output & { text(): string } {
  let text = '';
  const add = (t: string) => void (text += t.endsWith('\n') ? t : `${t}\n`);
  return { out: add, err: add, color: false, isTTY: false, text: () => text };
}

async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`${what}: no answer within ${RUN_LIMIT_MS} ms (a hang)`)),
        RUN_LIMIT_MS,
      )),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cors-gen-hostile-module-')));
  // A module as a previous run left it, copied into runs that start from one.
  const l = layout();
  const first = await generate({ cwd: l.project, spec: 'cors-gen.yaml' });
  expect(first.ok).toBe(true);
  template = l.module;
  const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => gone.once('exit', r));
  deadPid = gone.pid!;
  console.info(
    `hostile-module: seed ${SEED}, ${RUNS} runs (set CORS_GEN_RELIABILITY_SEED to replay, CORS_GEN_RELIABILITY_RUNS for more)`,
  );
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  recordFigures('hostile-module', {
    seed: SEED,
    'runs (generate on a planted module folder)': runs,
    'runs through the CLI': cliRuns,
    outcomes: outcomes.toObject(),
    plants: planted.toObject(),
    'max time per run (ms)': Math.round(runTime.max),
    'p95 time per run (ms)': Math.round(runTime.percentile(95)),
  });
});

describe('a hostile module folder', () => {
  it('never touches a file outside the module folder; every run succeeds or refuses cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ previous, plants, force }) => {
        const l = layout();
        try {
          if (previous) cpSync(template, l.module, { recursive: true });
          else mkdirSync(l.module);
          plantAll(l, plants);
          const outside = hashTree(l.sentinel, l.module);
          const inside = lstatSync(l.module).isDirectory() ? hashTree(l.module) : undefined;
          const viaCli = runs % 20 === 0;
          const started = performance.now();
          runs++;
          let outcome: string;
          let refused = false;
          if (viaCli) {
            cliRuns++;
            const output = capture();
            const code = await bounded(
              'cors-gen generate',
              run(
                [
                  'generate',
                  path.join(l.project, 'cors-gen.yaml'),
                  '--out',
                  path.join(l.project, 'generated'),
                  ...(force ? ['--force'] : []),
                ],
                output,
              ),
            );
            expect([0, 1, 2], output.text()).toContain(code);
            expect(output.text()).not.toMatch(STACK_TRACE);
            outcome = `cli exit ${code}`;
            refused = code !== 0;
          } else {
            const result = await bounded('generate()', generate({ cwd: l.project, spec: 'cors-gen.yaml', force }));
            expect('dir' in result, JSON.stringify(result)).toBe(true);
            if (!('dir' in result)) return;
            expect(result.ok || typeof result.message === 'string', JSON.stringify(result)).toBe(true);
            outcome = result.ok ? 'ok' : `refused: ${result.reason}`;
            refused = !result.ok;
          }
          runTime.add(performance.now() - started);
          outcomes.add(outcome);
          const context = `${outcome}; plants ${JSON.stringify(plants)}; previous ${previous}; force ${force}`;
          expect(hashTree(l.sentinel, l.module), context).toEqual(outside);
          if (refused && inside)
            expect(hashTree(l.module), `a refusal changed the module folder; ${context}`).toEqual(inside);
          if (!refused) {
            const check = await bounded(
              'generate --check',
              generate({ cwd: l.project, spec: 'cors-gen.yaml', check: true }),
            );
            expect(check.ok, `${context}\n${JSON.stringify(check)}`).toBe(true);
          }
        } finally {
          rmSync(l.sentinel, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 600_000);

  it.each([
    [
      'a journal naming a file outside',
      (l: Layout) => (
        mkdirSync(l.module),
        writeFileSync(path.join(l.module, '.cors-gen.journal'), '{"staged":[],"created":["../../../../../victim.txt"]}')
      ),
      2,
    ],
    [
      'a dangling-link lock',
      (l: Layout) => (
        mkdirSync(l.module),
        symlinkSync(path.join(l.sentinel, 'planted'), path.join(l.module, '.cors-gen.lock'))
      ),
      2,
    ],
    [
      'a dangling staged .gitignore',
      (l: Layout) => (
        mkdirSync(l.module),
        symlinkSync(path.join(l.sentinel, 'planted'), path.join(l.module, '.gitignore.cors-gen-new'))
      ),
      0,
    ],
  ])(
    'the built binary: %s',
    async (_label, plantIt, expected) => {
      const l = layout();
      try {
        plantIt(l);
        const outside = hashTree(l.sentinel, l.module);
        const r = await runNode(BIN, ['generate', 'cors-gen.yaml'], { cwd: l.project, timeoutMs: RUN_LIMIT_MS });
        cliRuns++;
        expect(r.timedOut).toBe(false);
        expect(r.code, r.stderr).toBe(expected);
        expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
        expect(hashTree(l.sentinel, l.module)).toEqual(outside);
      } finally {
        rmSync(l.sentinel, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
