import type { SpecIssue } from './issue.js';
import type { CorsModel } from './model.js';
import { normalize } from './normalize.js';
import { parseSpecText, type ParsedText } from './parse.js';
import { checkRules } from './rules.js';
import { specSchema } from './schema.js';
import { fromZodIssues } from './zod-issues.js';

export type ValidationResult =
  | { readonly ok: true; readonly model: CorsModel; readonly warnings: readonly SpecIssue[] }
  | { readonly ok: false; readonly errors: readonly SpecIssue[]; readonly warnings: readonly SpecIssue[] };

/**
 * parse (zod) -> rules -> normalize. Returns, never throws: every problem becomes an issue with its path, and
 * with its file position when `source` is given.
 */
export function validateSpec(data: unknown, source?: { file: string; parsed?: ParsedText }): ValidationResult {
  const locate = (issue: SpecIssue, path: readonly (string | number)[]): SpecIssue => {
    if (!source) return issue;
    const pos = source.parsed?.locate(path, issue.code === 'unknown-key' || issue.code === 'invalid-key' ? 'key' : 'value');
    return { ...issue, file: source.file, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  };
  const parsed = specSchema.safeParse(data);
  if (!parsed.success) {
    const errors = fromZodIssues(parsed.error.issues, data).map((i) => locate(i, pathParts(i.path)));
    return { ok: false, errors: sortIssues(errors), warnings: [] };
  }
  const { errors, warnings } = checkRules(parsed.data);
  const located = (list: SpecIssue[]) => sortIssues(list.map((i) => locate(i, pathParts(i.path))));
  if (errors.length > 0) return { ok: false, errors: located(errors), warnings: located(warnings) };
  return { ok: true, model: normalize(parsed.data), warnings: located(warnings) };
}

/** `cors.allowOrigins[1]` -> `['cors', 'allowOrigins', 1]` (inverse of formatPath). */
export function pathParts(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return parts;
}

function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path));
}

/** Spec text (YAML or JSON) -> parse -> validate, every issue naming `file`. Pure: the caller does the I/O. */
export function validateSpecText(text: string, file: string): ValidationResult {
  const parsed = parseSpecText(text, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  return validateSpec(parsed.parsed.data, { file, parsed: parsed.parsed });
}
