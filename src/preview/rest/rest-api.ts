/**
 * A REST API (API Gateway v1) emulated from the module's resources, with the behaviour AWS documents
 * (../shared/research/apigw-semantics.md sections A and B):
 * - routing over the resource tree of the stage's deployment (literal segments before `{param}`, `{proxy+}`
 *   last); an unknown path or method is the 403 MISSING_AUTHENTICATION_TOKEN gateway response;
 * - MOCK integrations: the request template's `statusCode`, `selection_pattern` over it, the integration
 *   response's static `response_parameters`, then its VTL response template with `$context.responseOverride`;
 * - AWS_PROXY integrations: a payload 1.0 event to the module's Lambda code, run for real, whose answer passes
 *   through (a malformed one is a 502);
 * - gateway responses for API Gateway's own errors.
 * What the preview refuses to emulate, and configurations AWS rejects at apply time, stop it before it serves.
 *
 * Deployment snapshot: a stage serves the configuration of its deployment, and a deployment is replaced only
 * when its `triggers` change. The preview models one `terraform apply` of the module as it is on disk, so the
 * stage serves every resource; it warns about API resources the deployment's triggers do not cover, because a
 * later change to those would not reach the stage on AWS.
 */
import { randomUUID } from 'node:crypto';
import { ModuleError } from '../errors.js';
import { referencedAddresses, type HclValue } from '../../terraform/expression/ast.js';
import { decodeSegment, queryPairs, v1Event } from '../events.js';
import { permitted, type ModuleFunction } from '../lambda/functions.js';
import type { PoolResult } from '../lambda/pool.js';
import type { AddressedBlock } from '../module/load.js';
import type { ModuleResolver } from '../module/resolve.js';
import { lowerHeader, setHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { asMap, GatewayResponses, type GatewayError } from './gateway-responses.js';
import { compileTemplate, VtlError, type CompiledTemplate } from './vtl.js';

/** Arguments of each resource type the preview emulates; anything else set on them is refused. */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  aws_api_gateway_rest_api: new Set(['name', 'description', 'tags', 'endpoint_configuration', 'region', 'api_key_source', 'minimum_compression_size', 'fail_on_warnings', 'put_rest_api_mode']),
  aws_api_gateway_resource: new Set(['rest_api_id', 'parent_id', 'path_part', 'region']),
  aws_api_gateway_method: new Set(['rest_api_id', 'resource_id', 'http_method', 'authorization', 'api_key_required', 'operation_name', 'request_parameters', 'request_models', 'region']),
  aws_api_gateway_method_response: new Set(['rest_api_id', 'resource_id', 'http_method', 'status_code', 'response_parameters', 'response_models', 'region']),
  aws_api_gateway_integration: new Set(['rest_api_id', 'resource_id', 'http_method', 'type', 'integration_http_method', 'uri', 'request_templates', 'passthrough_behavior', 'content_handling', 'timeout_milliseconds', 'connection_type', 'region']),
  aws_api_gateway_integration_response: new Set(['rest_api_id', 'resource_id', 'http_method', 'status_code', 'selection_pattern', 'response_parameters', 'response_templates', 'content_handling', 'region']),
  aws_api_gateway_gateway_response: new Set(['rest_api_id', 'response_type', 'status_code', 'response_parameters', 'response_templates', 'region']),
  aws_api_gateway_deployment: new Set(['rest_api_id', 'triggers', 'description', 'region']),
  aws_api_gateway_stage: new Set(['rest_api_id', 'stage_name', 'deployment_id', 'description', 'tags', 'variables', 'xray_tracing_enabled', 'access_log_settings', 'cache_cluster_enabled', 'cache_cluster_size', 'documentation_version', 'client_certificate_id', 'region']),
};
const META = new Set(['depends_on', 'lifecycle', 'provider']);

/** REST API payload limit (10 MB). */
export const REST_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface Method {
  readonly address: string;
  readonly httpMethod: string;
  readonly integration: Integration;
  readonly methodResponses: ReadonlySet<string>;
}

