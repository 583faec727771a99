/**
 * The REST module's OpenAPI document as Terraform renders it: `local.openapi` evaluated with the repository's
 * expression evaluator (the module's default variables, placeholders for the attributes AWS computes), then
 * validated as OpenAPI 3.0 by @apidevtools/swagger-parser and held to the documented keys of API Gateway's
 * extensions. `terraform plan` treats `body` as an opaque string, so this is where a malformed document is caught.
 */
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load.js';
import type { CorsModel } from '../../src/spec/model.js';
import { modelOf, validSpec } from '../support/reliability-specs.js';
import { renderedDocument, type Json } from '../support/rest-document.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Documented keys: api-gateway-swagger-extensions-integration.html and -integration-response.html. */
const INTEGRATION_KEYS = new Set([
  'cacheKeyParameters',
  'cacheNamespace',
  'connectionId',
  'connectionType',
  'credentials',
  'contentHandling',
  'httpMethod',
  'integrationSubtype',
  'passthroughBehavior',
  'payloadFormatVersion',
  'requestParameters',
  'requestTemplates',
  'responses',
  'timeoutInMillis',
  'type',
  'tlsConfig',
  'uri',
]);
const INTEGRATION_RESPONSE_KEYS = new Set(['statusCode', 'responseTemplates', 'responseParameters', 'contentHandling']);
/** api-gateway-swagger-extensions-gateway-responses.gatewayResponse.html; response types from API_GatewayResponse. */
const GATEWAY_RESPONSE_KEYS = new Set(['statusCode', 'responseParameters', 'responseTemplates']);
const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** docs.aws.amazon.com/apigateway/latest/api/API_GatewayResponse.html (responseType). */
const GATEWAY_RESPONSE_TYPES = new Set(
  'DEFAULT_4XX DEFAULT_5XX RESOURCE_NOT_FOUND UNAUTHORIZED INVALID_API_KEY API_CONFIGURATION_ERROR AUTHORIZER_FAILURE AUTHORIZER_CONFIGURATION_ERROR INVALID_SIGNATURE EXPIRED_TOKEN ACCESS_DENIED INTEGRATION_FAILURE INTEGRATION_TIMEOUT MISSING_AUTHENTICATION_TOKEN QUOTA_EXCEEDED REQUEST_TOO_LARGE BAD_REQUEST_PARAMETERS BAD_REQUEST_BODY WAF_FILTERED THROTTLED UNSUPPORTED_MEDIA_TYPE'.split(
    ' ',
  ),
);
/** api-gateway-swagger-extensions-authorizer.html. */
const AUTHORIZER_KEYS = new Set([
  'type',
  'authorizerUri',
  'authorizerCredentials',
  'authorizerPayloadFormatVersion',
  'enableSimpleResponses',
  'identitySource',
  'jwtConfiguration',
  'identityValidationExpression',
  'authorizerResultTtlInSeconds',
  'providerARNs',
]);

