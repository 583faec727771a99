import type { ModuleDocument, RawBody } from '../../src/terraform/document.js';
import { BLOCK_KEYS } from '../../src/terraform/write.js';

/**
 * Puts a module as the module reader (`src/terraform/document.ts`) gives it from `.tf` files and from the
 * synthesized Terraform JSON document in one shape, so the two can be compared with `toEqual`. The reader already
 * unwraps top-level blocks; what differs inside bodies is notational (JSON syntax:
 * https://developer.hashicorp.com/terraform/language/syntax/json):
 * - hcl2json writes every nested block as an array of bodies, the document may write a single one as an object;
 * - hcl2json wraps bare expressions in `${...}`: `type = list(string)` -> `"${list(string)}"`,
 *   `depends_on = [aws_x.y]` -> `["${aws_x.y}"]`, where the document has `"list(string)"` and `"aws_x.y"`;
 * - hcl2json prints a conditional inside a template as a directive: `"'${c ? "*" : f(x)}'"` comes back as
 *   `"'%{if c}*%{else}${f(x)}%{endif}'"`. Both are the same template; the directive form is turned back;
 * - white space inside `${...}` (outside string literals) is canonicalized on both sides, so the comparison does
 *   not depend on how an expression is spaced.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Body = Record<string, Json>;

/** Keys that are nested blocks, not map arguments, in the documents cors-gen writes: the writer's own list. */
const NESTED_BLOCKS = BLOCK_KEYS;

/** A module read from the synthesized document (`json`) or from `.tf` files (`hcl`), in the comparable shape. */
export function comparable(doc: ModuleDocument, syntax: 'json' | 'hcl'): Body {
  const body = (b: RawBody, kind: string): Body => (syntax === 'json' ? documentBody(b) : hclBody(b, kind));
  const out: Body = {};
  if (Object.keys(doc.terraform).length > 0) out.terraform = body(doc.terraform, 'terraform');
  if (doc.variables.size > 0)
    out.variable = Object.fromEntries([...doc.variables].map(([name, v]) => [name, body(v.body, 'variable')]));
  if (doc.locals.size > 0) {
    const locals = Object.fromEntries([...doc.locals].map(([name, l]) => [name, l.value])) as Body;
    out.locals = syntax === 'json' ? mapValues(locals, canonical) : hclBody(locals, 'locals');
  }
  for (const [kind, blocks] of [
    ['resource', doc.resources],
    ['data', doc.data],
  ] as const) {
    if (blocks.size === 0) continue;
    const byType: Record<string, Body> = {};
    for (const b of blocks.values()) (byType[b.type] ??= {})[b.name] = body(b.body, kind);
    out[kind] = byType;
  }
  if (doc.outputs.size > 0)
    out.output = Object.fromEntries([...doc.outputs].map(([name, o]) => [name, body(o.body, 'output')]));
  // `removed` blocks: `from` is a bare reference (hcl2json writes it as an interpolation), lifecycle a nested block.
  const removed = doc.other
    .filter((o) => o.kind === 'removed')
    .flatMap((o) => (Array.isArray(o.value) ? o.value : [o.value]) as Body[])
    .map((r) => ({
      from: String(r.from).replace(/^\$\{(.*)\}$/, '$1'),
      lifecycle: (Array.isArray(r.lifecycle) ? r.lifecycle[0] : r.lifecycle) ?? null,
    }));
  if (removed.length > 0) out.removed = removed;
  return out;
}

/** `dynamic "<label>" { ... }`: one nested block per label, whichever shape (see `NESTED_BLOCKS`). */
function dynamicBlocks(v: Json, each: (b: Body) => Body): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return mapValues(v, (b) => (Array.isArray(b) ? b : [b]).map((x) => each(x as Body)));
}

function documentBody(body: Body): Body {
  return mapEntries(body, (k, v) =>
    k === 'dynamic'
      ? dynamicBlocks(v, documentBody)
      : NESTED_BLOCKS.has(k) && v !== null && typeof v === 'object'
        ? (Array.isArray(v) ? v : [v]).map((b) => documentBody(b as Body))
        : canonical(v),
  );
}

/** Strings with their expressions' white space canonicalized, at any depth. */
function canonical(v: Json): Json {
  if (typeof v === 'string') return canonicalTemplate(v);
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return mapValues(v, canonical);
  return v;
}

/**
 * A template with the white space inside its `${...}`/`%{...}` expressions canonicalized: none after `{ [ (`
 * or before `} ] )`, single spaces elsewhere. Literal text, string literals and escapes are kept verbatim.
 */
export function canonicalTemplate(s: string): string {
  return template(s, 0, false).text;
}

