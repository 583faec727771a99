/**
 * A REST API's OpenAPI 3.0 definition (the evaluated `body` of `aws_api_gateway_rest_api`) as the resource tree
 * the emulator routes over, the way API Gateway imports it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html): each path of
 * `paths` is a resource (with every intermediate resource of its path), each operation a method, each
 * `x-amazon-apigateway-integration` its integration
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html),
 * the integration's `responses`, keyed by selection pattern, its integration responses
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html),
 * and the operation's `responses` its method responses (a `headers` entry declares
 * `method.response.header.<Name>`).
 *
 * The body comes from a module file anyone may have written: every key is allow-listed, and anything the
 * preview does not emulate (authorizers, request validators, other integration types, ...) is refused here,
 * with the place in the document, before anything is served.
 */
import { createHash } from 'node:crypto';
import type { FunctionModel } from '../module/functions.js';
import type { ModuleError } from '../errors.js';
import { checkNesting } from '../module/load.js';
import { BodyPath, object, type Json, type JsonObject } from './body-path.js';
import { planGatewayResponses, type GatewayResponsesModel } from './gateway-responses.js';
import { compileTemplate, type CompiledTemplate } from './vtl.js';
import { authorizerFunctionArn, type GuardModel } from '../authorizers.js';

export interface MethodModel {
  readonly httpMethod: string;
  readonly integration: IntegrationModel;
  /** The status codes of the operation's `responses` (its method responses). */
  readonly methodResponses: ReadonlySet<string>;
  /** The authorizer or AWS_IAM its `security` requires; undefined when open. */
  readonly guard?: GuardModel;
  /** Whether its `security` requires an API key. */
  readonly apiKeyRequired: boolean;
}

export type MockIntegration = {
  readonly kind: 'MOCK';
  readonly requestTemplates: ReadonlyMap<string, CompiledTemplate>;
  /** WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER. */
  readonly passthrough: string;
  readonly responses: readonly IntegrationResponseModel[];
};

export type ProxyIntegration = {
  readonly kind: 'AWS_PROXY';
  readonly fn: FunctionModel;
  readonly timeoutMs: number;
};

export type IntegrationModel = MockIntegration | ProxyIntegration | UnemulatedIntegration;

/**
 * An integration of the user's own (an `openapi:` document's `http_proxy`, `http`, `aws`) that reaches a backend
 * the preview does not have: the method answers with a gateway error that says so, and the rest of the API works.
 */
export interface UnemulatedIntegration {
  readonly kind: 'UNEMULATED';
  /** The integration's type, as the document writes it. */
  readonly type: string;
}

export interface IntegrationResponseModel {
  readonly statusCode: string;
  readonly selectionPattern?: RegExp;
  /** Header name (as in `method.response.header.<Name>`) and its static value. */
  readonly headers: readonly (readonly [string, string])[];
  readonly templates: ReadonlyMap<string, CompiledTemplate>;
}

export interface ResourceModel {
  /** Stands for the id API Gateway gives a resource (`$context.resourceId`): derived from the path, stable. */
  readonly id: string;
  /** `orders`, `{orderId}` or `{proxy+}`; empty for the root. */
  readonly part: string;
  /** `/orders/{orderId}`. */
  readonly path: string;
  readonly children: readonly ResourceModel[];
  readonly methods: ReadonlyMap<string, MethodModel>;
}

export interface OpenApiModel {
  readonly root: ResourceModel;
  readonly gatewayResponses: GatewayResponsesModel;
}

type MutableResource = Omit<ResourceModel, 'children' | 'methods'> & {
  children: MutableResource[];
  methods: Map<string, MethodModel>;
};

/**
 * Integration types whose backend the preview does not have: an HTTP endpoint or another AWS service
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html).
 */
const UNEMULATED_TYPES = new Set(['http', 'http_proxy', 'aws']);

/** Keys the preview reads or that change nothing it emulates; any other key is refused where it appears. */
const DOCUMENT_KEYS = new Set([
  'openapi',
  'info',
  'servers',
  'tags',
  'externalDocs',
  'paths',
  'components',
  'x-amazon-apigateway-gateway-responses',
  'x-amazon-apigateway-api-key-source',
  // The requirement of every operation without its own (cors-gen's preflights carry `security: []`).
  'security',
]);
/**
 * A Swagger 2.0 document's top-level keys (a spec's own document, `openapi:`, stays 2.0): API Gateway imports it
 * ignoring basePath by default (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html).
 */
