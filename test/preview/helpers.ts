/**
 * Shared by the preview tests: generated modules to serve (the bundled example and the fixtures in
 * ./fixtures, generated into a temporary folder with the real generator), and small HTTP helpers that talk to
 * the preview on 127.0.0.1.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../src/commands/generate.js';

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIXTURES = path.join(REPO, 'test/preview/fixtures');

/** Every spec the preview is tested with: the repository's examples, then the preview fixtures. */
export function exampleSpecs(): { name: string; spec: string }[] {
  const examples = readdirSync(path.join(REPO, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, spec: path.join(REPO, 'examples', d.name, 'cors-gen.yaml') }));
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), spec: path.join(FIXTURES, f) }));
  return [...examples, ...fixtures];
}

export interface GeneratedModules {
  /** The module folder of each spec, by name. */
  readonly dirs: ReadonlyMap<string, string>;
  /** A copy of one module, to break on purpose. */
  copy(name: string): string;
  cleanup(): void;
}

/** Generates modules (HCL, or JSON with `format`) into a new temporary folder. */
export async function generateModules(specs: readonly { name: string; spec: string }[], format: 'hcl' | 'json' = 'hcl'): Promise<GeneratedModules> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-preview-'));
  const dirs = new Map<string, string>();
  for (const { name, spec } of specs) {
    const out = path.join(root, name);
    const result = await generate({ spec, out, format, cwd: REPO });
    if (!('dir' in result) || !result.ok) throw new Error(`generating ${name} failed: ${JSON.stringify(result)}`);
    dirs.set(name, path.resolve(REPO, result.dir));
  }
  let copies = 0;
  return {
    dirs,
    copy(name) {
      const target = path.join(root, `copy-${copies++}-${name}`);
      cpSync(dirs.get(name)!, target, { recursive: true });
      return target;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface Reply {
  readonly status: number;
  /** Lower-case names, every value. */
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
}

/** One HTTP/1.1 request with exactly the given headers (names as written), no agent pooling. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string[]> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) (headers[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The one value of a response header, or undefined; fails when the header appears more than once. */
export function header(reply: Reply, name: string): string | undefined {
  const values = reply.headers[name.toLowerCase()];
  if (values && values.length > 1) throw new Error(`${name} appears ${values.length} times: ${values.join(' | ')}`);
  return values?.[0];
}