/** Every way the document strays from what API Gateway documents for its extensions. */
function extensionProblems(document: Json): string[] {
  const problems: string[] = [];
  const unknown = (where: string, obj: Json, allowed: Set<string>) => {
    for (const k of Object.keys(obj)) if (!allowed.has(k)) problems.push(`${where}: undocumented key ${k}`);
  };
  for (const [p, item] of Object.entries(document.paths as Json)) {
    // swagger-parser checks path parameters for Swagger 2.0 only: every template segment must be a required path
    // parameter (OpenAPI 3.0.3, "Path Templating"), a greedy {name+} declared as `name` as API Gateway exports it.
    const templated = [...p.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
    const declared = ((item as Json).parameters ?? []).filter((x: Json) => x.in === 'path' && x.required === true);
    expect(
      declared.map((x: Json) => x.name),
      p,
    ).toEqual(templated);
    for (const [method, op] of Object.entries(item as Json)) {
      if (!OPERATIONS.includes(method)) continue;
      const where = `${method.toUpperCase()} ${p}`;
      const integration = op['x-amazon-apigateway-integration'] as Json | undefined;
      if (!integration) {
        problems.push(`${where}: no x-amazon-apigateway-integration`);
        continue;
      }
      unknown(where, integration, INTEGRATION_KEYS);
      if (!['aws', 'aws_proxy', 'http', 'http_proxy', 'mock'].includes(integration.type))
        problems.push(`${where}: type ${integration.type}`);
      if (!['when_no_match', 'when_no_templates', 'never'].includes(integration.passthroughBehavior))
        problems.push(`${where}: passthroughBehavior ${integration.passthroughBehavior}`);
      if (integration.type === 'aws_proxy' && !/^arn:aws:apigateway:/.test(integration.uri))
        problems.push(`${where}: uri ${integration.uri}`);
      for (const [selection, response] of Object.entries((integration.responses ?? {}) as Json)) {
        unknown(`${where} responses.${selection}`, response, INTEGRATION_RESPONSE_KEYS);
        // Every header the integration maps is declared by the operation's response for that status.
        const declared = op.responses?.[response.statusCode]?.headers ?? {};
        for (const [k, v] of Object.entries(response.responseParameters ?? {})) {
          const name = /^method\.response\.header\.(.+)$/.exec(k)?.[1];
          if (!name || !(name in declared)) problems.push(`${where}: ${k} is not a declared response header`);
          if (typeof v !== 'string' || !/^'[^']*'$/.test(v)) problems.push(`${where}: ${k} = ${String(v)}`);
        }
      }
    }
  }
  // api-gateway-swagger-extensions-authorizer.html, api-gateway-swagger-extensions-authtype.html: every scheme
  // an operation names exists, with a documented auth type and authorizer keys; OPTIONS names none.
  const schemes = ((document.components as Json | undefined)?.securitySchemes ?? {}) as Json;
  for (const [name, scheme] of Object.entries(schemes)) {
    const authtype = scheme['x-amazon-apigateway-authtype'];
    if (authtype !== undefined && !['cognito_user_pools', 'custom', 'awsSigv4'].includes(authtype))
      problems.push(`scheme ${name}: authtype ${authtype}`);
    unknown(`scheme ${name} authorizer`, scheme['x-amazon-apigateway-authorizer'] ?? {}, AUTHORIZER_KEYS);
  }
  for (const [p, item] of Object.entries(document.paths as Json))
    for (const [method, op] of Object.entries(item as Json)) {
      if (!OPERATIONS.includes(method)) continue;
      if (method === 'options' && op.security !== undefined) problems.push(`OPTIONS ${p}: security`);
      for (const requirement of (op.security ?? []) as Json[])
        for (const name of Object.keys(requirement))
          if (!(name in schemes)) problems.push(`${method.toUpperCase()} ${p}: unknown scheme ${name}`);
    }
  for (const [type, response] of Object.entries(document['x-amazon-apigateway-gateway-responses'] as Json)) {
    if (!GATEWAY_RESPONSE_TYPES.has(type)) problems.push(`gateway response type ${type}`);
    unknown(`gateway response ${type}`, response, GATEWAY_RESPONSE_KEYS);
    for (const [k, v] of Object.entries(response.responseParameters as Json))
      if (
        !/^gatewayresponse\.header\./.test(k) ||
        typeof v !== 'string' ||
        !/^('[^']*'|method\.request\.header\.origin)$/.test(v)
      )
        problems.push(`gateway response ${type}: ${k} = ${String(v)}`);
  }
  return problems;
}

async function expectValid(model: CorsModel): Promise<void> {
  const document = renderedDocument(model);
  expect(JSON.stringify(document)).not.toContain('${');
  // validate() dereferences in place: give it a copy.
  await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  expect(extensionProblems(document)).toEqual([]);
}

describe('the REST OpenAPI document, rendered', () => {
  it('is valid OpenAPI 3.0 with documented API Gateway extensions for the bundled REST example', async () => {
    const loaded = await loadSpec(path.join(ROOT, 'examples/orders-api/cors-gen.yaml'), ROOT);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    await expectValid(loaded.model);
    const document = renderedDocument(loaded.model);
    // The origin list and the headers are evaluated into the document, as Terraform's jsonencode sees them.
    const preflight = document.paths['/orders'].options['x-amazon-apigateway-integration'].responses.default;
    expect(preflight.responseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(
      "'https://app.example.com'",
    );
    expect(preflight.responseTemplates['application/json']).toContain(
      '#set($allowed = ["https://app.example.com","https://admin.example.com","http://shop-site-1.s3-website.eu-west-1.amazonaws.com"])',
    );
  });

  it('is valid for random valid REST specs', async () => {
    const specs = fc.sample(
      validSpec.filter((s) => s.api === 'rest'),
      { numRuns: 40, seed: 20261205 },
    );
    expect(specs.length).toBe(40);
    for (const spec of specs) {
      try {
        await expectValid(modelOf(spec));
      } catch (e) {
        throw new Error(`${JSON.stringify(spec)}: ${(e as Error).message}`);
      }
    }
  });

  it('fails on a document that breaks OpenAPI or the extensions (the checks can fail)', async () => {
    const loaded = await loadSpec(path.join(ROOT, 'examples/orders-api/cors-gen.yaml'), ROOT);
    if (!loaded.ok) throw new Error('invalid example');
    const document = renderedDocument(loaded.model);
    delete document.paths['/orders'].get.responses.default.description; // required by OpenAPI 3.0
    await expect(SwaggerParser.validate(document as never)).rejects.toThrow(/description/);
    const undeclared = renderedDocument(loaded.model);
    delete undeclared.paths['/orders/{orderId}'].parameters;
    expect(() => extensionProblems(undeclared)).toThrow(/orderId/);
    const broken = renderedDocument(loaded.model);
    broken.paths['/orders'].get['x-amazon-apigateway-integration'].httpMethods = 'POST';
    broken.paths['/orders'].options.security = [{ users: [] }];
    broken.paths['/health'].get.security = [{ nobody: [] }];
    broken['x-amazon-apigateway-gateway-responses'].UNAUTHORISED = { responseParameters: {} };
    expect(extensionProblems(broken)).toEqual([
      'GET /orders: undocumented key httpMethods',
      'OPTIONS /orders: security',
      'GET /health: unknown scheme nobody',
      'gateway response type UNAUTHORISED',
    ]);
  });
});
