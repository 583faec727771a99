/**
 * Puts `@cdktf/hcl2json`'s reading of a `.tf` file and the synthesized Terraform JSON document in one shape, so
 * the two can be compared with `toEqual`. The differences are all notational (JSON syntax:
 * https://developer.hashicorp.com/terraform/language/syntax/json):
 * - hcl2json writes every block as an array of bodies (`variable "x" {}` -> `{ x: [{...}] }`, nested blocks
 *   too), the document writes labelled blocks as objects and may write a single nested block as an object;
 * - hcl2json wraps bare expressions in `${...}`: `type = list(string)` -> `"${list(string)}"`,
 *   `depends_on = [aws_x.y]` -> `["${aws_x.y}"]`, where the document has `"list(string)"` and `"aws_x.y"`;
 * - hcl2json prints a conditional inside a template as a directive: `"'${c ? "*" : f(x)}'"` comes back as
 *   `"'%{if c}*%{else}${f(x)}%{endif}'"`. Both are the same template; the directive form is turned back;
 * - the formatter (terraform fmt's rules) pads braces inside expressions: `jsonencode({a = 1})` is written
 *   `jsonencode({ a = 1 })`. White space inside `${...}` (outside string literals) is canonicalized on both sides.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Body = Record<string, Json>;

/** Keys that are nested blocks, not map arguments, in the documents cors-gen writes (see src/synth/hcl.ts). */
const NESTED_BLOCKS = new Set(['validation', 'lifecycle', 'environment', 'index_document', 'error_document', 'cors_configuration', 'cors', 'required_providers']);

/** The synthesized document (or a part of it) in the comparable shape. */
export function fromDocument(doc: Record<string, unknown>): Body {
  const out: Body = {};
  for (const [kind, section] of Object.entries(doc as Body)) {
    if (kind === 'locals') out[kind] = mapValues(section as Body, canonical);
    else if (kind === 'terraform') out[kind] = documentBody(section as Body);
    else if (kind === 'variable' || kind === 'output') out[kind] = mapValues(section as Body, (b) => documentBody(b as Body));
    else if (kind === 'resource' || kind === 'data') out[kind] = mapValues(section as Body, (instances) => mapValues(instances as Body, (b) => documentBody(b as Body)));
    else throw new Error(`unexpected top-level key ${kind}`);
  }
  return out;
}

/** hcl2json's `parse()` result in the comparable shape. */
export function fromHcl2json(parsed: Record<string, unknown>): Body {
  const out: Body = {};
  for (const [kind, section] of Object.entries(parsed as Body)) {
    if (kind === 'terraform' || kind === 'locals') out[kind] = hclBody(merge(section as Body[]), kind);
    else if (kind === 'variable' || kind === 'output') out[kind] = mapValues(section as Body, (b) => hclBody(single(b), kind));
    else if (kind === 'resource' || kind === 'data') out[kind] = mapValues(section as Body, (instances) => mapValues(instances as Body, (b) => hclBody(single(b), kind)));
    else throw new Error(`unexpected top-level key ${kind}`);
  }
  return out;
}

/** Merges the parts several files contribute (e.g. `locals` in two files) as Terraform does. */
export function mergeDocuments(parts: readonly Body[]): Body {
  const out: Body = {};
  for (const part of parts) {
    for (const [kind, section] of Object.entries(part)) {
      if (kind === 'resource' || kind === 'data') {
        const target = (out[kind] ??= {}) as Body;
        for (const [type, instances] of Object.entries(section as Body)) target[type] = { ...((target[type] as Body) ?? {}), ...(instances as Body) };
      } else {
        out[kind] = { ...((out[kind] as Body) ?? {}), ...(section as Body) };
      }
    }
  }
  return out;
}

function documentBody(body: Body): Body {
  return mapEntries(body, (k, v) => (NESTED_BLOCKS.has(k) && v !== null && typeof v === 'object' ? (Array.isArray(v) ? v : [v]).map((b) => documentBody(b as Body)) : canonical(v)));
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

function single(v: Json): Body {
  if (!Array.isArray(v) || v.length !== 1) throw new Error(`expected one block body, got ${JSON.stringify(v).slice(0, 80)}`);
  return v[0] as Body;
}

function merge(bodies: Body[]): Body {
  return Object.assign({}, ...bodies) as Body;
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
