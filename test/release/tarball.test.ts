/**
 * The package as a user installs it: `npm pack`, then `npm install <tarball>` into an empty project, offline, and
 * the CLI and the library used from there. Nothing here reaches a registry: npm runs with --offline and an empty
 * cache, and its registry is a local server that counts connections (the last test asserts there were none).
 * The runtime dependency closure is packed from the repository's node_modules; the CDKTF peers (optional peer
 * dependencies, which npm does not install) are symlinked from there, as a CDKTF project would already have them.
 */
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/capture.js';

interface PackageJson {
  name: string;
  version: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;

let tmp = '';
let app = '';
let env: NodeJS.ProcessEnv = {};
let packed: string[] = [];
let registry: Server;
let registryConnections = 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function ok(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const r = await exec(command, args, cwd);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Starts `preview --json` from `app`, sends one GET to the API and stops it. */
async function previewGet(bin: string, urlPath: string): Promise<{ status: number; body: string }> {
  const child = spawn(process.execPath, [bin, 'preview', '--json'], {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`preview exited ${code}: ${stderr}`)));
    });
    const ready = JSON.parse(line) as { ok: boolean; api: string };
    expect(ready.ok, stderr).toBe(true);
    const response = await fetch(`${ready.api}${urlPath}`);
    return { status: response.status, body: await response.text() };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
  }
}

/** Where Node would find `name` from `dir`: the nearest node_modules/<name> walking up. */
function resolvePackageDir(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (looked up from ${from})`);
  }
}

/** The folders of `deps` and of everything they depend on at runtime, as installed in the repository. */
function dependencyClosure(
  deps: Record<string, string>,
  from: string,
  seen = new Map<string, string>(),
): Map<string, string> {
  for (const name of Object.keys(deps)) {
    const dir = resolvePackageDir(name, from);
    if (seen.has(dir)) continue;
    seen.set(dir, name);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    dependencyClosure({ ...pkg.dependencies, ...pkg.optionalDependencies }, dir, seen);
  }
  return seen;
}

/** Every file an exports/bin target names (conditions flattened). */
function targets(pkg: PackageJson): string[] {
  const out = Object.values(pkg.bin ?? {});
  for (const value of Object.values(pkg.exports ?? {}))
    out.push(...(typeof value === 'string' ? [value] : Object.values(value)));
  return out.map((t) => t.replace(/^\.\//, ''));
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-tarball-'));
  registry = createServer((socket) => {
    registryConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  env = {
    ...process.env,
    npm_config_registry: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`,
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
  delete env.npm_config_prefix;
  const tarballs = path.join(tmp, 'tarballs');
  mkdirSync(tarballs);
  // On publication `prepack` runs build + build:types. Here dist/ is already built (`npm test` builds first), and
  // rebuilding it would swap dist/ under the other test files that run the CLI meanwhile: only the declarations
  // are written (in place), and the pack runs without scripts.
  await ok('npm', ['run', 'build:types'], ROOT);
  const pack = await ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs], ROOT);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = info!.files.map((f) => f.path).sort();
  const deps = [...dependencyClosure(PKG.dependencies ?? {}, ROOT).keys()];
  await ok('npm', ['pack', '--ignore-scripts', '--pack-destination', tarballs, ...deps], ROOT);
  app = path.join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const all = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => path.join(tarballs, f));
  await ok('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...all], app);
  for (const peer of Object.keys(PKG.peerDependencies ?? {})) {
    const link = path.join(app, 'node_modules', peer);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(resolvePackageDir(peer, ROOT), link, 'dir');
  }
}, 120_000);

afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