const SWAGGER_KEYS = new Set([
  'swagger',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'tags',
  'externalDocs',
  'paths',
  'definitions',
  'parameters',
  'responses',
  'securityDefinitions',
  'security',
  'x-amazon-apigateway-gateway-responses',
  'x-amazon-apigateway-api-key-source',
]);
const COMPONENT_KEYS = new Set([
  'schemas',
  'responses',
  'parameters',
  'headers',
  'examples',
  'requestBodies',
  'securitySchemes',
]);
/** Without `x-amazon-apigateway-endpoint-configuration`, which can turn the default endpoint off. */
const SERVER_KEYS = new Set(['url', 'description', 'variables']);
const PATH_ITEM_KEYS = new Set(['summary', 'description', 'parameters']);
const OPERATION_KEYS = new Set([
  'summary',
  'description',
  'operationId',
  'tags',
  'externalDocs',
  'parameters',
  'requestBody',
  'responses',
  'deprecated',
  'x-amazon-apigateway-integration',
  'security',
  // Swagger 2.0's media types and schemes of an operation.
  'consumes',
  'produces',
  'schemes',
]);
/** OpenAPI's operations, and API Gateway's name for ANY. */
const OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['get', 'GET'],
  ['put', 'PUT'],
  ['post', 'POST'],
  ['delete', 'DELETE'],
  ['options', 'OPTIONS'],
  ['head', 'HEAD'],
  ['patch', 'PATCH'],
  ['x-amazon-apigateway-any-method', 'ANY'],
]);
const MOCK_KEYS = new Set(['type', 'requestTemplates', 'passthroughBehavior', 'responses', 'contentHandling']);
const PROXY_KEYS = new Set(['type', 'httpMethod', 'uri', 'passthroughBehavior', 'timeoutInMillis', 'contentHandling']);
const INTEGRATION_RESPONSE_KEYS = new Set(['statusCode', 'responseParameters', 'responseTemplates', 'contentHandling']);
const PASSTHROUGH = new Set(['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER']);

/**
 * A resource's path part: literal characters, or one `{name}` / `{name+}` variable. API Gateway refuses other
 * parts ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an
 * optional plus sign before the closing brace"), though it also takes some reserved URI characters such as `:`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html), which the literal
 * class below lets through.
 */
const PATH_PART = /^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9._-]+\+?\})$/;

