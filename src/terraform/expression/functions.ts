/**
 * The Terraform functions the preview evaluates: those cors-gen's generated modules use,
 * with Terraform's semantics (https://developer.hashicorp.com/terraform/language/functions). Any other function
 * is refused when the module is loaded.
 */
import { createHash } from 'node:crypto';
import type { HclValue } from './ast.js';
import {
  EvalError,
  hclEquals,
  isList,
  isObject,
  jsonEncode,
  MAX_LIST_LENGTH,
  toBool,
  toNumber,
  toStringValue,
  typeName,
} from './values.js';

/** A lazily evaluated argument (for `try` and `can`, which must see the error of each argument). */
export type Thunk = () => HclValue;

interface EagerFunction {
  readonly arity: readonly [min: number, max: number];
  readonly call: (args: readonly HclValue[]) => HclValue;
}
interface LazyFunction {
  readonly arity: readonly [min: number, max: number];
  readonly lazy: (args: readonly Thunk[]) => HclValue;
}
export type HclFunction = EagerFunction | LazyFunction;

const MANY = Number.POSITIVE_INFINITY;

function list(v: HclValue, fn: string, position = 'argument'): readonly HclValue[] {
  if (!isList(v))
    throw new EvalError(`${fn}: the ${position} must be a list, not ${v === null ? 'null' : `a ${typeName(v)}`}`);
  return v;
}

function str(v: HclValue, fn: string, position = 'argument'): string {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new EvalError(`${fn}: the ${position} must be a string, not ${v === null ? 'null' : `a ${typeName(v)}`}`);
  }
  return toStringValue(v, `${fn}: the ${position}`);
}

// Created on first use: loading ICU's segmentation data costs about 10 ms, and most runs never count characters.
let segmenter: Intl.Segmenter | undefined;

