/** A repository on disk for a spec with `openapi:`, for the tests of this folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A repository holding `files` (the spec is cors-gen.yaml); returns its folder. */
export function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-openapi-'));
  roots.push(root);
  mkdirSync(path.join(root, 'repo', '.git'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, 'repo', name)), { recursive: true });
    writeFileSync(path.join(root, 'repo', name), text);
  }
  return path.join(root, 'repo');
}

export const SPEC = (extra = '') =>
  `version: 1\nname: pets\nopenapi: ./openapi.yaml\ncors:\n  allowOrigins: [https://app.example.com]\n${extra}`;
