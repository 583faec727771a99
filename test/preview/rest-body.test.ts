/**
 * The REST API is read from the OpenAPI document in `aws_api_gateway_rest_api.body`: what the preview cannot
 * emulate, and what API Gateway would refuse, is refused while planning, naming the module file, the place in the
 * document and what the preview supports; a deployment whose triggers miss the body is warned about.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError } from '../../src/preview/errors.js';
import { planDeployment } from '../../src/preview/module/deployment.js';
import { loadModule } from '../../src/preview/module/load.js';
import { ModuleResolver } from '../../src/preview/module/resolve.js';
import type { ResourceModel } from '../../src/preview/rest/model.js';
import { REPO, generateModules, type GeneratedModules } from '../support/preview.js';
import { editOpenApi } from '../support/rest-body.js';

const ENV = { apiOrigin: 'http://127.0.0.1:4000', siteHost: '127.0.0.1:5000' };
const INTEGRATION = 'x-amazon-apigateway-integration';

let json: GeneratedModules;
beforeAll(async () => {
  json = await generateModules(
    [{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }],
    'json',
  );
});
afterAll(() => json.cleanup());

async function plan(dir: string) {
  return planDeployment(await loadModule(dir), ENV, new Map());
}

/** The refusal of the module after `edit`, which must be a ModuleError. */
async function refusal(edit: Parameters<typeof editOpenApi>[1]): Promise<ModuleError> {
  const dir = json.copy('orders-api');
  editOpenApi(dir, edit);
  const error = await plan(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModuleError);
  return error as ModuleError;
}

