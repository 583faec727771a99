import type { z } from 'zod';
import type { PathPart, SpecIssue } from './issue.js';
import { formatPath } from './issue.js';
import { HEADER_TOKEN, specSchema } from './schema.js';

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
      case 'unrecognized_keys': {
        // Once per issue, not per key: a hostile spec can carry a hundred thousand unknown keys.
        const known = knownKeys(path);
        return issue.keys.map((key, i) => {
          const guess = i < MAX_GUESSES ? closest(key, known) : undefined;
          // The function's settings are module inputs: a stage sets them in a .tfvars of its own, not in the spec.
          const stageInput = path.length === 2 && path[0] === 'stages' ? FUNCTION_INPUTS[key] : undefined;
          return {
            ...base,
            code: 'unknown-key',
            path: formatPath([...path, key]),
            // Quoted as JSON: a key may hold newlines or terminal escape sequences, which must not reach the terminal raw.
            message: `unknown key ${JSON.stringify(key)}`,
            fix: stageInput
              ? `a stage sets origins, authorizers and its domain here; set the module input ${stageInput} in a .tfvars of your own passed after stages/${String(path[1])}.tfvars (preview: --var ${stageInput}=...), or lambda.${key} for every stage`
              : guess
                ? `did you mean "${guess}"?`
                : `allowed keys here: ${known.join(', ')}`,
          };
        });
      }
      case 'invalid_type': {
        const expected = describeExpected(issue.expected);
        if (value === undefined) {
          const example = REQUIRED_EXAMPLES[String(path[path.length - 1])];
          return [
            {
              ...base,
              code: 'required',
              message: `is required (${expected})`,
              ...(example ? { fix: `add ${example}` } : {}),
            },
          ];
        }
        if (value === null && path.includes('allowOrigins')) {
          return [
            {
              ...base,
              code: 'origin-null',
              message:
                'null is not an origin (YAML reads an unquoted null as no value), and the opaque origin "null" must not be allowed: any sandboxed page sends it',
              fix: 'remove it',
            },
          ];
        }
        if (path.length === 0) {
          return [
            value === null
              ? {
                  ...base,
                  code: 'empty',
                  message: 'the file is empty',
                  fix: 'write a mapping with version: 1, name and cors, or run "cors-gen init"',
                }
              : {
                  ...base,
                  code: 'type',
                  message: `the spec is ${describeType(value)}; expected a mapping of version, name, cors, ...`,
                  fix: 'see "cors-gen init" for an example',
                },
          ];
        }
        return [
          {
            ...base,
            code: 'type',
            message: `${shown} is ${describeType(value)}; expected ${expected}`,
            ...typeFix(value, issue.expected),
          },
        ];
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => String(v));
        const upper =
          typeof value === 'string' ? options.find((o) => o.toLowerCase() === value.toLowerCase()) : undefined;
        if (path[0] === 'version' && path.length === 1) {
          if (value === undefined)
            return [{ ...base, code: 'required', message: 'is required', fix: 'write version: 1' }];
          return [
            {
              ...base,
              code: 'version',
              message: `${shown} ${issue.message}`,
              fix: value === '1' ? 'write version: 1 (a number, without quotes)' : 'write version: 1',
            },
          ];
        }
        if (value === 'OPTIONS' && path.includes('routes')) {
          return [
            {
              ...base,
              code: 'not-allowed-value',
              message: `"OPTIONS" is not a route method: cors-gen answers the preflight (OPTIONS) itself`,
              fix: 'remove it',
            },
          ];
        }
        return [
          {
            ...base,
            code: 'not-allowed-value',
            message: `${shown} is not one of ${options.join(', ')}`,
            fix: upper !== undefined ? `write "${upper}"` : `write one of ${options.join(', ')}`,
          },
        ];
      }
      case 'too_small':
        if (Array.isArray(value)) {
          const last = path[path.length - 1];
          const fix =
            last === 'allowMethods'
              ? "list methods, or remove the key for the default (the routes' methods)"
              : last === 'allowOrigins'
                ? 'list an origin, e.g. [https://app.example.com]'
                : 'add an entry';
          return [
            {
              ...base,
              code: 'too-few',
              message: issue.message.startsWith('must') ? issue.message : `must have at least ${issue.minimum} item(s)`,
              fix,
            },
          ];
        }
        return [
          {
            ...base,
            code: 'too-small',
            message: `${shown} is below the minimum ${issue.minimum}`,
            fix: `write ${issue.minimum} or more`,
          },
        ];
      case 'too_big':
        return [
          {
            ...base,
            code: 'too-big',
            message: `${shown} is above the maximum ${issue.maximum}`,
            fix: `write ${issue.maximum} or less`,
          },
        ];
      case 'invalid_key': {
        const key = String(path[path.length - 1]);
        const guess = key
          .toLowerCase()
          .replace(/[^a-z0-9_-]+/g, '-')
          .replace(/^[^a-z0-9]+/, '');
        return [
          {
            ...base,
            code: 'invalid-key',
            message: `${JSON.stringify(key)} is not allowed as a name here: ${issue.issues[0]?.message ?? 'invalid key'}`,
            ...(guess && guess !== key ? { fix: `write "${guess}"` } : {}),
          },
        ];
      }
      case 'invalid_format': {
        const guess = typeof value === 'string' ? formatGuess(path, value) : undefined;
        return [
          {
            ...base,
            code: 'invalid-format',
            message: `${shown} ${issue.message}`,
            ...(guess !== undefined ? { fix: `write "${guess}"` } : {}),
          },
        ];
      }
      case 'custom':
        return [{ ...base, code: 'invalid', message: issue.message }];
      case 'invalid_union': {
        if (value === undefined) {
          const example = REQUIRED_EXAMPLES[String(path[path.length - 1])];
          return [{ ...base, code: 'required', message: 'is required', ...(example ? { fix: `add ${example}` } : {}) }];
        }
        // A value of one option's type (a list, or a single statement) gets that option's own issues, not
        // "Invalid input": the options whose type it lacks fail with invalid_type at their root.
        const typed = issue.errors.filter((o) => !o.some((i) => i.code === 'invalid_type' && i.path.length === 0));
        if (typed.length === 1)
          return fromZodIssues(
            typed[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
            data,
          );
        // No option has its type: say which types they take.
        const expected = [
          ...new Set(
            issue.errors.flatMap((o) =>
              o.flatMap((i) =>
                i.code === 'invalid_type' && i.path.length === 0 ? [describeExpected(i.expected)] : [],
              ),
            ),
          ),
        ];
        if (typed.length === 0 && expected.length > 0)
          return [
            {
              ...base,
              code: 'type',
              message: `${shown} is ${describeType(value)}; expected ${expected.join(' or ')}`,
            },
          ];
        return [{ ...base, code: 'invalid-union', message: `${shown} ${issue.message}` }];
      }
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
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    // A value JSON cannot write (one that contains itself): say what it is instead.
    s = undefined;
  }
  if (s === undefined) return describeType(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describeExpected(expected: string): string {
  const words: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
  };
  return words[expected] ?? expected;
}