type Integration =
  | {
      readonly kind: 'MOCK';
      readonly address: string;
      readonly requestTemplates: ReadonlyMap<string, CompiledTemplate>;
      readonly passthrough: string;
      readonly responses: readonly IntegrationResponse[];
    }
  | { readonly kind: 'AWS_PROXY'; readonly address: string; readonly fn: ModuleFunction; readonly timeoutMs: number };

interface IntegrationResponse {
  readonly address: string;
  readonly statusCode: string;
  readonly selectionPattern?: RegExp;
  /** Header name (as in `method.response.header.<Name>`) and its static value. */
  readonly headers: readonly (readonly [string, string])[];
  readonly templates: ReadonlyMap<string, CompiledTemplate>;
}

interface ResourceNode {
  readonly id: string;
  readonly address: string | undefined;
  /** `orders`, `{orderId}` or `{proxy+}`; empty for the root. */
  readonly part: string;
  /** `/orders/{orderId}`. */
  readonly path: string;
  readonly children: ResourceNode[];
  readonly methods: Map<string, Method>;
}

export interface RouteInfo {
  /** With variables, `/orders/{orderId}`. */
  readonly path: string;
  /** The methods a browser can call (OPTIONS excluded). */
  readonly methods: readonly string[];
  /** Whether OPTIONS is defined on it (REST); the service answers preflights for HTTP APIs and Function URLs. */
  readonly options: boolean;
}

export interface RestApi {
  readonly kind: 'rest';
  readonly address: string;
  /** Stage names, in declaration order; the first is the one the preview advertises. */
  readonly stages: readonly string[];
  readonly routes: readonly RouteInfo[];
  readonly warnings: readonly string[];
  handle(request: PreviewRequest): Promise<PreviewResponse>;
}

