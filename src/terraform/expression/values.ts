/**
 * Terraform value semantics the evaluator needs: type names, equality, conversion to string and bool, and
 * `jsonencode`'s exact output.
 */
import { CorsGenError } from '../../errors.js';
import type { HclValue } from './ast.js';

/**
 * Bounds on one value, far above anything a generated module computes (its files are at most 4 MB) and far below
 * what would exhaust memory: locals that each double the one before (`"${local.a}${local.a}"`,
 * `concat(local.a, local.a)`) otherwise grow to gigabytes within forty lines.
 */
export const MAX_STRING_LENGTH = 4 * 1024 * 1024;
export const MAX_LIST_LENGTH = 100_000;

/**
 * A dynamic evaluation error: an index out of range, a missing key, a value of the wrong type. `try()` and
 * `can()` catch these, as Terraform's do; they never catch {@link UnsupportedExpression} or a reference to
 * something the module does not declare.
 */
export class EvalError extends CorsGenError {
  override readonly name = 'EvalError';
  readonly kind = 'invalid';
  readonly code = 'evaluation-failed';
}

export function typeName(v: HclValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

export function isList(v: HclValue): v is readonly HclValue[] {
  return Array.isArray(v);
}

export function isObject(v: HclValue): v is { readonly [key: string]: HclValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Terraform's `==`: same type and same value, deeply; no conversion between string and number. */
export function hclEquals(a: HclValue, b: HclValue): boolean {
  if (a === b) return true;
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => hclEquals(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && hclEquals(a[k]!, b[k]!));
  }
  return false;
}

/** A primitive as it appears in a string template or `join`: numbers and bools convert, null and collections do not. */
export function toStringValue(v: HclValue, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) throw new EvalError(`${what} is null; a string is required`);
  throw new EvalError(`${what} is a ${typeName(v)}; a string is required`);
}

/**
 * A number as Terraform writes it, in a template and in `jsonencode`: plain decimal, never an exponent (cty
 * formats its numbers with Go's `big.Float.Text('f', -1)`; `terraform console` 1.11 gives
 * `"${1e21} ${1e-7}"` = `1000000000000000000000 0.0000001`). The digits are JavaScript's shortest round trip.
 */
export function formatNumber(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, rest = '', exp] = m;
  const digits = `${lead}${rest}`;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Terraform converts the strings "true" and "false" to bool; nothing else. */
export function toBool(v: HclValue, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new EvalError(`${what} must be a bool, not ${v === null ? 'null' : `a ${typeName(v)}`}`);
}

export function toNumber(v: HclValue, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(v)) return Number(v);
  throw new EvalError(`${what} must be a number, not ${v === null ? 'null' : `a ${typeName(v)}`}`);
}

/**
 * `jsonencode` as Terraform writes it (Go's encoding/json through cty): no whitespace; object keys sorted by their
 * UTF-8 bytes (Go's string order, not JavaScript's UTF-16 order); `<`, `>`, `&`, U+2028 and U+2029 escaped as
 * `\u003c` and so on; backspace and form feed as `\b` and `\f` (Go 1.22 and later, which Terraform 1.11 is built
 * with: https://go.dev/doc/go1.22#encoding/json); every string, key included, in Unicode normalization form C,
 * as cty holds every string (https://github.com/zclconf/go-cty/blob/main/docs/types.md#ctystring), so two keys
 * that normalize alike are one key, the later value winning. All checked against `terraform console` 1.11.
 */
export function jsonEncode(v: HclValue): string {
  const parts: string[] = [];
  let length = 0;
  // A value may hold the same list or object many times over (`[local.a, local.a]`, doubled forty times): its
  // encoding is bounded like any string, before it is built.
  const emit = (text: string) => {
    length += text.length;
    if (length > MAX_STRING_LENGTH)
      throw new EvalError(
        `jsonencode: the text would be longer than ${MAX_STRING_LENGTH} characters, more than the preview holds`,
      );
    parts.push(text);
  };
  const encode = (x: HclValue): void => {
    if (x === null) return emit('null');
    if (typeof x === 'boolean') return emit(x ? 'true' : 'false');
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new EvalError('jsonencode: a number must be finite');
      return emit(formatNumber(x));
    }
    if (typeof x === 'string') return emit(jsonString(x));
    if (isList(x)) {
      emit('[');
      x.forEach((item, i) => {
        if (i > 0) emit(',');
        encode(item);
      });
      return emit(']');
    }
    const entries = new Map<string, HclValue>();
    for (const [k, value] of Object.entries(x)) entries.set(k.normalize('NFC'), value);
    emit('{');
    [...entries.keys()].sort(byUtf8).forEach((k, i) => {
      emit(`${i > 0 ? ',' : ''}${jsonString(k)}:`);
      encode(entries.get(k)!);
    });
    emit('}');
  };
  encode(v);
  return parts.join('');
}

/** Go's string order: by UTF-8 bytes, which is code point order. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    const escape = ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
