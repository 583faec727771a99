import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { PathPart, SpecIssue } from './issue.js';

/** The spec's text, parsed, with a way back from a path inside it to a line and column. */
export interface ParsedText {
  readonly data: unknown;
  /** 1-based position of the value at `path`, or of the deepest part of it that exists. */
  locate(path: readonly PathPart[], which?: 'key' | 'value'): { line: number; column: number } | undefined;
}

/** Specs are a few hundred bytes; anything this large is not one, and parsing it would only waste memory. */
export const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * Nesting deeper than this is refused before the YAML parser sees it. A spec is five levels deep; the parser's
 * composer recurses once per level, and near the stack's end V8 can abort the whole process ("RegExpCompiler
 * Allocation failed") instead of throwing, so depth is bounded up front.
 */
export const MAX_NESTING = 64;

/** Values (scalars, lists, mappings) a spec may hold. A large one has a few hundred; the bound caps the work. */
export const MAX_VALUES = 10_000;

/**
 * Parses YAML or JSON (JSON through the YAML parser, which reads it as YAML 1.2 flow style and so keeps
 * positions; a `.json` file must additionally be strict JSON). Duplicate keys and alias bombs are errors.
 */
export function parseSpecText(
  text: string,
  file: string,
): { ok: true; parsed: ParsedText } | { ok: false; errors: SpecIssue[] } {
  const fail = (
    message: string,
    line?: number,
    column?: number,
    code = 'syntax',
    fix?: string,
  ): { ok: false; errors: SpecIssue[] } => ({
    ok: false,
    errors: [{ severity: 'error', code, path: '', message, file, line, column, ...(fix !== undefined ? { fix } : {}) }],
  });
  const tooManyValues = `holds more than ${MAX_VALUES} values (list items, keys and scalars); a spec holds a few hundred`;
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES)
    return fail(
      `the file is larger than ${MAX_SPEC_BYTES} bytes; a spec is a short YAML or JSON document`,
      undefined,
      undefined,
      'too-large',
    );

  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const offset = jsonErrorOffset(text, message);
      // V8 quotes the source after some messages ('Unexpected token 'v', "version: 1\n..." is not valid JSON').
      const what = message
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
      // A trailing comma (which JavaScript and YAML allow) is the common slip: V8 reports the bracket after it.
      const comma = /[}\]]/.test(text[offset] ?? '')
        ? /,\s*$/.exec(text.slice(Math.max(0, offset - 1000), offset))
        : null;
      if (comma) {
        const at = lineColumn(text, offset - comma[0].length);
        return fail(
          `not valid JSON: a comma before "${text[offset]}"`,
          at.line,
          at.column,
          'syntax',
          'remove the comma: JSON allows none after the last item of a list or object',
        );
      }
      const pos = lineColumn(text, offset);
      return fail(`not valid JSON: ${what}`, pos.line, pos.column);
    }
  }

  // Before the parser: the depth of nesting and an estimate of the number of values, so that neither a deeply
  // nested nor a dense file (a 1 MB "[a,a,a,...]" takes seconds and 200 MB to parse) reaches it.
  const shape = scanShape(text);
  if (shape.deepAt !== undefined) {
    const pos = lineColumn(text, shape.deepAt);
    return fail(
      `lists or mappings are nested more than ${MAX_NESTING} levels deep; a spec is a few levels deep`,
      pos.line,
      pos.column,
      'too-deep',
    );
  }
  if (shape.values > MAX_VALUES) return fail(tooManyValues, undefined, undefined, 'too-large');

  const lineCounter = new LineCounter();
  // Duplicate keys are found below, in linear time: the parser's own `uniqueKeys` check compares every key with
  // every other one, which takes minutes on a 1 MB file of short keys.
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
    version: '1.2',
  });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    if (err.code === 'MULTIPLE_DOCS') {
      return fail(
        'the file holds more than one YAML document ("---"); a spec is one document',
        pos.line,
        pos.col,
        'syntax',
      );
    }
    if (err.code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(err.message)) {
      return fail(
        'lists or mappings are nested too deeply to be read; a spec is a few levels deep',
        pos.line,
        pos.col,
        'too-deep',
      );
    }
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const hint = syntaxHint(text, err.code, pos.line, message);
    return {
      ok: false,
      errors: [
        {
          severity: 'error',
          code: 'syntax',
          path: '',
          message: hint?.message ? `${message}: ${hint.message}` : message,
          file,
          line: hint?.line ?? pos.line,
          column: hint?.column ?? pos.col,
          ...(hint ? { fix: hint.fix } : {}),
        },
      ],
    };
  }
  const { duplicate, values } = inspectTree(doc.contents);
  if (values > MAX_VALUES) return fail(tooManyValues, undefined, undefined, 'too-large');
  if (duplicate) {
    const pos = duplicate.offset === undefined ? undefined : lineCounter.linePos(duplicate.offset);
    return fail(
      `the key ${JSON.stringify(duplicate.key)} appears twice in the same mapping; keep one`,
      pos?.line,
      pos?.col,
      'duplicate-key',
    );
  }
  let data: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion.
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    const bomb = /alias count|resource exhaustion/i.test((e as Error).message);
    return fail(
      bomb
        ? 'expands YAML aliases (*name) too many times, as a "billion laughs" attack does; write the values out'
        : `cannot be read: ${(e as Error).message}`,
      undefined,
      undefined,
      bomb ? 'alias-bomb' : 'syntax',
    );
  }

  if (refersToItself(data)) {
    return fail(
      'a YAML alias (*name) refers to a mapping or list that contains it, so the value never ends; write the values out',
      undefined,
      undefined,
      'alias-cycle',
    );
  }

  return {
    ok: true,
    parsed: {
      data,
      locate: (path, which = 'value') => locateIn(doc, lineCounter, path, which),
    },
  };
}