/** The obvious repair of a wrongly typed value: YAML quoting in either direction. */
function typeFix(value: unknown, expected: string): { fix: string } | Record<string, never> {
  if (value === null) return { fix: 'give it a value (an empty "key:" is null in YAML), or remove the key' };
  if (
    typeof value === 'string' &&
    (expected === 'number' || expected === 'int') &&
    /^-?\d+(\.\d+)?$/.test(value.trim())
  )
    return { fix: `write ${value.trim()} without quotes` };
  if (typeof value === 'string' && expected === 'boolean') {
    if (/^(true|yes|on)$/i.test(value.trim()))
      return { fix: 'write true (YAML 1.2 reads only true and false as booleans)' };
    if (/^(false|no|off)$/i.test(value.trim()))
      return { fix: 'write false (YAML 1.2 reads only true and false as booleans)' };
  }
  if (typeof value === 'number' && expected === 'int')
    return { fix: `write a whole number such as ${Math.round(value)}` };
  if (expected === 'string' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { fix: 'put the value in quotes; YAML reads an unquoted "key: value" or a trailing ":" as a mapping' };
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean'))
    return { fix: `put it in quotes: "${String(value)}"` };
  if (expected === 'array' && typeof value === 'string') return { fix: `write it as a list: [${value}]` };
  return {};
}

/** What to add for a missing required key, by key. */
/** The spec's `lambda` keys that are module inputs, by the input's name. */
const FUNCTION_INPUTS: Record<string, string> = {
  environment: 'environment_variables',
  memorySize: 'memory_size',
  timeout: 'timeout',
  policyArns: 'policy_arns',
  policy: 'policy_json',
  layers: 'layers',
  vpc: 'vpc_subnet_ids/vpc_security_group_ids',
};

const REQUIRED_EXAMPLES: Record<string, string> = {
  name: 'name: my-api',
  cors: 'cors: { allowOrigins: [https://app.example.com] }',
  allowOrigins: 'allowOrigins: [https://app.example.com]',
  path: 'path: /items',
  methods: 'methods: [GET]',
  Statement: 'Statement: [{ Effect: Allow, Action: "dynamodb:GetItem", Resource: "<table ARN>" }]',
};

/** A corrected value for the values whose format has one obvious repair. */
function formatGuess(path: readonly PathPart[], value: string): string | undefined {
  if (path.length === 1 && path[0] === 'stage') {
    const stage = value
      .trim()
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .slice(0, 128);
    return stage && stage !== value ? stage : undefined;
  }
  if (path[0] === 'frontend' && path[1] === 'indexDocument') {
    const key = value.trim().replace(/^\/+/, '');
    return /^[^/\s][^\s]*$/.test(key) && key !== value ? key : undefined;
  }
  if (path.length === 1 && path[0] === 'name') {
    const name = value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-+/g, '-')
      .slice(0, 40)
      .replace(/-$/, '');
    return /^[a-z][a-z0-9-]{1,39}$/.test(name) && name !== value ? name : undefined;
  }
  if (path.includes('allowHeaders') || path.includes('exposeHeaders')) {
    const header = value.trim().replace(/:$/, '').replace(/\s+/g, '-');
    return HEADER_TOKEN.test(header) && header !== value ? header : undefined;
  }
  return undefined;
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
    schema = unwrap(schema, part);
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') schema = (def.shape as Record<string, z.core.$ZodType>)[part as string] ?? schema;
    else if (def.type === 'array') schema = def.element as z.core.$ZodType;
    else if (def.type === 'record') schema = def.valueType as z.core.$ZodType;
  }
  const def = unwrap(schema)._zod.def as unknown as Record<string, unknown>;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** The schema under optional/default/nullable, and of a union the option that `part` (an index or a key) reads. */
function unwrap(schema: z.core.$ZodType, part: PathPart | undefined = undefined): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable')
      s = def.innerType as z.core.$ZodType;
    else if (def.type === 'union') {
      const want = typeof part === 'number' ? 'array' : 'object';
      const option = (def.options as z.core.$ZodType[]).find(
        (o) => (unwrap(o)._zod.def as unknown as Record<string, unknown>).type === want,
      );
      if (!option) return s;
      s = option;
    } else return s;
  }
}

/** Spelling guesses per mapping: enough for any real spec, and a bound on the work a hostile one causes. */
const MAX_GUESSES = 100;

/** The known key within edit distance 2 (case-insensitive), if any: catches `allowOrigin`, `allowedOrigins`. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = key.toLowerCase();
  for (const k of known) {
    // The lengths alone bound the distance from below; skip what cannot beat the best so far.
    if (Math.abs(lower.length - k.length) >= bestDistance) continue;
    const d = distance(lower, k.toLowerCase());
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
