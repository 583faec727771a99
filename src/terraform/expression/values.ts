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

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
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
 * `jsonencode` as Terraform writes it (Go's encoding/json through cty): no whitespace, object keys sorted, and
 * `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c` and so on.
 */
export function jsonEncode(v: HclValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new EvalError('jsonencode: a number must be finite');
    return formatNumber(v);
  }
  if (typeof v === 'string') return jsonString(v);
  if (isList(v)) return `[${v.map(jsonEncode).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${jsonString(k)}:${jsonEncode(v[k]!)}`)
    .join(',')}}`;
}

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
