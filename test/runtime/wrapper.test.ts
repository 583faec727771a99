import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corsEnvironment, renderLambdaCode, WRAPPER_LAYER } from '../../src/render/lambda-code.js';
import type { CorsModel, Runtime } from '../../src/spec/model.js';
import { PYTHON, restEvent, testModel } from '../support/lambda-harness.js';

// The wrapper layer as Lambda runs it: the layer's files in an /opt stand-in, the user's folder as the task root,
// CORS_GEN_HANDLER naming the user's handler. Each case runs a fresh process: a cold start.

const ORIGIN = 'https://app.example.com';
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function sourceModel(runtime: Runtime, handler: string): CorsModel {
  const m = testModel({ runtime });
  return { ...m, lambda: { ...m.lambda, source: { dir: 'backend', handler } } };
}

/** Writes the layer (under opt/) and the user's files (under task/); returns both folders. */
function stage(model: CorsModel, userFiles: Record<string, string>): { opt: string; task: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-wrapper-'));
  roots.push(root);
  const layer = renderLambdaCode(model, { specFile: 'cors-gen.yaml', version: '0' }).generated;
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(layer)) files[path.join('opt', path.relative(WRAPPER_LAYER.dir, p))] = text;
  for (const [p, text] of Object.entries(userFiles)) files[path.join('task', p)] = text;
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
  }
  mkdirSync(path.join(root, 'task'), { recursive: true });
  return { opt: path.join(root, 'opt'), task: path.join(root, 'task') };
}

interface Invocation {
  readonly result: { statusCode: number; headers?: Record<string, string>; body?: string };
  readonly log: string;
}

function invokeNode(
  handler: string,
  userFiles: Record<string, string>,
  runtime: Runtime = 'nodejs22.x',
  event = restEvent(ORIGIN),
): Invocation {
  const model = sourceModel(runtime, handler);
  const { opt, task } = stage(model, userFiles);
  const entry = path.join(opt, 'nodejs/cors-gen/wrapper.mjs');
  const driver =
    'const m = await import(process.argv[1]);' +
    "const r = await m.handler(JSON.parse(process.argv[2]), { awsRequestId: 'req-1' });" +
    'process.stdout.write(JSON.stringify(r));';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', driver, entry, JSON.stringify(event)], {
    cwd: task,
    env: {
      PATH: process.env['PATH'],
      LAMBDA_TASK_ROOT: task,
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      ...corsEnvironment(model, [ORIGIN]),
    },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return { result: JSON.parse(run.stdout) as Invocation['result'], log: run.stderr };
}

function invokePython(handler: string, userFiles: Record<string, string>): Invocation {
  const model = sourceModel('python3.12', handler);
  const { opt, task } = stage(model, userFiles);
  // Lambda's sys.path: the task root first, then the layer's python/ folder.
  const driver = [
    'import json, sys, importlib',
    'sys.path[:0] = [sys.argv[1], sys.argv[2]]',
    `m = importlib.import_module("${WRAPPER_LAYER.python.handler.replace(/\.handler$/, '')}")`,
    'sys.stdout.write(json.dumps(m.handler(json.loads(sys.argv[3]), None)))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', driver, task, path.join(opt, 'python'), JSON.stringify(restEvent(ORIGIN))], {
    cwd: task,
    env: { PATH: process.env['PATH'], LAMBDA_TASK_ROOT: task, ...corsEnvironment(model, [ORIGIN]) },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`python exited ${run.status}: ${run.stderr}`);
  return { result: JSON.parse(run.stdout) as Invocation['result'], log: run.stderr };
}

const OK = "{ statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' }";