describe('the REST API from its OpenAPI body', () => {
  it('reads what changes nothing it emulates: servers, components, an empty security requirement', async () => {
    const dir = json.copy('orders-api');
    editOpenApi(dir, (o) => {
      o.servers = [{ url: '/', description: 'the stage' }];
      o.components = { ...o.components, schemas: { Order: { type: 'object' } } };
      o.paths['/orders'].get.security = [];
    });
    expect((await plan(dir)).api.routes).toHaveLength(4);
  });

  it('plans the routes of the document, and removed blocks change nothing', async () => {
    const dir = json.copy('orders-api');
    editOpenApi(dir, (_o, doc) => {
      doc.removed = [{ from: 'aws_api_gateway_resource.orders', lifecycle: [{ destroy: false }] }];
    });
    const doc = await loadModule(dir);
    expect(doc.other.some((b) => b.kind === 'removed')).toBe(true);
    const { api, warnings } = planDeployment(doc, ENV, new Map());
    if (api.kind !== 'rest') throw new Error('expected a REST API');
    expect(api.routes).toEqual([
      { path: '/health', methods: ['GET'], options: true },
      { path: '/orders', methods: ['GET', 'POST'], options: true },
      { path: '/orders/{orderId}', methods: ['GET', 'PUT', 'DELETE'], options: true },
      { path: '/orders/{orderId}/items', methods: ['GET', 'POST'], options: true },
    ]);
    // The example has authorizers: the responses they produce are defined beside the defaults (jsonencode
    // writes the keys sorted).
    expect([...api.gatewayResponses.keys()]).toEqual([
      'ACCESS_DENIED',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'EXPIRED_TOKEN',
      'INVALID_API_KEY',
      'MISSING_AUTHENTICATION_TOKEN',
      'THROTTLED',
      'UNAUTHORIZED',
    ]);
    expect(warnings).toEqual([]);
  });

  it('evaluates the body and its trigger as Terraform does: jsonencode of the document, then sha1', async () => {
    const dir = json.copy('orders-api');
    editOpenApi(dir, (_o, doc) => {
      doc.resource.aws_api_gateway_deployment.openapi.triggers = {
        redeployment: '${sha1(aws_api_gateway_rest_api.api.body)}',
      };
    });
    const r = new ModuleResolver(await loadModule(dir), ENV, new Map());
    const body = r.attribute('aws_api_gateway_rest_api.api', 'body') as string;
    // jsonencode: sorted keys, no spaces, and `<`, `>`, `&` escaped (the VTL has `&&`).
    const document = JSON.parse(body);
    expect(Object.keys(document)).toEqual(Object.keys(document).sort());
    expect(body).toMatch(/^\{"[^"]+":/);
    expect(body).toContain('\\u0026\\u0026');
    expect(body).not.toContain('&');
    expect(r.attribute('aws_api_gateway_deployment.openapi', 'triggers')).toEqual({
      redeployment: createHash('sha1').update(body).digest('hex'),
    });
  });

  it('serves a document that is valid OpenAPI 3.0, so the fixture has the shape API Gateway imports', async () => {
    const r = new ModuleResolver(await loadModule(json.dirs.get('orders-api')!), ENV, new Map());
    const document = JSON.parse(r.attribute('aws_api_gateway_rest_api.api', 'body') as string);
    await expect(SwaggerParser.validate(document)).resolves.toMatchObject({ openapi: '3.0.1' });
  });
});

describe('refusals while planning, naming the place in the document', () => {
  it('refuses an integration type API Gateway does not have', async () => {
    const e = await refusal((o) => (o.paths['/orders'].get[INTEGRATION].type = 'grpc'));
    expect(e.message).toBe(
      'main.tf.json: aws_api_gateway_rest_api.api.body, at paths["/orders"].get["x-amazon-apigateway-integration"].type: integration type "grpc" is not one API Gateway has (mock, aws_proxy, aws, http, http_proxy)',
    );
  });

  it('refuses security it cannot emulate, request validators and other extensions', async () => {
    const security = await refusal((o) => (o.paths['/orders'].post.security = [{ cognito: [] }]));
    expect(security.message).toMatch(
      /at paths\["\/orders"\]\.post\.security\[0\]\.cognito: "cognito" is not a scheme of components\.securitySchemes/,
    );
    const validator = await refusal((o) => (o.paths['/orders'].post['x-amazon-apigateway-request-validator'] = 'all'));
    expect(validator.message).toMatch(
      /at paths\["\/orders"\]\.post\["x-amazon-apigateway-request-validator"\]: request validators are not emulated/,
    );
    const validators = await refusal((o) => (o['x-amazon-apigateway-request-validators'] = { all: {} }));
    expect(validators.message).toMatch(
      /body, at \["x-amazon-apigateway-request-validators"\]: "x-amazon-apigateway-request-validators" is not emulated by the preview \(in OpenAPI document it reads openapi, info/,
    );
    const endpoint = await refusal(
      (o) =>
        (o.servers = [{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } }]),
    );
    expect(endpoint.message).toMatch(
      /at servers\[0\]\["x-amazon-apigateway-endpoint-configuration"\]: .* is not emulated by the preview \(in a server it reads url, description, variables\)/,
    );
    const credentials = await refusal(
      (o) => (o.paths['/health'].get[INTEGRATION].credentials = 'arn:aws:iam::1:role/x'),
    );
    expect(credentials.message).toMatch(
      /\["x-amazon-apigateway-integration"\]\.credentials: "credentials" is not emulated/,
    );
  });

  it("guards as API Gateway does: the document's security where an operation has none, schemes it ignores guard nothing", async () => {
    const dir = json.copy('orders-api');
    editOpenApi(dir, (o) => {
      o.components.securitySchemes = {
        ...o.components.securitySchemes,
        oauth: { type: 'oauth2', flows: {} },
        named: { type: 'apiKey', in: 'header', name: 'api_key' },
        key: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      };
      o.security = [{ key: [] }];
      for (const item of Object.values(o.paths) as Record<string, Record<string, unknown>>[])
        for (const op of Object.values(item)) delete op['security'];
      o.paths['/orders'].get.security = [{ oauth: [] }];
      o.paths['/orders'].post.security = [{ named: [] }];
      o.paths['/health'].get.security = [];
    });
    const { api } = await plan(dir);
    if (api.kind !== 'rest') throw new Error('expected a REST API');
    const find = (r: ResourceModel, p: string): ResourceModel | undefined =>
      r.path === p ? r : r.children.map((c) => find(c, p)).find(Boolean);
    const method = (p: string, m: string) => find(api.root, p)!.methods.get(m)!;
    for (const m of ['GET', 'POST']) {
      expect(method('/orders', m).apiKeyRequired, m).toBe(false);
      expect(method('/orders', m).guard, m).toBeUndefined();
    }
    expect(method('/health', 'GET').apiKeyRequired).toBe(false);
    expect(method('/orders/{orderId}', 'GET').apiKeyRequired).toBe(true);
  });

  it('refuses an aws_proxy uri that is not a function of the module', async () => {
    const e = await refusal(
      (o) =>
        (o.paths['/health'].get[INTEGRATION].uri =
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:elsewhere/invocations'),
    );
    expect(e.message).toMatch(
      /at paths\["\/health"\]\.get\["x-amazon-apigateway-integration"\]\.uri: uri "arn:aws:apigateway:.*function:elsewhere\/invocations" is not the invoke_arn of a Lambda function of the module/,
    );
    expect(e.fix).toBe('set uri to aws_lambda_function.<name>.invoke_arn');
  });

  it('refuses a body that is not valid JSON', async () => {
    const e = await refusal(
      (_o, doc) => (doc.resource.aws_api_gateway_rest_api.api.body = '${jsonencode(local.openapi)}]'),
    );
    expect(e.message).toMatch(/^main\.tf\.json: aws_api_gateway_rest_api\.api\.body: the body is not valid JSON \(/);
  });

  it('refuses a path template API Gateway would refuse', async () => {
    const move = (to: string) => (o: any) => {
      o.paths[to] = o.paths['/health'];
      delete o.paths['/health'];
    };
    expect((await refusal(move('/orders//x'))).message).toMatch(
      /at paths\["\/orders\/\/x"\]: "\/orders\/\/x" is not a resource path/,
    );
    expect((await refusal(move('health'))).message).toMatch(/at paths\.health: "health" is not a resource path/);
    expect((await refusal(move('/files/{path+}/more'))).message).toMatch(
      /the greedy variable \{path\+\} must be the last part of the path/,
    );
    expect((await refusal(move('/orders/{id}'))).message).toMatch(
      // The document's paths are in jsonencode's order, so /orders/{id} is read first.
      /at paths\["\/orders\/\{orderId\}"\]: a sibling \(\{id\}\) of \{orderId\} already has a variable path part/,
    );
    expect((await refusal(move('/a b'))).message).toMatch(/"a b" is not a path part API Gateway accepts/);
  });

  it('refuses a header mapping its method response does not declare, with the error AWS gives', async () => {
    const e = await refusal((o) => delete o.paths['/health'].options.responses['204'].headers.Vary);
    expect(e.message).toMatch(
      /at paths\["\/health"\]\.options\["x-amazon-apigateway-integration"\]\.responses\.default\.responseParameters\["method\.response\.header\.Vary"\]: .*"Invalid mapping expression parameter specified: method\.response\.header\.Vary"/,
    );
  });

  it('refuses an unquoted static value, as AWS does ("Invalid mapping expression specified")', async () => {
    const e = await refusal(
      (o) =>
        (o.paths['/health'].options[INTEGRATION].responses.default.responseParameters['method.response.header.Vary'] =
          'Origin'),
    );
    expect(e.message).toMatch(/Invalid mapping expression specified: "Origin"/);
  });

  it('refuses an integration response whose status the operation does not declare', async () => {
    const e = await refusal((o) => (o.paths['/health'].options[INTEGRATION].responses.default.statusCode = '200'));
    expect(e.message).toMatch(/statusCode: the operation's responses have no "200"; AWS refuses it/);
  });

  it('refuses a method without an integration, as creating the deployment would fail on AWS', async () => {
    const e = await refusal((o) => delete o.paths['/health'].get[INTEGRATION]);
    expect(e.message).toMatch(
      /at paths\["\/health"\]\.get: GET has no x-amazon-apigateway-integration; creating the deployment fails on AWS with "No integration defined for method"/,
    );
  });

  it('refuses a gateway response type API Gateway does not have', async () => {
    const e = await refusal((o) => (o['x-amazon-apigateway-gateway-responses'].MISSING_TOKEN = {}));
    expect(e.message).toMatch(
      /at \["x-amazon-apigateway-gateway-responses"\]\.MISSING_TOKEN: "MISSING_TOKEN" is not a gateway response type/,
    );
  });

  it('keeps the hardening bounds for the document: nesting and VTL loops', async () => {
    const deep = await refusal(
      (_o, doc) => (doc.resource.aws_api_gateway_rest_api.api.body = `${'['.repeat(5000)}${']'.repeat(5000)}`),
    );
    expect(deep.message).toMatch(/body: values nest more than 64 levels deep/);
    const loop = await refusal(
      (o) =>
        (o.paths['/health'].options[INTEGRATION].responses.default.responseTemplates['application/json'] =
          '#foreach($i in [1..100000])x#end'),
    );
    expect(loop.message).toMatch(/responseTemplates\["application\/json"\]: the mapping template builds the range/);
  });

  it('refuses a module generated by an older cors-gen, resource by resource, and says to regenerate', async () => {
    const e = await refusal(
      (_o, doc) =>
        (doc.resource.aws_api_gateway_resource = {
          orders: {
            rest_api_id: '${aws_api_gateway_rest_api.api.id}',
            parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}',
            path_part: 'orders',
          },
        }),
    );
    expect(e.message).toMatch(
      /^main\.tf\.json: aws_api_gateway_resource\.orders: the module was generated by an older cors-gen: it defines its REST API resource by resource \(aws_api_gateway_resource\)/,
    );
    expect(e.code).toBe('module-outdated');
    expect(e.fix).toBe('regenerate the module with this version: cors-gen generate');
  });
});

describe('the deployment snapshot', () => {
  async function warnings(edit: Parameters<typeof editOpenApi>[1]): Promise<readonly string[]> {
    const dir = json.copy('orders-api');
    editOpenApi(dir, edit);
    return (await plan(dir)).warnings;
  }

  it('warns when the triggers do not depend on the body', async () => {
    expect(
      await warnings(
        (_o, doc) =>
          (doc.resource.aws_api_gateway_deployment.openapi.triggers = {
            redeployment: '${sha1(jsonencode(local.cors_origins))}',
          }),
      ),
    ).toEqual([
      'aws_api_gateway_deployment.openapi: its triggers do not depend on aws_api_gateway_rest_api.api.body; on AWS a later change to the API would not reach the stage until something else triggers a new deployment',
    ]);
    // The id names the API, not its definition.
    expect(
      await warnings(
        (_o, doc) =>
          (doc.resource.aws_api_gateway_deployment.openapi.triggers = {
            redeployment: '${aws_api_gateway_rest_api.api.id}',
          }),
      ),
    ).toHaveLength(1);
  });

  it('takes a trigger on what the body encodes as depending on the body', async () => {
    expect(
      await warnings(
        (_o, doc) =>
          (doc.resource.aws_api_gateway_deployment.openapi.triggers = {
            redeployment: '${sha1(jsonencode(local.openapi))}',
          }),
      ),
    ).toEqual([]);
  });

  it('warns when put_rest_api_mode is not overwrite (a removed route would stay on AWS)', async () => {
    expect(await warnings((_o, doc) => delete doc.resource.aws_api_gateway_rest_api.api.put_rest_api_mode)).toEqual([
      'aws_api_gateway_rest_api.api: put_rest_api_mode is not "overwrite"; on AWS a route removed from the body would stay in the API and keep being served',
    ]);
  });
});
