/**
 * The preview's authorizers (src/preview/authorizers.ts) on modules generated from specs with every authorizer
 * type: the preflight is never authorized; the accepted token, SigV4-looking requests and the accepted API key
 * pass; everything else gets the answer AWS gives, with the CORS headers the module (REST gateway responses) or
 * the service (HTTP API) adds, so a page can read it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import {
  freePorts,
  generateModules,
  header,
  editModule,
  removeResources,
  send,
  type GeneratedModules,
} from '../support/preview.js';

/** The one local origin both specs allow (a free port, so the preview can serve its page there). */
let SITE = '';
const REST = () => `version: 1
name: auth-rest
api: rest
cors:
  allowOrigins: [${SITE}]
  allowHeaders: [Content-Type, Authorization, X-Tenant, X-Api-Key, X-Amz-Date, X-Amz-Security-Token]
authorizers:
  users: { type: cognito, userPoolArns: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123] }
  tenant: { type: lambda, functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tenant", kind: request, identitySource: [X-Tenant] }
auth: users
routes:
  - path: /orders
    methods: [GET, POST]
  - path: /health
    methods: [GET]
    auth: none
  - path: /tenant
    methods: [GET]
    auth: tenant
    apiKeyRequired: true
  - path: /admin
    methods: [GET]
    auth: iam
`;
const HTTP = () => `version: 1
name: auth-http
api: http
cors:
  allowOrigins: [${SITE}]
  allowHeaders: [Content-Type, Authorization, X-Tenant]
authorizers:
  oidc: { type: jwt, issuer: "https://issuer.example.com/pool", audience: [web] }
  tenant: { type: lambda, functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tenant", identitySource: [X-Tenant] }
auth: oidc
routes:
  - path: /products
    methods: [GET]
  - path: /tenant
    methods: [GET]
    auth: tenant
  - path: /open
    methods: [GET]
    auth: none
`;

const URL_IAM = () => `version: 1
name: auth-url
api: function-url
cors:
  allowOrigins: [${SITE}]
  allowMethods: [GET]
  allowHeaders: [Authorization, X-Amz-Date, X-Amz-Security-Token]
auth: iam
`;

let modules: GeneratedModules;
let specDir: string;
const previews: Preview[] = [];

beforeAll(async () => {
  SITE = `http://localhost:${(await freePorts(1))[0]!}`;
  specDir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-auth-specs-'));
  writeFileSync(path.join(specDir, 'rest.yaml'), REST());
  writeFileSync(path.join(specDir, 'http.yaml'), HTTP());
  writeFileSync(path.join(specDir, 'url.yaml'), URL_IAM());
  modules = await generateModules([
    { name: 'auth-rest', spec: path.join(specDir, 'rest.yaml') },
    { name: 'auth-http', spec: path.join(specDir, 'http.yaml') },
    { name: 'auth-url', spec: path.join(specDir, 'url.yaml') },
  ]);
});
// One preview at a time: each serves its page on SITE.
afterEach(async () => {
  await Promise.all(previews.splice(0).map((p) => p.close()));
});
afterAll(() => {
  modules.cleanup();
  rmSync(specDir, { recursive: true, force: true });
});

async function serve(
  name: string,
  options: { acceptToken?: string; apiKey?: string } = {},
  dir = modules.dirs.get(name)!,
): Promise<Preview> {
  const p = await startPreview({ module: dir, ...options });
  previews.push(p);
  return p;
}

const get = (p: Preview, route: string, headers: Record<string, string> = {}) =>
  send(`${p.api}${route}`, { headers: { Origin: SITE, ...headers } });
const SIGNED = {
  Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  'X-Amz-Date': '20250101T000000Z',
};