export function planOpenApi(text: string, at: BodyPath, functions: ReadonlyMap<string, FunctionModel>): OpenApiModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw at.error(
      `the body is not valid JSON (${(e as Error).message}); API Gateway imports an OpenAPI document`,
      'define body as jsonencode() of the OpenAPI document, as "cors-gen generate" writes it',
    );
  }
  // The document nests as deep as its author likes; bound it before anything walks it recursively.
  try {
    checkNesting(parsed as Json, at.file);
  } catch (e) {
    throw at.error((e as ModuleError).reason);
  }
  const doc = object(parsed as Json, at);
  const swagger2 = doc['swagger'] === '2.0';
  allowKeys(doc, at, swagger2 ? SWAGGER_KEYS : DOCUMENT_KEYS, swagger2 ? 'Swagger 2.0 document' : 'OpenAPI document');
  if (!swagger2 && (typeof doc['openapi'] !== 'string' || !/^3\.0\.\d+$/.test(doc['openapi'])))
    throw at
      .child('openapi')
      .error(
        `the document is ${JSON.stringify(doc['openapi'] ?? null)}; the preview reads OpenAPI 3.0 documents ("openapi": "3.0.1") and Swagger 2.0 ones`,
      );
  allowKeys(object(doc['components'], at.child('components')), at.child('components'), COMPONENT_KEYS, 'components');
  const servers = doc['servers'] ?? [];
  if (!Array.isArray(servers)) throw at.child('servers').error('servers must be a list');
  servers.forEach((server, i) =>
    allowKeys(object(server, at.child('servers').child(i)), at.child('servers').child(i), SERVER_KEYS, 'a server'),
  );

  const keySource = doc['x-amazon-apigateway-api-key-source'];
  if (keySource !== undefined && keySource !== 'HEADER')
    throw at
      .child('x-amazon-apigateway-api-key-source')
      .error(
        `API key source ${JSON.stringify(keySource)} is not emulated by the preview (it reads keys from x-api-key)`,
      );
  const schemes = swagger2
    ? planSecuritySchemes(doc['securityDefinitions'], at.child('securityDefinitions'))
    : planSecuritySchemes(
        object(doc['components'] ?? null, at.child('components'))['securitySchemes'],
        at.child('components').child('securitySchemes'),
      );

  const root: MutableResource = { id: resourceId('/'), part: '', path: '/', children: [], methods: new Map() };
  const paths = object(doc['paths'] ?? null, at.child('paths'));
  for (const [template, item] of Object.entries(paths)) {
    const itemAt = at.child('paths').child(template);
    const node = resourceFor(root, template, itemAt);
    for (const [key, operation] of Object.entries(object(item, itemAt))) {
      const httpMethod = OPERATIONS.get(key);
      if (httpMethod === undefined) {
        if (PATH_ITEM_KEYS.has(key)) continue;
        throw itemAt
          .child(key)
          .error(
            `"${key}" is not emulated by the preview (a path item holds ${[...OPERATIONS.keys()].join(', ')} and ${[...PATH_ITEM_KEYS].join(', ')})`,
          );
      }
      node.methods.set(
        httpMethod,
        planMethod(operation, itemAt.child(key), httpMethod, functions, schemes, {
          value: doc['security'],
          at: at.child('security'),
        }),
      );
    }
  }

  const gatewayResponses = planGatewayResponses(
    doc['x-amazon-apigateway-gateway-responses'] ?? null,
    at.child('x-amazon-apigateway-gateway-responses'),
  );
  return { root, gatewayResponses };
}

/** The resource of a path template, creating it and its ancestors (API Gateway's import does the same). */
function resourceFor(root: MutableResource, template: string, at: BodyPath): MutableResource {
  if (template === '/') return root;
  const parts = template.split('/').slice(1);
  if (!template.startsWith('/') || parts.some((p) => p === ''))
    throw at.error(
      `"${template}" is not a resource path; API Gateway wants "/" followed by non-empty segments ("/orders/{orderId}")`,
    );
  let node = root;
  for (const [i, part] of parts.entries()) {
    if (!PATH_PART.test(part))
      throw at.error(
        `"${part}" is not a path part API Gateway accepts: literal characters, or one {name} or {name+} variable`,
      );
    if (part.endsWith('+}') && i !== parts.length - 1)
      throw at.error(
        `the greedy variable ${part} must be the last part of the path; API Gateway refuses "${template}"`,
      );
    let child = node.children.find((c) => c.part === part);
    if (!child) {
      const sibling = part.startsWith('{') ? node.children.find((c) => c.part.startsWith('{')) : undefined;
      // API Gateway: "A sibling ({orderId}) of this resource already has a variable path part -- only one is allowed".
      if (sibling)
        throw at.error(
          `a sibling (${sibling.part}) of ${part} already has a variable path part; API Gateway allows one per level`,
        );
      const path = `${node.path === '/' ? '' : node.path}/${part}`;
      child = { id: resourceId(path), part, path, children: [], methods: new Map() };
      node.children.push(child);
    }
    node = child;
  }
  return node;
}

function resourceId(path: string): string {
  return createHash('sha1').update(path).digest('hex').slice(0, 10);
}

