import { formatPath, type SpecIssue } from './issue.js';
import type { CorsModel } from './model.js';
import { normalize } from './normalize.js';
import { parseSpecText, type ParsedText } from './parse.js';
import { checkRules } from './rules.js';
import { STAGE_NAME_RULE, specSchema, type Spec } from './schema.js';
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
    const pos = source.parsed?.locate(
      path,
      issue.code === 'unknown-key' || issue.code === 'invalid-key' ? 'key' : 'value',
    );
    return { ...issue, file: source.file, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  };
  const located = (list: SpecIssue[]) => sortIssues(list.map((i) => locate(i, pathParts(i.path))));
  const dropped = droppedProtoKeys(data);
  const parsed = specSchema.safeParse(data);
  if (!parsed.success) {
    const shape = fromZodIssues(parsed.error.issues, data);
    // The rules still run wherever the values they read are well-formed, so a spec is fixed in one round.
    const bad = shape.map((i) => pathParts(i.path));
    // A misspelt key (`route:`) holds the value the rules would read under the real one: that value is not
    // missing, so "needs at least one route" would be wrong.
    for (const i of shape) {
      const meant = i.code === 'unknown-key' ? /^did you mean "(.+)"\?$/.exec(i.fix ?? '')?.[1] : undefined;
      if (meant) bad.push([...pathParts(i.path).slice(0, -1), meant]);
    }
    // Well-formed: no issue at the path, above it or below it. Indexed once: a hostile spec has thousands of issues.
    const key = (parts: readonly (string | number)[]) => JSON.stringify(parts);
    const at = new Set(bad.map(key));
    const onTheWay = new Set(bad.flatMap((b) => b.map((_, k) => key(b.slice(0, k + 1)))));
    const wellFormed = (path: readonly (string | number)[]) =>
      !at.has('[]') && !onTheWay.has(key(path)) && !path.some((_, k) => at.has(key(path.slice(0, k + 1))));
    // A document that is not a mapping has an issue at its root, which no path is well-formed under.
    const rules = checkRules(data as Spec, wellFormed);
    // A strict object's `__proto__` is zod's unknown key already.
    const shapePaths = new Set(shape.map((i) => i.path));
    const extra = dropped.filter((d) => !shapePaths.has(d.path));
    return { ok: false, errors: located([...extra, ...shape, ...rules.errors]), warnings: located(rules.warnings) };
  }
  const { errors: ruleErrors, warnings } = checkRules(parsed.data);
  const errors = [...dropped, ...ruleErrors];
  if (errors.length > 0) return { ok: false, errors: located(errors), warnings: located(warnings) };
  return { ok: true, model: normalize(parsed.data), warnings: located(warnings) };
}

/**
 * zod's records skip a `__proto__` key without an issue (assigning it would replace the result's prototype), so a
 * stage, an authorizer or a stage's authorizer values of that name would silently vanish; the YAML and JSON
 * parsers keep it as an own key, where it is found here, at any depth.
 */
function droppedProtoKeys(data: unknown, path: (string | number)[] = []): SpecIssue[] {
  if (data === null || typeof data !== 'object') return [];
  const here: SpecIssue[] = Object.hasOwn(data, '__proto__')
    ? [
        {
          severity: 'error',
          code: 'invalid-key',
          path: formatPath([...path, '__proto__']),
          message:
            path.length === 1 && path[0] === 'stages'
              ? `"__proto__" is not allowed as a name here: ${STAGE_NAME_RULE}`
              : '"__proto__" is not allowed as a name here',
          fix: 'rename it',
        },
      ]
    : [];
  return [
    ...here,
    ...Object.entries(data).flatMap(([k, v]) => (k === '__proto__' ? [] : droppedProtoKeys(v, [...path, k]))),
  ];
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
  return [...issues].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path),
  );
}

/** Spec text (YAML or JSON) -> parse -> validate, every issue naming `file`. Pure: the caller does the I/O. */
export function validateSpecText(text: string, file: string): ValidationResult {
  const parsed = parseSpecText(text, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  return validateSpec(parsed.parsed.data, { file, parsed: parsed.parsed });
}