function template(s: string, i: number, quotedLiteral: boolean): { text: string; end: number } {
  let out = '';
  while (i < s.length) {
    const c = s[i]!;
    if (quotedLiteral && c === '"') return { text: out, end: i };
    if (quotedLiteral && c === '\\') {
      out += s.slice(i, i + 2);
      i += 2;
    } else if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      out += s.slice(i, i + 3);
      i += 3;
    } else if ((c === '$' || c === '%') && s[i + 1] === '{') {
      const e = expression(s, i + 2);
      out += `${c}{${e.text}}`;
      i = e.end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, end: i };
}

function expression(s: string, i: number): { text: string; end: number } {
  let out = '';
  let depth = 0;
  let space = false;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      space = true;
      i++;
      continue;
    }
    const closing = c === '}' || c === ']' || c === ')';
    if (space && out !== '' && !/[{[(]$/.test(out) && !closing) out += ' ';
    space = false;
    if (c === '"') {
      const t = template(s, i + 1, true);
      out += `"${t.text}"`;
      i = t.end + 1;
      continue;
    }
    if (c === '}' && depth === 0) return { text: out, end: i };
    if (c === '{' || c === '[' || c === '(') depth++;
    if (closing) depth--;
    out += c;
    i++;
  }
  throw new Error(`unterminated expression in ${s}`);
}

function hclBody(body: Body, kind: string): Body {
  return mapEntries(body, (k, v) => {
    if (k === 'dynamic' && kind !== 'locals') return dynamicBlocks(v, (b) => hclBody(b, k));
    if (NESTED_BLOCKS.has(k) && Array.isArray(v) && kind !== 'locals') return v.map((b) => hclBody(b as Body, k));
    if (k === 'depends_on' && Array.isArray(v)) return v.map((d) => unwrap(d as string));
    if (k === 'type' && kind === 'variable') return unwrap(v as string);
    if (kind === 'locals') return canonical(undirectiveDeep(v));
    return hclValue(v);
  });
}

function hclValue(v: Json): Json {
  if (typeof v === 'string') return canonicalTemplate(undirective(v));
  if (Array.isArray(v)) return v.map(hclValue);
  if (v !== null && typeof v === 'object') return mapValues(v, hclValue);
  return v;
}

function undirectiveDeep(v: Json): Json {
  if (typeof v === 'string') return undirective(v);
  if (Array.isArray(v)) return v.map(undirectiveDeep);
  if (v !== null && typeof v === 'object') return mapValues(v, undirectiveDeep);
  return v;
}

function unwrap(s: string): string {
  return s.startsWith('${') && s.endsWith('}') ? s.slice(2, -1) : s;
}

/**
 * `%{if c}T%{else}F%{endif}` -> `${c ? T' : F'}`, where a branch that is one interpolation `${e}` becomes `e`
 * and literal text becomes a quoted string. Applied until no directive is left.
 */
export function undirective(s: string): string {
  for (let i = s.indexOf('%{if '); i !== -1; i = s.indexOf('%{if ')) {
    if (s[i - 1] === '%') throw new Error(`escaped directive in ${s}`);
    const condEnd = expressionEnd(s, i + 5);
    const condition = s.slice(i + 5, condEnd - 1).trim();
    const elseAt = s.indexOf('%{else}', condEnd);
    const endAt = s.indexOf('%{endif}', condEnd);
    if (endAt === -1) throw new Error(`unterminated %{if} in ${s}`);
    const hasElse = elseAt !== -1 && elseAt < endAt;
    const whenTrue = s.slice(condEnd, hasElse ? elseAt : endAt);
    const whenFalse = hasElse ? s.slice(elseAt + 7, endAt) : '';
    s = `${s.slice(0, i)}\${${condition} ? ${branch(whenTrue)} : ${branch(whenFalse)}}${s.slice(endAt + 8)}`;
  }
  return s;
}

function branch(template: string): string {
  if (template.startsWith('${') && expressionEnd(template, 2) === template.length) return template.slice(2, -1);
  return JSON.stringify(template);
}

/** Index just past the `}` that closes an expression starting at `i` (string literals and brackets skipped). */
function expressionEnd(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\') i++;
        else if (s[i] === '$' && s[i + 1] === '{') {
          i = expressionEnd(s, i + 2) - 1;
        }
        i++;
      }
    } else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  throw new Error(`unterminated expression in ${s}`);
}

function mapValues(obj: Body, fn: (v: Json) => Json): Body {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

function mapEntries(obj: Body, fn: (k: string, v: Json) => Json): Body {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(k, v)]));
}
