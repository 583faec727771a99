#!/usr/bin/env node
// `npm run bench`: cors-gen against the usual way to get the same module, a hand-written CDKTF app and
// `cdktf synth`, measured in the same run on the same machine.
//
//   node bench/run.mjs [--quick] [--cases example,10,100,1000] [--no-baseline] [--no-footprint] [--json FILE]
//
// For the example spec and generated REST APIs of 10, 100 and 1000 routes: wall time of the whole process
// (median of several runs, each into an empty output folder) and peak memory (the largest process's maximum
// resident set, from /usr/bin/time), for `cors-gen generate` and for `cdktf synth` of bench/baseline/main.js,
// which builds the same resources (checked: both give the same Terraform addresses). Then `validate` and
// `generate --check`, and the installed footprint of the package (`npm pack`, installed into an empty folder).
// The CDKTF CLI (390 MB) is installed on first use into bench/cdktf-cli/ from its lockfile.
// Every timed run uses the package as `npm install` puts it (or, with --no-footprint, a copy of dist/).
// `npm run bench` builds first. Plain JavaScript: runs with node alone.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { EXAMPLE_SPEC, ROOT, generatedSpec } from './specs.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cases: { type: 'string', default: 'example,10,100,1000' },
    'no-baseline': { type: 'boolean', default: false },
    'no-footprint': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

/**
 * The CLI under test: the installed tarball when the footprint is measured, else a copy of dist/ (never dist/ itself,
 * which a build may replace mid-run).
 */
let BIN = path.join(ROOT, 'dist/cli/bin.js');
const CLI_DIR = path.join(ROOT, 'bench/cdktf-cli');
const CDKTF = path.join(CLI_DIR, 'node_modules/.bin/cdktf');
const TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
/** The CDKTF CLI never calls home, never prompts and never draws a spinner. */
const QUIET_CDKTF = {
  CHECKPOINT_DISABLE: '1',
  DISABLE_VERSION_CHECK: '1',
  CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
  CI: '1',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

/** Runs per case (other sizes given with --cases get 3 and 1): cors-gen is cheap to repeat, the baseline is not (6-15 s a run). */
const RUNS = {
  corsGen: { example: 15, 10: 11, 100: 7, 1000: 5 },
  baseline: { example: 5, 10: 5, 100: 3, 1000: 2 },
  validate: 21,
  check: 11,
};
if (opts.quick)
  for (const group of [RUNS.corsGen, RUNS.baseline])
    for (const k of Object.keys(group)) group[k] = Math.max(1, Math.ceil(group[k] / 3));

const say = (s) => process.stderr.write(`${s}\n`);
const work = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
// The CDKTF CLI runs `terraform version`; an empty CLI configuration keeps it from complaining about a missing one.
writeFileSync(path.join(work, 'terraformrc'), '');
QUIET_CDKTF.TF_CLI_CONFIG_FILE = path.join(work, 'terraformrc');

/**
 * Timed processes of both tools run without NODE_EXTRA_CA_CERTS: some machines (this project's sandboxes) set it
 * for every process, and Node then parses the whole certificate bundle at each start-up, ~80 ms per process
 * here, which has nothing to do with either tool. The report says so and gives validate with it too.
 */
const TIMED_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));
// cors-gen keeps V8's compiled code between runs in the OS temp folder (src/cli/code-cache.ts): the bench gives it
// a temp folder of its own, filled by the warm-up run, and times a first run without it separately.
TIMED_ENV.TMPDIR = path.join(work, 'tmp');
mkdirSync(TIMED_ENV.TMPDIR);

/** One process: wall time (ms, from the parent) and the peak resident set of the largest process (KB). */
function measure(command, args, { cwd, env = {}, base = TIMED_ENV }) {
  const rssFile = path.join(work, 'rss.txt');
  const argv = TIME ? [TIME, '-f', '%M', '-o', rssFile, command, ...args] : [command, ...args];
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: { ...base, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const rss = TIME ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
  return { ms, rssKb: rss };
}

function repeat(n, prepare, run) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    prepare?.();
    samples.push(run());
  }
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    runs: n,
    medianMs: median(ms),
    minMs: ms[0],
    maxMs: ms[ms.length - 1],
    peakRssMb: Math.max(...samples.map((s) => s.rssKb)) / 1024,
  };
}

const median = (sorted) =>
  sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;

// ---- the cases -----------------------------------------------------------------------------------------------

function prepareCases() {
  return opts.cases.split(',').map((key) => {
    const dir = path.join(work, `case-${key}`);
    mkdirSync(dir, { recursive: true });
    const specText = key === 'example' ? readFileSync(EXAMPLE_SPEC, 'utf8') : stringifyYaml(generatedSpec(Number(key)));
    writeFileSync(path.join(dir, 'cors-gen.yaml'), specText);
    const spec = parseYaml(specText);
    return {
      key,
      label: key === 'example' ? `example (${spec.name})` : `${key} routes`,
      routes: spec.routes.length,
      dir,
      spec,
    };
  });
}

