import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS } from '../../src/preview/assumptions.js';
import { corsIntent, demoPlan } from '../../src/preview/site/plan.js';
import { REPO } from '../support/preview.js';

const routes = [
  { path: '/orders', methods: ['GET', 'POST'], options: true },
  { path: '/orders/{orderId}', methods: ['GET', 'DELETE'], options: true },
  { path: '/files/{key+}', methods: ['GET'], options: true },
];

describe("the demo page's plan", () => {
  const intent = corsIntent(
    {
      ALLOW_HEADERS: 'Content-Type,Authorization,X-Request-Id',
      ALLOW_CREDENTIALS: 'true',
      EXPOSE_HEADERS: 'X-Request-Id',
    },
    undefined,
  );
  const plan = demoPlan('rest', 'http://127.0.0.1:1/prod', routes, intent, []);

  it('calls every route with every method, with the allowed headers and credentials', () => {
    expect(plan.calls.filter((c) => c.kind === 'route').map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET http://127.0.0.1:1/prod/orders',
      'POST http://127.0.0.1:1/prod/orders',
      'GET http://127.0.0.1:1/prod/orders/orderid-1',
      'DELETE http://127.0.0.1:1/prod/orders/orderid-1',
      'GET http://127.0.0.1:1/prod/files/docs/readme.txt',
    ]);
    const post = plan.calls.find((c) => c.id === 'POST /orders')!;
    expect(post).toMatchObject({
      credentials: 'include',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer preview-token',
        'X-Request-Id': 'preview-2',
      },
    });
    expect(JSON.parse(post.body!)).toEqual({ from: 'cors-gen preview', method: 'POST', route: '/orders' });
    // No Content-Type (and no body) on a method without one.
    expect(plan.calls.find((c) => c.id === 'GET /orders')!.headers).not.toHaveProperty('Content-Type');
    expect(plan.exposeHeaders).toEqual(['X-Request-Id']);
  });

  it('adds an error call on the first route ending in a variable, and an unknown path', () => {
    expect(plan.calls.find((c) => c.kind === 'error')).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:1/prod/orders/error',
    });
    expect(plan.calls.find((c) => c.kind === 'gateway')).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:1/prod/cors-gen-preview/no-such-route',
      headers: {},
    });
  });

  it('without credentials, sends none; a Function URL gets /error and no unknown-path call', () => {
    const p = demoPlan(
      'function-url',
      'http://127.0.0.1:2',
      [{ path: '/', methods: ['GET', 'POST'], options: false }],
      corsIntent({ ALLOW_HEADERS: 'Content-Type', ALLOW_CREDENTIALS: 'false' }, undefined),
      [],
    );
    expect(p.calls.every((c) => c.credentials === 'same-origin')).toBe(true);
    expect(p.calls.find((c) => c.kind === 'error')!.url).toBe('http://127.0.0.1:2/error');
    expect(p.calls.some((c) => c.kind === 'gateway')).toBe(false);
  });

  it('reads the intent from the service configuration when the Lambda environment has none', () => {
    const i = corsIntent(
      {},
      {
        allowOrigins: ['*'],
        allowMethods: ['GET'],
        allowHeaders: ['X-Api'],
        exposeHeaders: ['X-Out'],
        allowCredentials: false,
        maxAge: undefined,
      },
    );
    expect(i).toEqual({ allowHeaders: ['X-Api'], exposeHeaders: ['X-Out'], allowCredentials: false });
  });
});

describe('undocumented behaviour is marked as assumed', () => {
  it('lists every assumption of the code in the preview README', () => {
    const readme = readFileSync(path.join(REPO, 'src/preview/README.md'), 'utf8');
    for (const a of ASSUMPTIONS) expect(readme, a.id).toContain(`- ${a.text}`);
  });
});
