import type { PathSegment, RouteMethod } from '../spec/model.js';
import { AUTH_GATEWAY_RESPONSES, restSecurity, type MethodAuth } from './authorizers.js';
import { uniqueSlugs } from './logical-ids.js';
import { parseRoutePath } from '../spec/rules.js';
import { escapeTemplate, templateLiteral } from './terraform-literal.js';

/**
 * The REST API as an OpenAPI 3.0 document with API Gateway's extensions, the value `aws_api_gateway_rest_api.body`
 * is encoded from. Pure data: string values may hold Terraform interpolations (`${local.x}`), which Terraform
 * evaluates before `jsonencode`. Sources:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html,
 * https://spec.openapis.org/oas/v3.0.3.
 */

/** One path of the API: its segments and the methods it serves (none for a path that exists only as a parent). */
export interface RestPath {
  /** The OpenAPI path key, as API Gateway writes it: `/orders/{orderId}`, `/files/{path+}`, `/`. */
  readonly key: string;
  readonly segments: readonly PathSegment[];
  readonly methods: readonly RouteMethod[];
  /** What guards the methods (never the preflight). @default open */
  readonly auth?: MethodAuth;
}

/**
 * Every path that answers a preflight: each route's path and all its prefixes (API Gateway creates a resource per
 * segment, and a browser may send a preflight to any of them), parents first, in route order. The root is listed
 * only when a route is on it.
 */
export function restPaths(
  routes: ReadonlyArray<{
    readonly segments: readonly PathSegment[];
    readonly methods: readonly RouteMethod[];
    readonly auth?: MethodAuth | undefined;
  }>,
): RestPath[] {
  const nodes = new Map<string, { segments: readonly PathSegment[]; methods: RouteMethod[]; auth?: MethodAuth }>();
  for (const route of routes) {
    for (let i = route.segments.length === 0 ? 0 : 1; i <= route.segments.length; i++) {
      const key = pathKey(route.segments.slice(0, i));
      if (!nodes.has(key)) nodes.set(key, { segments: route.segments.slice(0, i), methods: [] });
    }
    const node = nodes.get(pathKey(route.segments))!;
    node.methods.push(...route.methods);
    if (route.auth) node.auth = route.auth;
  }
  return [...nodes].map(([key, n]) => ({
    key,
    segments: n.segments,
    methods: n.methods,
    ...(n.auth ? { auth: n.auth } : {}),
  }));
}

/** `/a/{b}/{c+}` for a path's segments, `/` for none. */
export function pathKey(segments: readonly PathSegment[]): string {
  return '/' + segments.map(segmentText).join('/');
}

function segmentText(s: PathSegment): string {
  return s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : `{${s.name}+}`;
}

export interface RestOpenApiInput {
  /** The API's name (`info.title`); may be a Terraform expression. */
  readonly title: string;
  readonly paths: readonly RestPath[];
  /** `method.response.header.X` -> mapping value, for the preflight's 204. */
  readonly preflightHeaders: Readonly<Record<string, string>>;
  /** The preflight's VTL response template. */
  readonly preflightTemplate: string;
  /** `gatewayresponse.header.X` -> mapping value, for DEFAULT_4XX and DEFAULT_5XX. */
  readonly gatewayHeaders: Readonly<Record<string, string>>;
  /** The Lambda's invoke ARN (an expression). */
  readonly invokeArn: string;
  /**
   * `components.securitySchemes` (authorizers, `sigv4`, `api_key`) the methods' `auth` names. With any, the
   * gateway responses an authorizer or API key produces are defined too. @default none
   */
  readonly securitySchemes?: Readonly<Record<string, unknown>>;
}

