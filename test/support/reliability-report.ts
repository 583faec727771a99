/**
 * Figures of the reliability tests (test/reliability/): each test file records what it tried and measured, and
 * `scripts/reliability-report.mjs` prints them as one short report. A file is written per section into the
 * folder named by CORS_GEN_RELIABILITY_DIR (set by the script); without it the figures only go to the log.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type FigureValue = number | string | boolean | readonly string[] | { readonly [key: string]: number | string };

/** Records the figures of one section (e.g. "spec-fuzz"); the report prints them in insertion order. */
export function recordFigures(section: string, figures: Record<string, FigureValue>): void {
  console.log(`[reliability] ${section} ${JSON.stringify(figures)}`);
  const dir = process.env['CORS_GEN_RELIABILITY_DIR'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${section}.json`), `${JSON.stringify({ section, figures }, null, 2)}\n`);
}

/** Running maximum, count and total of a measured quantity. */
export class Stat {
  count = 0;
  total = 0;
  max = 0;
  private readonly values: number[] = [];
  add(value: number): void {
    this.count++;
    this.total += value;
    this.max = Math.max(this.max, value);
    this.values.push(value);
  }
  /** The p-th percentile (0-100), nearest rank. */
  percentile(p: number): number {
    if (this.values.length === 0) return 0;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  }
}

/** Counts of labelled events ("exit 1", "mutation: truncate", ...), as a plain object for the report. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(label: string, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time of the process, start to exit. */
  readonly ms: number;
  /** Peak resident set size of the process in kilobytes (process.resourceUsage().maxRSS at exit). */
  readonly maxRssKb: number | undefined;
  readonly timedOut: boolean;
}

/**
 * Runs `node [nodeArgs] script [args]` as a child process and measures it: wall time, and the peak resident
 * memory reported by the child itself at exit (a `--require` preload that writes process.resourceUsage()).
 * The process is killed (SIGKILL) after `timeoutMs`.
 */
export async function runNode(
  script: string,
  args: readonly string[],
  options: { nodeArgs?: readonly string[]; cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ChildResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-rss-'));
  const preload = path.join(tmp, 'rss.cjs');
  const rssFile = path.join(tmp, 'rss.txt');
  writeFileSync(
    preload,
    `process.on('exit', () => { try { require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)); } catch {} });\n`,
  );
  const started = performance.now();
  try {
    return await new Promise<ChildResult>((resolve, reject) => {
      const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--require', preload, script, ...args], {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        let maxRssKb: number | undefined;
        try {
          maxRssKb = Number(readFileSync(rssFile, 'utf8'));
        } catch {
          maxRssKb = undefined;
        }
        resolve({ code, signal, stdout, stderr, ms: performance.now() - started, maxRssKb, timedOut });
      });
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Lines that only a stack trace or an unexpected exception prints. */
export const STACK_TRACE =
  /^\s+at\s|\binternal error\b|node:internal|\b(?:TypeError|RangeError|ReferenceError|SyntaxError)\b[^\n]*\n\s+at\b|\.(?:[cm]?js|ts):\d+:\d+\)?$/m;
