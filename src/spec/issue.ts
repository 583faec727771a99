/** A problem found in a spec: an error blocks, a warning (lint) never does. */
export interface SpecIssue {
  readonly severity: 'error' | 'warning';
  /** Stable identifier, e.g. `origin-trailing-slash`; tests and `--json` consumers key on it. */
  readonly code: string;
  /** Where inside the spec, as `cors.allowOrigins[1]` ("" for the whole document). */
  readonly path: string;
  /** What is wrong, quoting the value. */
  readonly message: string;
  /** What to write instead, when there is one thing to write. */
  readonly fix?: string;
  /** The spec file and the 1-based position of the value in it, when known. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export type PathPart = string | number;

/** `['cors', 'allowOrigins', 1]` -> `cors.allowOrigins[1]`. */
export function formatPath(path: readonly PathPart[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** `cors-gen.yaml:7:5 cors.allowOrigins[1]: "x/" has a trailing slash; write "x"` */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}:${issue.column ?? 1}` : ''} ` : '';
  const path = issue.path ? `${issue.path}: ` : '';
  // Values from the spec end up in messages; their control characters must not reach the terminal.
  return `${where}${path}${issue.message}${issue.fix ? `; ${issue.fix}` : ''}`.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
