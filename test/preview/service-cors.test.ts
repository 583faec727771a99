import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import {
  FIXTURES,
  editModule,
  generateModules,
  header,
  removeResources,
  send,
  sendRaw,
  type GeneratedModules,
} from '../support/preview.js';

let modules: GeneratedModules;
const previews: Preview[] = [];
const logs: string[] = [];

async function serve(dir: string): Promise<Preview & { siteOrigin: string; foreignOrigin: string }> {
  const p = await startPreview({ module: dir, log: (l) => logs.push(l) });
  previews.push(p);
  return Object.assign(p, { siteOrigin: p.site.replace(/\/$/, ''), foreignOrigin: p.foreignSite.replace(/\/$/, '') });
}

/** The user-owned app replaced by one that answers with the event it got, and a CORS header of its own. */
const PY_ECHO =
  'import json\n\ndef handle(event, context):\n    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "https://evil.test", "X-Request-Id": "r-1"}, "body": json.dumps(event)}\n';
const NODE_ECHO =
  "export async function handle(event) {\n  return { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': 'https://evil.test' }, body: JSON.stringify(event) };\n}\n";

beforeAll(async () => {
  modules = await generateModules([
    { name: 'http-python', spec: path.join(FIXTURES, 'http-python.yaml') },
    { name: 'function-url-node', spec: path.join(FIXTURES, 'function-url-node.yaml') },
  ]);
});
afterAll(async () => {
  await Promise.all(previews.map((p) => p.close()));
  modules.cleanup();
});

const preflight = (url: string, origin: string, method = 'PUT', headers = 'authorization,content-type') =>
  send(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  });

