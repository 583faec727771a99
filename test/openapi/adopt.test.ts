/**
 * Mapping OpenAPI documents to cors-gen routes and authorizers (src/openapi/adopt.ts), and reading documents
 * written by someone else (src/openapi/read-document.ts): what is kept, what is noted, and that hostile documents
 * end in a clear error or a note, quickly.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { adoptOpenApi, parseOpenApiText, PLACEHOLDERS, type Adopted } from '../../src/openapi/index.js';
import { InvalidInputError } from '../../src/errors.js';

const adopt = (doc: object, api: 'rest' | 'http' = 'rest', basePath?: 'prepend' | 'ignore'): Adopted =>
  adoptOpenApi(parseOpenApiText(JSON.stringify(doc), 'api.json'), { api, ...(basePath ? { basePath } : {}) });
const notes = (a: Adopted) => a.notes.map((n) => `${n.at}: ${n.message}`);

const swagger = (extra: object) => ({ swagger: '2.0', info: { title: 'T', version: '1' }, ...extra });
const oas3 = (extra: object) => ({ openapi: '3.0.3', info: { title: 'T', version: '1' }, ...extra });
const ok = { responses: { 200: { description: 'ok' } } };

describe('paths and methods', () => {
  it("says that an operation's own integration is not carried over, and how to keep it", () => {
    const integration = { type: 'http_proxy', httpMethod: 'GET', uri: 'https://old.example.com/pets' };
    const a = adopt(
      swagger({ paths: { '/pets': { get: { ...ok, 'x-amazon-apigateway-integration': integration } } } }),
    );
    expect(a.routes).toEqual([{ path: '/pets', methods: ['GET'] }]);
    expect(a.notes).toContainEqual(
      expect.objectContaining({
        at: 'paths./pets.get',
        message: "its x-amazon-apigateway-integration is not carried over: the route is served by cors-gen's Lambda",
        fix: expect.stringContaining('openapi: <file>'),
      }),
    );
  });

  it("prepends Swagger 2.0's basePath, keeps path templates and merges a path written with a trailing slash", () => {
    const a = adopt(
      swagger({
        basePath: '/v2/',
        paths: { '/pets': { get: ok, post: ok }, '/pets/{petId}': { get: ok, delete: ok }, '/pets/': { put: ok } },
      }),
    );
    expect(a.routes).toEqual([
      { path: '/v2/pets', methods: ['GET', 'POST', 'PUT'] },
      { path: '/v2/pets/{petId}', methods: ['GET', 'DELETE'] },
    ]);
    expect(notes(a)).toContain(
      `basePath: the routes start with the document's path prefix "/v2", so clients keep their URLs`,
    );
  });

  it("takes OpenAPI 3's first server path, with its variables' defaults, and leaves it out with basePath: ignore", () => {
    const doc = oas3({
      servers: [
        {
          url: 'https://{host}/api/{version}',
          variables: { host: { default: 'x.example' }, version: { default: 'v3' } },
        },
      ],
      paths: { '/orders': { get: ok } },
    });
    expect(adopt(doc).routes).toEqual([{ path: '/api/v3/orders', methods: ['GET'] }]);
    expect(adopt(doc, 'rest', 'ignore').routes).toEqual([{ path: '/orders', methods: ['GET'] }]);
  });

  it('reports OPTIONS and TRACE, which cors-gen does not route, and turns ANY into the six route methods', () => {
    const a = adopt(
      oas3({
        paths: {
          '/a': { options: ok, trace: ok, get: ok },
          '/b': { 'x-amazon-apigateway-any-method': ok },
          '/c': { options: ok },
        },
      }),
    );
    expect(a.routes).toEqual([
      { path: '/a', methods: ['GET'] },
      { path: '/b', methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    ]);
    expect(notes(a)).toEqual(
      expect.arrayContaining([
        'paths./a.options: cors-gen answers OPTIONS itself (the CORS preflight); this operation is not kept',
        'paths./a.trace: API Gateway cannot route TRACE; this operation is not kept',
        'paths./c: has no operation cors-gen can route, so it is not kept',
      ]),
    );
  });

  it('renames a sibling variable segment to the first one (API Gateway allows one per level) and skips paths it cannot have', () => {
    const a = adopt(
      oas3({
        paths: { '/users/{id}': { get: ok }, '/users/{userId}/posts': { get: ok }, '/files/{name}.json': { get: ok } },
      }),
    );
    expect(a.routes.map((r) => r.path)).toEqual(['/users/{id}', '/users/{id}/posts']);
    expect(notes(a).join('\n')).toMatch(/paths\.\/users\/\{userId\}\/posts: \{userId\} becomes \{id\}/);
    expect(notes(a).join('\n')).toMatch(
      /paths\.\/files\/\{name\}\.json: "\/files\/\{name\}\.json" segment .* the path is not kept/,
    );
  });

  it('lists the header parameters of the operations, leaving out headers a page cannot send', () => {
    const a = adopt(
      oas3({
        components: { parameters: { tenant: { name: 'X-Tenant', in: 'header' } } },
        paths: {
          '/a': {
            parameters: [{ $ref: '#/components/parameters/tenant' }],
            get: {
              ...ok,
              parameters: [
                { name: 'X-Request-Id', in: 'header' },
                { name: 'Cookie', in: 'header' },
                { name: 'q', in: 'query' },
              ],
            },
          },
        },
      }),
    );
    expect(a.headers).toEqual(['X-Tenant', 'X-Request-Id']);
    expect(notes(a).join('\n')).toContain('the header "Cookie" is one browsers never let a page send');
  });
});

describe('security schemes', () => {
  const lambdaUri =
    'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:check-token/invocations';
  const schemes = {
    key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    token: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: lambdaUri, authorizerResultTtlInSeconds: 60 },
    },
    tenant: {
      type: 'apiKey',
      name: 'X-Tenant',
      in: 'header',
      'x-amazon-apigateway-authorizer': {
        type: 'request',
        authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${Fn::Sub}/invocations',
        identitySource: 'method.request.header.X-Tenant, method.request.querystring.t',
      },
    },
    pool: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': {
        type: 'cognito_user_pools',
        providerARNs: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
      },
    },
    sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
    oidc: {
      type: 'openIdConnect',
      openIdConnectUrl: 'https://login.example.com/tenant/.well-known/openid-configuration',
    },
    oauth: { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://x.example/a', scopes: {} } } },
    basic: { type: 'http', scheme: 'basic' },
  };
  const doc = oas3({
    components: { securitySchemes: schemes },
    security: [{ key: [] }],
    paths: {
      '/open': { get: { ...ok, security: [] } },
      '/keyed': { get: ok },
      '/token': { get: { ...ok, security: [{ token: [], key: [] }] } },
      '/tenant': { get: { ...ok, security: [{ tenant: [] }] } },
      '/pool': { get: { ...ok, security: [{ pool: [] }] } },
      '/signed': { get: { ...ok, security: [{ sigv4: [] }] } },
      '/oidc': { get: { ...ok, security: [{ oidc: [] }] } },
      '/oauth': { get: { ...ok, security: [{ oauth: ['read'] }] } },
      '/basic': { get: { ...ok, security: [{ basic: [] }] } },
    },
  });

  it('maps API keys, Lambda and Cognito authorizers and SigV4 for a REST API, with the ARNs the document gives', () => {
    const a = adopt(doc);
    expect(Object.fromEntries(a.routes.map((r) => [r.path, { auth: r.auth, key: r.apiKeyRequired }]))).toEqual({
      '/open': { auth: undefined, key: undefined },
      '/keyed': { auth: undefined, key: true },
      '/token': { auth: 'token', key: true },
      '/tenant': { auth: 'tenant', key: undefined },
      '/pool': { auth: 'pool', key: undefined },
      '/signed': { auth: 'iam', key: undefined },
      '/oidc': { auth: undefined, key: undefined },
      '/oauth': { auth: undefined, key: undefined },
      '/basic': { auth: undefined, key: undefined },
    });
    expect(a.authorizers).toEqual({
      token: {
        type: 'lambda',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:check-token',
        kind: 'token',
        identitySource: ['Authorization'],
        resultTtl: 60,
      },
      // The URI is a template of another tool: a placeholder, said in a note.
      tenant: { type: 'lambda', functionArn: PLACEHOLDERS.functionArn, kind: 'request', identitySource: ['X-Tenant'] },
      pool: { type: 'cognito', userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'] },
    });
    const said = notes(a).join('\n');
    expect(said).toContain(
      'security scheme "tenant": becomes the lambda authorizer "tenant" with placeholder functionArn',
    );
    expect(said).toContain(
      'security scheme "oidc": is not carried over: REST APIs validate tokens with Cognito or a Lambda authorizer only',
    );
    expect(said).toContain(
      'security scheme "basic": is not carried over: API Gateway has no authorizer for HTTP "basic" authentication',
    );
    expect(said).toMatch(/security: 3 operations the document guards are open at the gateway.*paths\.\/oidc\.get/);
    expect(a.headers).toEqual(['X-Api-Key', 'Authorization', 'X-Tenant', 'X-Amz-Date', 'X-Amz-Security-Token']);
  });

  it('maps OpenID Connect, OAuth 2 and Cognito to JWT authorizers for an HTTP API, and reports API keys', () => {
    const a = adopt(doc, 'http');
    expect(a.authorizers['oidc']).toEqual({
      type: 'jwt',
      issuer: 'https://login.example.com/tenant',
      audience: [PLACEHOLDERS.audience],
    });
    expect(a.authorizers['oauth']).toEqual({
      type: 'jwt',
      issuer: PLACEHOLDERS.issuer,
      audience: [PLACEHOLDERS.audience],
    });
    expect(a.authorizers['pool']).toEqual({
      type: 'jwt',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123',
      audience: [PLACEHOLDERS.audience],
    });
    expect(a.authorizers['token']).toBeUndefined(); // its requirement also needs the API key, which HTTP APIs lack
    expect(a.routes.find((r) => r.path === '/keyed')).toEqual({ path: '/keyed', methods: ['GET'] });
    expect(notes(a).join('\n')).toContain('security scheme "key": is not carried over: HTTP APIs have no API keys');
  });

  it('gives a path one guard for all its methods, the first guarded one, and says which methods change', () => {
    const a = adopt(
      oas3({
        components: { securitySchemes: { key: schemes.key } },
        paths: { '/items': { get: { ...ok, security: [] }, post: { ...ok, security: [{ key: [] }] } } },
      }),
    );
    expect(a.routes).toEqual([{ path: '/items', methods: ['GET', 'POST'], apiKeyRequired: true }]);
    expect(notes(a)).toContain(
      'paths./items.get: maps to no check at the gateway, but a cors-gen route has one guard for all its methods: it gets an API key, as another method of /items',
    );
  });

  it('gives authorizers names the spec accepts', () => {
    const a = adopt(
      oas3({
        components: { securitySchemes: { 'My Pool!': schemes.pool, iam: schemes.pool, '9x': schemes.pool } },
        paths: {
          '/a': { get: { ...ok, security: [{ 'My Pool!': [] }] } },
          '/b': { get: { ...ok, security: [{ iam: [] }] } },
          '/c': { get: { ...ok, security: [{ '9x': [] }] } },
        },
      }),
    );
    expect(a.routes.map((r) => r.auth)).toEqual(['my_pool_', 'iam_auth', 'x']);
  });
});

describe('hostile documents', () => {
  const fails = (text: string, message: RegExp) => {
    let error: unknown;
    try {
      parseOpenApiText(text, 'api.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
  };

  it('refuses what is not Swagger 2.0 or OpenAPI 3.0/3.1, naming the file', () => {
    fails('openapi: 4.0.0\npaths: {}\n', /^api\.yaml: declares openapi: "4\.0\.0", which cors-gen does not read/);
    fails('name: my-api\n', /^api\.yaml: is not an OpenAPI document: it has neither/);
    fails('- a\n- b\n', /top level is not a mapping/);
    fails('openapi: 3.0.0\npaths: {a: [\n', /^api\.yaml:\d+: is not valid YAML/);
    fails('{"openapi": "3.0.0",}', /is not valid JSON/);
  });

  it('refuses deep nesting before the YAML parser sees it, with the line', () => {
    fails(
      `openapi: 3.0.0\nx: ${'['.repeat(100_000)}`,
      /^api\.yaml:2: nests lists or mappings more than 200 levels deep/,
    );
    fails(
      `openapi: 3.0.0\nx:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}\n`,
      /more than 200 levels deep/,
    );
  });

  it('refuses a dense YAML document before parsing it (a node per value would take seconds and gigabytes)', () => {
    const started = Date.now();
    fails(`openapi: 3.0.0\nx: [${'a,'.repeat(1_000_000)}a]\n`, /holds more than 250000 values/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an alias bomb', () => {
    const lines = ['openapi: 3.0.0', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    fails(lines.join('\n'), /cannot be read/);
  });

  it('ends $ref loops, external and dangling references with a note', () => {
    const a = adopt(
      oas3({
        components: { pathItems: { loop: { $ref: '#/components/pathItems/loop' } } },
        paths: {
          '/loop': { $ref: '#/components/pathItems/loop' },
          '/far': { $ref: 'https://example.com/other.yaml#/paths/~1x' },
          '/gone': { $ref: '#/nowhere' },
          '/ok': { get: ok },
        },
      }),
    );
    expect(a.routes).toEqual([{ path: '/ok', methods: ['GET'] }]);
    expect(notes(a).join('\n')).toMatch(
      /paths\.\/loop: \$ref "#\/components\/pathItems\/loop" leads through more than 16 references/,
    );
    expect(notes(a).join('\n')).toContain('points outside the document');
    expect(notes(a).join('\n')).toContain('names nothing in the document');
  });

  it('reads at most 2000 paths, quickly, and quotes odd keys in notes without control characters', () => {
    const paths: Record<string, object> = { '/a\nb\u0000': { get: ok }, __proto__x: { get: ok } };
    for (let i = 0; i < 5000; i++) paths[`/p${i}`] = { get: ok };
    const started = Date.now();
    const a = adopt(oas3({ paths }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(a.routes).toHaveLength(1998);
    expect(notes(a)).toContain('paths: the document has 5002 paths; only the first 2000 are read');
    expect(notes(a).join('\n')).toContain('paths."/a\\nb\\u0000": "/a\\nb\\u0000" segment');
    expect(notes(a).join('')).not.toMatch(/[\u0000-\u0008]/);
  });

  it('keeps a document JSON-nested far deeper than the YAML bound (JSON is not parsed recursively)', () => {
    const deep = `{"openapi":"3.0.0","x":${'['.repeat(50_000)}${']'.repeat(50_000)},"paths":{"/a":{"get":{}}}}`;
    expect(adoptOpenApi(parseOpenApiText(deep, 'api.json'), { api: 'rest' }).routes).toEqual([
      { path: '/a', methods: ['GET'] },
    ]);
  });

  it('reads a YAML document with a self-referencing alias without hanging', () => {
    const text = stringify({ openapi: '3.1.0', paths: { '/a': { get: ok } } }) + 'x: &x\n  y: *x\n';
    expect(adoptOpenApi(parseOpenApiText(text, 'api.yaml'), { api: 'http' }).routes).toEqual([
      { path: '/a', methods: ['GET'] },
    ]);
  });
});