export function buildRestApi(r: ModuleResolver, functions: ReadonlyMap<string, ModuleFunction>, log: (line: string) => void): RestApi {
  const apis = r.ofType('aws_api_gateway_rest_api');
  if (apis.length !== 1) throw new ModuleError(`the preview emulates a module with one aws_api_gateway_rest_api; this one has ${apis.length}`);
  const api = apis[0]!;
  const apiId = r.attribute(api.address, 'id') as string;
  const warnings: string[] = [];
  const mine = (b: AddressedBlock) => r.attribute(b.address, 'rest_api_id') === apiId;
  const str = (b: AddressedBlock, attr: string): string => {
    const v = r.attribute(b.address, attr);
    if (typeof v !== 'string' && typeof v !== 'number') throw new ModuleError(`${attr} must be a string`, { file: b.file, address: `${b.address}.${attr}` });
    return String(v);
  };

  for (const block of r.doc.resources.values()) {
    if (!block.type.startsWith('aws_api_gateway_')) continue;
    const allowed = ALLOWED[block.type];
    if (!allowed) throw new ModuleError(`${block.type} is not emulated by the preview`, { file: block.file, address: block.address });
    for (const arg of Object.keys(block.body)) {
      if (!allowed.has(arg) && !META.has(arg)) throw new ModuleError(`"${arg}" is not emulated by the preview`, { file: block.file, address: `${block.address}.${arg}` });
    }
  }
  for (const attr of ['body', 'binary_media_types', 'policy', 'disable_execute_api_endpoint']) {
    if (attr in api.body) throw new ModuleError(`"${attr}" is not emulated by the preview`, { file: api.file, address: `${api.address}.${attr}` });
  }

  // Resource tree.
  const root: ResourceNode = { id: r.attribute(api.address, 'root_resource_id') as string, address: undefined, part: '', path: '/', children: [], methods: new Map() };
  const nodes = new Map<string, ResourceNode>([[root.id, root]]);
  const pending = r.ofType('aws_api_gateway_resource').filter(mine);
  while (pending.length > 0) {
    const i = pending.findIndex((b) => nodes.has(str(b, 'parent_id')));
    if (i < 0) {
      const b = pending[0]!;
      throw new ModuleError(`parent_id ${JSON.stringify(str(b, 'parent_id'))} is not a resource of this API`, { file: b.file, address: `${b.address}.parent_id` });
    }
    const b = pending.splice(i, 1)[0]!;
    const parent = nodes.get(str(b, 'parent_id'))!;
    const part = str(b, 'path_part');
    if (!/^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9._-]+\+?\})$/.test(part)) throw new ModuleError(`path_part "${part}" is not a path segment`, { file: b.file, address: `${b.address}.path_part` });
    if (parent.children.some((c) => c.part === part)) throw new ModuleError(`a second resource "${part}" under ${parent.path}`, { file: b.file, address: b.address });
    const node: ResourceNode = { id: r.attribute(b.address, 'id') as string, address: b.address, part, path: `${parent.path === '/' ? '' : parent.path}/${part}`, children: [], methods: new Map() };
    parent.children.push(node);
    nodes.set(node.id, node);
  }

  const key = (b: AddressedBlock) => `${str(b, 'resource_id')} ${str(b, 'http_method')}`;
  const integrations = new Map(r.ofType('aws_api_gateway_integration').filter(mine).map((b) => [key(b), b] as const));
  const methodResponses = new Map<string, Set<string>>();
  const methodResponseHeaders = new Map<string, Set<string>>();
  for (const b of r.ofType('aws_api_gateway_method_response').filter(mine)) {
    const status = str(b, 'status_code');
    (methodResponses.get(key(b)) ?? methodResponses.set(key(b), new Set()).get(key(b))!).add(status);
    methodResponseHeaders.set(`${key(b)} ${status}`, new Set(Object.keys(asMap(r.optional(b.address, 'response_parameters', {}), b)).map((k) => k.toLowerCase())));
  }
  const integrationResponses = new Map<string, AddressedBlock[]>();
  for (const b of r.ofType('aws_api_gateway_integration_response').filter(mine)) (integrationResponses.get(key(b)) ?? integrationResponses.set(key(b), []).get(key(b))!).push(b);

  for (const b of r.ofType('aws_api_gateway_method').filter(mine)) {
    const node = nodes.get(str(b, 'resource_id'));
    if (!node) throw new ModuleError('resource_id is not a resource of this API', { file: b.file, address: `${b.address}.resource_id` });
    const httpMethod = str(b, 'http_method');
    if (node.methods.has(httpMethod)) throw new ModuleError(`a second ${httpMethod} method on ${node.path}`, { file: b.file, address: b.address });
    if (r.attribute(b.address, 'authorization') !== 'NONE') throw new ModuleError('the preview emulates methods with authorization = "NONE" only', { file: b.file, address: `${b.address}.authorization` });
    if (r.optional(b.address, 'api_key_required', false) === true) throw new ModuleError('API keys are not emulated by the preview', { file: b.file, address: `${b.address}.api_key_required` });
    const integrationBlock = integrations.get(key(b));
    // AWS refuses the deployment: "BadRequestException: No integration defined for method" (research A5).
    if (!integrationBlock) throw new ModuleError(`${httpMethod} ${node.path} has no aws_api_gateway_integration; creating the deployment fails on AWS with "No integration defined for method"`, { file: b.file, address: b.address });
    const integration = buildIntegration(r, integrationBlock, key(b), methodResponses.get(key(b)) ?? new Set(), methodResponseHeaders, integrationResponses.get(key(b)) ?? [], functions);
    node.methods.set(httpMethod, { address: b.address, httpMethod, integration, methodResponses: methodResponses.get(key(b)) ?? new Set() });
  }
  for (const [k, b] of integrations) {
    const [resourceId, httpMethod] = k.split(' ');
    if (!nodes.get(resourceId!)?.methods.has(httpMethod!)) throw new ModuleError(`the integration's method does not exist; AWS answers "NotFoundException: Invalid Method identifier specified"`, { file: b.file, address: b.address });
  }

  const responses = new GatewayResponses(r, apiId);

  // Stages and their deployments.
  const stages = new Map<string, { address: string; variables: Record<string, string> | null }>();
  for (const s of r.ofType('aws_api_gateway_stage').filter(mine)) {
    const deploymentId = str(s, 'deployment_id');
    const deployment = r.ofType('aws_api_gateway_deployment').find((d) => r.attribute(d.address, 'id') === deploymentId);
    if (!deployment || !mine(deployment)) throw new ModuleError('deployment_id is not a deployment of this API', { file: s.file, address: `${s.address}.deployment_id` });
    checkTriggers(r, deployment, apiId, warnings);
    const vars = r.optional(s.address, 'variables');
    stages.set(str(s, 'stage_name'), { address: s.address, variables: vars === null ? null : (Object.fromEntries(Object.entries(asMap(vars, s)).map(([k, v]) => [k, String(v)])) as Record<string, string>) });
  }
  if (stages.size === 0) throw new ModuleError(`${api.address} has no aws_api_gateway_stage; a REST API is reachable only through a deployed stage`, { file: api.file, address: api.address });

  const routes: RouteInfo[] = [];
  const walk = (n: ResourceNode) => {
    const methods = [...n.methods.keys()].filter((m) => m !== 'OPTIONS').sort(byMethodOrder);
    if (methods.length > 0 || n.methods.has('OPTIONS')) routes.push({ path: n.path, methods, options: n.methods.has('OPTIONS') });
    n.children.forEach(walk);
  };
  walk(root);
  routes.sort((a, b) => a.path.localeCompare(b.path));

  return {
    kind: 'rest',
    address: api.address,
    stages: [...stages.keys()],
    routes,
    warnings,
    handle: (request) => handle(request),
  };

  async function handle(request: PreviewRequest): Promise<PreviewResponse> {
    const requestId = randomUUID();
    const segments = request.rawPath.split('/').slice(1);
    const stageName = decodeSegment(segments[0] ?? '');
    const stage = stages.get(stageName);
    if (!stage) {
      // No stage, no deployment: API Gateway answers before any of this API's configuration applies (assumed).
      return { status: 403, headers: [['Content-Type', 'application/json'], ['x-amzn-RequestId', requestId], ['x-amzn-ErrorType', 'ForbiddenException']], body: JSON.stringify({ message: 'Forbidden' }) };
    }
    const rest = segments.slice(1);
    // A trailing slash names the same resource (assumed).
    if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
    const query: Record<string, string> = {};
    for (const [k, v] of queryPairs(request.rawQuery)) query[k] = v;
    const match = route(root, rest.map(decodeSegment));
    const method = match ? (match.node.methods.get(request.method) ?? match.node.methods.get('ANY')) : undefined;
    const context = { requestId, stage: stageName, pathParams: match?.params ?? {}, query };
    const gateway = (error: GatewayError) => responses.respond(error, request, context);
    if (!match || !method) return gateway({ type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' });
    if (request.body === undefined) return gateway({ type: 'REQUEST_TOO_LARGE', message: 'Request Too Long' });

    const integration = method.integration;
    if (integration.kind === 'MOCK') return mock(request, integration, method, match.node, match.params, stageName, requestId, gateway);

    const fn = integration.fn;
    const sourceArn = `${r.attribute(api.address, 'execution_arn') as string}/${stageName}/${request.method}${match.node.path === '/' ? '/' : match.node.path}`;
    if (!permitted(r, fn, { principal: 'apigateway.amazonaws.com', actions: ['lambda:InvokeFunction'], sourceArn })) {
      log(`${request.method} ${match.node.path}: Execution failed due to configuration error: Invalid permissions on Lambda function ${fn.code.functionName} (no aws_lambda_permission lets ${sourceArn} invoke it)`);
      return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
    }
    const path = `/${rest.join('/')}`;
    const event = v1Event(request, { resource: match.node.path, resourceId: match.node.id, stage: stageName, apiId, pathParameters: match.params, stageVariables: stage.variables, domainName: lowerHeader(request, 'host') ?? '127.0.0.1' }, requestId, path);
    const result = await withTimeout(fn.pool.invoke(event, requestId), integration.timeoutMs);
    if (result === 'timeout') return gateway({ type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' });
    if (!result.ok) {
      if ('throttled' in result) return gateway({ type: 'THROTTLED', message: 'Too Many Requests' });
      log(`${request.method} ${match.node.path}: Lambda function error ${result.errorType}: ${result.errorMessage}`);
      // A function error or crash reaches the client as 502 (the DEFAULT_5XX class; assumed type).
      return gateway({ type: 'DEFAULT_5XX', message: 'Internal server error', status: 502 });
    }
    const proxied = proxyResponse(result.payload);
    if (typeof proxied === 'string') {
      log(`${request.method} ${match.node.path}: Execution failed due to configuration error: Malformed Lambda proxy response (${proxied})`);
      return gateway({ type: 'DEFAULT_5XX', message: 'Internal server error', status: 502 });
    }
    proxied.headers.push(['x-amzn-RequestId', requestId]);
    return proxied;
  }

  async function mock(
    request: PreviewRequest,
    integration: Extract<Integration, { kind: 'MOCK' }>,
    method: Method,
    node: ResourceNode,
    pathParams: Readonly<Record<string, string>>,
    stage: string,
    requestId: string,
    gateway: (e: GatewayError) => PreviewResponse,
  ): Promise<PreviewResponse> {
    const params = vtlParams(request, pathParams);
    const vtlContext = { requestId, extendedRequestId: requestId, httpMethod: request.method, resourcePath: node.path, resourceId: node.id, stage, apiId, accountId: '123456789012', path: `/${stage}${request.rawPath.slice(stage.length + 1)}`, protocol: request.protocol, identity: { sourceIp: request.sourceIp, userAgent: lowerHeader(request, 'user-agent') ?? '' } };
    // The request template is chosen by Content-Type; without one API Gateway uses application/json (A1).
    const contentType = (lowerHeader(request, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const template = integration.requestTemplates.get(contentType);
    let statusCode: string | undefined;
    if (template) {
      let output: string;
      try {
        output = template.render({ params, body: request.body?.toString('utf8') ?? '', context: vtlContext }).output;
      } catch (e) {
        log(`${request.method} ${node.path}: the request template failed: ${(e as Error).message}`);
        return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
      }
      // Parsed leniently, as AWS does with `{ statusCode: 200 }` (A1).
      const m = /["']?statusCode["']?\s*:\s*"?(\d{3})"?/.exec(output);
      if (!m) {
        log(`${request.method} ${node.path}: Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template.`);
        return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
      }
      statusCode = m[1];
    } else if (integration.passthrough === 'NEVER' || (integration.passthrough === 'WHEN_NO_TEMPLATES' && integration.requestTemplates.size > 0)) {
      return gateway({ type: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type' });
    }
    // selection_pattern over the status (a whole-string match is assumed); no match falls to the default response.
    const selected =
      (statusCode !== undefined ? integration.responses.find((ir) => ir.selectionPattern?.test(statusCode!)) : undefined) ?? integration.responses.find((ir) => !ir.selectionPattern);
    if (!selected) {
      log(`${request.method} ${node.path}: Execution failed due to configuration error: no integration response matches status ${statusCode ?? '(none)'} and there is no default`);
      return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
    }
    if (!method.methodResponses.has(selected.statusCode)) return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
    const headers: [string, string][] = [['Content-Type', 'application/json']];
    for (const [name, value] of selected.headers) setHeader(headers, name, value);
    let body = '';
    let status = Number(selected.statusCode);
    const responseTemplate = chooseResponseTemplate(selected.templates, lowerHeader(request, 'accept'));
    if (responseTemplate) {
      try {
        const out = responseTemplate.render({ params, body: '', context: vtlContext });
        body = out.output;
        // Overrides apply after the static mappings and replace them; a status outside 100-599 is ignored (A4).
        for (const [name, value] of Object.entries(out.responseOverride.headers)) setHeader(headers, name, value);
        if (out.responseOverride.status !== undefined && out.responseOverride.status >= 100 && out.responseOverride.status <= 599) status = out.responseOverride.status;
      } catch (e) {
        log(`${request.method} ${node.path}: ${e instanceof VtlError ? e.message : `the response template failed: ${(e as Error).message}`}`);
        return gateway({ type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' });
      }
    }
    headers.push(['x-amzn-RequestId', requestId]);
    return { status, headers, body };
  }
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'];

/** GET, HEAD, POST, PUT, PATCH, DELETE, then anything else alphabetically: the order the demo page calls them in. */
export function byMethodOrder(a: string, b: string): number {
  const i = METHOD_ORDER.indexOf(a);
  const j = METHOD_ORDER.indexOf(b);
  return (i < 0 ? 99 : i) - (j < 0 ? 99 : j) || a.localeCompare(b);
}

/** Literal children first, then a `{param}` child, then a greedy `{name+}` child, backtracking between them. */
function route(node: ResourceNode, segments: readonly string[]): { node: ResourceNode; params: Record<string, string> } | undefined {
  if (segments.length === 0) return { node, params: {} };
  const [head, ...tail] = segments as [string, ...string[]];
  if (head === '') return undefined;
  for (const child of node.children) {
    if (child.part.startsWith('{')) continue;
    if (child.part === head) {
      const m = route(child, tail);
      if (m) return m;
    }
  }
  for (const child of node.children) {
    const param = /^\{([^+}]+)\}$/.exec(child.part);
    if (!param) continue;
    const m = route(child, tail);
    if (m) return { node: m.node, params: { [param[1]!]: head, ...m.params } };
  }
  for (const child of node.children) {
    const greedy = /^\{(.+)\+\}$/.exec(child.part);
    if (greedy) return { node: child, params: { [greedy[1]!]: segments.join('/') } };
  }
  return undefined;
}

/** `$input.params()`: header names as the client sent them (the last value of a repeated one). */
function vtlParams(request: PreviewRequest, path: Readonly<Record<string, string>>) {
  const header: Record<string, string> = {};
  for (const [k, v] of request.headers) header[k] = v;
  const querystring: Record<string, string> = {};
  for (const [k, v] of queryPairs(request.rawQuery)) querystring[k] = v;
  return { path: { ...path }, querystring, header };
}

/** By Accept, defaulting to application/json; with no match, the first template (A4). */
function chooseResponseTemplate(templates: ReadonlyMap<string, CompiledTemplate>, accept: string | undefined): CompiledTemplate | undefined {
  if (templates.size === 0) return undefined;
  const wanted = (accept ?? 'application/json').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  for (const t of wanted) if (templates.has(t)) return templates.get(t);
  return templates.get('application/json') ?? templates.values().next().value;
}

function buildIntegration(
  r: ModuleResolver,
  b: AddressedBlock,
  methodKey: string,
  methodResponses: ReadonlySet<string>,
  methodResponseHeaders: ReadonlyMap<string, ReadonlySet<string>>,
  responses: readonly AddressedBlock[],
  functions: ReadonlyMap<string, ModuleFunction>,
): Integration {
  const where = { file: b.file, address: b.address };
  const type = r.attribute(b.address, 'type');
  if (type === 'AWS_PROXY') {
    if (r.optional(b.address, 'integration_http_method') !== 'POST') {
      throw new ModuleError('integration_http_method must be "POST" for a Lambda proxy integration (Lambda is invoked with POST only)', { ...where, address: `${b.address}.integration_http_method` });
    }
    const uri = r.attribute(b.address, 'uri');
    const fn = [...functions.values()].find((f) => f.invokeArn === uri);
    if (!fn) throw new ModuleError(`uri ${JSON.stringify(uri)} is not the invoke_arn of a Lambda function in the module`, { ...where, address: `${b.address}.uri` });
    const timeout = r.optional(b.address, 'timeout_milliseconds', 29_000);
    return { kind: 'AWS_PROXY', address: b.address, fn, timeoutMs: typeof timeout === 'number' ? timeout : 29_000 };
  }
  if (type !== 'MOCK') throw new ModuleError(`integration type ${JSON.stringify(type)} is not emulated by the preview (it emulates MOCK and AWS_PROXY)`, { ...where, address: `${b.address}.type` });
  const contentHandling = r.optional(b.address, 'content_handling');
  if (contentHandling !== null && contentHandling !== 'CONVERT_TO_TEXT') throw new ModuleError(`content_handling ${JSON.stringify(contentHandling)} is not emulated by the preview`, where);
  const requestTemplates = new Map<string, CompiledTemplate>();
  for (const [ct, t] of Object.entries(asMap(r.optional(b.address, 'request_templates', {}), where))) {
    requestTemplates.set(ct.toLowerCase(), compileTemplate(String(t), { ...where, address: `${b.address}.request_templates["${ct}"]` }));
  }
  const passthrough = r.optional(b.address, 'passthrough_behavior', 'WHEN_NO_MATCH');
  if (requestTemplates.size > 0 && !('passthrough_behavior' in b.body)) {
    throw new ModuleError('passthrough_behavior is required when request_templates is set (the provider refuses the plan otherwise)', where);
  }
  const irs: IntegrationResponse[] = responses.map((ir) => {
    const irWhere = { file: ir.file, address: ir.address };
    const status = String(r.attribute(ir.address, 'status_code') as HclValue);
    // "Invalid mapping expression ... No method response exists for method." (research A5)
    if (!methodResponses.has(status)) throw new ModuleError(`status_code ${status} has no aws_api_gateway_method_response; AWS refuses it ("No method response exists for method")`, irWhere);
    const declared = methodResponseHeaders.get(`${methodKey} ${status}`) ?? new Set<string>();
    const headers: [string, string][] = [];
    for (const [k, v] of Object.entries(asMap(r.optional(ir.address, 'response_parameters', {}), irWhere))) {
      const m = /^method\.response\.header\.(.+)$/.exec(k);
      if (!m) throw new ModuleError(`response parameter ${k} is not supported by the preview (it emulates method.response.header.*)`, irWhere);
      // AWS: "Invalid mapping expression specified: ... Invalid mapping expression parameter specified: method.response.header.X" (A3)
      if (!declared.has(k.toLowerCase())) throw new ModuleError(`${k} is not declared in the method response for ${status}; AWS refuses it with "Invalid mapping expression parameter specified: ${k}"`, irWhere);
      const value = typeof v === 'string' ? /^'(.*)'$/s.exec(v) : null;
      if (!value) throw new ModuleError(`Invalid mapping expression specified: ${String(v)} (the value of ${k}); the preview emulates static values in single quotes`, irWhere);
      headers.push([m[1]!, value[1]!]);
    }
    const templates = new Map<string, CompiledTemplate>();
    for (const [ct, t] of Object.entries(asMap(r.optional(ir.address, 'response_templates', {}), irWhere))) {
      templates.set(ct.toLowerCase(), compileTemplate(String(t), { ...irWhere, address: `${ir.address}.response_templates["${ct}"]` }));
    }
    const pattern = r.optional(ir.address, 'selection_pattern');
    let selectionPattern: RegExp | undefined;
    if (typeof pattern === 'string' && pattern !== '') {
      try {
        selectionPattern = new RegExp(`^(?:${pattern})$`);
      } catch (e) {
        throw new ModuleError(`selection_pattern is not a valid regular expression: ${(e as Error).message}`, irWhere);
      }
    }
    return { address: ir.address, statusCode: status, ...(selectionPattern ? { selectionPattern } : {}), headers, templates };
  });
  return { kind: 'MOCK', address: b.address, requestTemplates, passthrough: String(passthrough), responses: irs };
}

/** Warns about API resources a deployment's triggers do not cover (their changes would not be redeployed). */
function checkTriggers(r: ModuleResolver, deployment: AddressedBlock, apiId: string, warnings: string[]): void {
  const triggers = deployment.body['triggers'];
  const covered = new Set<string>();
  const collect = (raw: unknown) => {
    if (typeof raw === 'string') for (const a of referencedAddresses(r.expression(raw, { file: deployment.file, address: `${deployment.address}.triggers` }))) covered.add(a);
    else if (raw && typeof raw === 'object') Object.values(raw).forEach(collect);
  };
  collect(triggers);
  // Evaluated too, so a trigger that would fail in Terraform fails here.
  if (triggers !== undefined) r.attribute(deployment.address, 'triggers');
  const types = ['aws_api_gateway_resource', 'aws_api_gateway_method', 'aws_api_gateway_method_response', 'aws_api_gateway_integration', 'aws_api_gateway_integration_response', 'aws_api_gateway_gateway_response'];
  const missing = types.flatMap((t) => r.ofType(t)).filter((b) => r.attribute(b.address, 'rest_api_id') === apiId && !covered.has(b.address));
  if (triggers === undefined) warnings.push(`${deployment.address} has no triggers: after the first apply, no change to the API would be redeployed to its stage`);
  else if (missing.length > 0) warnings.push(`${deployment.address}: its triggers do not cover ${missing.map((b) => b.address).join(', ')}; on AWS a later change to them would not reach the stage until something else triggers a new deployment`);
}

async function withTimeout(p: Promise<PoolResult>, ms: number): Promise<PoolResult | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A payload 1.0 proxy result: `statusCode` (an integer), `headers`, `multiValueHeaders` (which win for the
 * same name), `body` (a string) and `isBase64Encoded`. Anything else is malformed: the reason, as a string.
 */
export function proxyResponse(payload: string): PreviewResponse & { headers: [string, string][] } | string {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return 'the result is not JSON';
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return `the result is ${result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`}, not an object`;
  const o = result as Record<string, unknown>;
  if (typeof o['statusCode'] !== 'number' || !Number.isInteger(o['statusCode']) || o['statusCode'] < 100 || o['statusCode'] > 599) return `statusCode is ${JSON.stringify(o['statusCode'])}`;
  const multi = new Map<string, [string, string[]]>();
  if (o['multiValueHeaders'] !== undefined && o['multiValueHeaders'] !== null) {
    if (typeof o['multiValueHeaders'] !== 'object' || Array.isArray(o['multiValueHeaders'])) return 'multiValueHeaders is not an object';
    for (const [k, v] of Object.entries(o['multiValueHeaders'] as Record<string, unknown>)) {
      if (!Array.isArray(v) || v.some((x) => x === null || typeof x === 'object')) return `multiValueHeaders.${k} is not a list of strings`;
      multi.set(k.toLowerCase(), [k, v.map(String)]);
    }
  }
  const headers: [string, string][] = [];
  if (o['headers'] !== undefined && o['headers'] !== null) {
    if (typeof o['headers'] !== 'object' || Array.isArray(o['headers'])) return 'headers is not an object';
    for (const [k, v] of Object.entries(o['headers'] as Record<string, unknown>)) {
      if (v === null || typeof v === 'object') return `headers.${k} is not a string`;
      if (!multi.has(k.toLowerCase())) headers.push([k, String(v)]);
    }
  }
  for (const [name, values] of multi.values()) for (const v of values) headers.push([name, v]);
  const body = o['body'];
  if (body !== undefined && body !== null && typeof body !== 'string') return 'body is not a string';
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
  const text = typeof body === 'string' ? body : '';
  return { status: o['statusCode'], headers, body: o['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : text };
}
