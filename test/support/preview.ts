/**
 * Shared by the preview tests: generated modules to serve (the bundled example and the fixtures in
 * ./fixtures, generated into a temporary folder with the real generator), small HTTP helpers that talk to
 * the preview on 127.0.0.1, and `cors-gen preview` run as a real process (the built binary).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { generate } from '../../src/synth/generate.js';
import { BIN } from '../cli/capture.js';

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
export async function generateModules(
  specs: readonly { name: string; spec: string }[],
  format: 'hcl' | 'json' = 'hcl',
): Promise<GeneratedModules> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-preview-'));
  // A repository of its own: a spec with lambda.source is copied in with its folder, since the module (and so
  // the preview) refuses code outside the repository that holds the module.
  mkdirSync(path.join(root, '.git'));
  const dirs = new Map<string, string>();
  for (const { name, spec: original } of specs) {
    const out = path.join(root, name);
    let spec = original;
    if (/^\s+source:/m.test(readFileSync(original, 'utf8'))) {
      cpSync(path.dirname(original), path.join(root, `spec-${name}`), { recursive: true });
      spec = path.join(root, `spec-${name}`, path.basename(original));
    }
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
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string[]> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            (headers[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
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

// ---- breaking a module on purpose ----------------------------------------------------------------------------

/** The text of `resource "<type>" "<name>" { ... }` (braces balance in generated HCL, strings included). */
function blockRange(text: string, type: string, name: string): [number, number] {
  const start = text.indexOf(`resource "${type}" "${name}" {`);
  if (start < 0) throw new Error(`no resource ${type}.${name} in the module`);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return [start, text[i + 1] === '\n' ? i + 2 : i + 1];
  }
  throw new Error(`unbalanced resource ${type}.${name}`);
}

/**
 * Removes resources from a module's main.tf, and their mentions in the deployment trigger, as someone editing
 * the module by hand would (Terraform itself refuses a reference to a removed resource).
 */
export function removeResources(dir: string, addresses: readonly string[]): void {
  const file = path.join(dir, 'main.tf');
  let text = readFileSync(file, 'utf8');
  for (const address of addresses) {
    const [type, name] = address.split('.') as [string, string];
    const [from, to] = blockRange(text, type, name);
    text = text.slice(0, from) + text.slice(to);
    text = text.replace(
      new RegExp(`(, )?\\b${address.replace('.', '\\.')}\\b(?![._a-z])(, )?`, 'g'),
      (_m, before?: string, after?: string) => (before && after ? ', ' : ''),
    );
  }
  writeFileSync(file, text);
}

/** Replaces text in a module file (fails when the text is not there, so a test never breaks nothing). */
export function editModule(dir: string, file: string, from: string | RegExp, to: string): void {
  const target = path.join(dir, file);
  const text = readFileSync(target, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing matched ${String(from)}`);
  writeFileSync(target, next);
}

/**
 * A request written byte for byte on a socket (HTTP/1.0, so the answer is not chunked): for header lines Node's
 * client would merge or refuse, such as one name sent twice in two spellings.
 */
export function sendRaw(
  url: string,
  method: string,
  headers: readonly (readonly [string, string])[],
  body = '',
): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const out: Record<string, string[]> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        (out[line.slice(0, i).trim().toLowerCase()] ??= []).push(line.slice(i + 1).trim());
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers: out, body: text.slice(split + 4) });
    });
    const head = [
      `${method} ${u.pathname}${u.search} HTTP/1.0`,
      `Host: ${u.host}`,
      ...headers.map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `cors-gen preview ...` as a real process (the built binary), so signals and the exit code are real. */
export function startCli(args: readonly string[], cwd = REPO): Running {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does it first)`);
  const child = spawn(process.execPath, [BIN, 'preview', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function until(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ports free right now on 127.0.0.1 (bound, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