function planMethod(
  value: Json,
  at: BodyPath,
  httpMethod: string,
  functions: ReadonlyMap<string, FunctionModel>,
  schemes: ReadonlyMap<string, Scheme>,
  /** The document's `security`, which applies to an operation without its own (OpenAPI's Operation Object). */
  documentSecurity: { value: Json | undefined; at: BodyPath },
): MethodModel {
  const operation = object(value, at);
  for (const key of Object.keys(operation)) {
    if (OPERATION_KEYS.has(key)) continue;
    const what = key === 'x-amazon-apigateway-request-validator' ? 'request validators are' : `"${key}" is`;
    throw at.child(key).error(`${what} not emulated by the preview`);
  }
  const { guard, apiKeyRequired } =
    operation['security'] === undefined
      ? planSecurity(documentSecurity.value, documentSecurity.at, schemes)
      : planSecurity(operation['security'], at.child('security'), schemes);
  // The operation's responses are its method responses; a header they declare may be mapped by an integration.
  const methodResponses = new Map<string, Set<string>>();
  const responsesAt = at.child('responses');
  for (const [status, response] of Object.entries(object(operation['responses'] ?? null, responsesAt))) {
    const headers = object(object(response, responsesAt.child(status))['headers'] ?? null, responsesAt.child(status));
    methodResponses.set(status, new Set(Object.keys(headers).map((h) => h.toLowerCase())));
  }
  const integrationAt = at.child('x-amazon-apigateway-integration');
  if (operation['x-amazon-apigateway-integration'] === undefined)
    // AWS refuses the deployment: "No integration defined for method"
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html).
    throw at.error(
      `${httpMethod} has no x-amazon-apigateway-integration; creating the deployment fails on AWS with "No integration defined for method"`,
    );
  const integration = object(operation['x-amazon-apigateway-integration'], integrationAt);
  const type = typeof integration['type'] === 'string' ? integration['type'].toLowerCase() : integration['type'];
  const planned =
    type === 'mock'
      ? planMock(integration, integrationAt, methodResponses)
      : type === 'aws_proxy'
        ? planProxy(integration, integrationAt, functions)
        : undefined;
  if (!planned && (typeof type !== 'string' || !UNEMULATED_TYPES.has(type)))
    throw integrationAt
      .child('type')
      .error(
        `integration type ${JSON.stringify(type ?? null)} is not one API Gateway has (mock, aws_proxy, aws, http, http_proxy)`,
      );
  return {
    httpMethod,
    integration: planned ?? { kind: 'UNEMULATED', type: String(type) },
    methodResponses: new Set(methodResponses.keys()),
    ...(guard ? { guard } : {}),
    apiKeyRequired,
  };
}

function planProxy(
  integration: JsonObject,
  at: BodyPath,
  functions: ReadonlyMap<string, FunctionModel>,
): ProxyIntegration {
  allowKeys(integration, at, PROXY_KEYS, 'an aws_proxy integration');
  if (integration['httpMethod'] !== 'POST')
    throw at
      .child('httpMethod')
      .error('httpMethod must be "POST" for a Lambda proxy integration (Lambda is invoked with POST only)');
  const uri = integration['uri'];
  const fn = [...functions.values()].find((f) => f.invokeArn === uri);
  if (!fn)
    throw at
      .child('uri')
      .error(
        `uri ${JSON.stringify(uri ?? null)} is not the invoke_arn of a Lambda function of the module; the preview runs the module's own functions`,
        'set uri to aws_lambda_function.<name>.invoke_arn',
      );
  const timeout = integration['timeoutInMillis'] ?? 29_000;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50)
    throw at.child('timeoutInMillis').error('timeoutInMillis must be a whole number of milliseconds, at least 50');
  passthrough(integration, at);
  contentHandling(integration, at);
  return { kind: 'AWS_PROXY', fn, timeoutMs: timeout };
}

function planMock(
  integration: JsonObject,
  at: BodyPath,
  methodResponses: ReadonlyMap<string, ReadonlySet<string>>,
): MockIntegration {
  allowKeys(integration, at, MOCK_KEYS, 'a mock integration');
  contentHandling(integration, at);
  const requestTemplates = templates(integration['requestTemplates'], at.child('requestTemplates'));
  const responsesAt = at.child('responses');
  const responses = Object.entries(object(integration['responses'] ?? null, responsesAt)).map(([pattern, value]) =>
    planIntegrationResponse(pattern, value, responsesAt.child(pattern), methodResponses),
  );
  return { kind: 'MOCK', requestTemplates, passthrough: passthrough(integration, at), responses };
}

