import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

/** The repository root, so tests work from any working directory vitest is started in. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'dist/cli/bin.js');

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An Output that records what a command prints; `color`/`isTTY` let a test pretend to be a terminal. */
export function captureOutput(
  options: { color?: boolean; isTTY?: boolean } = {},
): Output & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  return {
    out: (t) => void (out += line(t)),
    err: (t) => void (err += line(t)),
    color: options.color ?? false,
    isTTY: options.isTTY ?? false,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs the CLI in-process, as `cors-gen <argv>` would, and returns its exit code and output. */
export async function cli(
  argv: readonly string[],
  options: { color?: boolean; isTTY?: boolean } = {},
): Promise<Captured> {
  const output = captureOutput(options);
  const code = await run(argv, output);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

/** Runs the built binary (`node dist/cli/bin.js`) as a child process: proves the real process exit code. */
export function binary(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Captured> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does it) first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** An environment for child processes without colour or terminal hints leaking in from the developer's shell. */
export function plainEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}
