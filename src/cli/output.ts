import type { SpecIssue } from '../spec/issue.js';
import { formatIssue } from '../spec/issue.js';

/** Where a command writes: injectable so tests can capture it, and so `--json` owns stdout alone. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTTY: boolean;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function processOutput(): Output {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    color: !noColor && process.stderr.isTTY === true && process.env.TERM !== 'dumb',
    isTTY: process.stderr.isTTY === true,
  };
}

const CODES = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] } as const;

export function paint(output: Output, style: keyof typeof CODES, text: string): string {
  if (!output.color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export function printIssues(output: Output, errors: readonly SpecIssue[], warnings: readonly SpecIssue[]): void {
  for (const e of errors) output.err(`${paint(output, 'red', 'error')} ${formatIssue(e)}`);
  for (const w of warnings) output.err(`${paint(output, 'yellow', 'warning')} ${formatIssue(w)}`);
}

/**
 * The version of the shape of every `--json` document (described by `schema/output/<command>.schema.json`): it
 * changes when a field is removed or changes meaning; new fields may appear without it.
 */
export const JSON_SCHEMA_VERSION = 1;

/** Prints a `--json` document, `schemaVersion` first; `line` keeps it on one line (a ready line others wait for). */
export function printJson(output: Output, value: object, line = false): void {
  output.out(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...value }, null, line ? undefined : 2));
}
