import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
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
 * Parses YAML or JSON (JSON through the YAML parser, which reads it as YAML 1.2 flow style and so keeps
 * positions; a `.json` file must additionally be strict JSON). Duplicate keys and alias bombs are errors.
 */
export function parseSpecText(text: string, file: string): { ok: true; parsed: ParsedText } | { ok: false; errors: SpecIssue[] } {
  const fail = (message: string, line?: number, column?: number, code = 'syntax'): { ok: false; errors: SpecIssue[] } => ({
    ok: false,
    errors: [{ severity: 'error', code, path: '', message, file, line, column }],
  });
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) return fail(`the file is larger than ${MAX_SPEC_BYTES} bytes; a spec is a short YAML or JSON document`, undefined, undefined, 'too-large');

  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const pos = lineColumn(text, jsonErrorOffset(text, message));
      // V8 quotes the source after some messages ('Unexpected token 'v', "version: 1\n..." is not valid JSON').
      const what = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
      return fail(`not valid JSON: ${what}`, pos.line, pos.column);
    }
  }

  const lineCounter = new LineCounter();
  // Duplicate keys are found below, in linear time: the parser's own `uniqueKeys` check compares every key with
  // every other one, which takes minutes on a 1 MB file of short keys.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, version: '1.2' });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    if (err.code === 'MULTIPLE_DOCS') {
      return fail('the file holds more than one YAML document ("---"); a spec is one document', pos.line, pos.col, 'syntax');
    }
    if (err.code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(err.message)) {
      return fail('lists or mappings are nested too deeply to be read; a spec is a few levels deep', pos.line, pos.col, 'too-deep');
    }
    return fail(err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), pos.line, pos.col, 'syntax');
  }
  const duplicate = firstDuplicateKey(doc.contents);
  if (duplicate) {
    const pos = duplicate.offset === undefined ? undefined : lineCounter.linePos(duplicate.offset);
    return fail(`the key ${JSON.stringify(duplicate.key)} appears twice in the same mapping; keep one`, pos?.line, pos?.col, 'duplicate-key');
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

  return {
    ok: true,
    parsed: {
      data,
      locate(path, which = 'value') {
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
      },
    },
  };
}

/**
 * The first key, in document order, that appears twice in one mapping, with the offset of its second
 * occurrence. Keys compare as the property names they become (`1` and `"1"` are the same key). Walks the tree
 * without recursion and visits every node once.
 */
function firstDuplicateKey(root: unknown): { key: string; offset: number | undefined } | undefined {
  let first: { key: string; offset: number | undefined } | undefined;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
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
        if (!first || (offset ?? Infinity) < (first.offset ?? Infinity)) first = { key: typeof pair.key.source === 'string' ? pair.key.source : key, offset };
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return first;
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
