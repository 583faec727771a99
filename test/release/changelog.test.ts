/** CHANGELOG.md follows Keep a Changelog 1.1.0 (https://keepachangelog.com/en/1.1.0/) and knows this version. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/capture.js';

const CHANGELOG = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TYPES = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'];

describe('CHANGELOG.md', () => {
  const releases = [...CHANGELOG.matchAll(/^## (.*)$/gm)].map((m) => m[1]!);

  it('starts with Unreleased, then releases newest first, each with an ISO date', () => {
    expect(releases[0]).toBe('[Unreleased]');
    const versions = releases.slice(1).map((r) => {
      const m = /^\[(\d+\.\d+\.\d+(?:-[\w.]+)?)\] - (\d{4}-\d{2}-\d{2})$/.exec(r);
      expect(m, r).not.toBeNull();
      return m![1]!;
    });
    expect(versions).toContain(VERSION);
    const sorted = [...versions].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    expect(versions).toEqual(sorted);
  });

  it('groups changes only under the six types of change, each with at least one entry', () => {
    for (const section of CHANGELOG.split(/^## .*$/m).slice(1)) {
      const groups = [...section.matchAll(/^### (.*)\n\n((?:- .*\n(?: {2}.*\n)*)+)/gm)];
      expect(groups.length).toBeGreaterThan(0);
      for (const g of groups) expect(TYPES).toContain(g[1]);
      expect([...section.matchAll(/^### (.*)$/gm)].length).toBe(groups.length);
    }
  });
});