describe('REST API authorizers in the preview', () => {
  it('answers the preflight of a guarded route without any credentials', async () => {
    const p = await serve('auth-rest');
    const r = await send(`${p.api}/orders`, {
      method: 'OPTIONS',
      headers: {
        Origin: SITE,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(r.status).toBe(204);
    expect(header(r, 'access-control-allow-origin')).toBe(SITE);
  });

  it('denies a missing or wrong token with a readable 401 UNAUTHORIZED, and accepts the accepted one', async () => {
    const p = await serve('auth-rest');
    for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const r = await get(p, '/orders', headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ message: 'Unauthorized' });
      expect(header(r, 'x-amzn-errortype')).toBe('UnauthorizedException');
      expect(header(r, 'access-control-allow-origin')).toBe(SITE);
    }
    expect((await get(p, '/orders', { Authorization: 'Bearer preview-token' })).status).toBe(200);
    expect((await get(p, '/health')).status).toBe(200);
  });

  it('takes the accepted token and API key from the options', async () => {
    const p = await serve('auth-rest', { acceptToken: 'letmein', apiKey: 'k-1' });
    expect((await get(p, '/orders', { Authorization: 'preview-token' })).status).toBe(401);
    expect((await get(p, '/orders', { Authorization: 'letmein' })).status).toBe(200);
    // The Lambda request authorizer first (its identity source), then the API key.
    const denied = await get(p, '/tenant', { 'X-Tenant': 'someone', 'x-api-key': 'k-1' });
    expect([denied.status, header(denied, 'x-amzn-errortype')]).toEqual([403, 'AccessDeniedException']);
    expect(JSON.parse(denied.body).message).toBe(
      'User is not authorized to access this resource with an explicit deny',
    );
    const noKey = await get(p, '/tenant', { 'X-Tenant': 'letmein' });
    expect([noKey.status, header(noKey, 'x-amzn-errortype'), noKey.body]).toEqual([
      403,
      'ForbiddenException',
      '{"message":"Forbidden"}',
    ]);
    expect(header(noKey, 'access-control-allow-origin')).toBe(SITE);
    expect((await get(p, '/tenant', { 'X-Tenant': 'letmein', 'x-api-key': 'k-1' })).status).toBe(200);
  });

  it('requires a SigV4-looking request for AWS_IAM', async () => {
    const p = await serve('auth-rest');
    const unsigned = await get(p, '/admin', { Authorization: 'Bearer preview-token' });
    expect([unsigned.status, header(unsigned, 'x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);
    const none = await get(p, '/admin');
    expect([none.status, JSON.parse(none.body).message]).toEqual([403, 'Missing Authentication Token']);
    expect((await get(p, '/admin', SIGNED)).status).toBe(200);
  });
});

describe('a Lambda authorizer the module does not let API Gateway invoke', () => {
  it.each([
    ['auth-rest', 500, 'AuthorizerConfigurationException'],
    ['auth-http', 500, undefined],
  ] as const)('%s: warns when planning, and answers 500 as AWS does', async (name, status, type) => {
    const dir = modules.copy(name);
    removeResources(dir, ['aws_lambda_permission.authorizer_tenant']);
    const p = await serve(name, {}, dir);
    expect(p.warnings.join('\n')).toMatch(
      /no aws_lambda_permission lets .* authorizers invoke arn:aws:lambda:eu-west-1:123456789012:function:tenant/,
    );
    const r = await get(p, '/tenant', { 'X-Tenant': 'preview-token', 'x-api-key': 'preview' });
    expect([r.status, header(r, 'x-amzn-errortype')]).toEqual([status, type]);
    expect(header(r, 'access-control-allow-origin')).toBe(SITE);
  });
});

describe('HTTP API authorizers in the preview', () => {
  it('answers the preflight itself, and a JWT 401 with the service CORS headers', async () => {
    const p = await serve('auth-http');
    const pre = await send(`${p.api}/products`, {
      method: 'OPTIONS',
      headers: {
        Origin: SITE,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(pre.status).toBe(204);
    const denied = await get(p, '/products', { Authorization: 'Bearer nope' });
    expect([denied.status, denied.body]).toEqual([401, '{"message":"Unauthorized"}']);
    expect(header(denied, 'www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(header(denied, 'access-control-allow-origin')).toBe(SITE);
    expect((await get(p, '/products', { Authorization: 'Bearer preview-token' })).status).toBe(200);
    expect((await get(p, '/open')).status).toBe(200);
  });

  it('sends the preflight to the authorizer of a route that catches OPTIONS (ANY /{proxy+}), which refuses it', async () => {
    // Not what cors-gen writes (it declares no ANY, OPTIONS or $default route): a module edited by hand.
    const dir = modules.copy('auth-http');
    editModule(dir, 'main.tf', 'route_key          = "GET /products"', 'route_key          = "ANY /{proxy+}"');
    const p = await serve('auth-http', {}, dir);
    const pre = await send(`${p.api}/anything`, {
      method: 'OPTIONS',
      headers: {
        Origin: SITE,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(pre.status).toBe(401);
    // It catches OPTIONS on every path, an open GET route's included (no OPTIONS route outranks it).
    const open = await send(`${p.api}/open`, {
      method: 'OPTIONS',
      headers: { Origin: SITE, 'Access-Control-Request-Method': 'GET' },
    });
    expect(open.status).toBe(401);
  });

  it('answers a Lambda authorizer: 401 without its identity source, 403 when it refuses', async () => {
    const p = await serve('auth-http');
    expect((await get(p, '/tenant')).status).toBe(401);
    const refused = await get(p, '/tenant', { 'X-Tenant': 'nope' });
    expect([refused.status, refused.body]).toEqual([403, '{"message":"Forbidden"}']);
    expect((await get(p, '/tenant', { 'X-Tenant': 'preview-token' })).status).toBe(200);
  });
});

describe('Function URL with AWS_IAM in the preview', () => {
  it('refuses an unsigned request with a readable 403, and runs the function for a signed one', async () => {
    const p = await serve('auth-url');
    const unsigned = await get(p, '/');
    expect([unsigned.status, header(unsigned, 'x-amzn-errortype')]).toEqual([403, 'AccessDeniedException']);
    expect(header(unsigned, 'access-control-allow-origin')).toBe(SITE);
    expect((await get(p, '/', SIGNED)).status).toBe(200);
  });
});