function corsGen(c) {
  const out = path.join(c.dir, 'out');
  return repeat(
    RUNS.corsGen[c.key] ?? 3,
    () => rmSync(out, { recursive: true, force: true }),
    () => measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', 'out'], { cwd: c.dir }),
  );
}

function ensureCdktfCli() {
  if (existsSync(CDKTF)) return;
  say('installing the CDKTF CLI for the baseline into bench/cdktf-cli/ (once; about 390 MB)...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: CLI_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(CDKTF)) throw new Error('could not install bench/cdktf-cli (npm ci failed)');
}

function baselineDir(c) {
  const dir = path.join(c.dir, 'baseline');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(c.spec));
  writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `node ${JSON.stringify(path.join(ROOT, 'bench/baseline/main.js'))}`,
      projectId: 'cors-gen-bench',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
      context: {},
    }),
  );
  return dir;
}

function baseline(c) {
  const dir = baselineDir(c);
  return repeat(
    RUNS.baseline[c.key] ?? 1,
    () => rmSync(path.join(dir, 'cdktf.out'), { recursive: true, force: true }),
    () =>
      measure(CDKTF, ['synth'], { cwd: dir, env: { ...QUIET_CDKTF, BENCH_SPEC_JSON: path.join(dir, 'spec.json') } }),
  );
}

/** Terraform addresses of a JSON document: resource.TYPE.NAME, data..., variable.X, local.X, output.X. */
function addresses(doc) {
  const out = [];
  for (const [kind, prefix] of [
    ['resource', 'resource'],
    ['data', 'data'],
  ])
    for (const [type, named] of Object.entries(doc[kind] ?? {}))
      for (const name of Object.keys(named)) out.push(`${prefix}.${type}.${name}`);
  for (const [kind, prefix] of [
    ['variable', 'var'],
    ['output', 'output'],
    ['locals', 'local'],
  ])
    for (const name of Object.keys(doc[kind] ?? {})) out.push(`${prefix}.${name}`);
  return out.sort();
}

function sameResources(c) {
  const jsonOut = path.join(c.dir, 'json');
  rmSync(jsonOut, { recursive: true, force: true });
  measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', 'json', '--format', 'json'], {
    cwd: c.dir,
  });
  const moduleDir = path.join(jsonOut, c.spec.name);
  const ours = {};
  for (const f of readdirSync(moduleDir).filter((f) => f.endsWith('.tf.json'))) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(path.join(moduleDir, f), 'utf8'))))
      if (k !== '//') ours[k] = { ...ours[k], ...v };
  }
  const theirs = JSON.parse(
    readFileSync(path.join(c.dir, 'baseline/cdktf.out/stacks', c.spec.name, 'cdk.tf.json'), 'utf8'),
  );
  const a = addresses(ours);
  const b = new Set(addresses(theirs));
  const onlyOurs = a.filter((x) => !b.has(x));
  const onlyTheirs = [...b].filter((x) => !a.includes(x));
  return {
    same: onlyOurs.length === 0 && onlyTheirs.length === 0,
    addresses: a.length,
    resources: a.filter((x) => x.startsWith('resource.')).length,
    onlyOurs,
    onlyTheirs,
  };
}

// ---- footprint -----------------------------------------------------------------------------------------------

function du(p) {
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p)) n += du(path.join(p, e));
  return n;
}

