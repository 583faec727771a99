import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaCode } from '../../src/preview/lambda/environments.js';
import { LambdaPool } from '../../src/preview/lambda/pool.js';
import { FIXTURES, REPO, generateModules, type GeneratedModules } from '../support/preview.js';

const ENV = {
  ALLOWED_ORIGINS: 'https://app.example.com http://127.0.0.1:9',
  ALLOW_CREDENTIALS: 'true',
  ALLOW_HEADERS: 'Content-Type,Authorization',
  EXPOSE_HEADERS: 'X-Request-Id',
  CORS_MODE: 'lambda',
  ENFORCE_ORIGIN: 'false',
};

function code(dir: string, over: Partial<LambdaCode> = {}): LambdaCode {
  return {
    address: 'aws_lambda_function.handler',
    functionName: 'test-fn',
    dir,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    environment: ENV,
    timeoutSeconds: 5,
    memoryMb: 128,
    ...over,
  };
}

function restEvent(pathText: string, origin?: string) {
  const headers: Record<string, string> = origin ? { Origin: origin } : {};
  return {
    resource: '/orders/{orderId}',
    path: pathText,
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    requestContext: { httpMethod: 'GET', stage: 'prod' },
    body: null,
    isBase64Encoded: false,
  };
}

/** A folder with one handler file, for behaviours the generated code does not have (hangs, crashes, state). */
function scratchLambda(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-lambda-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const pools: LambdaPool[] = [];
const dirs: string[] = [];
function pool(c: LambdaCode, options: ConstructorParameters<typeof LambdaPool>[1] = {}): LambdaPool {
  const p = new LambdaPool(c, options);
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the generated Node code runs for real in a worker', () => {
  const lines: string[] = [];
  let p: LambdaPool;
  beforeAll(() => {
    p = pool(code(path.join(REPO, 'generated/orders-api/lambda')), { log: (l) => lines.push(l) });
  });

  it('answers with the CORS headers its environment variables ask for', async () => {
    const r = await p.invoke(restEvent('/orders/o-1', 'http://127.0.0.1:9'), 'req-1');
    expect(r.ok).toBe(true);
    const result = JSON.parse((r as { payload: string }).payload) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['Access-Control-Allow-Origin']).toBe('http://127.0.0.1:9');
    expect(result.headers['Access-Control-Allow-Credentials']).toBe('true');
    expect(result.headers['X-Request-Id']).toBe('req-1');
  });

  it('does not echo an origin its environment does not allow', async () => {
    const r = await p.invoke(restEvent('/orders/o-1', 'http://127.0.0.1:10'), 'req-2');
    const result = JSON.parse((r as { payload: string }).payload) as { headers: Record<string, string> };
    expect(result.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('turns the app error of /error into a 500 with CORS headers, and logs it (not on stdout)', async () => {
    const r = await p.invoke(restEvent('/orders/error', 'https://app.example.com'), 'req-3');
    const result = JSON.parse((r as { payload: string }).payload) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(result.statusCode).toBe(500);
    expect(result.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.join('\n')).toContain('handle() threw');
  });
});

describe('execution environments', () => {
  it('keeps module state between invocations of a warm environment', async () => {
    const dir = scratchLambda({
      'index.mjs':
        'let n = 0; export const handler = async () => ({ n: ++n, region: process.env.AWS_REGION, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });',
    });
    dirs.push(dir);
    const p = pool(code(dir), { maxEnvironments: 1 });
    await p.invoke({}, 'a');
    const r = await p.invoke({}, 'b');
    expect(JSON.parse((r as { payload: string }).payload)).toEqual({ n: 2, region: 'us-east-1', fn: 'test-fn' });
  });

  it('times out after the function timeout and starts a fresh environment for the next call', async () => {
    const dir = scratchLambda({
      'index.mjs':
        'let n = 0; export const handler = async (e) => { n++; if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return n; };',
    });
    dirs.push(dir);
    const p = pool(code(dir, { timeoutSeconds: 1 }), { maxEnvironments: 1 });
    const started = Date.now();
    const r = await p.invoke({ hang: true }, 'a');
    expect(r).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout' });
    expect(Date.now() - started).toBeLessThan(5000);
    const next = await p.invoke({}, 'b');
    expect(next).toEqual({ ok: true, payload: '1' });
  });

  it('reports a crashed environment as a function error and recovers', async () => {
    const dir = scratchLambda({
      'index.mjs': 'export const handler = async (e) => { if (e.exit) process.exit(3); return "ok"; };',
    });
    dirs.push(dir);
    const p = pool(code(dir), { maxEnvironments: 1 });
    expect(await p.invoke({ exit: true }, 'a')).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
    expect(await p.invoke({}, 'b')).toEqual({ ok: true, payload: '"ok"' });
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const dir = scratchLambda({ 'index.mjs': 'export const other = 1;' });
    dirs.push(dir);
    expect(await pool(code(dir)).invoke({}, 'a')).toMatchObject({ ok: false, errorType: 'Runtime.HandlerNotFound' });
  });

  it('throttles past the queue limit instead of queueing without bound', async () => {
    const dir = scratchLambda({
      'index.mjs': 'export const handler = () => new Promise((r) => setTimeout(() => r("done"), 300));',
    });
    dirs.push(dir);
    const p = pool(code(dir), { maxEnvironments: 1, maxQueued: 1 });
    const results = await Promise.all([p.invoke({}, '1'), p.invoke({}, '2'), p.invoke({}, '3')]);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.errorType === 'TooManyRequestsException')).toHaveLength(1);
  });
});