describe('the published tarball', () => {
  it('ships the built code, the schemas and the notices, and no sources or tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/THIRD-PARTY-LICENSES.txt',
      'schema/cors-gen.schema.json',
    ])
      expect(packed).toContain(f);
    for (const c of ['validate', 'generate', 'check', 'preview', 'error'])
      expect(packed).toContain(`schema/output/${c}.schema.json`);
    for (const t of targets(PKG)) {
      // A subpath pattern (`./schema/*`) must match at least one shipped file.
      const pattern = new RegExp(`^${t.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '.+')}$`);
      expect(
        packed.filter((f) => pattern.test(f)),
        `exports/bin target ${t}`,
      ).not.toEqual([]);
    }
    const unwanted = packed.filter(
      (f) =>
        /^(src|test|bench|scripts|examples|generated|templates|docs)\//.test(f) ||
        /\.tsbuildinfo$|\.test\.|\.map$/.test(f) ||
        /^dist\/(cdktf-app|write-json-schema)\./.test(f),
    );
    expect(unwanted).toEqual([]);
    // The code that runs outside cors-gen, as files: copied into modules (lambda/, or layer/ with the user's own
    // code), run by the preview (preview/). cors.d.mts types what dist/cors/origin.d.ts re-exports from it.
    const runtime = [
      'dist/runtime/lambda/cors.d.mts',
      'dist/runtime/lambda/cors.mjs',
      'dist/runtime/lambda/cors.py',
      'dist/runtime/lambda/load-handler.mjs',
      'dist/runtime/lambda/wrapper.mjs',
      'dist/runtime/lambda/wrapper.py',
      'dist/runtime/preview/node-worker.mjs',
      'dist/runtime/preview/python_runner.py',
    ];
    expect(packed.filter((f) => f.startsWith('dist/runtime/'))).toEqual(runtime);
    // Otherwise only JavaScript, declarations, JSON schemas and the notices: nothing else a build might leave in dist/.
    expect(
      packed.filter((f) => !/\.(c?js|d\.ts|json|md|txt)$/.test(f) && f !== 'LICENSE' && !runtime.includes(f)),
    ).toEqual([]);
  });

  it('installs offline and runs the CLI from the project: --version, init, validate, generate, generate --check', async () => {
    const npx = (...args: string[]) => exec('npx', ['--offline', 'cors-gen', ...args], app);
    const version = await npx('--version');
    expect(version.stdout.trim()).toBe(PKG.version);
    expect((await npx('init', '--yes', '--name', 'shop', '--api', 'rest')).code).toBe(0);
    // The editor schema resolves offline, in the installed package.
    const schemaLine = readFileSync(path.join(app, 'cors-gen.yaml'), 'utf8').split('\n')[0];
    expect(schemaLine).toBe('# yaml-language-server: $schema=./node_modules/cors-gen/schema/cors-gen.schema.json');
    expect(existsSync(path.join(app, 'node_modules', 'cors-gen', 'schema', 'cors-gen.schema.json'))).toBe(true);
    expect((await npx('validate')).code).toBe(0);
    const generated = await npx('generate');
    expect(generated.code, generated.stderr).toBe(0);
    expect(existsSync(path.join(app, 'generated', 'shop', 'main.tf'))).toBe(true);
    // The Lambda wrapper is copied from dist/runtime/ behind its header.
    const cors = readFileSync(path.join(app, 'generated', 'shop', 'lambda', 'cors.mjs'), 'utf8');
    expect(cors.endsWith(readFileSync(path.join(ROOT, 'src', 'runtime', 'lambda', 'cors.mjs'), 'utf8'))).toBe(true);
    // preview runs that code in its worker, a file found in the installed dist/runtime/.
    const answer = await previewGet(path.join(app, 'node_modules', 'cors-gen', 'dist', 'cli', 'bin.js'), '/items');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', path: '/items' });
    const check = await npx('generate', '--check');
    expect(check.code, check.stderr).toBe(0);
    writeFileSync(path.join(app, 'generated', 'shop', 'main.tf'), '# edited\n');
    expect((await npx('generate', '--check')).code).toBe(1);
  });

  it('imports the library and synthesizes a CDKTF stack with its constructs', async () => {
    writeFileSync(
      path.join(app, 'stack.mjs'),
      `import { loadSpec } from 'cors-gen';
import { CorsLambda, CorsRestApi } from 'cors-gen/constructs';
import { TerraformStack, Testing } from 'cdktf';

const loaded = await loadSpec('cors-gen.yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const m = loaded.model;
const stack = new TerraformStack(Testing.app(), 'stack');
const lambda = new CorsLambda(stack, 'lambda', { functionName: m.name, handler: 'index.handler', runtime: m.lambda.runtime, memorySize: m.lambda.memorySize, timeout: m.lambda.timeout, environment: {}, logRetentionDays: 14 });
new CorsRestApi(stack, 'api', { name: m.name, stageName: m.stage, routes: m.routes, cors: m.cors, handler: lambda.function });
console.log(JSON.stringify(Object.keys(JSON.parse(Testing.synth(stack)).resource).sort()));
`,
    );
    const r = await exec(process.execPath, ['stack.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      expect.arrayContaining(['aws_api_gateway_rest_api', 'aws_api_gateway_deployment', 'aws_lambda_function']),
    );
  });

  it('never contacted the registry', () => {
    expect(registryConnections).toBe(0);
  });
});
