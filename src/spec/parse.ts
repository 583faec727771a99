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
  if (text.includes('\uFFFD')) return fail('the file is not valid UTF-8', undefined, undefined, 'encoding');

  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec(String((e as Error).message));
      const pos = at ? lineColumn(text, Number(at[1])) : undefined;
      return fail(`not valid JSON: ${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, pos?.line, pos?.column);
    }
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    const msg = err.code === 'DUPLICATE_KEY' ? 'a key appears twice in the same mapping; keep one' : err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return fail(msg, pos.line, pos.col, err.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'syntax');
  }
  let data: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion.
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return fail(`cannot be read: ${(e as Error).message}`, undefined, undefined, 'syntax');
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

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}