/** The document. Keys are written in a fixed order, so the same input always gives the same body. */
export function restOpenApi(input: RestOpenApiInput): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const p of input.paths) {
    const item: Record<string, unknown> = {};
    // OpenAPI requires every templated segment to be declared as a required path parameter; a greedy `{name+}`
    // is declared as `name`, as API Gateway exports it.
    const params = p.segments.filter((s) => s.kind !== 'literal');
    if (params.length > 0)
      item.parameters = params.map((s) => ({ name: s.name, in: 'path', required: true, schema: { type: 'string' } }));
    item.options = preflightOperation(input);
    for (const method of p.methods) item[method.toLowerCase()] = proxyOperation(input.invokeArn, restSecurity(p.auth));
    // Path keys are data: `${` in a literal segment must not become a Terraform interpolation.
    paths[templateLiteral(p.key)] = item;
  }
  const gatewayResponse = () => ({
    responseParameters: { ...input.gatewayHeaders },
    responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
  });
  const schemes = input.securitySchemes ?? {};
  const secured = Object.keys(schemes).length > 0;
  // Each type keeps its own status; they carry the CORS headers of DEFAULT_4XX, so a page can read an
  // authorizer's 401 or 403. Defined explicitly rather than inherited from DEFAULT_4XX, so that the guarantee is
  // in the document where a reviewer (and the apply rules) can see it.
  const authResponses = secured ? Object.fromEntries(AUTH_GATEWAY_RESPONSES.map((t) => [t, gatewayResponse()])) : {};
  return {
    openapi: '3.0.1',
    info: { title: input.title, version: '1' },
    paths,
    // Security schemes only: a document-level `security` would apply to OPTIONS too.
    ...(secured ? { components: { securitySchemes: { ...schemes } } } : {}),
    // API keys come from the x-api-key header (not from a Lambda authorizer's usageIdentifierKey).
    ...('api_key' in schemes ? { 'x-amazon-apigateway-api-key-source': 'HEADER' } : {}),
    // No statusCode: one would replace the status of every 4XX/5XX answer.
    'x-amazon-apigateway-gateway-responses': {
      DEFAULT_4XX: gatewayResponse(),
      DEFAULT_5XX: gatewayResponse(),
      ...authResponses,
    },
  };
}

/**
 * OPTIONS with a MOCK integration: the request template yields 200, the default integration response maps it to
 * 204 with the static headers, and the VTL response template overrides Allow-Origin with the request's origin
 * when it is allowed. No security requirement: browsers never send credentials on a preflight.
 */
function preflightOperation(input: RestOpenApiInput, swagger2 = false): Record<string, unknown> {
  const headers = Object.keys(input.preflightHeaders).map((k) => k.replace(/^method\.response\.header\./, ''));
  return {
    summary: 'CORS preflight',
    responses: {
      '204': {
        description: 'The CORS preflight answer',
        // Swagger 2.0 types a header itself; OpenAPI 3.0 through a schema.
        headers: Object.fromEntries(
          headers.map((h) => [h, swagger2 ? { type: 'string' } : { schema: { type: 'string' } }]),
        ),
      },
    },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      // A preflight has no body and no Content-Type, so API Gateway picks the application/json template.
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'when_no_match',
      contentHandling: 'CONVERT_TO_TEXT',
      responses: {
        default: {
          statusCode: '204',
          responseParameters: { ...input.preflightHeaders },
          responseTemplates: { 'application/json': input.preflightTemplate },
        },
      },
    },
  };
}

/**
 * A real method: Lambda proxy (payload v1). Lambda is only ever invoked with POST, whatever the method. `security`
 * names the authorizer (or `sigv4`) and `api_key` the method requires.
 */
function proxyOperation(
  invokeArn: string,
  security: Array<Record<string, string[]>> | undefined,
): Record<string, unknown> {
  return {
    responses: { default: { description: "The Lambda function's answer" } },
    ...(security ? { security } : {}),
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri: invokeArn,
      passthroughBehavior: 'when_no_match',
    },
  };
}

/** The user's own OpenAPI document the body is built on (see {@link mergeRestOpenApi}). */
export interface UserOpenApi {
  readonly version: '2.0' | '3.0';
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * The operations (`get /orders`) the routes' `auth` guards. @default those without a `security` requirement of
   * their own or of the document
   */
  readonly guardedBySpec?: readonly string[] | undefined;
}

const METHOD_KEYS = new Set(['get', 'put', 'post', 'delete', 'head', 'patch', 'x-amazon-apigateway-any-method']);

/**
 * The user's own document with cors-gen's additions, in the document's dialect (Swagger 2.0 stays 2.0, OpenAPI
 * 3.0 stays 3.0; API Gateway imports both): every path and parent path answers the preflight (OPTIONS with the
 * MOCK integration), every method without an integration proxies to the Lambda (with the spec's guard unless the
 * document guards it), every gateway response carries the CORS headers, and the rest of the document is kept as
 * it is: methods with their own integration, info, schemas, descriptions, extensions and security. The document
 * was checked when the spec was loaded (src/openapi/source.ts): it has no OPTIONS operation, no path item `$ref`
 * and no gateway response header cors-gen sets. Every string and key of it is data: `${` and `%{` are escaped so
 * that Terraform never evaluates them.
 */
