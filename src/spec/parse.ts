import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
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
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    if (err.code === 'DUPLICATE_KEY') {
      const key = duplicateKeyAt(text, err.pos[0]);
      return fail(`${key ? `the key ${JSON.stringify(key)}` : 'a key'} appears twice in the same mapping; keep one`, pos.line, pos.col, 'duplicate-key');
    }
    if (err.code === 'MULTIPLE_DOCS') {
      return fail('the file holds more than one YAML document ("---"); a spec is one document', pos.line, pos.col, 'syntax');
    }
    return fail(err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), pos.line, pos.col, 'syntax');
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
            const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
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

/** The key of the pair at `offset` (where `yaml` reports a duplicate), for the message. */
function duplicateKeyAt(text: string, offset: number): string | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^:#\n]+?))\s*:/.exec(text.slice(offset));
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
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
