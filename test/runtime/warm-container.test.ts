import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpEvent,
  importNodeCors,
  restEvent,
  runPythonVectors,
  writeLambda,
  type NodeCorsModule,
  type RenderedLambda,
  type Vector,
} from '../support/lambda-harness.js';

// One execution environment serves request after request with the same module state. These tests make sure
// nothing of one request's answer survives into the next one's.

const ENV = {
  ALLOWED_ORIGINS: 'https://app.example.com https://*.example.org',
  ALLOW_CREDENTIALS: 'true',
  ALLOW_HEADERS: 'Content-Type',
  EXPOSE_HEADERS: 'X-Request-Id',
  CORS_MODE: 'lambda',
  ENFORCE_ORIGIN: 'false',
};

/** Origins in rotation, with the ACAO each must get (undefined: none). */
const ROTATION: readonly [string | undefined, string | undefined][] = [
  ['https://app.example.com', 'https://app.example.com'],
  ['https://evil.example.net', undefined],
  ['https://shop.example.org', 'https://shop.example.org'],
  [undefined, undefined],
  ['null', undefined],
  ['https://APP.example.com', 'https://APP.example.com'],
  ['https://app.example.com.evil.io', undefined],
];

function requestAt(i: number): { event: unknown; acao: string | undefined } {
  const [origin, acao] = ROTATION[i % ROTATION.length]!;
  const event = i % 3 === 0 ? httpEvent(origin) : restEvent(origin, i % 2 === 0 ? 'origin' : 'Origin');
  return { event, acao };
}

function expectedHeaders(acao: string | undefined): Record<string, string> {
  const app = { 'Content-Type': 'application/json', 'X-Request-Id': 'fixed' };
  if (acao === undefined) return { ...app, Vary: 'Accept-Encoding, Origin' };
  return {
    ...app,
    'Access-Control-Allow-Origin': acao,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'X-Request-Id',
    Vary: 'Accept-Encoding, Origin',
  };
}

const APP_RESULT = {
  statusCode: 200,
  headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'fixed', Vary: 'Accept-Encoding' },
  body: '{}',
};

describe('warm container: the Node wrapper', () => {
  let lambda: RenderedLambda;
  let cors: NodeCorsModule;
  beforeAll(async () => {
    lambda = writeLambda('nodejs22.x');
    cors = await importNodeCors(lambda.dir);
  });
  afterAll(() => lambda.cleanup());

  it('answers alternating origins on one handler instance without leaking one into another', async () => {
    const shared = structuredClone(APP_RESULT);
    const handler = cors.createHandler(() => shared, cors.configFromEnv(ENV));
    for (let i = 0; i < 70; i++) {
      const { event, acao } = requestAt(i);
      const response = (await handler(event, {})) as { headers: Record<string, string> };
      expect(response.headers, `request ${i}`).toEqual(expectedHeaders(acao));
    }
    expect(shared).toEqual(APP_RESULT);
  });

  it('never writes into the headers object the app returns every time', async () => {
    const shared = structuredClone(APP_RESULT);
    const handler = cors.createHandler(async () => shared, cors.configFromEnv(ENV));
    const first = (await handler(requestAt(0).event, {})) as { headers: Record<string, string> };
    expect(first.headers).not.toBe(shared.headers);
    expect(shared.headers).toEqual(APP_RESULT.headers);
    // A caller changing one response must not change the next one either.
    first.headers['Access-Control-Allow-Origin'] = 'https://tampered.example';
    const second = (await handler(requestAt(1).event, {})) as { headers: Record<string, string> };
    expect(second.headers).toEqual(expectedHeaders(undefined));
    expect(shared.headers).toEqual(APP_RESULT.headers);
  });

  it('keeps concurrent invocations apart (each awaits the app in between)', async () => {
    const shared = structuredClone(APP_RESULT);
    const handler = cors.createHandler(async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return shared;
    }, cors.configFromEnv(ENV));
    const requests = Array.from({ length: 50 }, (_, i) => requestAt(i));
    const responses = (await Promise.all(requests.map((r) => handler(r.event, {})))) as {
      headers: Record<string, string>;
    }[];
    responses.forEach((response, i) =>
      expect(response.headers, `request ${i}`).toEqual(expectedHeaders(requests[i]!.acao)),
    );
    expect(shared).toEqual(APP_RESULT);
  });
});

describe('warm container: the Python wrapper', () => {
  let lambda: RenderedLambda;
  beforeAll(() => {
    lambda = writeLambda('python3.13');
  });
  afterAll(() => lambda.cleanup());

  it("answers alternating origins on one handler instance without leaking or mutating the app's dict", () => {
    const requests = Array.from({ length: 70 }, (_, i) => requestAt(i));
    const vector: Vector = {
      name: 'rotation',
      env: ENV,
      app: { return: APP_RESULT },
      requests: requests.map((r) => ({ event: r.event })),
    };
    const [outcomes] = runPythonVectors(lambda.dir, [vector]);
    expect(outcomes).toHaveLength(requests.length);
    outcomes!.forEach((outcome, i) => {
      expect(outcome, `request ${i}`).toEqual({
        response: { ...APP_RESULT, headers: expectedHeaders(requests[i]!.acao) },
        appCalled: true,
        errorLogged: false,
        appResultUnchanged: true,
        eventUnchanged: true,
      });
    });
  });
});
