/**
 * Repositories for the tests of the user's own code (lambda.source) in preview: a temporary folder with a `.git`,
 * the spec, the code in backend/ and the module generated into generated/own-code, removed after the file's tests.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { startPreview, type Preview, type PreviewOptions } from '../../src/preview/index.js';
import { generate } from '../../src/synth/generate.js';
import { send } from '../support/preview.js';

export const ORIGIN = 'https://app.example.com';
const roots: string[] = [];
const previews: Preview[] = [];
afterAll(async () => {
  await Promise.all(previews.map((p) => p.close()));
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

function spec(runtime: string, handler: string): string {
  return `version: 1
name: own-code
api: rest
cors:
  allowOrigins: [${ORIGIN}]
routes:
  - path: /items
    methods: [GET]
frontend:
  enabled: true
lambda:
  runtime: ${runtime}
  source: backend
  handler: ${handler}
`;
}

/** A new temporary folder, removed after the tests (real path). */
export function scratch(prefix: string): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  roots.push(dir);
  return dir;
}

/** Writes `files` (paths relative to `root`). */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
  }
}

export async function project(files: Record<string, string>, runtime = 'nodejs22.x', handler = 'app.handler') {
  const root = scratch('cors-gen-own-code-');
  mkdirSync(path.join(root, '.git'));
  writeFiles(root, { 'cors-gen.yaml': spec(runtime, handler), ...files });
  const result = await generate({ cwd: root });
  if (!('dir' in result) || !result.ok) throw new Error(`generate failed: ${JSON.stringify(result)}`);
  return { root, module: path.join(root, 'generated/own-code') };
}

export async function serve(
  module: string,
  log: string[] = [],
  options: Partial<PreviewOptions> = {},
): Promise<Preview> {
  const p = await startPreview({ module, log: (l) => log.push(l), ...options });
  previews.push(p);
  return p;
}

export const siteOrigin = (p: Preview) => p.site.replace(/\/$/, '');
export const get = (p: Preview) => send(`${p.api}/items`, { headers: { Origin: siteOrigin(p) } });
