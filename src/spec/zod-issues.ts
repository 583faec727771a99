import type { z } from 'zod';
import type { PathPart, SpecIssue } from './issue.js';
import { formatPath } from './issue.js';
import { specSchema } from './schema.js';

/**
 * Turns zod's issues into the user's words: the path, the value found there, and the fix where one is obvious
 * (a method in lowercase, a misspelt key).
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], data: unknown): SpecIssue[] {
  return issues.flatMap((issue): SpecIssue[] => {
    const path = issue.path.filter((p): p is PathPart => typeof p !== 'symbol');
    const value = valueAt(data, path);
    const shown = show(value);
    const base = { severity: 'error' as const, path: formatPath(path) };
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => {
          const known = knownKeys(path);
          const guess = closest(key, known);
          return {
            ...base,
            code: 'unknown-key',
            path: formatPath([...path, key]),
            message: `unknown key "${key}"`,
            fix: guess ? `did you mean "${guess}"?` : `allowed keys here: ${known.join(', ')}`,
          };
        });
      case 'invalid_type':
        if (value === undefined) return [{ ...base, code: 'required', message: `is required (${issue.expected})` }];
        return [{ ...base, code: 'type', message: `${shown} is ${describeType(value)}; expected ${issue.expected}` }];
      case 'invalid_value': {
        const options = issue.values.map((v) => String(v));
        const upper = typeof value === 'string' ? options.find((o) => o.toLowerCase() === value.toLowerCase()) : undefined;
        if (path[0] === 'version') return [{ ...base, code: 'version', message: `${shown} ${issue.message}` }];
        return [
          {
            ...base,
            code: 'not-allowed-value',
            message: `${shown} is not one of ${options.join(', ')}`,
            ...(upper !== undefined ? { fix: `write "${upper}"` } : {}),
          },
        ];
      }
      case 'too_small':
        if (Array.isArray(value)) return [{ ...base, code: 'too-few', message: issue.message.startsWith('must') ? issue.message : `must have at least ${issue.minimum} item(s)` }];
        return [{ ...base, code: 'too-small', message: `${shown} is below the minimum ${issue.minimum}` }];
      case 'too_big':
        return [{ ...base, code: 'too-big', message: `${shown} is above the maximum ${issue.maximum}`, fix: `write ${issue.maximum} or less` }];
      case 'invalid_key':
        return [{ ...base, code: 'invalid-key', message: `key ${show(path[path.length - 1])} ${issue.issues[0]?.message ?? 'is not allowed'}` }];
      default:
        return [{ ...base, code: issue.code.replace(/_/g, '-'), message: `${shown} ${issue.message}` }];
    }
  });
}

export function valueAt(data: unknown, path: readonly PathPart[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function show(value: unknown): string {
  if (value === undefined) return 'the value';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** The keys the schema accepts at an object path, read from the schema itself so they never drift. */
function knownKeys(path: readonly PathPart[]): string[] {
  let schema: z.core.$ZodType = specSchema;
  for (const part of path) {
    schema = unwrap(schema);
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') schema = (def.shape as Record<string, z.core.$ZodType>)[part as string] ?? schema;
    else if (def.type === 'array') schema = def.element as z.core.$ZodType;
    else if (def.type === 'record') schema = def.valueType as z.core.$ZodType;
  }
  const def = unwrap(schema)._zod.def as unknown as Record<string, unknown>;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') s = def.innerType as z.core.$ZodType;
    else return s;
  }
}

/** The known key within edit distance 2 (case-insensitive), if any: catches `allowOrigin`, `allowedOrigins`. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