describe('the generated Python code runs for real in python3', () => {
  let modules: GeneratedModules;
  let p: LambdaPool;
  const lines: string[] = [];
  beforeAll(async () => {
    modules = await generateModules([{ name: 'http-python', spec: path.join(FIXTURES, 'http-python.yaml') }]);
    p = pool(
      code(path.join(modules.dirs.get('http-python')!, 'lambda'), {
        handler: 'handler.handler',
        runtime: 'python3.12',
        environment: { ...ENV, CORS_MODE: 'service' },
      }),
      { log: (l) => lines.push(l) },
    );
  });
  afterAll(() => modules.cleanup());

  it('answers a payload 2.0 event without CORS headers (the service owns them)', async () => {
    const event = {
      version: '2.0',
      rawPath: '/cart',
      headers: { origin: 'https://app.example.com' },
      requestContext: { http: { method: 'GET', path: '/cart' } },
      isBase64Encoded: false,
    };
    const r = await p.invoke(event, 'py-1');
    expect(r.ok).toBe(true);
    const result = JSON.parse((r as { payload: string }).payload) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['X-Request-Id']).toBe('py-1');
    expect(Object.keys(result.headers).some((h) => h.toLowerCase().startsWith('access-control-'))).toBe(false);
    expect(JSON.parse(result.body)).toMatchObject({ method: 'GET', path: '/cart' });
  });

  it('keeps the protocol channel clean when the handler prints, and logs its traceback', async () => {
    const event = {
      version: '2.0',
      rawPath: '/cart/error',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/cart/error' } },
    };
    const r = await p.invoke(event, 'py-2');
    expect(JSON.parse((r as { payload: string }).payload)).toMatchObject({ statusCode: 500 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.join('\n')).toMatch(/RuntimeError|Example failure/);
  });

  it('reports an import failure of the handler module as Runtime.ImportModuleError', async () => {
    const dir = scratchLambda({ 'handler.py': 'raise ValueError("broken at import")\n' });
    dirs.push(dir);
    const broken = pool(code(dir, { handler: 'handler.handler', runtime: 'python3.12' }));
    expect(await broken.invoke({}, 'a')).toMatchObject({ ok: false, errorType: 'Runtime.ImportModuleError' });
  });
});
