import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { corsEnvironment } from '../../src/render/lambda-code.js';
import {
  httpEvent,
  importNodeCors,
  PYTHON,
  restEvent,
  testModel,
  writeLambda,
  type LambdaHandler,
  type NodeCorsModule,
  type RenderedLambda,
} from '../support/lambda-harness.js';

// The entry points as Lambda loads them: configuration from the environment at cold start, the starter app.

const ORIGIN = 'https://app.example.com';
const ENV = corsEnvironment(testModel(), [ORIGIN, 'https://*.example.org']);

function withPath(event: unknown, p: string): unknown {
  const e = structuredClone(event) as Record<string, unknown>;
  if ('rawPath' in e) e['rawPath'] = p;
  else e['path'] = p;
  return e;
}

const postEvent = (() => {
  const e = httpEvent(ORIGIN) as { requestContext: { http: { method: string } }; body?: string };
  e.requestContext.http.method = 'POST';
  e.body = '{"name":"widget"}';
  return e;
})();

const CORS_OK = {
  'Access-Control-Allow-Origin': ORIGIN,
  'Access-Control-Expose-Headers': 'X-Request-Id',
  Vary: 'Origin',
};

describe('the Node entry point (index.mjs with the starter app.mjs)', () => {
  let lambda: RenderedLambda;
  let handler: LambdaHandler;
  let index: Record<string, unknown>;
  const saved: Record<string, string | undefined> = {};
  let imports = 0;

  async function importIndex(env: Record<string, string>): Promise<Record<string, unknown>> {
    for (const key of Object.keys(env)) {
      saved[key] ??= process.env[key];
      process.env[key] = env[key];
    }
    // A query string gives a fresh module instance: a new cold start.
    return (await import(`${pathToFileURL(path.join(lambda.dir, 'index.mjs')).href}?cold=${++imports}`)) as Record<
      string,
      unknown
    >;
  }

  beforeAll(async () => {
    lambda = writeLambda('nodejs22.x');
    index = await importIndex(ENV);
    handler = index['handler'] as LambdaHandler;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    lambda.cleanup();
  });

  it('answers a REST request with the echo body and the CORS headers from the environment', async () => {
    const response = await handler(restEvent(ORIGIN), { awsRequestId: 'req-1' });
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1', ...CORS_OK },
      body: JSON.stringify({ method: 'GET', path: '/items', query: {}, body: null }),
    });
  });

  it('echoes a JSON body of an HTTP API POST', async () => {
    const response = (await handler(postEvent, {})) as { body: string };
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', path: '/items', query: {}, body: { name: 'widget' } });
  });

  it("turns the starter app's example failure into a JSON 500 with CORS headers, and logs it", async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await handler(withPath(restEvent(ORIGIN), '/items/error'), {});
    expect(response).toEqual({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json', ...CORS_OK },
      body: '{"message":"Internal Server Error"}',
    });
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[1])).toContain('Example failure');
  });

  it('adds CORS headers to the 404 the starter app returns', async () => {
    const response = (await handler(withPath(httpEvent(ORIGIN), '/items/missing'), {})) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(response.statusCode).toBe(404);
    expect(response.headers).toMatchObject(CORS_OK);
  });

  it('reads the environment once, at cold start', async () => {
    process.env['ALLOWED_ORIGINS'] = 'https://other.example.com';
    const response = (await handler(restEvent(ORIGIN), {})) as { headers: Record<string, string> };
    expect(response.headers['Access-Control-Allow-Origin']).toBe(ORIGIN);
    const fresh = (await importIndex({ ...ENV, ALLOWED_ORIGINS: 'https://other.example.com' }))[
      'handler'
    ] as LambdaHandler;
    const refused = (await fresh(restEvent(ORIGIN), {})) as { headers: Record<string, string> };
    expect(refused.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('re-exports createHandler and configFromEnv for tests and local runs', () => {
    expect(typeof index['createHandler']).toBe('function');
    expect(typeof index['configFromEnv']).toBe('function');
  });

  it('fails at cold start, naming the variable, when the environment is invalid', async () => {
    await expect(importIndex({ ...ENV, CORS_MODE: 'gateway' })).rejects.toThrow(
      /CORS_MODE must be "lambda" or "service", not "gateway"/,
    );
  });
});

describe('configFromEnv and createHandler (Node)', () => {
  let lambda: RenderedLambda;
  let cors: NodeCorsModule;
  beforeAll(async () => {
    lambda = writeLambda('nodejs24.x');
    cors = await importNodeCors(lambda.dir);
  });
  afterAll(() => lambda.cleanup());

  it("parses the environment that corsEnvironment writes back into the model's settings", () => {
    const model = { ...testModel(), cors: { ...testModel().cors, allowCredentials: true, enforceOrigin: true } };
    expect(cors.configFromEnv(corsEnvironment(model, ['https://a.example.com', 'https://*.example.org']))).toEqual({
      allowedOrigins: ['https://a.example.com', 'https://*.example.org'],
      allowCredentials: true,
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['X-Request-Id'],
      mode: 'lambda',
      enforceOrigin: true,
    });
    expect(cors.configFromEnv(corsEnvironment(testModel({ api: 'function-url' }), ['*'])).mode).toBe('service');
  });

  it('treats unset variables as an empty allowlist in lambda mode without credentials', () => {
    expect(cors.configFromEnv({})).toEqual({
      allowedOrigins: [],
      allowCredentials: false,
      allowHeaders: [],
      exposeHeaders: [],
      mode: 'lambda',
      enforceOrigin: false,
    });
  });

  it.each([
    ['ALLOW_CREDENTIALS', 'yes'],
    ['ENFORCE_ORIGIN', '1'],
    ['CORS_MODE', 'LAMBDA'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => cors.configFromEnv({ [name]: value })).toThrow(new RegExp(`${name} must be`));
  });

  it('accepts a synchronous handle as well as an async one', async () => {
    const handler = cors.createHandler(() => ({ statusCode: 204 }), cors.configFromEnv({ ALLOWED_ORIGINS: ORIGIN }));
    expect(await handler(restEvent(ORIGIN), {})).toEqual({
      statusCode: 204,
      headers: { 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' },
    });
  });

  it('turns a synchronous throw into the JSON 500 as well', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const handler = cors.createHandler(
      () => {
        throw new TypeError('boom');
      },
      cors.configFromEnv({ ALLOWED_ORIGINS: ORIGIN }),
    );
    expect(await handler(restEvent(ORIGIN), {})).toMatchObject({
      statusCode: 500,
      headers: { 'Access-Control-Allow-Origin': ORIGIN },
    });
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });

  it('refuses an app without a handle function at cold start', () => {
    expect(() => cors.createHandler(undefined as never, cors.configFromEnv({}))).toThrow(
      /must export `async function handle/,
    );
  });
});

describe('the Python entry point (handler.py with the starter app.py)', () => {
  let lambda: RenderedLambda;
  beforeAll(() => {
    lambda = writeLambda('python3.12');
  });
  afterAll(() => lambda.cleanup());

  /** Imports handler.py in a fresh interpreter (a cold start) with `env`, and calls handler.handler on each event. */
  function runPython(
    env: Record<string, string>,
    events: unknown[],
  ): { status: number | null; stdout: string; stderr: string } {
    const script = [
      'import json, sys',
      "sys.path.insert(0, '.')",
      'import handler',
      'class Context:',
      "    aws_request_id = 'req-1'",
      'events = json.load(sys.stdin)',
      'json.dump([handler.handler(event, Context()) for event in events], sys.stdout)',
    ].join('\n');
    const run = spawnSync(PYTHON, ['-c', script], {
      cwd: lambda.dir,
      input: JSON.stringify(events),
      encoding: 'utf8',
      env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (run.error) throw run.error;
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it('answers with the echo body, the starter 500 and 404, all with the CORS headers from the environment', () => {
    const run = runPython(ENV, [
      restEvent(ORIGIN),
      postEvent,
      withPath(restEvent(ORIGIN), '/items/error'),
      withPath(httpEvent(ORIGIN), '/items/missing'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const [get, post, failed, missing] = JSON.parse(run.stdout) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    }[];
    expect(get!.statusCode).toBe(200);
    expect(get!.headers).toEqual({ 'Content-Type': 'application/json', 'X-Request-Id': 'req-1', ...CORS_OK });
    expect(JSON.parse(get!.body)).toEqual({ method: 'GET', path: '/items', query: {}, body: null });
    expect(JSON.parse(post!.body)).toEqual({ method: 'POST', path: '/items', query: {}, body: { name: 'widget' } });
    expect(failed).toEqual({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json', ...CORS_OK },
      body: '{"message":"Internal Server Error"}',
    });
    expect(missing!.statusCode).toBe(404);
    expect(missing!.headers).toMatchObject(CORS_OK);
    // The failure is logged with its traceback.
    expect(run.stderr).toContain('handle() raised');
    expect(run.stderr).toContain('Example failure');
  });

  it('emits no CORS headers in service mode', () => {
    const run = runPython(corsEnvironment(testModel({ api: 'http' }), [ORIGIN]), [httpEvent(ORIGIN)]);
    expect(run.status, run.stderr).toBe(0);
    const [response] = JSON.parse(run.stdout) as { headers: Record<string, string> }[];
    expect(response!.headers).toEqual({ 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' });
  });

  it('fails at cold start, naming the variable, when the environment is invalid', () => {
    const run = runPython({ ...ENV, ENFORCE_ORIGIN: 'yes' }, []);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ENFORCE_ORIGIN must be "true" or "false", not "yes"');
  });
});