/** Length in grapheme clusters, as Terraform counts characters. */
function characters(s: string): string[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/**
 * An RE2 pattern as a JavaScript RegExp. The syntax Terraform modules use in practice (classes, groups,
 * quantifiers, anchors) is the same; RE2's `(?P<name>...)` and leading flag groups are translated.
 */
export function re2(pattern: string, fn: string, global = false): RegExp {
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = global ? 'gu' : 'u';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead) {
    source = source.slice(lead[0].length);
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new EvalError(`${fn}: invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

export const FUNCTIONS: ReadonlyMap<string, HclFunction> = new Map<string, HclFunction>([
  ['jsonencode', { arity: [1, 1], call: ([v]) => jsonEncode(v!) }],
  [
    'concat',
    {
      arity: [1, MANY],
      call: (args) => {
        const lists = args.map((a, i) => list(a, 'concat', `argument ${i + 1}`));
        const length = lists.reduce((n, l) => n + l.length, 0);
        if (length > MAX_LIST_LENGTH)
          throw new EvalError(
            `concat: the list would have more than ${MAX_LIST_LENGTH} elements, more than the preview holds`,
          );
        return lists.flat();
      },
    },
  ],
  [
    'distinct',
    {
      arity: [1, 1],
      call: ([v]) => {
        const out: HclValue[] = [];
        for (const x of list(v!, 'distinct')) if (!out.some((y) => hclEquals(x, y))) out.push(x);
        return out;
      },
    },
  ],
  [
    'contains',
    { arity: [2, 2], call: ([l, v]) => list(l!, 'contains', 'first argument').some((x) => hclEquals(x, v!)) },
  ],
  [
    'strcontains',
    {
      arity: [2, 2],
      call: ([s, sub]) =>
        str(s!, 'strcontains', 'first argument').includes(str(sub!, 'strcontains', 'second argument')),
    },
  ],
  [
    'replace',
    {
      arity: [3, 3],
      call: ([s, sub, rep]) => {
        const text = str(s!, 'replace', 'first argument');
        const search = str(sub!, 'replace', 'second argument');
        const replacement = str(rep!, 'replace', 'third argument');
        // A search string wrapped in slashes is a regular expression (RE2); `${1}` and `$1` refer to groups.
        if (search.length > 1 && search.startsWith('/') && search.endsWith('/')) {
          return text.replace(
            re2(search.slice(1, -1), 'replace', true),
            replacement.replace(/\$\{(\w+)\}/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`)),
          );
        }
        return search === '' ? text : text.split(search).join(replacement);
      },
    },
  ],
  [
    'length',
    {
      arity: [1, 1],
      call: ([v]) => {
        if (typeof v === 'string') return characters(v).length;
        if (isList(v!)) return v.length;
        if (isObject(v!)) return Object.keys(v).length;
        throw new EvalError(
          `length: the argument must be a string, list or map, not ${v === null ? 'null' : `a ${typeName(v!)}`}`,
        );
      },
    },
  ],
  [
    'try',
    {
      arity: [1, MANY],
      lazy: (args) => {
        const errors: string[] = [];
        for (const arg of args) {
          try {
            return arg();
          } catch (e) {
            if (!(e instanceof EvalError)) throw e;
            errors.push(e.message);
          }
        }
        throw new EvalError(`try: no expression succeeded (${errors.join('; ')})`);
      },
    },
  ],
  [
    'can',
    {
      arity: [1, 1],
      lazy: ([arg]) => {
        try {
          arg!();
          return true;
        } catch (e) {
          if (!(e instanceof EvalError)) throw e;
          return false;
        }
      },
    },
  ],
  [
    'join',
    {
      arity: [2, MANY],
      call: ([sep, ...lists]) => {
        const separator = str(sep!, 'join', 'separator');
        return lists
          .flatMap((l, i) => list(l, 'join', `list argument ${i + 1}`))
          .map((x, i) => {
            if (x === null || typeof x === 'object')
              throw new EvalError(
                `join: element ${i} is ${x === null ? 'null' : `a ${typeName(x)}`}; only strings can be joined`,
              );
            return toStringValue(x, 'join');
          })
          .join(separator);
      },
    },
  ],
  [
    'substr',
    {
      arity: [3, 3],
      call: ([s, off, len]) => {
        const chars = characters(str(s!, 'substr', 'first argument'));
        let offset = toNumber(off!, 'substr: the offset');
        const length = toNumber(len!, 'substr: the length');
        if (offset < 0) offset = Math.max(0, chars.length + offset);
        if (offset > chars.length)
          throw new EvalError(`substr: offset ${offset} is beyond the end of a ${chars.length}-character string`);
        return chars.slice(offset, length < 0 ? undefined : offset + length).join('');
      },
    },
  ],
  [
    'base64encode',
    {
      arity: [1, 1],
      // Of the string's UTF-8 bytes in normalization form C, the form cty keeps every string in.
      call: ([s]) => Buffer.from(str(s!, 'base64encode').normalize('NFC'), 'utf8').toString('base64'),
    },
  ],
  [
    'sha1',
    {
      arity: [1, 1],
      // Of the string's UTF-8 bytes in normalization form C, the form cty keeps every string in.
      call: ([s]) => createHash('sha1').update(str(s!, 'sha1').normalize('NFC'), 'utf8').digest('hex'),
    },
  ],
  [
    'trimsuffix',
    {
      arity: [2, 2],
      call: ([s, suffix]) => {
        const text = str(s!, 'trimsuffix', 'first argument');
        const end = str(suffix!, 'trimsuffix', 'second argument');
        return end !== '' && text.endsWith(end) ? text.slice(0, -end.length) : text;
      },
    },
  ],
  [
    'alltrue',
    {
      arity: [1, 1],
      call: ([l]) => list(l!, 'alltrue').every((x, i) => toBool(x, `alltrue: element ${i}`)),
    },
  ],
  [
    'regex',
    {
      arity: [2, 2],
      call: ([p, s]) => {
        const pattern = str(p!, 'regex', 'pattern');
        const text = str(s!, 'regex', 'string');
        const m = re2(pattern, 'regex').exec(text);
        if (!m) throw new EvalError(`regex: pattern ${JSON.stringify(pattern)} does not match ${JSON.stringify(text)}`);
        if (m.groups && Object.keys(m.groups).length > 0)
          return Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? null]));
        if (m.length > 1) return m.slice(1).map((g) => g ?? null);
        return m[0];
      },
    },
  ],
  // The functions of the Lambda's inputs: merge of the environment, toset of the policy ARNs, sum of its size, and
  // the validations' keys, jsondecode and floor.
  [
    'merge',
    {
      arity: [0, MANY],
      // Later arguments win; null arguments are skipped (go-cty stdlib MergeFunc, which Terraform's merge is).
      call: (args) => {
        const out: Record<string, HclValue> = {};
        args.forEach((a, i) => {
          if (a === null) return;
          if (!isObject(a))
            throw new EvalError(`merge: argument ${i + 1} must be a map or object, not a ${typeName(a)}`);
          for (const [k, v] of Object.entries(a)) out[k] = v;
        });
        return out;
      },
    },
  ],
  [
    'keys',
    {
      arity: [1, 1],
      // In lexicographic order, as Terraform returns them.
      call: ([m]) => {
        if (!isObject(m!))
          throw new EvalError(
            `keys: the argument must be a map or object, not ${m === null ? 'null' : `a ${typeName(m!)}`}`,
          );
        return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      },
    },
  ],
  [
    'toset',
    {
      arity: [1, 1],
      // A set of strings iterates in lexicographic order; the preview keeps sets as lists.
      call: ([l]) => {
        const out: HclValue[] = [];
        for (const x of list(l!, 'toset')) if (!out.some((y) => hclEquals(x, y))) out.push(x);
        return out.every((x) => typeof x === 'string')
          ? (out as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          : out;
      },
    },
  ],
  [
    'jsondecode',
    {
      arity: [1, 1],
      call: ([s]) => {
        const text = str(s!, 'jsondecode');
        try {
          return JSON.parse(text) as HclValue;
        } catch (e) {
          throw new EvalError(`jsondecode: not valid JSON (${(e as Error).message})`);
        }
      },
    },
  ],
  ['floor', { arity: [1, 1], call: ([n]) => Math.floor(toNumber(n!, 'floor: the argument')) }],
  [
    'sum',
    {
      arity: [1, 1],
      // Terraform refuses an empty list ("cannot sum an empty list").
      call: ([l]) => {
        const items = list(l!, 'sum');
        if (items.length === 0) throw new EvalError('sum: cannot sum an empty list');
        return items.reduce<number>((n, x, i) => n + toNumber(x, `sum: element ${i}`), 0);
      },
    },
  ],
]);

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(FUNCTIONS.keys());