/**
 * The 1-based line and column of the value (or key) at `path` in a parsed YAML document; the nearest existing
 * ancestor when the path goes further than the document.
 */
export function locateIn(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathPart[],
  which: 'key' | 'value' = 'value',
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (isMap(node)) {
      const pair = keyIndex(node).get(String(part));
      if (!pair) break;
      if (i === path.length - 1 && which === 'key') {
        found = pair.key as Node;
        break;
      }
      node = pair.value;
      if (pair.value) found = pair.value as Node;
      else {
        found = pair.key as Node;
        break;
      }
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      node = node.items[part];
      found = node as Node;
    } else break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Error codes of the `yaml` parser that a line indented unlike its siblings produces. */
const INDENTATION_ERRORS = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'MISSING_CHAR',
  'UNEXPECTED_TOKEN',
]);

/**
 * The repair of the usual YAML slips, and the line it applies to. The parser reports a mis-indented key on the
 * line above it ("Implicit keys need to be on a single line" at the end of `allowCredentials: true` when the
 * next line is indented one space too far): find the line whose indentation differs from the sibling above it
 * and point there instead.
 */
export function syntaxHint(
  text: string,
  code: string,
  line: number,
  message = '',
): { message?: string; fix: string; line?: number; column?: number } | undefined {
  const lines = text.split(/\r?\n/);
  if (code === 'TAB_AS_INDENT') return { fix: 'replace the tab with spaces' };
  if (!INDENTATION_ERRORS.has(code)) return undefined;
  const flow = /^Flow (sequence|mapping)/.exec(message);
  if (flow) {
    // An unclosed `[` or `{`: the parser notices only on the next line; the bracket is missing on the one before.
    let j = line - 2;
    while (j >= 0 && /^\s*(#.*)?$/.test(lines[j]!)) j--;
    const close = flow[1] === 'sequence' ? ']' : '}';
    if (j < 0) return { fix: `close it with "${close}"` };
    const end = lines[j]!.replace(/\s+(#.*)?$/, '').length;
    return { fix: `close it with "${close}" at the end of line ${j + 1}`, line: j + 1, column: end + 1 };
  }
  // `name: a: b` on one line: a value holding ": " must be quoted. (Only on a line of spec size: the pattern
  // backtracks on a hostile megabyte-long line.)
  const reported = lines[line - 1] ?? '';
  const colon =
    reported.length <= 500 ? /^(\s*(?:- +)?[^\s:#"'][^:#]*):\s+([^\s"'[{#].*:\s.*?)\s*$/.exec(reported) : null;
  if (colon && code === 'BLOCK_AS_IMPLICIT_KEY')
    return { fix: `put the value in quotes: ${colon[1]!.trim()}: ${JSON.stringify(colon[2])}` };
  const content = (i: number) => i >= 0 && i < lines.length && !/^\s*(#.*)?$/.test(lines[i]!);
  const indent = (i: number) => /^ */.exec(lines[i]!)![0].length;
  /** Where a sibling of the next line would start: after the indentation and any "- " list markers. */
  const keyColumn = (i: number) => /^ *(?:- +)*/.exec(lines[i]!)![0].length;
  const opensBlock = (i: number) => /:\s*(#.*)?$/.test(lines[i]!) || /^\s*-\s*$/.test(lines[i]!);
  const next = (i: number) => {
    let j = i + 1;
    while (j < lines.length && !content(j)) j++;
    return j < lines.length ? j : undefined;
  };
  const previous = (i: number) => {
    let j = i - 1;
    while (j >= 0 && !content(j)) j--;
    return j >= 0 ? j : undefined;
  };
  const item = (i: number) => /^ *- /.test(lines[i]!);
  const keyedItem = (i: number) => /^ *- +[^\s:#][^:#]*:(\s|$)/.test(lines[i]!);
  /** The key that holds the list a scalar item (`- https://a`) belongs to: a key after the list lines up with it. */
  const listHolder = (i: number) => {
    for (let j = i - 1; j >= 0; j--) if (content(j) && !item(j) && indent(j) <= indent(i) && opensBlock(j)) return j;
    return undefined;
  };
  let at = line - 1;
  let expected: number | undefined;
  let sibling: number | undefined;
  const below = next(at);
  if (content(at) && !opensBlock(at) && below !== undefined && indent(below) > indent(at)) {
    // The reported line holds a complete value and the one below is indented deeper, so the parser read it as
    // the continuation of that value: the line below is the one to fix.
    at = below;
    if (item(line - 1) && !keyedItem(line - 1)) {
      sibling = listHolder(line - 1);
      expected = sibling === undefined ? undefined : indent(sibling);
    } else {
      sibling = line - 1;
      expected = keyColumn(line - 1);
    }
  } else {
    const above = previous(at);
    if (above === undefined || !content(at) || opensBlock(above)) return undefined;
    // A list item lines up with the "-" of the item above; a key with the first key of the entry above, and a key
    // below a scalar list item (the parser reports it there) with the key that holds the list.
    sibling = !item(at) && item(above) && !keyedItem(above) ? listHolder(above) : above;
    if (sibling === undefined) return undefined;
    expected = sibling !== above ? indent(sibling) : item(at) && item(above) ? indent(above) : keyColumn(above);
  }
  const actual = indent(at);
  if (expected === undefined || sibling === undefined || actual === expected) return undefined;
  const spaces = (n: number) => `${n} space${n === 1 ? '' : 's'}`;
  return {
    message: `line ${at + 1} is indented differently from its siblings (${spaces(actual)}; line ${sibling + 1} uses ${spaces(expected)})`,
    fix:
      expected === 0
        ? `remove the indentation of line ${at + 1}, like line ${sibling + 1}`
        : `indent line ${at + 1} by ${spaces(expected)}, like line ${sibling + 1}`,
    line: at + 1,
    column: actual + 1,
  };
}

/**
 * Counts the values of the tree and finds the first key, in document order, that appears twice in one mapping
 * (with the offset of its second occurrence). Keys compare as the property names they become (`1` and `"1"`
 * are the same key). Walks the tree without recursion and visits every node once.
 */
function inspectTree(root: unknown): { duplicate?: { key: string; offset: number | undefined }; values: number } {
  let duplicate: { key: string; offset: number | undefined } | undefined;
  let values = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || node === undefined) continue;
    values++;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const offset = pair.key.range?.[0];
        if (!duplicate || (offset ?? Infinity) < (duplicate.offset ?? Infinity))
          duplicate = { key: typeof pair.key.source === 'string' ? pair.key.source : key, offset };
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return { ...(duplicate ? { duplicate } : {}), values };
}

/**
 * A linear scan of YAML text that over-estimates rather than misses: where the nesting first exceeds `maxNesting`
 * (flow collections, i.e. `[` and `{` outside quotes and comments, plus block levels: indentation steps and
 * compact `- `, `? `, `: ` indicators at the start of a line), and about how many values the file holds (content
 * lines, indicators, flow openings and commas), counted until `maxValues` is passed. No real spec comes near
 * either limit of the spec's own.
 */
export function scanShape(
  text: string,
  maxNesting = MAX_NESTING,
  maxValues = MAX_VALUES,
): { deepAt?: number; values: number } {
  let flow = 0;
  let values = 0;
  const indents: number[] = [];
  let quote: string | undefined;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      if (text[i] === '\n') lineStart = true;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      if (flow === 0) {
        let j = i;
        while (text[j] === ' ') j++;
        if (text[j] !== '\n' && text[j] !== '\r' && text[j] !== '#' && j < text.length) {
          const indent = j - i;
          while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
          indents.push(indent);
          values++;
          let depth = indents.length;
          if (depth > maxNesting) return { deepAt: j, values };
          while (/[-?:]/.test(text[j] ?? '') && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
            values++;
            if (++depth > maxNesting) return { deepAt: j, values };
            j += 2;
            while (text[j] === ' ' || text[j] === '\t') j++;
          }
        }
      }
    }
    if (values > maxValues) return { values };
    const previous = i === 0 ? '\n' : text[i - 1]!;
    const tokenStart = /[\s[{,:]/.test(previous);
    if (c === '\n') lineStart = true;
    else if (c === '#' && /\s/.test(previous)) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if ((c === '"' || c === "'") && tokenStart && startsValue(text, i)) quote = c;
    else if ((c === '[' || c === '{') && tokenStart) {
      values++;
      if (++flow + indents.length > maxNesting) return { deepAt: i, values };
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
    else if (c === ',' && flow > 0) values++;
  }
  return { values };
}

/**
 * Whether the data contains itself, which a YAML alias inside its own anchor (`a: &x {b: *x}`) produces; such
 * a value has no end, and every later step (validation, messages, JSON) would loop or throw. Iterative.
 */
export function refersToItself(root: unknown): boolean {
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: Array<{ value: object; exit: boolean }> = [];
  if (root !== null && typeof root === 'object') stack.push({ value: root, exit: false });
  while (stack.length > 0) {
    const { value, exit } = stack.pop()!;
    if (exit) {
      onPath.delete(value);
      done.add(value);
      continue;
    }
    if (onPath.has(value)) return true;
    if (done.has(value)) continue;
    onPath.add(value);
    stack.push({ value, exit: true });
    const children =
      value instanceof Map
        ? [...value.keys(), ...value.values()]
        : value instanceof Set
          ? [...value]
          : Object.values(value);
    for (const child of children) {
      if (child === null || typeof child !== 'object') continue;
      if (onPath.has(child)) return true;
      if (!done.has(child)) stack.push({ value: child, exit: false });
    }
  }
  return false;
}

/** Whether a quote at `i` opens a quoted scalar (it follows an indicator or starts the line), not text inside a plain one. */
function startsValue(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (text[k] === ' ' || text[k] === '\t')) k--;
  return k < 0 || /[\n:?[{,-]/.test(text[k]!);
}

/** A mapping's pairs by key (the first pair of each key), built once per mapping: `locate` is called per issue. */
const keyIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();
function keyIndex(map: YAMLMap): Map<string, Pair> {
  let index = keyIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
    }
    keyIndexes.set(map, index);
  }
  return index;
}

/**
 * Where JSON.parse gave up. V8 says so for most errors ("at position N") but not for an unexpected token or the
 * end of input; then the shortest prefix that fails for a reason other than ending too early ends just after it.
 */
function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const hard = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = (e as Error).message;
      if (/Unexpected end of JSON input/.test(m)) return false;
      const p = /at position (\d+)/.exec(m);
      return !p || Number(p[1]) < k;
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hard(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}
