/**
 * Shared by the Lambda tests: renders the Lambda code into a temporary folder, loads it (Node in-process, Python
 * through test/runtime/run_vectors.py in one child process) and runs vectors in the format of vectors.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderLambdaCode } from '../../src/render/lambda-code.js';
import type { ApiKind, CorsModel, Runtime } from '../../src/spec/model.js';

/** The runtime tests' folder, which holds the Python runner and the shared vectors. */
const HERE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'runtime');
export const PYTHON_RUNNER = path.join(HERE, 'run_vectors.py');
export const PYTHON = process.env['PYTHON'] ?? 'python3';

/** A fully defaulted model, as src/spec/normalize.ts would produce it. */
export function testModel(overrides: { api?: ApiKind; runtime?: Runtime; allowOrigins?: string[] } = {}): CorsModel {
  return {
    version: 1,
    name: 'orders-api',
    api: overrides.api ?? 'rest',
    stage: 'prod',
    cors: {
      allowOrigins: overrides.allowOrigins ?? ['https://app.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['X-Request-Id'],
      allowCredentials: false,
      maxAge: 600,
      enforceOrigin: false,
    },
    routes: [{ path: '/items', segments: [{ kind: 'literal', value: 'items' }], methods: ['GET', 'POST'] }],
    frontend: { enabled: false, indexDocument: 'index.html' },
    lambda: {
      runtime: overrides.runtime ?? 'nodejs22.x',
      memorySize: 256,
      timeout: 10,
      environment: {},
      policyArns: [],
      policyJson: null,
      layers: [],
      vpc: { subnetIds: [], securityGroupIds: [] },
    },
    stages: [],
  };
}

export interface RenderedLambda {
  /** The `lambda/` folder holding the rendered files. */
  readonly dir: string;
  cleanup(): void;
}

/** Renders the code for `runtime` (generated and user-owned files) into a new temporary folder. */
export function writeLambda(runtime: Runtime): RenderedLambda {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-lambda-'));
  const files = renderLambdaCode(testModel({ runtime }), { specFile: 'cors-gen.yaml', version: '0.0.0-test' });
  for (const [rel, text] of Object.entries({ ...files.generated, ...files.userOwned })) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { dir: path.join(root, 'lambda'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface NodeCorsConfig {
  allowedOrigins: string[];
  allowCredentials: boolean;
  allowHeaders: string[];
  exposeHeaders: string[];
  mode: 'lambda' | 'service';
  enforceOrigin: boolean;
}

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** The exports of the rendered cors.mjs. */
export interface NodeCorsModule {
  configFromEnv(env: Record<string, string | undefined>): NodeCorsConfig;
  createHandler(handle: (event: unknown, context: unknown) => unknown, config: NodeCorsConfig): LambdaHandler;
  compileOrigins(entries: readonly string[]): { any: boolean; allows(origin: string | undefined): boolean };
}

export async function importNodeCors(dir: string): Promise<NodeCorsModule> {
  return (await import(pathToFileURL(path.join(dir, 'cors.mjs')).href)) as NodeCorsModule;
}

// ---- vectors ------------------------------------------------------------------------------------------------

export interface VectorExpect {
  readonly response: unknown;
  readonly appCalled: boolean;
  readonly errorLogged: boolean;
}

export interface Vector {
  readonly name: string;
  readonly env: Record<string, string>;
  /** The app returns `return` (the same object on every call) or throws an Error with the `throw` message. */
  readonly app: { readonly return: unknown } | { readonly throw: string };
  /** Sent in order to one handler instance. */
  readonly requests: readonly { readonly event: unknown; readonly expect?: VectorExpect }[];
}

export type Outcome =
  | {
      response: unknown;
      appCalled: boolean;
      errorLogged: boolean;
      appResultUnchanged: boolean;
      eventUnchanged: boolean;
    }
  | { crash: string };

export function loadVectors(): Vector[] {
  return (JSON.parse(readFileSync(path.join(HERE, 'vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/**
 * Runs vectors on the rendered Node code. The app's result and the events are deep-frozen, so a wrapper that
 * writes into either fails with a TypeError (modules are strict mode) and shows up as a crash.
 */
export async function runNodeVectors(cors: NodeCorsModule, vectors: readonly Vector[]): Promise<Outcome[][]> {
  const originalError = console.error;
  let errors = 0;
  console.error = () => {
    errors++;
  };
  try {
    const results: Outcome[][] = [];
    for (const vector of vectors) {
      let called = false;
      const shared = 'return' in vector.app ? deepFreeze(structuredClone(vector.app.return)) : undefined;
      const snapshot = JSON.stringify(shared);
      const app = vector.app;
      const handler = cors.createHandler(async () => {
        called = true;
        if ('throw' in app) throw new Error(app.throw);
        return shared;
      }, cors.configFromEnv(vector.env));
      const outcomes: Outcome[] = [];
      for (const request of vector.requests) {
        const event = deepFreeze(structuredClone(request.event));
        const eventSnapshot = JSON.stringify(event);
        called = false;
        errors = 0;
        try {
          const response = await handler(event, {});
          outcomes.push({
            response: JSON.parse(JSON.stringify(response)) as unknown,
            appCalled: called,
            errorLogged: errors > 0,
            appResultUnchanged: JSON.stringify(shared) === snapshot,
            eventUnchanged: JSON.stringify(event) === eventSnapshot,
          });
        } catch (error) {
          outcomes.push({ crash: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        }
      }
      results.push(outcomes);
    }
    return results;
  } finally {
    console.error = originalError;
  }
}

/** Runs vectors on the rendered Python code: one python3 process for all of them. */
export function runPythonVectors(dir: string, vectors: readonly Vector[]): Outcome[][] {
  const run = spawnSync(PYTHON, [PYTHON_RUNNER, dir], {
    input: JSON.stringify({ vectors }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (run.error) throw run.error;
  if (run.status !== 0)
    throw new Error(`${PYTHON} ${path.basename(PYTHON_RUNNER)} exited ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Outcome[][];
}

/** What a vector's requests should produce, in the shape of an Outcome. */
export function expectedOutcomes(vector: Vector): Outcome[] {
  return vector.requests.map((r) => {
    if (!r.expect) throw new Error(`vector ${vector.name} has a request without expect`);
    return { ...r.expect, appResultUnchanged: true, eventUnchanged: true };
  });
}

/** A minimal REST payload 1.0 event carrying `origin` (when defined) under the given header name. */
export function restEvent(origin: string | undefined, headerName = 'Origin'): unknown {
  const headers: Record<string, string> = { Host: 'api.example.com' };
  if (origin !== undefined) headers[headerName] = origin;
  return {
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: { httpMethod: 'GET', path: '/prod/items', stage: 'prod', resourcePath: '/items' },
    body: null,
    isBase64Encoded: false,
  };
}

/** A minimal HTTP API payload 2.0 event carrying `origin` (when defined). */
export function httpEvent(origin: string | undefined): unknown {
  const headers: Record<string, string> = { host: 'api.example.com' };
  if (origin !== undefined) headers['origin'] = origin;
  return {
    version: '2.0',
    routeKey: 'GET /items',
    rawPath: '/items',
    rawQueryString: '',
    headers,
    requestContext: {
      http: { method: 'GET', path: '/items', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1' },
      stage: '$default',
    },
    isBase64Encoded: false,
  };
}