function planIntegrationResponse(
  pattern: string,
  value: Json,
  at: BodyPath,
  methodResponses: ReadonlyMap<string, ReadonlySet<string>>,
): IntegrationResponseModel {
  const response = object(value, at);
  allowKeys(response, at, INTEGRATION_RESPONSE_KEYS, 'an integration response');
  contentHandling(response, at);
  const status = response['statusCode'];
  if (typeof status !== 'string' || !/^[1-5]\d\d$/.test(status))
    throw at
      .child('statusCode')
      .error(`statusCode ${JSON.stringify(status ?? null)} is not an HTTP status as a string`);
  const declared = methodResponses.get(status);
  // "Invalid mapping expression ... No method response exists for method."
  // (https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegrationResponse.html)
  if (!declared)
    throw at
      .child('statusCode')
      .error(`the operation's responses have no "${status}"; AWS refuses it ("No method response exists for method")`);
  const paramsAt = at.child('responseParameters');
  const headers: [string, string][] = [];
  for (const [key, v] of Object.entries(object(response['responseParameters'] ?? null, paramsAt))) {
    const m = /^method\.response\.header\.(.+)$/.exec(key);
    if (!m)
      throw paramsAt
        .child(key)
        .error(`response parameter ${key} is not supported by the preview (it emulates method.response.header.*)`);
    // AWS: "Invalid mapping expression parameter specified: method.response.header.X"
    if (!declared.has(m[1]!.toLowerCase()))
      throw paramsAt
        .child(key)
        .error(
          `the operation's response "${status}" declares no header ${m[1]}; AWS refuses the mapping with "Invalid mapping expression parameter specified: ${key}"`,
        );
    const quoted = typeof v === 'string' ? /^'(.*)'$/s.exec(v) : null;
    if (!quoted)
      throw paramsAt
        .child(key)
        .error(
          `Invalid mapping expression specified: ${JSON.stringify(v)}; the preview emulates static values in single quotes`,
        );
    headers.push([m[1]!, quoted[1]!]);
  }
  let selectionPattern: RegExp | undefined;
  if (pattern !== 'default') {
    try {
      selectionPattern = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw at.error(`the selection pattern is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  return {
    statusCode: status,
    ...(selectionPattern ? { selectionPattern } : {}),
    headers,
    templates: templates(response['responseTemplates'], at.child('responseTemplates')),
  };
}

function templates(value: Json | undefined, at: BodyPath): Map<string, CompiledTemplate> {
  const out = new Map<string, CompiledTemplate>();
  for (const [contentType, t] of Object.entries(object(value ?? null, at))) {
    if (typeof t !== 'string') throw at.child(contentType).error('a mapping template must be a string');
    out.set(contentType.toLowerCase(), compileTemplate(t, at.child(contentType).where));
  }
  return out;
}

/** `when_no_match` (the default), `when_no_templates` or `never`, as the emulator names them. */
function passthrough(integration: JsonObject, at: BodyPath): string {
  const value = integration['passthroughBehavior'] ?? 'when_no_match';
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  if (!PASSTHROUGH.has(upper))
    throw at
      .child('passthroughBehavior')
      .error(`passthroughBehavior ${JSON.stringify(value)} is not one of when_no_match, when_no_templates, never`);
  return upper;
}

/** CONVERT_TO_TEXT is what a text body gets anyway; CONVERT_TO_BINARY is not emulated. */
function contentHandling(o: JsonObject, at: BodyPath): void {
  const value = o['contentHandling'];
  if (value !== undefined && value !== 'CONVERT_TO_TEXT')
    throw at
      .child('contentHandling')
      .error(`contentHandling ${JSON.stringify(value)} is not emulated by the preview (it emulates CONVERT_TO_TEXT)`);
}

function allowKeys(o: JsonObject, at: BodyPath, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(o))
    if (!allowed.has(key))
      throw at
        .child(key)
        .error(`"${key}" is not emulated by the preview (in ${what} it reads ${[...allowed].join(', ')})`);
}

function isEmptyList(value: Json | undefined): boolean {
  return Array.isArray(value) && value.length === 0;
}

/**
 * A security scheme: an authorizer, AWS_IAM, the API key, or one API Gateway does not enforce (OAuth 2, OpenID
 * Connect, an API key in another header or the query), which guards nothing there and so nothing here.
 */
type Scheme = { readonly guard: GuardModel } | { readonly apiKey: true } | { readonly ignored: true };

/**
 * `components.securitySchemes` with API Gateway's extensions
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html):
 * Cognito user pools, Lambda token and request authorizers, AWS_IAM (`awsSigv4`) and the `x-api-key` header.
 */
function planSecuritySchemes(value: Json | undefined, at: BodyPath): Map<string, Scheme> {
  const out = new Map<string, Scheme>();
  for (const [name, raw] of Object.entries(object(value ?? null, at))) {
    const schemeAt = at.child(name);
    const scheme = object(raw, schemeAt);
    const authtype = scheme['x-amazon-apigateway-authtype'];
    const authorizer = scheme['x-amazon-apigateway-authorizer'];
    if (scheme['type'] !== 'apiKey' || scheme['in'] !== 'header' || typeof scheme['name'] !== 'string') {
      out.set(name, { ignored: true });
      continue;
    }
    if (authtype === undefined && authorizer === undefined) {
      // API Gateway reads API keys from X-Api-Key only
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
      out.set(name, scheme['name'].toLowerCase() === 'x-api-key' ? { apiKey: true } : { ignored: true });
      continue;
    }
    if (typeof authtype === 'string' && authtype.toLowerCase() === 'awssigv4' && authorizer === undefined) {
      out.set(name, { guard: { kind: 'iam' } });
      continue;
    }
    const a = object(authorizer ?? null, schemeAt.child('x-amazon-apigateway-authorizer'));
    const type = typeof a['type'] === 'string' ? a['type'].toLowerCase() : '';
    if (type === 'cognito_user_pools') {
      out.set(name, { guard: { kind: 'token', authorizer: 'cognito', headers: [scheme['name']] } });
    } else if (type === 'token') {
      out.set(name, { guard: lambdaGuard([scheme['name']], a['authorizerUri']) });
    } else if (type === 'request') {
      const source = a['identitySource'];
      const headers =
        typeof source === 'string'
          ? source.split(',').map((s) => /^method\.request\.header\.(.+)$/.exec(s.trim())?.[1])
          : [undefined];
      if (headers.some((h) => h === undefined))
        throw schemeAt
          .child('x-amazon-apigateway-authorizer')
          .child('identitySource')
          .error(
            'the preview emulates request authorizers whose identity sources are headers (method.request.header.X)',
          );
      out.set(name, { guard: lambdaGuard(headers as string[], a['authorizerUri']) });
    } else
      throw schemeAt
        .child('x-amazon-apigateway-authorizer')
        .error(
          `authorizer type ${JSON.stringify(a['type'] ?? null)} is not emulated by the preview (cognito_user_pools, token, request)`,
        );
  }
  return out;
}

function lambdaGuard(headers: string[], uri: Json | undefined): GuardModel {
  const functionArn = authorizerFunctionArn(uri);
  return { kind: 'token', authorizer: 'lambda', headers, ...(functionArn ? { functionArn } : {}) };
}

/** An operation's `security`: at most one requirement (API Gateway enforces one authorizer per method). */
function planSecurity(
  value: Json | undefined,
  at: BodyPath,
  schemes: ReadonlyMap<string, Scheme>,
): { guard?: GuardModel; apiKeyRequired: boolean } {
  if (value === undefined || isEmptyList(value)) return { apiKeyRequired: false };
  if (!Array.isArray(value) || value.length !== 1)
    throw at.error('the preview emulates one security requirement per method, as API Gateway applies one authorizer');
  let guard: GuardModel | undefined;
  let apiKeyRequired = false;
  for (const name of Object.keys(object(value[0]!, at.child(0)))) {
    const scheme = schemes.get(name);
    if (!scheme) throw at.child(0).child(name).error(`"${name}" is not a scheme of components.securitySchemes`);
    if ('ignored' in scheme) continue;
    if ('apiKey' in scheme) apiKeyRequired = true;
    else if (guard) throw at.child(0).error('a method has one authorizer; this requirement names two');
    else guard = scheme.guard;
  }
  return { ...(guard ? { guard } : {}), apiKeyRequired };
}
