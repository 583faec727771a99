#!/usr/bin/env node
// `npm run test:reliability`: builds the CLI, runs the reliability tests and prints a short report of
// their figures.
//
//   test/reliability/*.test.ts       spec fuzzing, security invariants and origin acceptance
//   test/synth/write-module.test.ts  atomic writes under injected faults
//   test/preview/*hardening*, test/preview/*hostile*, test/check/*hostile*
//                                    hostile traffic against preview and check (items 4 and 5)
//
// The tests record their figures through test/support/reliability-report.ts into a temporary folder named by
// CORS_GEN_RELIABILITY_DIR; other files' own summary lines (console.info "writer: ...") are picked from the
// output. Extra arguments go to vitest (e.g. `npm run test:reliability -- --bail 1`). Exit code: vitest's.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The reliability-tagged test files that exist in this checkout. */
function testFiles() {
  const pick = (dir, re) =>
    existsSync(path.join(ROOT, dir))
      ? readdirSync(path.join(ROOT, dir))
          .filter((f) => re.test(f))
          .sort()
          .map((f) => `${dir}/${f}`)
      : [];
  return [
    ...pick('test/reliability', /\.test\.ts$/),
    ...pick('test/synth', /^write-module\.test\.ts$/),
    ...pick('test/preview', /(hostile|hardening).*\.test\.ts$/),
    ...pick('test/check', /hostile.*\.test\.ts$/),
  ];
}

function run(command, args, env, capture) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (d) => {
        text += d;
        if (capture) (stream === child.stdout ? process.stdout : process.stderr).write(d);
      });
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text }));
  });
}

const format = (v) =>
  typeof v === 'number'
    ? v.toLocaleString('en-US')
    : Array.isArray(v)
      ? v.join('; ')
      : typeof v === 'object' && v !== null
        ? Object.entries(v)
            .map(([k, n]) => `${k} ${format(n)}`)
            .join(', ')
        : String(v);

async function main() {
  const build = await run(process.execPath, ['scripts/build.mjs'], {}, false);
  if (build.code !== 0) {
    process.stderr.write(build.text);
    process.stderr.write('reliability: the build failed; nothing was tested\n');
    return build.code;
  }
  const files = testFiles();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-reliability-'));
  const jsonFile = path.join(dir, 'vitest.json');
  const started = Date.now();
  const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs');
  const tests = await run(
    process.execPath,
    [
      vitest,
      'run',
      ...files,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${jsonFile}`,
      ...process.argv.slice(2),
    ],
    { CORS_GEN_RELIABILITY_DIR: dir },
    true,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const lines = ['', '== cors-gen reliability report =='];
  let results;
  try {
    results = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch {
    results = undefined;
  }
  if (results) {
    lines.push(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + (results.numTodoTests ?? 0)} skipped, in ${results.testResults.length} files (${seconds} s)`,
    );
    for (const r of results.testResults) {
      const rel = path.relative(ROOT, r.name);
      const passed = r.assertionResults.filter((a) => a.status === 'passed').length;
      lines.push(`  ${r.status === 'passed' ? 'ok  ' : 'FAIL'} ${rel}: ${passed}/${r.assertionResults.length} tests`);
    }
  } else lines.push(`tests: no results (vitest exited ${tests.code})`);

  const sections = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'vitest.json')
    .sort();
  for (const f of sections) {
    const { section, figures } = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    lines.push('', `-- ${section}`);
    for (const [k, v] of Object.entries(figures)) lines.push(`  ${k}: ${format(v)}`);
  }
  // Summary lines other files print themselves (the writer's fault injection, hostile traffic).
  const plain = tests.text.replace(/\u001b\[[0-9;]*m/g, '');
  const own = [
    ...new Set(
      plain
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(writer|preview|check|hostile):/.test(l)),
    ),
  ];
  if (own.length > 0) {
    lines.push('', '-- reported by the tests themselves');
    for (const l of own) lines.push(`  ${l}`);
  }
  lines.push(
    '',
    tests.code === 0 ? 'reliability: all checks passed' : `reliability: FAILED (vitest exited ${tests.code})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
  return tests.code;
}

process.exitCode = await main();