function packages(nodeModules) {
  let n = 0;
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      if (e.startsWith('.')) continue;
      const p = path.join(dir, e);
      if (e.startsWith('@')) visit(p);
      else if (existsSync(path.join(p, 'package.json'))) {
        n++;
        visit(path.join(p, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return n;
}

function footprint() {
  const packDir = path.join(work, 'pack');
  mkdirSync(packDir);
  say('npm pack (builds dist/ and the type declarations)...');
  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', packDir], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
  const tarball = path.join(packDir, info.filename);
  const installDir = path.join(work, 'install');
  mkdirSync(installDir);
  writeFileSync(
    path.join(installDir, 'package.json'),
    JSON.stringify({ name: 'footprint', version: '1.0.0', private: true }),
  );
  say('npm install of the tarball into an empty folder...');
  const inst = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: installDir,
    encoding: 'utf8',
  });
  if (inst.status !== 0) throw new Error(`npm install of the tarball failed:\n${inst.stderr}`);
  const nodeModules = path.join(installDir, 'node_modules');
  // The installed CLI works from there: it generates the example.
  const bin = path.join(nodeModules, '.bin/cors-gen');
  writeFileSync(path.join(installDir, 'cors-gen.yaml'), readFileSync(EXAMPLE_SPEC, 'utf8'));
  const run = measure(bin, ['generate'], { cwd: installDir });
  return {
    bin: path.join(nodeModules, 'cors-gen/dist/cli/bin.js'),
    tarballMb: info.size / 1e6,
    unpackedMb: info.unpackedSize / 1e6,
    files: info.entryCount,
    installedMb: du(nodeModules) / 1e6,
    packages: packages(nodeModules),
    ownMb: du(path.join(nodeModules, 'cors-gen')) / 1e6,
    installedGenerateMs: run.ms,
    providerAwsMb: existsSync(path.join(ROOT, 'node_modules/@cdktf/provider-aws'))
      ? du(path.join(ROOT, 'node_modules/@cdktf/provider-aws')) / 1e6
      : NaN,
    cdktfCliMb: existsSync(path.join(CLI_DIR, 'node_modules')) ? du(path.join(CLI_DIR, 'node_modules')) / 1e6 : NaN,
  };
}

// ---- report --------------------------------------------------------------------------------------------------

const s = (ms) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : 'n/a');
const mb1 = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} MB` : 'n/a');
const check = (ok) => (ok ? 'met' : 'MISSED');

function machine() {
  const cpu = os.cpus();
  return `node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}