describe('HTTP API: CORS owned by the service', () => {
  let p: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const dir = modules.copy('http-python');
    writeFileSync(path.join(dir, 'lambda/app.py'), PY_ECHO);
    p = await serve(dir);
  });

  it('serves the $default stage at the root', () => {
    expect(p.kind).toBe('http');
    expect(p.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(p.routes).toEqual([
      { path: '/cart', methods: ['GET', 'PUT'], options: false },
      { path: '/cart/{lineId}', methods: ['GET', 'DELETE'], options: false },
    ]);
  });

  it('answers a preflight itself (204, assumed) with the configured headers', async () => {
    const r = await preflight(`${p.api}/cart`, p.siteOrigin);
    expect(r.status).toBe(204);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(header(r, 'access-control-allow-credentials')).toBe('true');
    expect(header(r, 'access-control-allow-methods')).toBe('GET,PUT,DELETE');
    expect(header(r, 'access-control-allow-headers')).toBe('Content-Type,Authorization');
    expect(header(r, 'access-control-max-age')).toBe('600');
  });

  it('answers a preflight even for a path no route has', async () => {
    expect((await preflight(`${p.api}/not/a/route`, p.siteOrigin)).status).toBe(204);
  });

  it('sends no CORS header at all to an origin it does not allow (assumed)', async () => {
    const r = await preflight(`${p.api}/cart`, p.foreignOrigin);
    expect(r.status).toBe(204);
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it("replaces the backend's CORS headers with the configured ones", async () => {
    const r = await send(`${p.api}/cart`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(200);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(header(r, 'access-control-expose-headers')).toBe('X-Request-Id');
    const foreign = await send(`${p.api}/cart`, { headers: { Origin: p.foreignOrigin } });
    expect(header(foreign, 'access-control-allow-origin')).toBeUndefined();
  });

  it('builds a payload 2.0 event: lower-case headers joined with commas, cookies apart, the route key', async () => {
    const r = await sendRaw(`${p.api}/cart/line-9?a=1&a=2`, 'DELETE', [
      ['Origin', p.siteOrigin],
      ['X-Multi', 'one'],
      ['x-multi', 'two'],
      ['Cookie', 'session=abc; theme=dark'],
    ]);
    const event = JSON.parse(r.body) as Record<string, any>;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'DELETE /cart/{lineId}',
      rawPath: '/cart/line-9',
      rawQueryString: 'a=1&a=2',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2' },
      pathParameters: { lineId: 'line-9' },
      isBase64Encoded: false,
    });
    expect(event['headers']).toMatchObject({ origin: p.siteOrigin, 'x-multi': 'one,two' });
    expect(event['headers']['cookie']).toBeUndefined();
    expect(event['requestContext']).toMatchObject({
      http: { method: 'DELETE', path: '/cart/line-9' },
      stage: '$default',
      routeKey: 'DELETE /cart/{lineId}',
    });
  });

  it('answers a path without a route with {"message":"Not Found"}, CORS headers included (assumed)', async () => {
    const r = await send(`${p.api}/nothing`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ message: 'Not Found' });
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
  });

  it('routes an OPTIONS that is not a preflight like any other method (no route: 404)', async () => {
    expect((await send(`${p.api}/cart`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it("sends payload 1.0 when the integration says 1.0 (Terraform's default)", async () => {
    const dir = modules.copy('http-python');
    writeFileSync(path.join(dir, 'lambda/app.py'), PY_ECHO);
    editModule(dir, 'main.tf', 'payload_format_version = "2.0"', 'payload_format_version = "1.0"');
    const v1 = await serve(dir);
    const event = JSON.parse((await send(`${v1.api}/cart`, { headers: { Origin: v1.siteOrigin } })).body) as Record<
      string,
      unknown
    >;
    expect(event['httpMethod']).toBe('GET');
    expect(event['multiValueHeaders']).toBeDefined();
    expect(event['version']).toBeUndefined();
  });

  it('answers a function that crashes with 500 {"message":"Internal Server Error"}', async () => {
    const dir = modules.copy('http-python');
    writeFileSync(path.join(dir, 'lambda/handler.py'), 'def handler(event, context):\n    raise ValueError("no")\n');
    const crashing = await serve(dir);
    const r = await send(`${crashing.api}/cart`, { headers: { Origin: crashing.siteOrigin } });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ message: 'Internal Server Error' });
    expect(header(r, 'access-control-allow-origin')).toBe(crashing.siteOrigin);
  });
});

describe('Function URL: CORS owned by the service', () => {
  let p: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const dir = modules.copy('function-url-node');
    writeFileSync(path.join(dir, 'lambda/app.mjs'), NODE_ECHO);
    p = await serve(dir);
  });

  it('answers a preflight from the configuration (200, assumed)', async () => {
    const r = await preflight(`${p.api}/anything`, p.siteOrigin, 'DELETE', 'authorization');
    expect(r.status).toBe(200);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(header(r, 'access-control-allow-methods')).toBe('GET,POST,DELETE');
    expect(header(r, 'access-control-allow-credentials')).toBe('true');
  });

  it('sends every path to the function with a payload 2.0 event, the configured CORS headers winning', async () => {
    const r = await send(`${p.api}/any/path?q=1`, {
      method: 'POST',
      headers: { Origin: p.siteOrigin, 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    expect(r.status).toBe(200);
    const event = JSON.parse(r.body) as Record<string, any>;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/any/path',
      rawQueryString: 'q=1',
      body: 'hello',
      isBase64Encoded: false,
    });
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
  });

  it('base64-encodes a binary body', async () => {
    const r = await send(`${p.api}/upload`, {
      method: 'POST',
      headers: { Origin: p.siteOrigin, 'Content-Type': 'application/octet-stream' },
      body: 'AB',
    });
    expect(JSON.parse(r.body)).toMatchObject({ body: 'QUI=', isBase64Encoded: true });
  });

  it("drops the function's CORS headers for an origin the configuration does not allow", async () => {
    const r = await send(`${p.api}/x`, { headers: { Origin: p.foreignOrigin } });
    expect(r.status).toBe(200);
    expect(header(r, 'access-control-allow-origin')).toBeUndefined();
  });

  it('answers 403 AccessDeniedException without the lambda:InvokeFunction grant (required since Oct 2025)', async () => {
    const dir = modules.copy('function-url-node');
    removeResources(dir, ['aws_lambda_permission.function_url_invoke']);
    const denied = await serve(dir);
    const r = await send(`${denied.api}/x`, { headers: { Origin: denied.siteOrigin } });
    expect(r.status).toBe(403);
    expect(header(r, 'x-amzn-errortype')).toBe('AccessDeniedException');
    expect(r.body).toContain('Function URL authorization');
  });
});