describe('the Node wrapper layer', () => {
  it('runs an ESM handler in a folder ("src/app.handler") and adds the CORS headers', () => {
    const { result } = invokeNode('src/app.handler', {
      'src/app.mjs': `export const handler = async (event, context) => ({ statusCode: 200, body: context.awsRequestId });`,
    });
    expect(result).toMatchObject({ statusCode: 200, body: 'req-1' });
    expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' });
  });

  it('loads a .js file as CommonJS without "type": "module", and as ESM with it', () => {
    expect(invokeNode('app.handler', { 'app.js': `exports.handler = async () => (${OK});` }).result.statusCode).toBe(
      200,
    );
    const esm = invokeNode('app.handler', {
      'package.json': '{"type":"module"}',
      'app.js': `export async function handler() { return ${OK}; }`,
    });
    expect(esm.result.statusCode).toBe(200);
    expect(esm.result.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
  });

  it('prefers app.js over app.mjs over app.cjs, as the runtime does', () => {
    const { result } = invokeNode('app.handler', {
      'app.mjs': `export const handler = async () => ({ statusCode: 201 });`,
      'app.cjs': `exports.handler = async () => ({ statusCode: 202 });`,
    });
    expect(result.statusCode).toBe(201);
  });

  it('resolves nested exports ("app.routes.list")', () => {
    const { result } = invokeNode('app.routes.list', {
      'app.mjs': `export const routes = { list: async () => ({ statusCode: 203 }) };`,
    });
    expect(result.statusCode).toBe(203);
  });

  it('runs a callback-style handler (three parameters)', () => {
    const { result } = invokeNode('app.handler', {
      'app.cjs': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { statusCode: 204 }), 1); };`,
    });
    expect(result.statusCode).toBe(204);
  });

  it('refuses a callback-style handler on nodejs24.x, as that runtime does, with a 500 that carries the CORS headers', () => {
    const { result, log } = invokeNode(
      'app.handler',
      { 'app.cjs': 'exports.handler = (event, context, callback) => callback(null, { statusCode: 204 });' },
      'nodejs24.x',
    );
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(log).toContain('Runtime.CallbackHandlerDeprecated');
  });

  it("imports the handler's dependencies from the folder's node_modules", () => {
    const { result } = invokeNode('app.handler', {
      'node_modules/greet/package.json': '{"name":"greet","main":"index.js"}',
      'node_modules/greet/index.js': `exports.greet = () => 'hello';`,
      'app.mjs': `import { greet } from 'greet'; export const handler = async () => ({ statusCode: 200, body: greet() });`,
    });
    expect(result).toMatchObject({ statusCode: 200, body: 'hello' });
  });

  it('answers a thrown error with a 500 that carries the CORS headers', () => {
    const { result, log } = invokeNode('app.handler', {
      'app.mjs': `export const handler = async () => { throw new Error('kaboom'); };`,
    });
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(log).toContain('kaboom');
  });

  it.each([
    ['a missing file', 'missing.handler', {}, 'Runtime.ImportModuleError'],
    ['a missing export', 'app.handler', { 'app.mjs': 'export const other = 1;' }, 'Runtime.HandlerNotFound'],
    [
      'an export that is not a function',
      'app.handler',
      { 'app.mjs': 'export const handler = 1;' },
      'is not a function',
    ],
    ['a syntax error', 'app.handler', { 'app.cjs': 'exports.handler = (' }, 'Runtime.UserCodeSyntaxError'],
    ['a ".." in the handler', 'a/../app.handler', {}, 'Runtime.MalformedHandlerName'],
  ])('answers every request with a 500 with CORS headers for %s, and logs why', (_, handler, files, logged) => {
    const { result, log } = invokeNode(handler, files);
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(log).toContain(logged);
  });
});

describe('the Python wrapper layer', () => {
  it('runs the handler and adds the CORS headers; a user cors.py does not replace the wrapper', () => {
    const { result } = invokePython('app.handler', {
      'cors.py': 'raise RuntimeError("the user\'s cors.py was imported by the wrapper")\n',
      'app.py': 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n',
    });
    expect(result).toMatchObject({ statusCode: 200, body: 'ok' });
    expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN });
  });

  it('resolves a handler in a folder ("src/app.handler") as src.app', () => {
    const { result } = invokePython('src/app.handler', {
      'src/app.py': 'def handler(event, context):\n    return {"statusCode": 201}\n',
    });
    expect(result.statusCode).toBe(201);
  });

  it.each([
    ['a missing module', 'missing.handler', {}, 'Runtime.ImportModuleError'],
    ['a missing function', 'app.handler', { 'app.py': 'x = 1\n' }, 'Runtime.HandlerNotFound'],
    [
      'a raised exception',
      'app.handler',
      { 'app.py': 'def handler(e, c):\n    raise ValueError("kaboom")\n' },
      'kaboom',
    ],
  ])('answers %s with a 500 that carries the CORS headers', (_, handler, files, logged) => {
    const { result, log } = invokePython(handler, files);
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(log).toContain(logged);
  });
});
