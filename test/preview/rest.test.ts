import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import {
  FIXTURES,
  REPO,
  generateModules,
  header,
  removeResources,
  send,
  sendRaw,
  type GeneratedModules,
} from '../support/preview.js';
import { editOpenApi } from '../support/rest-body.js';

let modules: GeneratedModules;
/** The same modules as JSON, to break their OpenAPI document on purpose. */
let jsonModules: GeneratedModules;
const previews: Preview[] = [];
const logs: string[] = [];

async function serve(
  dir: string,
  options: { stage?: string } = {},
): Promise<Preview & { siteOrigin: string; foreignOrigin: string }> {
  const p = await startPreview({ module: dir, log: (l) => logs.push(l), ...options });
  previews.push(p);
  return Object.assign(p, { siteOrigin: p.site.replace(/\/$/, ''), foreignOrigin: p.foreignSite.replace(/\/$/, '') });
}

beforeAll(async () => {
  const specs = [
    { name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') },
    { name: 'rest-python', spec: path.join(FIXTURES, 'rest-python.yaml') },
  ];
  modules = await generateModules(specs);
  jsonModules = await generateModules(specs, 'json');
});
afterAll(async () => {
  await Promise.all(previews.map((p) => p.close()));
  modules.cleanup();
  jsonModules.cleanup();
});

const preflight = (
  url: string,
  origin: string,
  method = 'PUT',
  headers = 'authorization,content-type',
  originName = 'Origin',
) =>
  send(url, {
    method: 'OPTIONS',
    headers: {
      [originName]: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': headers,
    },
  });

describe('REST API with credentials and several origins (the bundled example)', () => {
  let p: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    p = await serve(modules.dirs.get('orders-api')!);
  });

  it('serves the stage named by the module and advertises its api_url', () => {
    expect(p.kind).toBe('rest');
    expect(p.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
    expect(p.routes.map((r) => r.path)).toEqual(['/health', '/orders', '/orders/{orderId}', '/orders/{orderId}/items']);
  });

  it('answers the preflight from the MOCK integration: static headers, then the VTL override for the site origin', async () => {
    const r = await preflight(`${p.api}/orders/o-1`, p.siteOrigin);
    expect(r.status).toBe(204);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(header(r, 'access-control-allow-credentials')).toBe('true');
    expect(header(r, 'access-control-allow-methods')).toBe('GET,POST,PUT,DELETE');
    expect(header(r, 'access-control-allow-headers')).toBe('Content-Type,Authorization,X-Request-Id');
    expect(header(r, 'access-control-max-age')).toBe('600');
    expect(header(r, 'vary')).toBe('Origin');
  });

  it('finds the origin under a lower-case header name too (the template reads both spellings)', async () => {
    const r = await preflight(`${p.api}/orders`, p.siteOrigin, 'POST', 'content-type', 'origin');
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
  });

  it('leaves the static first origin for an origin the template does not allow', async () => {
    const r = await preflight(`${p.api}/orders/o-1`, p.foreignOrigin);
    expect(r.status).toBe(204);
    expect(header(r, 'access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('answers an unknown path with 403 Missing Authentication Token through DEFAULT_4XX', async () => {
    const r = await send(`${p.api}/nope`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ message: 'Missing Authentication Token' });
    expect(header(r, 'x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    // Credentials and several origins: the gateway response carries the first origin, never an echo.
    expect(header(r, 'access-control-allow-origin')).toBe('https://app.example.com');
    expect(header(r, 'access-control-allow-credentials')).toBe('true');
  });

  it('answers a method the resource does not have with the same 403', async () => {
    const r = await send(`${p.api}/health`, { method: 'DELETE', headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ message: 'Missing Authentication Token' });
  });

  it('answers 403 Forbidden, without gateway responses, for a stage that is not deployed', async () => {
    const r = await send(`${p.api.replace(/\/prod$/, '/staging')}/orders`);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ message: 'Forbidden' });
    expect(header(r, 'access-control-allow-origin')).toBeUndefined();
  });

  it('runs the Lambda code for a real method, which echoes the allowed origin with credentials', async () => {
    const r = await send(`${p.api}/orders/o-7`, {
      method: 'PUT',
      // The token the preview's emulated Cognito authorizer accepts by default.
      headers: { Origin: p.siteOrigin, 'Content-Type': 'application/json', Authorization: 'Bearer preview-token' },
      body: '{"qty":2}',
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ method: 'PUT', path: '/orders/o-7', query: {}, body: { qty: 2 } });
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(header(r, 'access-control-allow-credentials')).toBe('true');
    expect(header(r, 'access-control-expose-headers')).toBe('X-Request-Id');
    expect(header(r, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives the error route a readable 500 from the Lambda wrapper', async () => {
    const r = await send(`${p.api}/orders/error`, {
      headers: { Origin: p.siteOrigin, Authorization: 'Bearer preview-token' },
    });
    expect(r.status).toBe(500);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
  });

  it('refuses a body over 10 MB with 413 through DEFAULT_4XX', async () => {
    const r = await send(`${p.api}/orders`, {
      method: 'POST',
      headers: { Origin: p.siteOrigin, 'Content-Type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(r.status).toBe(413);
    expect(header(r, 'access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('serves the dev stage with the origins of stages/dev.tfvars', async () => {
    const dev = await serve(modules.dirs.get('orders-api')!, { stage: 'dev' });
    expect(dev.api).toMatch(/\/dev$/);
    const r = await preflight(`${dev.api}/orders`, 'http://localhost:3000', 'POST');
    expect(header(r, 'access-control-allow-origin')).toBe('http://localhost:3000');
    const admin = await preflight(`${dev.api}/orders`, 'https://admin.example.com', 'POST');
    // admin is not in the dev stage's list: the static first origin of that list stays.
    expect(header(admin, 'access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

describe('REST API without credentials, a wildcard origin and Python code', () => {
  let p: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const dir = modules.copy('rest-python');
    // The app (user-owned) echoes the event it received, so the test sees payload 1.0 as API Gateway builds it.
    writeFileSync(
      path.join(dir, 'lambda/app.py'),
      'import json\n\ndef handle(event, context):\n    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}\n',
    );
    p = await serve(dir);
  });

  it('overrides Allow-Origin for an origin the one-label wildcard matches, and for no deeper one', async () => {
    const ok = await preflight(`${p.api}/items`, 'https://eu.shop.example.com', 'PATCH', 'x-trace-id');
    expect(header(ok, 'access-control-allow-origin')).toBe('https://eu.shop.example.com');
    const deep = await preflight(`${p.api}/items`, 'https://a.eu.shop.example.com', 'PATCH', 'x-trace-id');
    expect(header(deep, 'access-control-allow-origin')).toBe('https://shop.example.com');
    const suffix = await preflight(`${p.api}/items`, 'https://eu.shop.example.com.evil.test', 'PATCH', 'x-trace-id');
    expect(header(suffix, 'access-control-allow-origin')).toBe('https://shop.example.com');
  });

  it('echoes the request origin in gateway responses (method.request.header.origin)', async () => {
    const r = await send(`${p.api}/unknown`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(403);
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    const none = await send(`${p.api}/unknown`);
    expect(header(none, 'access-control-allow-origin')).toBeUndefined();
  });

  it('builds a payload 1.0 event: headers as sent, every value in multiValueHeaders, path parameters, no stage in path', async () => {
    const r = await sendRaw(
      `${p.api}/items/it%2042?tag=a&tag=b&x=1`,
      'PATCH',
      [
        ['Origin', p.siteOrigin],
        ['X-Trace-Id', 't1'],
        ['x-trace-id', 't2'],
        ['Content-Type', 'application/json'],
      ],
      '{"a":1}',
    );
    expect(r.status).toBe(200);
    const event = JSON.parse(r.body) as Record<string, any>;
    expect(event).toMatchObject({
      resource: '/items/{itemId}',
      path: '/items/it%2042',
      httpMethod: 'PATCH',
      pathParameters: { itemId: 'it 42' },
      queryStringParameters: { tag: 'b', x: '1' },
      multiValueQueryStringParameters: { tag: ['a', 'b'], x: ['1'] },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect(event['headers']).toMatchObject({ Origin: p.siteOrigin, 'X-Trace-Id': 't1', 'x-trace-id': 't2' });
    expect(event['multiValueHeaders']).toMatchObject({
      Origin: [p.siteOrigin],
      'X-Trace-Id': ['t1'],
      'x-trace-id': ['t2'],
    });
    expect(event['requestContext']).toMatchObject({
      stage: 'v1',
      resourcePath: '/items/{itemId}',
      httpMethod: 'PATCH',
      path: '/v1/items/it%2042',
    });
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
  });

  it('gives a greedy path variable the rest of the path', async () => {
    const r = await send(`${p.api}/files/docs/2024/report.pdf`, { headers: { Origin: p.siteOrigin } });
    const event = JSON.parse(r.body) as Record<string, any>;
    expect(event['resource']).toBe('/files/{path+}');
    expect(event['pathParameters']).toEqual({ path: 'docs/2024/report.pdf' });
  });

  it('prefers a literal resource over a variable one', async () => {
    const r = await send(`${p.api}/files`, { headers: { Origin: p.siteOrigin } });
    // /files has no method of its own: 403, not the greedy child.
    expect(r.status).toBe(403);
  });
});

describe('a malformed Lambda answer, a missing permission, an edited module', () => {
  it('answers a malformed proxy result with 502 through DEFAULT_5XX (CORS headers included)', async () => {
    const dir = modules.copy('rest-python');
    writeFileSync(
      path.join(dir, 'lambda/handler.py'),
      'def handler(event, context):\n    return {"statusCode": "two hundred"}\n',
    );
    const p = await serve(dir);
    const r = await send(`${p.api}/items`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toEqual({ message: 'Internal server error' });
    expect(header(r, 'access-control-allow-origin')).toBe(p.siteOrigin);
    expect(logs.join('\n')).toMatch(/Malformed Lambda proxy response/);
  });

  it('without DEFAULT_5XX, the same 502 carries no CORS header', async () => {
    const dir = jsonModules.copy('rest-python');
    writeFileSync(
      path.join(dir, 'lambda/handler.py'),
      'def handler(event, context):\n    raise RuntimeError("crash before the wrapper")\n',
    );
    editOpenApi(dir, (openapi) => delete openapi['x-amazon-apigateway-gateway-responses'].DEFAULT_5XX);
    const p = await serve(dir);
    const r = await send(`${p.api}/items`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(502);
    expect(header(r, 'access-control-allow-origin')).toBeUndefined();
  });

  it('answers 500 when no aws_lambda_permission lets the API invoke the function', async () => {
    const dir = modules.copy('orders-api');
    removeResources(dir, ['aws_lambda_permission.api']);
    const p = await serve(dir);
    const r = await send(`${p.api}/health`, { headers: { Origin: p.siteOrigin } });
    expect(r.status).toBe(500);
    expect(logs.join('\n')).toMatch(/Invalid permissions on Lambda function/);
  });

  it('answers a preflight to a resource without OPTIONS with the 403 of an unknown method', async () => {
    const dir = jsonModules.copy('orders-api');
    editOpenApi(dir, (openapi) => delete openapi.paths['/orders/{orderId}'].options);
    const p = await serve(dir);
    const r = await preflight(`${p.api}/orders/o-1`, p.siteOrigin);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ message: 'Missing Authentication Token' });
    // Other resources keep their preflight.
    expect((await preflight(`${p.api}/orders`, p.siteOrigin, 'POST')).status).toBe(204);
  });
});
