/**
 * docs/architecture.md describes the code: one line per folder of src/, and every source or test file it names
 * (the list of places that make a CORS decision, and the tests that keep them in step) exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/capture.js';

const DOC = readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  it('has one line for every folder of src/, and none for a folder that is gone', () => {
    const folders = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const described = [...DOC.matchAll(/^- `([a-z-]+)\/`:/gm)].map((m) => m[1]).sort();
    expect(described).toEqual(folders);
  });

  it('names only files that exist', () => {
    const named = [...new Set([...DOC.matchAll(/`((?:src|test)\/[\w./-]+\.(?:ts|mjs|py))`/g)].map((m) => m[1]!))];
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
  });
});