export function mergeRestOpenApi(user: UserOpenApi, input: RestOpenApiInput): Record<string, unknown> {
  const swagger2 = user.version === '2.0';
  const doc = escapeData(user.document) as Record<string, unknown>;
  const byKey = new Map(input.paths.map((p) => [templateLiteral(p.key), p]));
  // A document-level `security` applies to every operation without its own, the OPTIONS cors-gen adds included:
  // an empty list lifts it, since browsers never send credentials on a preflight (https://spec.openapis.org/oas/v3.0.3#operation-object).
  const guarded = doc['security'] !== undefined;
  const bySpec = user.guardedBySpec && new Set(user.guardedBySpec.map((k) => templateLiteral(k)));
  const preflight = (segments: readonly PathSegment[]) => {
    const params = segments.filter((s) => s.kind !== 'literal');
    return {
      ...(params.length > 0
        ? {
            parameters: params.map((s) =>
              swagger2
                ? { name: s.name, in: 'path', required: true, type: 'string' }
                : { name: s.name, in: 'path', required: true, schema: { type: 'string' } },
            ),
          }
        : {}),
      ...preflightOperation(input, swagger2),
      ...(guarded ? { security: [] } : {}),
    };
  };
  const paths: Record<string, unknown> = {};
  const userPaths = isRecord(doc['paths']) ? doc['paths'] : {};
  for (const [key, item] of Object.entries(userPaths)) {
    if (key.startsWith('x-') || !isRecord(item)) {
      paths[key] = item;
      continue;
    }
    const route = byKey.get(key);
    // Built from entries: a key such as "__proto__" in someone else's document stays a key.
    paths[key] = Object.fromEntries([
      ...Object.entries(item).map(([name, op]) => {
        if (!METHOD_KEYS.has(name) || !isRecord(op)) return [name, op];
        const auth = (bySpec ? bySpec.has(`${name} ${key}`) : !guarded && op['security'] === undefined)
          ? route?.auth
          : undefined;
        if (op['x-amazon-apigateway-integration'] === undefined)
          return [name, lambdaOperation(op, input.invokeArn, auth)];
        // The method's own integration is kept; the spec's guard applies to it as to any method.
        const security = restSecurity(auth);
        return [name, security ? { ...op, security } : op];
      }),
      ['options', preflight(route?.segments ?? pathSegments(user, key))],
    ]);
  }
  // Parent paths the document does not list are resources API Gateway creates; a browser may send them a preflight.
  // input.paths holds the routes' parents; a document path without methods (so no route) has its own.
  const parents = [...input.paths.map((p) => p.segments)];
  for (const key of Object.keys(userPaths)) {
    if (key.startsWith('x-') || !isRecord(userPaths[key]) || byKey.has(key)) continue;
    const segments = pathSegments(user, key);
    for (let i = 1; i < segments.length; i++) parents.push(segments.slice(0, i));
  }
  for (const segments of parents) {
    const key = templateLiteral(pathKey(segments));
    if (!Object.hasOwn(paths, key)) paths[key] = { options: preflight(segments) };
  }
  doc['paths'] = paths;

  const schemes = input.securitySchemes ?? {};
  if (Object.keys(schemes).length > 0) {
    if (swagger2)
      doc['securityDefinitions'] = {
        ...(isRecord(doc['securityDefinitions']) ? doc['securityDefinitions'] : {}),
        ...schemes,
      };
    else {
      const components = isRecord(doc['components']) ? doc['components'] : {};
      const theirs = isRecord(components['securitySchemes']) ? components['securitySchemes'] : {};
      doc['components'] = { ...components, securitySchemes: { ...theirs, ...schemes } };
    }
    if ('api_key' in schemes && doc['x-amazon-apigateway-api-key-source'] === undefined)
      doc['x-amazon-apigateway-api-key-source'] = 'HEADER';
  }
  // cors-gen's gateway responses, then the document's own with the CORS headers added: a type the document
  // customizes no longer falls back to DEFAULT_4XX/5XX, so it needs them itself.
  const ours = restOpenApi({ ...input, paths: [] })['x-amazon-apigateway-gateway-responses'] as Record<string, unknown>;
  const theirs = doc['x-amazon-apigateway-gateway-responses'];
  doc['x-amazon-apigateway-gateway-responses'] = Object.fromEntries([
    ...Object.entries(ours),
    ...Object.entries(isRecord(theirs) ? theirs : {}).map(([type, response]) => {
      const r = isRecord(response) ? response : {};
      const parameters = isRecord(r['responseParameters']) ? r['responseParameters'] : {};
      return [type, { ...r, responseParameters: { ...parameters, ...input.gatewayHeaders } }];
    }),
  ]);
  return doc;
}

