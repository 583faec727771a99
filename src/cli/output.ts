import { stringifyJson } from '../json-text.js';
import { formatIssue, type SpecIssue } from '../spec/issue.js';

/**
 * Where a command writes: injectable so tests can capture it, and so `--json` owns stdout alone. Results (the
 * report a command exists to produce) go to `out`, progress and diagnostics about the run to `err`, so that
 * `cors-gen validate > report.txt` captures the report.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTTY: boolean;
}

/** SGR sequences (colours), as `paint` writes them. */
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). Colour is on
 * when either stream is a terminal; the stream that is not (`validate > report.txt`) gets the text without it.
 */
export function processOutput(): Output {
  const noColor = (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') || process.env.TERM === 'dumb';
  const outColor = !noColor && process.stdout.isTTY === true;
  const errColor = !noColor && process.stderr.isTTY === true;
  const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  // `cors-gen validate | head -1` closes the pipe early: the reader has what it wanted, which is no crash.
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners('error').includes(ignoreClosedPipe)) stream.on('error', ignoreClosedPipe);
  }
  return {
    out: (t) => process.stdout.write(line(outColor ? t : t.replace(SGR, ''))),
    err: (t) => process.stderr.write(line(errColor ? t : t.replace(SGR, ''))),
    color: outColor || errColor,
    isTTY: process.stderr.isTTY === true,
  };
}

function ignoreClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
}

const CODES = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] } as const;

export function paint(output: Output, style: keyof typeof CODES, text: string): string {
  if (!output.color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * Errors, then warnings, one line each; on `stream` (stdout where the issues are the command's report, as for
 * `validate`). With the spec's text, an issue about the file's syntax also shows its line and a caret.
 */
export function printIssues(
  output: Output,
  errors: readonly SpecIssue[],
  warnings: readonly SpecIssue[],
  options: { stream?: 'out' | 'err'; text?: string } = {},
): void {
  const write = options.stream === 'out' ? output.out : output.err;
  for (const e of errors) {
    write(`${paint(output, 'red', 'error')} ${formatIssue(e)}`);
    if (options.text !== undefined && SHOW_SOURCE.has(e.code)) {
      const excerpt = sourceExcerpt(options.text, e);
      if (excerpt) write(excerpt);
    }
  }
  for (const w of warnings) write(`${paint(output, 'yellow', 'warning')} ${formatIssue(w)}`);
}

/** Issues about how the file is written, where seeing the line itself is the quickest way to the fix. */
const SHOW_SOURCE = new Set(['syntax', 'duplicate-key']);

/**
 * The issue's line with its number and a caret under its column, as compilers print it:
 * `  5 |    allowHeaders: [b]` / `    |    ^`. Control characters in the line are escaped (the file may be hostile).
 */
export function sourceExcerpt(text: string, issue: Pick<SpecIssue, 'line' | 'column'>): string | undefined {
  if (!issue.line) return undefined;
  const source = text.split(/\r?\n/)[issue.line - 1];
  if (source === undefined) return undefined;
  const shown = source
    .slice(0, 200)
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  const number = String(issue.line);
  const column = Math.min(Math.max((issue.column ?? 1) - 1, 0), shown.length);
  return `  ${number} | ${shown}\n  ${' '.repeat(number.length)} | ${' '.repeat(column)}^`;
}

/**
 * The version of the shape of every `--json` document (described by `schema/output/<command>.schema.json`): it
 * changes when a field is removed or changes meaning; new fields may appear without it.
 */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Prints a `--json` document, `schemaVersion` first; `line` keeps it on one line (a ready line others wait for).
 * Spec values and server bytes reach it, so DEL, C1, U+2028 and U+2029 are escaped as well as C0.
 */
export function printJson(output: Output, value: object, line = false): void {
  output.out(stringifyJson({ schemaVersion: JSON_SCHEMA_VERSION, ...value }, line ? undefined : 2));
}