async function main() {
  if (!existsSync(BIN)) throw new Error('dist/ is missing: run "npm run bench" (it builds first)');
  const started = Date.now();
  const results = { date: new Date().toISOString(), machineAtStart: machine(), cases: [], runs: RUNS };
  const cases = prepareCases();
  if (!opts['no-footprint']) {
    // First, so that every timed run uses the package as users install it.
    results.footprint = footprint();
    BIN = results.footprint.bin;
  } else {
    const copy = path.join(work, 'pkg');
    cpSync(path.join(ROOT, 'dist'), path.join(copy, 'dist'), { recursive: true });
    cpSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
    BIN = path.join(copy, 'dist/cli/bin.js');
  }
  if (!opts['no-baseline']) ensureCdktfCli();

  // Warm the file cache for both tools (the baseline reads 390 MB of provider code) before any timed run.
  say('warming up...');
  measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', 'warm'], { cwd: cases[0].dir });
  if (!opts['no-baseline']) {
    const dir = baselineDir(cases[0]);
    measure(CDKTF, ['synth'], { cwd: dir, env: { ...QUIET_CDKTF, BENCH_SPEC_JSON: path.join(dir, 'spec.json') } });
  }

  for (const c of cases) {
    say(`${c.label}: cors-gen generate...`);
    const ours = corsGen(c);
    let theirs;
    let same;
    if (!opts['no-baseline']) {
      say(`${c.label}: cdktf synth...`);
      theirs = baseline(c);
      same = sameResources(c);
    }
    results.cases.push({ case: c.label, routes: c.routes, corsGen: ours, baseline: theirs, sameResources: same });
  }

  const example = cases.find((c) => c.key === 'example') ?? cases[0];
  say('validate and generate --check...');
  results.validate = repeat(RUNS.validate, undefined, () =>
    measure(process.execPath, [BIN, 'validate', '--spec', 'cors-gen.yaml'], { cwd: example.dir }),
  );
  if (process.env.NODE_EXTRA_CA_CERTS) {
    results.validateWithExtraCaCerts = repeat(RUNS.validate, undefined, () =>
      measure(process.execPath, [BIN, 'validate', '--spec', 'cors-gen.yaml'], { cwd: example.dir, base: process.env }),
    );
    results.nodeStartup = repeat(RUNS.validate, undefined, () =>
      measure(process.execPath, ['-e', '0'], { cwd: example.dir }),
    );
    results.nodeStartupWithExtraCaCerts = repeat(RUNS.validate, undefined, () =>
      measure(process.execPath, ['-e', '0'], { cwd: example.dir, base: process.env }),
    );
  }
  measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', 'out'], { cwd: example.dir });
  results.check = repeat(RUNS.check, undefined, () =>
    measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', 'out', '--check'], {
      cwd: example.dir,
    }),
  );
  let firstRuns = 0;
  results.firstRun = repeat(RUNS.check, undefined, () =>
    measure(process.execPath, [BIN, 'generate', '--spec', 'cors-gen.yaml', '--out', `first-${firstRuns++}`], {
      cwd: example.dir,
      env: { NODE_DISABLE_COMPILE_CACHE: '1' },
    }),
  );
  const bigCase = cases.find((c) => c.routes === 1000);
  if (bigCase) {
    say('module checks at 1000 routes (in-process)...');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/checkers.mjs'), '1000'], {
      cwd: ROOT,
      env: TIMED_ENV,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`bench/checkers.mjs failed:\n${r.stderr}`);
    results.checkers = JSON.parse(r.stdout);
  }
  results.machineAtEnd = machine();
  results.seconds = (Date.now() - started) / 1000;

  // The report.
  const lines = [];
  lines.push(`cors-gen bench, ${results.date.slice(0, 10)}: ${results.machineAtStart}`);
  lines.push('');
  lines.push(
    '| spec | routes | resources | cors-gen generate | peak RSS | cdktf synth (baseline) | peak RSS | speed-up | same addresses |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results.cases) {
    const b = r.baseline;
    lines.push(
      `| ${r.case} | ${r.routes} | ${r.sameResources?.resources ?? ''} | ${s(r.corsGen.medianMs)} (x${r.corsGen.runs}) | ${mb(r.corsGen.peakRssMb)} | ${b ? `${s(b.medianMs)} (x${b.runs})` : 'skipped'} | ${b ? mb(b.peakRssMb) : ''} | ${b ? `${(b.medianMs / r.corsGen.medianMs).toFixed(1)}x` : ''} | ${r.sameResources ? (r.sameResources.same ? `yes (${r.sameResources.addresses})` : `NO: +${r.sameResources.onlyOurs.length} -${r.sameResources.onlyTheirs.length}`) : ''} |`,
    );
  }
  lines.push('');
  lines.push(
    `validate (${example.label}): ${s(results.validate.medianMs)} median of ${results.validate.runs}, peak RSS ${mb(results.validate.peakRssMb)}`,
  );
  lines.push(
    `generate --check, up to date (${example.label}): ${s(results.check.medianMs)} median of ${results.check.runs}`,
  );
  lines.push(
    `generate without the compiled-code cache, as on a first run (${example.label}): ${s(results.firstRun.medianMs)} median of ${results.firstRun.runs}`,
  );
  if (results.validateWithExtraCaCerts) {
    lines.push(
      `timed processes ran without NODE_EXTRA_CA_CERTS, which this machine sets: with it every Node process starts ${s(results.nodeStartupWithExtraCaCerts.medianMs - results.nodeStartup.medianMs)} slower (\`node -e 0\`: ${s(results.nodeStartupWithExtraCaCerts.medianMs)} instead of ${s(results.nodeStartup.medianMs)}) and validate takes ${s(results.validateWithExtraCaCerts.medianMs)}`,
    );
  }
  const f = results.footprint;
  if (f) {
    lines.push(
      `footprint: npm pack ${mb1(f.tarballMb)} (${f.files} files, ${mb1(f.unpackedMb)} unpacked); installed into an empty folder: ${mb1(f.installedMb)} in ${f.packages} packages (cors-gen itself ${mb1(f.ownMb)}); the installed CLI generated the example in ${s(f.installedGenerateMs)}`,
    );
    lines.push(`for comparison: @cdktf/provider-aws alone ${mb(f.providerAwsMb)}, the CDKTF CLI ${mb(f.cdktfCliMb)}`);
  }
  lines.push('');
  const ex = results.cases.find((r) => r.case.startsWith('example'));
  const big = results.cases.find((r) => r.routes === 1000);
  lines.push('targets:');
  if (ex?.baseline)
    lines.push(
      `- example generate at least 20x faster than the baseline: ${check(ex.baseline.medianMs / ex.corsGen.medianMs >= 20)} (${(ex.baseline.medianMs / ex.corsGen.medianMs).toFixed(1)}x)`,
    );
  if (big) lines.push(`- 1000 routes under 1.5 s: ${check(big.corsGen.medianMs < 1500)} (${s(big.corsGen.medianMs)})`);
  if (big && results.checkers) {
    const c = results.checkers;
    lines.push(
      `- module checks (security invariants + apply rules) at 1000 routes under 50 ms: ${check(c.checkMs < 50)} (${s(c.checkMs)} median of ${c.runs} on ${c.resources} resources, ${((100 * c.checkMs) / big.corsGen.medianMs).toFixed(1)}% of generate)`,
    );
  }
  lines.push(`- validate under 150 ms: ${check(results.validate.medianMs < 150)} (${s(results.validate.medianMs)})`);
  if (f) lines.push(`- installed footprint under 10 MB: ${check(f.installedMb < 10)} (${mb1(f.installedMb)})`);
  lines.push('');
  lines.push(
    `${results.seconds.toFixed(0)} s in all; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}. Times are whole processes, wall clock, median (xN = runs).`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
  if (results.cases.some((r) => r.sameResources && !r.sameResources.same)) {
    for (const r of results.cases.filter((x) => x.sameResources && !x.sameResources.same))
      say(
        `${r.case}: only in cors-gen ${r.sameResources.onlyOurs.join(', ')}; only in the baseline ${r.sameResources.onlyTheirs.join(', ')}`,
      );
    process.exitCode = 1;
  }
}

await main();
