/**
 * `openapi:` in a spec: cors-gen builds the REST API's body on the user's own OpenAPI document (src/openapi/source.ts
 * reads and checks it, src/constructs/rest-openapi.ts mergeRestOpenApi adds the preflights, the Lambda integration
 * and the CORS headers of gateway responses). Third-party documents: the Swagger Petstore in 2.0 and 3.0 form from
 * @readme/oas-examples (https://github.com/readmeio/oas/tree/main/packages/oas-examples, MIT license).
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSpec } from '../../src/spec/load.js';
import type { CorsModel } from '../../src/spec/model.js';
import type { SpecIssue } from '../../src/spec/issue.js';
import { generate } from '../../src/synth/generate.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { indexDocument, readModule } from '../../src/terraform/document.js';
import { comparable } from '../support/hcl-normalize.js';
import { renderedDocument, type Json } from '../support/rest-document.js';
import { project, SPEC } from './project.js';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('@readme/oas-examples/package.json'));
const PETSTORE_2 = readFileSync(path.join(EXAMPLES, '2.0/yaml/petstore.yaml'), 'utf8');
const PETSTORE_3 = readFileSync(path.join(EXAMPLES, '3.0/yaml/petstore.yaml'), 'utf8');
const INVOKE_ARN =
  'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:shop/invocations';

const load = (dir: string) => loadSpec(path.join(dir, 'cors-gen.yaml'), dir);
async function model(files: Record<string, string>): Promise<{ model: CorsModel; warnings: readonly SpecIssue[] }> {
  const r = await load(project(files));
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r;
}
async function errors(files: Record<string, string>): Promise<readonly SpecIssue[]> {
  const r = await load(project(files));
  if (r.ok) throw new Error('the spec loaded');
  return r.errors;
}
const OPERATIONS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'x-amazon-apigateway-any-method'];

describe('the Swagger Petstore, OpenAPI 3.0', () => {
  it('keeps the document and adds the preflights, the Lambda integrations and the gateway responses', async () => {
    const original = parse(PETSTORE_3) as Json;
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': PETSTORE_3 });
    expect(m.openapi?.version).toBe('3.0');
    expect(m.routes.map((r) => r.path)).toEqual(Object.keys(original['paths']));
    expect(m.routes.find((r) => r.path === '/pet/{petId}')?.methods).toEqual(['GET', 'POST', 'DELETE']);
    const body = renderedDocument(m);
    expect(body['openapi']).toBe(original['openapi']);
    expect(body['info']).toEqual(original['info']);
    expect(body['components']).toEqual(original['components']);
    expect(body['tags']).toEqual(original['tags']);
    for (const [key, item] of Object.entries(original['paths'] as Record<string, Json>)) {
      const merged = body['paths'][key];
      for (const [name, op] of Object.entries(item)) {
        if (!OPERATIONS.includes(name)) {
          expect(merged[name]).toEqual(op);
          continue;
        }
        // Everything the operation said, plus the Lambda proxy integration.
        const { 'x-amazon-apigateway-integration': integration, ...rest } = merged[name];
        expect(rest).toEqual(op);
        expect(integration).toEqual({
          type: 'aws_proxy',
          httpMethod: 'POST',
          uri: INVOKE_ARN,
          passthroughBehavior: 'when_no_match',
        });
      }
      expect(merged.options['x-amazon-apigateway-integration'].type).toBe('mock');
      expect(merged.options.responses['204'].headers['Access-Control-Allow-Origin']).toEqual({
        schema: { type: 'string' },
      });
    }
    // /store is no path of the document, but a resource API Gateway creates, which a browser may send a preflight.
    expect(Object.keys(body['paths']['/store'])).toEqual(['options']);
    expect(body['paths']['/pet/{petId}'].options.parameters).toEqual([
      { name: 'petId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(body['x-amazon-apigateway-gateway-responses'].DEFAULT_4XX.responseParameters).toMatchObject({
      'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      'gatewayresponse.header.Vary': "'Origin'",
    });
  });
});

describe('the Swagger Petstore, Swagger 2.0', () => {
  it('stays Swagger 2.0: its additions are written in 2.0 form, and it gets no components', async () => {
    const original = parse(PETSTORE_2) as Json;
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': PETSTORE_2 });
    expect(m.openapi?.version).toBe('2.0');
    // API Gateway ignores basePath on import unless told otherwise: the routes are the document's paths.
    expect(m.routes.map((r) => r.path)).toEqual(Object.keys(original['paths']));
    const body = renderedDocument(m);
    expect(body['swagger']).toBe('2.0');
    expect(body['openapi']).toBeUndefined();
    expect(body['components']).toBeUndefined();
    expect(body['definitions']).toEqual(original['definitions']);
    expect(body['securityDefinitions']).toEqual(original['securityDefinitions']);
    expect(body['basePath']).toBe('/v2');
    const options = body['paths']['/pet/{petId}'].options;
    expect(options.parameters).toEqual([{ name: 'petId', in: 'path', required: true, type: 'string' }]);
    expect(options.responses['204'].headers['Access-Control-Allow-Origin']).toEqual({ type: 'string' });
    expect(body['paths']['/user/login'].get['x-amazon-apigateway-integration'].uri).toBe(INVOKE_ARN);
  });

  it('generates a module (its checks take a Swagger 2.0 body)', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': PETSTORE_2 });
    const result = await generate({ spec: 'cors-gen.yaml', out: 'generated', cwd: dir });
    expect(result).toMatchObject({ ok: true });
    expect(readFileSync(path.join(dir, 'generated/pets/outputs.tf'), 'utf8')).toContain(
      'The Swagger 2.0 document (JSON, with API Gateway extensions) that defines the REST API.',
    );
    expect(readFileSync(path.join(dir, 'generated/pets/README.md'), 'utf8')).toContain(
      "The whole API is your Swagger 2.0 document `../../openapi.yaml` (the spec's `openapi:`) with cors-gen's\nadditions",
    );
  });
});

const OWN = `openapi: 3.0.3
info:
  title: Shop
  version: '1'
  description: 'Costs \${price} per %{ if true }call%{ endif }'
security:
  - sigv4: []
paths:
  /orders:
    get:
      operationId: listOrders
      security: []
      responses:
        '200':
          description: the orders
    post:
      responses:
        '201':
          description: created
  /legacy/{id}:
    get:
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: from the old backend
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: https://old.example.com/legacy/{id}
        requestParameters:
          integration.request.path.id: method.request.path.id
  /files/{proxy+}:
    x-amazon-apigateway-any-method:
      responses:
        default:
          description: anything
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    statusCode: 400
    responseTemplates:
      application/json: '{"error": $context.error.validationErrorString}'
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.X-Request-Id: context.requestId
`;

describe('a document with its own integrations, security and gateway responses', () => {
  it('keeps a method with its own integration byte for byte and warns, at its line, that the Lambda does not cover it', async () => {
    const { model: m, warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': OWN });
    const own = warnings.filter((w) => w.code === 'openapi-own-integration');
    expect(own).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'openapi.yaml',
        line: 31,
        path: 'paths["/legacy/{id}"].get.x-amazon-apigateway-integration',
        message: expect.stringContaining(
          'GET /legacy/{id} keeps its own integration (type "http_proxy"): the CORS headers cors-gen\'s Lambda adds',
        ),
        fix: expect.stringContaining('its backend must send the CORS headers'),
      }),
    ]);
    const body = renderedDocument(m);
    expect(body['paths']['/legacy/{id}'].get).toEqual((parse(OWN) as Json)['paths']['/legacy/{id}'].get);
    expect(body['paths']['/legacy/{id}'].options['x-amazon-apigateway-integration'].type).toBe('mock');
  });

  it('integrates ANY with the Lambda, for every route method (an explicit OPTIONS still wins over ANY)', async () => {
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': OWN });
    expect(m.routes.find((r) => r.path === '/files/{proxy+}')?.methods).toEqual([
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ]);
    const body = renderedDocument(m);
    const any = body['paths']['/files/{proxy+}'];
    expect(any['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'].type).toBe('aws_proxy');
    expect(any.options['x-amazon-apigateway-integration'].type).toBe('mock');
    expect(Object.keys(body['paths'])).toEqual(['/orders', '/legacy/{id}', '/files/{proxy+}', '/legacy', '/files']);
  });

  it("keeps the document's security, and lifts its document-wide requirement from the preflights", async () => {
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': OWN });
    const body = renderedDocument(m);
    expect(body['security']).toEqual([{ sigv4: [] }]);
    expect(body['paths']['/orders'].get.security).toEqual([]);
    expect(body['paths']['/orders'].post.security).toBeUndefined();
    expect(body['paths']['/orders'].options.security).toEqual([]);
    expect(body['paths']['/legacy'].options.security).toEqual([]);
  });

  it("adds the CORS headers to the document's gateway responses and keeps the rest of them", async () => {
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': OWN });
    const responses = renderedDocument(m)['x-amazon-apigateway-gateway-responses'];
    expect(Object.keys(responses)).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX', 'BAD_REQUEST_BODY']);
    expect(responses.BAD_REQUEST_BODY).toEqual({
      statusCode: 400,
      responseTemplates: { 'application/json': '{"error": $context.error.validationErrorString}' },
      responseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Vary': "'Origin'",
      },
    });
    // The document's own DEFAULT_4XX replaces cors-gen's, with its header kept and the CORS headers added.
    expect(responses.DEFAULT_4XX).toEqual({
      responseParameters: {
        'gatewayresponse.header.X-Request-Id': 'context.requestId',
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Vary': "'Origin'",
      },
    });
  });

  it('writes ${ and %{ of the document as text: Terraform does not evaluate them', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': OWN });
    const r = await load(dir);
    if (!r.ok) throw new Error('invalid');
    expect(renderedDocument(r.model)['info'].description).toBe('Costs ${price} per %{ if true }call%{ endif }');
    const result = await generate({
      spec: path.join(dir, 'cors-gen.yaml'),
      out: path.join(dir, 'generated'),
      cwd: dir,
    });
    expect(result.ok).toBe(true);
    const main = readFileSync(path.join(dir, 'generated/pets/main.tf'), 'utf8');
    expect(main).toContain('description = "Costs $${price} per %%{ if true }call%%{ endif }"');
  });
});

describe('security the gateway does not enforce', () => {
  const DOC = `openapi: 3.0.3
info: { title: guarded, version: '1' }
security:
  - oauth: [read]
paths:
  /open:
    get:
      security: []
      responses: { '200': { description: ok } }
  /either:
    get:
      security: [{ oauth: [] }, { key: [] }]
      responses: { '200': { description: ok } }
  /authorized:
    get:
      security: [{ lambda: [] }]
      responses: { '200': { description: ok } }
  /token:
    get:
      responses: { '200': { description: ok } }
    post:
      security: [{ wrongKey: [] }]
      responses: { '201': { description: ok } }
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: read } } }
    key: { type: apiKey, in: header, name: X-API-Key }
    wrongKey: { type: apiKey, in: header, name: api_key }
    lambda:
      type: apiKey
      in: header
      name: Authorization
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
`;

  it('warns once, at the first such operation, naming each scheme and every operation left open', async () => {
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': DOC });
    expect(warnings.filter((w) => w.code === 'openapi-security-not-enforced')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'openapi.yaml',
        line: 19,
        path: 'paths["/token"].get',
        message:
          '2 operation(s) the document guards only with security schemes API Gateway does not enforce ("oauth": oauth2; "wrongKey": apiKey in header "api_key", but API Gateway reads API keys from X-Api-Key only) are open at the gateway: paths./token.get, paths./token.post',
        fix: expect.stringContaining('x-amazon-apigateway-authorizer'),
      }),
    ]);
  });

  it('says nothing for the Petstore once its schemes are ones API Gateway enforces', async () => {
    const petstore = readFileSync(require.resolve('@readme/oas-examples/3.0/yaml/petstore.yaml'), 'utf8');
    const warned = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': petstore });
    expect(warned.warnings.find((w) => w.code === 'openapi-security-not-enforced')?.message).toMatch(
      /^9 operation\(s\) .*"petstore_auth": oauth2/,
    );
    const fixed = petstore
      .replace(
        /type: oauth2\n/,
        'type: apiKey\n      in: header\n      name: Authorization\n      x-amazon-apigateway-authorizer: { type: token, authorizerUri: arn:x }\n      x-ignored-flows:\n',
      )
      .replace(/(api_key:\n\s+type: apiKey\n\s+)name: api_key/, '$1name: x-api-key');
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': fixed });
    expect(warnings.filter((w) => w.code === 'openapi-security-not-enforced')).toEqual([]);
  });
});

describe("the spec's authorizers", () => {
  const AUTH = `authorizers:
  users:
    type: cognito
    userPoolArns: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01]
auth: users
`;
  const document = (head: string) => `${head}
info:
  title: T
  version: '1'
paths:
  /orders:
    get:
      responses:
        '200':
          description: ok
  /status:
    get:
      security: []
      responses:
        '200':
          description: ok
`;

  it('guard the methods the document leaves unguarded, beside its own schemes, in its dialect', async () => {
    for (const [head, schemesAt] of [
      ['openapi: 3.0.3', (b: Json) => b['components'].securitySchemes],
      ["swagger: '2.0'", (b: Json) => b['securityDefinitions']],
    ] as const) {
      const { model: m } = await model({ 'cors-gen.yaml': SPEC(AUTH), 'openapi.yaml': document(head) });
      const body = renderedDocument(m);
      expect(body['paths']['/orders'].get.security).toEqual([{ users: [] }]);
      expect(body['paths']['/status'].get.security).toEqual([]);
      expect(body['paths']['/orders'].options.security).toBeUndefined();
      expect(schemesAt(body).users['x-amazon-apigateway-authtype']).toBe('cognito_user_pools');
      // An authorizer's 401 and 403 carry the CORS headers, so a page can read them.
      expect(body['x-amazon-apigateway-gateway-responses'].UNAUTHORIZED.responseParameters).toHaveProperty([
        'gatewayresponse.header.Access-Control-Allow-Origin',
      ]);
    }
  });
});

describe("the spec's auth and the document's security", () => {
  const AUTH = `authorizers:
  users:
    type: cognito
    userPoolArns: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01]
auth: users
`;
  const DOC = `openapi: 3.0.3
info: { title: T, version: '1' }
security: [{ oauth: [] }]
paths:
  /orders:
    get:
      responses: { '200': { description: ok } }
    post:
      security: [{ key: [] }]
      responses: { '201': { description: ok } }
  /health:
    get:
      security: []
      responses: { '200': { description: ok } }
  /legacy:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: 'https://old.example.com/legacy' }
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: {} } }
    key: { type: apiKey, in: header, name: x-api-key }
`;

  it('guards what the document guards with schemes API Gateway ignores, keeps what it enforces or opens, and says so', async () => {
    const { model: m, warnings } = await model({ 'cors-gen.yaml': SPEC(AUTH), 'openapi.yaml': DOC });
    const body = renderedDocument(m);
    // oauth2 is not enforced by API Gateway: the spec's authorizer takes its place.
    expect(body['paths']['/orders'].get.security).toEqual([{ users: [] }]);
    // An API key in X-Api-Key is enforced: the document's requirement is kept.
    expect(body['paths']['/orders'].post.security).toEqual([{ key: [] }]);
    // Open on purpose: stays open, with a warning.
    expect(body['paths']['/health'].get.security).toEqual([]);
    // Its own integration is kept, and guarded like any method.
    expect(body['paths']['/legacy'].get.security).toEqual([{ users: [] }]);
    expect(body['paths']['/legacy'].get['x-amazon-apigateway-integration'].type).toBe('http_proxy');
    expect(warnings.filter((w) => w.code.startsWith('openapi-security'))).toEqual([
      expect.objectContaining({
        code: 'openapi-security-open',
        path: 'paths["/health"].get',
        line: 12,
        message: expect.stringContaining("stay open: the spec's auth does not guard them: paths./health.get"),
      }),
    ]);
  });

  it('without auth in the spec, warns about every operation left open by schemes API Gateway ignores', async () => {
    const { model: m, warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': DOC });
    expect(renderedDocument(m)['paths']['/orders'].get.security).toBeUndefined();
    expect(warnings.filter((w) => w.code.startsWith('openapi-security')).map((w) => w.message)).toEqual([
      expect.stringMatching(/^2 operation\(s\) .* paths\.\/orders\.get, paths\.\/legacy\.get$/),
    ]);
  });
});

describe('what the module does not carry', () => {
  it("warns that the document's base path is not part of the routes (Swagger 2.0 basePath, OpenAPI 3.0 servers)", async () => {
    for (const [version, at] of [
      ['2.0', 'basePath'],
      ['3.0', 'servers[0].url'],
    ] as const) {
      const text = readFileSync(require.resolve(`@readme/oas-examples/${version}/yaml/petstore.yaml`), 'utf8');
      const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
      expect(
        warnings.filter((w) => w.code === 'openapi-base-path'),
        version,
      ).toEqual([
        expect.objectContaining({ path: at, message: expect.stringContaining('the API answers /pet, not /v2/pet') }),
      ]);
    }
  });

  it("warns about request headers the operations take that cors.allowHeaders lacks (the Petstore's api_key)", async () => {
    const text = readFileSync(require.resolve('@readme/oas-examples/3.0/yaml/petstore.yaml'), 'utf8');
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(warnings.filter((w) => w.code === 'openapi-header-not-allowed')).toEqual([
      expect.objectContaining({
        path: 'paths["/pet/{petId}"].delete',
        message: expect.stringContaining('the request header "api_key", which cors.allowHeaders does not list'),
      }),
    ]);
    const allowed = await model({
      'cors-gen.yaml': SPEC().replace('cors:\n', 'cors:\n  allowHeaders: [Content-Type, Authorization, api_key]\n'),
      'openapi.yaml': text,
    });
    expect(allowed.warnings.filter((w) => w.code === 'openapi-header-not-allowed')).toEqual([]);
  });

  it('warns that a Lambda authorizer the document defines has no permission to be invoked', async () => {
    const text = `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /a:
    get:
      security: [{ mine: [] }, { theirs: [] }]
      responses: { '200': { description: ok } }
components:
  securitySchemes:
    mine:
      type: apiKey
      in: header
      name: Authorization
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
    theirs:
      type: apiKey
      in: header
      name: Authorization
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
        authorizerCredentials: arn:aws:iam::123456789012:role/invoke-auth
`;
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(warnings.filter((w) => w.code === 'openapi-authorizer-permission')).toEqual([
      expect.objectContaining({ path: 'components.securitySchemes.mine', line: 10 }),
    ]);
  });
});

describe('scheme names', () => {
  const petstore2 = () => readFileSync(require.resolve('@readme/oas-examples/2.0/yaml/petstore.yaml'), 'utf8');
  const COGNITO = `authorizers:
  users:
    type: cognito
    userPoolArns: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01]
auth: users
`;

  it("refuse a document scheme named like one cors-gen adds, and only then (the Petstore's api_key)", async () => {
    await expect(model({ 'cors-gen.yaml': SPEC(COGNITO), 'openapi.yaml': petstore2() })).resolves.toBeDefined();
    expect(
      (await errors({ 'cors-gen.yaml': SPEC(`${COGNITO}apiKeyRequired: true\n`), 'openapi.yaml': petstore2() })).map(
        (e) => [e.code, e.path],
      ),
    ).toEqual([['openapi-scheme-name', 'securityDefinitions.api_key']]);
  });
});

describe('a document path without operations', () => {
  it('answers the preflight on it and on each of its parents', async () => {
    const text = `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /orders:
    get:
      responses: { '200': { description: ok } }
  /x/y/{z}:
    summary: documented, not served yet
    parameters: []
`;
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    const body = renderedDocument(m);
    for (const key of ['/orders', '/x', '/x/y', '/x/y/{z}'])
      expect(body['paths'][key].options['x-amazon-apigateway-integration'].type, key).toBe('mock');
    expect(body['paths']['/x/y/{z}'].summary).toBe('documented, not served yet');
  });
});

describe('text and keys the HCL writer must quote', () => {
  const HOSTILE = `swagger: '2.0'
info:
  title: "T \\"quoted\\" \${x}"
  version: '1'
paths:
  /a:
    get:
      description: "back\\\\slash\\nnext line %{ if true }x%{ endif } \${file(\\"/etc/hostname\\")}"
      x-note "key"\\n:
        "a\\nb": 1
      responses:
        '200':
          description: ok
`;

  it('reads the module back to the document it was synthesized from, and Terraform gets the text as written', async () => {
    const { model: m } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': HOSTILE });
    const files = await buildModuleFiles(m, { format: 'hcl', specFile: 'cors-gen.yaml', specText: '', version: '0' });
    const tf = [...files.generated].filter(([name]) => name.endsWith('.tf'));
    const read = comparable(await readModule(tf), 'hcl') as Json;
    expect(read['locals'].openapi).toEqual(
      (comparable(indexDocument(files.document), 'json') as Json)['locals'].openapi,
    );
    const original = (parse(HOSTILE) as Json)['paths']['/a'].get;
    const { 'x-amazon-apigateway-integration': _integration, ...get } = renderedDocument(m)['paths']['/a'].get;
    expect(get).toEqual(original);
    expect(get['x-note "key"\\n']).toEqual({ 'a\nb': 1 });
  });
});

describe('generate', () => {
  it('writes the same module on every run, and --check reports it stale once the document changed', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': PETSTORE_3 });
    const options = { spec: path.join(dir, 'cors-gen.yaml'), out: path.join(dir, 'generated'), cwd: dir };
    expect((await generate(options)).ok).toBe(true);
    const first = readFileSync(path.join(dir, 'generated/pets/main.tf'), 'utf8');
    expect(await generate({ ...options, check: true })).toMatchObject({ ok: true });
    writeFileSync(path.join(dir, 'openapi.yaml'), PETSTORE_3.replace('Find pet by ID', 'Find a pet by its ID'));
    expect(await generate({ ...options, check: true })).toMatchObject({ ok: false, reason: 'stale' });
    expect((await generate(options)).ok).toBe(true);
    const second = readFileSync(path.join(dir, 'generated/pets/main.tf'), 'utf8');
    expect(second).not.toBe(first);
    expect(second).toContain('Find a pet by its ID');
  });

  it("keeps the document's own integrations even where AWS would answer 500, warning at their lines instead of failing", async () => {
    const text = `openapi: 3.0.3
info: { title: T, version: '1' }
paths:
  /items/{id}:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
  /fn:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: GET
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations
`;
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    const r = await generate({ spec: path.join(dir, 'cors-gen.yaml'), out: path.join(dir, 'generated'), cwd: dir });
    expect(r.ok).toBe(true);
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(warnings.filter((w) => ['openapi-mock-response', 'openapi-proxy-method'].includes(w.code))).toEqual([
      expect.objectContaining({
        code: 'openapi-mock-response',
        path: 'paths["/items/{id}"].get.x-amazon-apigateway-integration',
        line: 7,
      }),
      expect.objectContaining({
        code: 'openapi-proxy-method',
        path: 'paths["/fn"].get.x-amazon-apigateway-integration.httpMethod',
        line: 15,
      }),
    ]);
  });
});

describe('refusals, each at its line and path in the document', () => {
  const doc = (paths: string, head = 'openapi: 3.0.3') =>
    `${head}\ninfo:\n  title: T\n  version: '1'\npaths:\n${paths}`;
  const ok = "      responses:\n        '200':\n          description: ok\n";

  it('refuses OpenAPI 3.1, which API Gateway does not import', async () => {
    expect(
      await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': doc(`  /a:\n    get:\n${ok}`, 'openapi: 3.1.0') }),
    ).toEqual([
      expect.objectContaining({
        code: 'openapi-version',
        file: 'openapi.yaml',
        line: 1,
        path: 'openapi',
        message: expect.stringContaining('API Gateway imports Swagger 2.0 and OpenAPI 3.0 documents only'),
        fix: expect.stringContaining('openapi: 3.0.3'),
      }),
    ]);
  });

  it('refuses a $ref to another file', async () => {
    const text = doc(`  /a:\n    get:\n      responses:\n        '200':\n          $ref: './common.yaml#/ok'\n`);
    expect(await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).toEqual([
      expect.objectContaining({
        code: 'openapi-external-ref',
        line: 10,
        path: 'paths["/a"].get.responses["200"].$ref',
        fix: expect.stringContaining('bundle the document'),
      }),
    ]);
  });

  it('refuses an OPTIONS operation: cors-gen owns the preflight', async () => {
    const text = doc(`  /a:\n    get:\n${ok}    options:\n${ok}`);
    expect(await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).toEqual([
      expect.objectContaining({
        code: 'openapi-options',
        line: 11,
        path: 'paths["/a"].options',
        fix: "remove the options operation; cors-gen writes the preflight from the spec's cors settings",
      }),
    ]);
  });

  it('refuses a path item given by $ref, a path API Gateway cannot have, and TRACE', async () => {
    const text = doc(`  /a:\n    $ref: '#/x-items/a'\n  /b/:\n    get:\n${ok}  /c:\n    trace:\n${ok}`);
    const found = await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(found.map((e) => [e.code, e.line, e.path])).toEqual([
      ['openapi-path-ref', 7, 'paths["/a"].$ref'],
      ['openapi-path', 8, 'paths["/b/"]'],
      ['openapi-trace', 14, 'paths["/c"].trace'],
    ]);
    expect(found[1]!.message).toContain('"/b/" has a trailing slash');
  });

  it('refuses a gateway response that sets a CORS header itself', async () => {
    const text = `${doc(`  /a:\n    get:\n${ok}`)}x-amazon-apigateway-gateway-responses:\n  UNAUTHORIZED:\n    responseParameters:\n      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"\n`;
    expect(await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).toEqual([
      expect.objectContaining({
        code: 'openapi-gateway-cors-header',
        line: 14,
        path: 'x-amazon-apigateway-gateway-responses.UNAUTHORIZED.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"]',
        message: expect.stringContaining("sets Access-Control-Allow-Origin on API Gateway's UNAUTHORIZED answers"),
      }),
    ]);
  });

  it('refuses text CDKTF would take for one of its references', async () => {
    const text = doc(`  /a:\n    get:\n      description: '\${TfToken[TOKEN.1]}'\n${ok}`);
    expect((await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).map((e) => [e.code, e.line])).toEqual([
      ['openapi-token', 8],
    ]);
  });

  it('refuses a number that is not finite (YAML .nan and .inf), which HCL cannot write', async () => {
    const text = doc(`  /a:\n    get:\n      x-low: .nan\n      x-high: -.inf\n${ok}`);
    expect((await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).map((e) => [e.code, e.line])).toEqual([
      ['openapi-number', 8],
      ['openapi-number', 9],
    ]);
  });

  it('refuses a YAML alias inside the mapping it names, which never ends', async () => {
    const text = doc(`  /a: &loop\n    get:\n${ok}    x-self: *loop\n`);
    expect((await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).map((e) => e.code)).toEqual([
      'openapi-alias-cycle',
    ]);
  });

  it('warns at the paths of the document when they need more resources than API Gateway allows', async () => {
    const paths = Object.fromEntries(
      Array.from({ length: 301 }, (_, i) => [`/r${i}`, { get: { responses: { 200: { description: 'ok' } } } }]),
    );
    const text = JSON.stringify({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths }, null, 1);
    const { warnings } = await model({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'rest-too-many-resources', file: 'openapi.yaml', path: 'paths', line: 7 }),
    );
  });

  it("refuses a document that, with cors-gen's additions, is over API Gateway's 6 MB", async () => {
    const text = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'T', version: '1', description: 'x'.repeat(6 * 1024 * 1024) },
      paths: { '/a': { get: { responses: { 200: { description: 'ok' } } } } },
    });
    expect(await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).toEqual([
      expect.objectContaining({
        code: 'rest-definition-too-large',
        file: 'cors-gen.yaml',
        line: 3,
        path: 'openapi',
        message: expect.stringMatching(
          /^openapi\.yaml \(6\.0 MB as JSON\) with the preflights .* API Gateway accepts at most 6\.0 MB$/,
        ),
      }),
    ]);
  });

  it('refuses values nested deeper than the reader allows through YAML aliases', async () => {
    const nest = (inner: string) => `${'['.repeat(150)}${inner}${']'.repeat(150)}`;
    const text = `${doc(`  /a:\n    get:\n${ok}`)}x-a: &a ${nest('1')}\nx-b: ${nest('*a')}\n`;
    expect((await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).map((e) => [e.code, e.line])).toEqual([
      ['openapi-nesting', 12],
    ]);
  });

  it('refuses a key named __proto__, which a JavaScript object cannot hold as a key', async () => {
    const text = doc(`  /a:\n    get:\n      x-note:\n        __proto__:\n          polluted: true\n${ok}`);
    expect(
      (await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text })).map((e) => [e.code, e.line, e.path]),
    ).toEqual([['openapi-proto-key', 9, 'paths["/a"].get.x-note.__proto__']]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a document with no paths', async () => {
    expect(
      (await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': doc('  x-note: {}\n') })).map((e) => e.code),
    ).toEqual(['openapi-no-paths']);
  });

  it('reports route rules in the document: two variable names at one level', async () => {
    const text = doc(`  /u/{id}:\n    get:\n${ok}  /u/{userId}/posts:\n    get:\n${ok}`);
    const found = await errors({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': text });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'route-sibling-variable',
        file: 'openapi.yaml',
        line: 11,
        path: 'paths["/u/{userId}/posts"]',
        message:
          '"/u/{userId}/posts" puts {userId} beside {id} of /u/{id}; API Gateway allows one variable segment per level',
      }),
    ]);
  });

  it('refuses routes: beside openapi:, and openapi: with another API kind, in the spec', async () => {
    const withRoutes = await errors({
      'cors-gen.yaml': SPEC('routes:\n  - path: /a\n    methods: [GET]\n'),
      'openapi.yaml': PETSTORE_3,
    });
    expect(withRoutes).toEqual([
      expect.objectContaining({
        code: 'openapi-and-routes',
        file: 'cors-gen.yaml',
        line: 7,
        fix: 'remove routes: and add the paths to the OpenAPI document, or remove openapi: to keep the routes',
      }),
    ]);
    const http = await errors({ 'cors-gen.yaml': SPEC('api: http\n'), 'openapi.yaml': PETSTORE_3 });
    expect(http).toEqual([expect.objectContaining({ code: 'openapi-not-rest', path: 'openapi', line: 3 })]);
  });

  it('refuses a document outside the repository, naming the spec line', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC().replace('./openapi.yaml', '../outside.yaml') });
    writeFileSync(path.join(dir, '..', 'outside.yaml'), PETSTORE_3);
    const r = await load(dir);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      expect.objectContaining({
        code: 'openapi-file',
        file: 'cors-gen.yaml',
        line: 3,
        path: 'openapi',
        message: expect.stringMatching(/^"\.\.\/outside\.yaml" resolves to .* must stay inside the repository/),
      }),
    ]);
  });

  it('refuses a document reached through a symbolic link that leaves the repository', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC() });
    writeFileSync(path.join(dir, '..', 'outside.yaml'), PETSTORE_3);
    symlinkSync(path.join(dir, '..', 'outside.yaml'), path.join(dir, 'openapi.yaml'));
    const r = await load(dir);
    expect(r.ok ? [] : r.errors).toEqual([
      expect.objectContaining({
        code: 'openapi-file',
        line: 3,
        message: expect.stringContaining('(through a symbolic link, to '),
      }),
    ]);
  });

  it("refuses a security scheme named as one cors-gen writes for the spec's authorizers", async () => {
    const found = await errors({ 'cors-gen.yaml': SPEC('auth: iam\n'), 'openapi.yaml': OWN });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'openapi-scheme-name',
        file: 'openapi.yaml',
        line: 44,
        path: 'components.securitySchemes.sigv4',
      }),
    ]);
  });
});