/** A method of the document served by the Lambda: the operation as written, with the proxy integration. */
function lambdaOperation(
  op: Record<string, unknown>,
  invokeArn: string,
  auth: MethodAuth | undefined,
): Record<string, unknown> {
  const { responses, security, ...ours } = proxyOperation(invokeArn, restSecurity(auth));
  return {
    ...op,
    // OpenAPI requires responses; the document's own are kept when it has them.
    ...(op['responses'] === undefined ? { responses } : {}),
    ...(security !== undefined ? { security } : {}),
    ...ours,
  };
}

/** The segments of a document path that has no method (so no route): checked when the spec was loaded. */
function pathSegments(user: UserOpenApi, escapedKey: string): readonly PathSegment[] {
  const key = Object.keys(isRecord(user.document['paths']) ? user.document['paths'] : {}).find(
    (k) => templateLiteral(k) === escapedKey,
  )!;
  const parsed = parseRoutePath(key);
  if ('reason' in parsed) throw new Error(`the document's path ${JSON.stringify(key)} was not checked`);
  return parsed.segments;
}

/** A copy of document data with every string and key a Terraform template that evaluates to itself. */
function escapeData(value: unknown): unknown {
  if (typeof value === 'string') return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(escapeData);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTemplate(k), escapeData(v)]));
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The per-resource types that cors-gen's REST modules declared before the body held the API definition. */
export const LEGACY_TYPES = [
  'aws_api_gateway_resource',
  'aws_api_gateway_method',
  'aws_api_gateway_method_response',
  'aws_api_gateway_integration',
  'aws_api_gateway_integration_response',
  'aws_api_gateway_gateway_response',
] as const;

/**
 * The deployment those modules declared (`aws_api_gateway_deployment.<prefix>api`), which hashed the per-resource
 * objects. It is forgotten with them rather than replaced: replacing a create_before_destroy deployment whose
 * deposed object depends on forgotten objects is a cycle in Terraform's graph ("Error: Cycle: ... (forget)", see
 * https://github.com/hashicorp/terraform/issues/36154), so the body's deployment has another address. The old
 * snapshot stays in the API, unused, until the API is destroyed.
 */
export function legacyDeploymentAddress(prefix = ''): string {
  return `aws_api_gateway_deployment.${prefix}api`;
}

const LEGACY_ADDRESS = new RegExp(
  `^((${LEGACY_TYPES.join('|')})\\.[A-Za-z_][A-Za-z0-9_-]*|aws_api_gateway_deployment\\.(?![A-Za-z0-9_-]*openapi$)[A-Za-z0-9_-]*api)$`,
);

export function isLegacyAddress(address: string): boolean {
  return LEGACY_ADDRESS.test(address);
}

/**
 * The addresses the per-resource REST module declared for these paths, with the naming it used
 * (`/users/{id}` -> `users_var_id`, OPTIONS -> `<slug>_options`, a method -> `<slug>_<method>`).
 */
export function legacyAddresses(paths: readonly RestPath[], prefix = ''): string[] {
  const slugs = uniqueSlugs(paths.map((p) => ({ key: p.key, segments: p.segments })));
  const out: string[] = [];
  for (const path of paths) {
    const slug = `${prefix}${slugs.get(path.key)!}`;
    if (path.segments.length > 0) out.push(`aws_api_gateway_resource.${slug}`);
    // The preflight: a method, its 204 method response, the mock integration and its integration response.
    for (const type of [
      'aws_api_gateway_method',
      'aws_api_gateway_method_response',
      'aws_api_gateway_integration',
      'aws_api_gateway_integration_response',
    ])
      out.push(`${type}.${slug}_options`);
    for (const m of path.methods)
      out.push(
        `aws_api_gateway_method.${slug}_${m.toLowerCase()}`,
        `aws_api_gateway_integration.${slug}_${m.toLowerCase()}`,
      );
  }
  out.push(
    `aws_api_gateway_gateway_response.${prefix}default_4xx`,
    `aws_api_gateway_gateway_response.${prefix}default_5xx`,
    legacyDeploymentAddress(prefix),
  );
  return out;
}
