/**
 * The preview plans a module once into plain data, refuses what it cannot serve while planning (before any port
 * is taken), and emulates the API over that data with the Lambda runtime it is given.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError } from '../../src/preview/errors.js';
import { functionUrlHandler } from '../../src/preview/function-url/function-url.js';
import { httpApiHandler } from '../../src/preview/http-api/http-api.js';
import { startPreview } from '../../src/preview/index.js';
import { planDeployment } from '../../src/preview/module/deployment.js';
import type { FunctionRuntime } from '../../src/preview/module/functions.js';
import { loadModule } from '../../src/preview/module/load.js';
import { restApiHandler } from '../../src/preview/rest/rest-api.js';
import type { PreviewRequest } from '../../src/preview/server/http-server.js';
import { REPO, generateModules, type GeneratedModules } from '../support/preview.js';
import { editOpenApi } from '../support/rest-body.js';

const ENV = { apiOrigin: 'http://127.0.0.1:4000', siteHost: '127.0.0.1:5000' };

/** The bundled example as HCL (served) and as JSON (broken on purpose). */
let modules: GeneratedModules;
let json: GeneratedModules;
let ORDERS: string;
beforeAll(async () => {
  const specs = [{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }];
  modules = await generateModules(specs);
  json = await generateModules(specs, 'json');
  ORDERS = modules.dirs.get('orders-api')!;
});
afterAll(() => {
  modules.cleanup();
  json.cleanup();
});

function request(method: string, rawPath: string, headers: [string, string][] = []): PreviewRequest {
  return {
    method,
    rawPath,
    rawQuery: '',
    headers: [['Host', '127.0.0.1:4000'], ...headers],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    receivedAt: new Date(0),
  };
}

describe('planning a deployment', () => {
  it('evaluates the REST API, its functions and its site into data pointing at the given endpoints', async () => {
    const plan = planDeployment(await loadModule(ORDERS), ENV, new Map());
    expect(plan.api.kind).toBe('rest');
    if (plan.api.kind !== 'rest') return;
    expect([...plan.api.stages.keys()]).toEqual(['prod']);
    expect(plan.apiUrl).toBe('http://127.0.0.1:4000/prod');
    expect(plan.api.routes.map((r) => r.path)).toContain('/orders/{orderId}');
    const fn = plan.functions.get('aws_lambda_function.handler')!;
    // The website endpoint the function allows is the site server's host, known at planning time.
    expect(fn.code.environment['ALLOWED_ORIGINS']).toContain('http://127.0.0.1:5000');
    expect(fn.permissions.map((p) => p.sourceArn)).toEqual([`${plan.api.executionArn}/*/*`]);
    expect(plan.site).toEqual({ website: true, indexDocument: 'index.html' });
  });

  it('refuses a method the emulator cannot serve before any port is taken', async () => {
    const dir = json.copy('orders-api');
    editOpenApi(dir, (openapi) => (openapi.paths['/orders'].get['x-amazon-apigateway-request-validator'] = 'all'));
    // A port someone else holds: taking it first would fail as "port in use", not as the module's fault.
    const held = net.createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const apiPort = (held.address() as net.AddressInfo).port;
    try {
      const started = startPreview({ module: dir, apiPort, sitePort: apiPort, foreignPort: apiPort });
      await expect(started).rejects.toThrow(ModuleError);
      await expect(started).rejects.toThrow(
        /aws_api_gateway_rest_api\.api\.body, at paths\["\/orders"\]\.get\["x-amazon-apigateway-request-validator"\]: request validators are not emulated by the preview/,
      );
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});

describe('emulating over the plan', () => {
  it('answers a REST API request through the runtime it is given, with the proxy event for the matched resource', async () => {
    const plan = planDeployment(await loadModule(ORDERS), ENV, new Map());
    if (plan.api.kind !== 'rest') throw new Error('expected a REST API');
    const events: Record<string, unknown>[] = [];
    const runtime: FunctionRuntime = {
      invoke: async (_fn, event) => {
        events.push(event as Record<string, unknown>);
        return {
          ok: true,
          payload: JSON.stringify({ statusCode: 201, headers: { 'X-Stub': 'yes' }, body: 'stubbed' }),
        };
      },
      log: () => {},
    };
    const handle = restApiHandler(plan.api, runtime);
    const reply = await handle(request('GET', '/prod/orders/42', [['Authorization', 'Bearer preview-token']]));
    expect(reply.status).toBe(201);
    expect(reply.body).toBe('stubbed');
    expect(reply.headers).toContainEqual(['X-Stub', 'yes']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      resource: '/orders/{orderId}',
      path: '/orders/42',
      pathParameters: { orderId: '42' },
    });
    // No resource matches: API Gateway's own answer, and the function is not invoked.
    const missing = await handle(request('GET', '/prod/nowhere'));
    expect(missing.status).toBe(403);
    expect(events).toHaveLength(1);
  });
});

describe('emulating the services that own CORS over the plan', () => {
  for (const name of ['catalog-http', 'webhook-url']) {
    it(`${name}: invokes the function for a route and answers a preflight itself, without invoking it`, async () => {
      const plan = planDeployment(await loadModule(path.join(REPO, 'generated', name)), ENV, new Map());
      const invoked: unknown[] = [];
      const runtime: FunctionRuntime = {
        invoke: async (_fn, event) => {
          invoked.push(event);
          return { ok: true, payload: JSON.stringify({ statusCode: 201, body: 'stubbed' }) };
        },
        log: () => {},
      };
      const { api } = plan;
      if (api.kind === 'rest') throw new Error('expected a service that owns CORS');
      const handle = api.kind === 'http' ? httpApiHandler(api, runtime) : functionUrlHandler(api, runtime);
      const route = plan.api.routes[0]!;
      const url = new URL(`${plan.apiUrl}${route.path.replace(/\{[^}]+\}/g, 'x')}`.replace(/\/\/$/, '/'));
      const reply = await handle(request(route.methods[0]!, url.pathname));
      expect(reply.status).toBe(201);
      expect(invoked).toHaveLength(1);
      const site = 'http://127.0.0.1:5000';
      const preflight = await handle(
        request('OPTIONS', url.pathname, [
          ['Origin', site],
          ['Access-Control-Request-Method', route.methods[0]!],
        ]),
      );
      expect(preflight.headers).toContainEqual(['Access-Control-Allow-Origin', site]);
      expect(invoked).toHaveLength(1);
    });
  }
});
