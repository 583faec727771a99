/**
 * An HTTP API (API Gateway v2) emulated from the module (../shared/research/apigw-semantics.md section C):
 * route keys (`GET /cart/{lineId}`, `ANY /x/{proxy+}`, `$default`) matched most specific first, the service's
 * CORS (`cors_configuration`: preflights answered by the service, configured headers added, the backend's
 * ignored), Lambda proxy integrations with payload 2.0 (or 1.0 when the integration says so), and the
 * service's own errors (`{"message":"Not Found"}` and so on).
 */
import { randomUUID } from 'node:crypto';
import { ModuleError } from '../errors.js';
import { decodeSegment, v1Event, v2Event, v2Response } from '../events.js';
import { permitted, type ModuleFunction } from '../lambda/functions.js';
import type { AddressedBlock } from '../module/load.js';
import type { ModuleResolver } from '../module/resolve.js';
import { byMethodOrder, proxyResponse, type RouteInfo } from '../rest/rest-api.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { isPreflight, preflightResponse, serviceCors, withServiceCors, type ServiceCors } from '../service-cors.js';

const ALLOWED: Record<string, ReadonlySet<string>> = {
  aws_apigatewayv2_api: new Set(['name', 'protocol_type', 'cors_configuration', 'tags', 'description', 'version', 'route_selection_expression', 'api_key_selection_expression', 'ip_address_type', 'fail_on_warnings', 'region']),
  aws_apigatewayv2_integration: new Set(['api_id', 'integration_type', 'integration_uri', 'integration_method', 'payload_format_version', 'timeout_milliseconds', 'description', 'connection_type', 'region']),
  aws_apigatewayv2_route: new Set(['api_id', 'route_key', 'target', 'authorization_type', 'operation_name', 'api_key_required', 'region']),
  aws_apigatewayv2_stage: new Set(['api_id', 'name', 'auto_deploy', 'tags', 'description', 'default_route_settings', 'access_log_settings', 'stage_variables', 'deployment_id', 'region']),
};
const META = new Set(['depends_on', 'lifecycle', 'provider']);

/** HTTP API payload limit (10 MB) and integration timeout (30 s). */
export const HTTP_API_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface Route {
  readonly key: string;
  readonly method: string;
  /** Undefined for `$default`. */
  readonly segments?: readonly string[];
  readonly fn: ModuleFunction;
  readonly payload: '1.0' | '2.0';
  readonly timeoutMs: number;
}

export interface HttpApi {
  readonly kind: 'http';
  readonly address: string;
  /** `""` for `$default`, else `/<stage>`. */
  readonly basePath: string;
  readonly routes: readonly RouteInfo[];
  readonly cors: ServiceCors | undefined;
  readonly warnings: readonly string[];
  handle(request: PreviewRequest): Promise<PreviewResponse>;
}

const json = (status: number, message: string, requestId: string): PreviewResponse => ({
  status,
  headers: [['Content-Type', 'application/json'], ['apigw-requestid', requestId]],
  body: JSON.stringify({ message }),
});

export function buildHttpApi(r: ModuleResolver, functions: ReadonlyMap<string, ModuleFunction>, log: (line: string) => void): HttpApi {
  const apis = r.ofType('aws_apigatewayv2_api');
  if (apis.length !== 1) throw new ModuleError(`the preview emulates a module with one aws_apigatewayv2_api; this one has ${apis.length}`);
  const api = apis[0]!;
  for (const block of r.doc.resources.values()) {
    if (!block.type.startsWith('aws_apigatewayv2_')) continue;
    const allowed = ALLOWED[block.type];
    if (!allowed) throw new ModuleError(`${block.type} is not emulated by the preview`, { file: block.file, address: block.address });
    for (const arg of Object.keys(block.body)) if (!allowed.has(arg) && !META.has(arg)) throw new ModuleError(`"${arg}" is not emulated by the preview`, { file: block.file, address: `${block.address}.${arg}` });
  }
  if (r.attribute(api.address, 'protocol_type') !== 'HTTP') throw new ModuleError('the preview emulates protocol_type = "HTTP"', { file: api.file, address: `${api.address}.protocol_type` });
  const apiId = r.attribute(api.address, 'id') as string;
  const mine = (b: AddressedBlock) => r.attribute(b.address, 'api_id') === apiId;
  const corsBlock = r.nested(api.address, 'cors_configuration');
  const cors = corsBlock ? serviceCors(corsBlock, { file: api.file, address: `${api.address}.cors_configuration` }) : undefined;

  const stages = r.ofType('aws_apigatewayv2_stage').filter(mine);
  if (stages.length !== 1) throw new ModuleError(`the preview emulates an HTTP API with one stage; ${api.address} has ${stages.length}`, { file: api.file, address: api.address });
  const stage = stages[0]!;
  const stageName = r.attribute(stage.address, 'name') as string;
  if (r.optional(stage.address, 'auto_deploy', false) !== true && r.optional(stage.address, 'deployment_id') === null) {
    throw new ModuleError('the stage has auto_deploy = false and no deployment: nothing is deployed to it, so every request would be "Not Found"', { file: stage.file, address: stage.address });
  }
  const stageVariables = r.optional(stage.address, 'stage_variables');

  const integrations = new Map<string, AddressedBlock>(r.ofType('aws_apigatewayv2_integration').filter(mine).map((b) => [r.attribute(b.address, 'id') as string, b]));
  const routes: Route[] = [];
  for (const b of r.ofType('aws_apigatewayv2_route').filter(mine)) {
    const where = { file: b.file, address: b.address };
    const key = r.attribute(b.address, 'route_key');
    if (typeof key !== 'string') throw new ModuleError('route_key must be a string', where);
    const auth = r.optional(b.address, 'authorization_type', 'NONE');
    if (auth !== 'NONE') throw new ModuleError('the preview emulates routes with authorization_type = "NONE" only', where);
    const target = r.optional(b.address, 'target');
    const m = typeof target === 'string' ? /^integrations\/(.+)$/.exec(target) : null;
    // A route without an integration answers 500 on AWS; a module that forgets it is refused here (assumed).
    if (!m || !integrations.has(m[1]!)) throw new ModuleError(`target ${JSON.stringify(target)} is not "integrations/<id>" of an integration of this API`, where);
    const integration = integrations.get(m[1]!)!;
    const iw = { file: integration.file, address: integration.address };
    if (r.attribute(integration.address, 'integration_type') !== 'AWS_PROXY') throw new ModuleError('the preview emulates AWS_PROXY integrations only', iw);
    if (r.optional(integration.address, 'integration_method', 'POST') !== 'POST') throw new ModuleError('integration_method must be "POST" for a Lambda proxy integration', iw);
    const uri = r.attribute(integration.address, 'integration_uri');
    const fn = [...functions.values()].find((f) => f.invokeArn === uri || f.names.has(String(uri)));
    if (!fn) throw new ModuleError(`integration_uri ${JSON.stringify(uri)} is not a Lambda function of the module`, iw);
    // Terraform's default is 1.0 (research C3); the event shape follows it.
    const payload = r.optional(integration.address, 'payload_format_version', '1.0');
    if (payload !== '1.0' && payload !== '2.0') throw new ModuleError(`payload_format_version ${JSON.stringify(payload)} is not 1.0 or 2.0`, iw);
    const timeout = r.optional(integration.address, 'timeout_milliseconds', 30_000);
    if (key === '$default') {
      routes.push({ key, method: 'ANY', fn, payload, timeoutMs: Number(timeout) });
      continue;
    }
    const km = /^([A-Z]+|ANY) (\/.*)$/.exec(key);
    if (!km) throw new ModuleError(`route_key ${JSON.stringify(key)} is not "<METHOD> /<path>" or "$default"`, where);
    const segments = km[2] === '/' ? [] : km[2]!.split('/').slice(1);
    if (segments.some((s, i) => s === '' || (/\+\}$/.test(s) && i !== segments.length - 1))) throw new ModuleError(`route_key ${JSON.stringify(key)} has an empty segment or a greedy segment before the end`, where);
    if (routes.some((x) => x.key === key)) throw new ModuleError(`a second route ${key}`, where);
    routes.push({ key, method: km[1]!, segments, fn, payload, timeoutMs: Number(timeout) });
  }

  const byPath = new Map<string, string[]>();
  for (const route of routes) if (route.segments) (byPath.get(`/${route.segments.join('/')}`) ?? byPath.set(`/${route.segments.join('/')}`, []).get(`/${route.segments.join('/')}`)!).push(route.method);
  const routeInfo: RouteInfo[] = [...byPath].sort(([a], [b]) => a.localeCompare(b)).map(([path, methods]) => ({ path, methods: methods.filter((m) => m !== 'OPTIONS').sort(byMethodOrder), options: methods.includes('OPTIONS') }));
  const basePath = stageName === '$default' ? '' : `/${stageName}`;
  const executionArn = r.attribute(api.address, 'execution_arn') as string;

  return { kind: 'http', address: api.address, basePath, routes: routeInfo, cors, warnings: [], handle };

  async function handle(request: PreviewRequest): Promise<PreviewResponse> {
    const requestId = randomUUID().slice(0, 16);
    const respond = (response: PreviewResponse) => (cors ? withServiceCors(cors, request, response) : response);
    // The service answers every preflight itself when CORS is configured, routes or not (documented).
    if (cors && isPreflight(request)) return preflightResponse(cors, request, 204, [['apigw-requestid', requestId]]);
    let rawPath = request.rawPath;
    if (basePath) {
      if (rawPath !== basePath && !rawPath.startsWith(`${basePath}/`)) return respond(json(404, 'Not Found', requestId));
      rawPath = rawPath.slice(basePath.length) || '/';
    }
    const match = matchRoute(routes, request.method, rawPath.split('/').slice(1).map(decodeSegment));
    if (!match) return respond(json(404, 'Not Found', requestId));
    if (request.body === undefined) return respond(json(413, 'Request Entity Too Large', requestId));
    const { route, params } = match;
    const sourceArn = `${executionArn}/${stageName}/${route.key === '$default' ? '$default' : `${request.method}${rawPath}`}`;
    if (!permitted(r, route.fn, { principal: 'apigateway.amazonaws.com', actions: ['lambda:InvokeFunction'], sourceArn })) {
      log(`${request.method} ${rawPath}: no aws_lambda_permission lets ${sourceArn} invoke ${route.fn.code.functionName}`);
      return respond(json(500, 'Internal Server Error', requestId));
    }
    const domainName = lowerHeader(request, 'host') ?? '127.0.0.1';
    const event =
      route.payload === '2.0'
        ? v2Event({ ...request, rawPath }, { routeKey: route.key, stage: stageName, apiId, domainName, pathParameters: params, stageVariables: stageVariables as Record<string, string> | null }, requestId)
        : v1Event(request, { resource: route.segments ? `/${route.segments.join('/')}` : '/{proxy+}', resourceId: route.key, stage: stageName, apiId, pathParameters: params ?? {}, stageVariables: stageVariables as Record<string, string> | null, domainName }, requestId, rawPath);
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([route.fn.pool.invoke(event, requestId), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), route.timeoutMs)))]);
    clearTimeout(timer);
    if (result === 'timeout') return respond(json(503, 'Service Unavailable', requestId));
    if (!result.ok) {
      if ('throttled' in result) return respond(json(429, 'Too Many Requests', requestId));
      log(`${request.method} ${rawPath}: Lambda function error ${result.errorType}: ${result.errorMessage}`);
      return respond(json(500, 'Internal Server Error', requestId));
    }
    const parsed = route.payload === '2.0' ? v2Response(result.payload) : proxyResponse(result.payload);
    if (parsed === undefined || typeof parsed === 'string') {
      log(`${request.method} ${rawPath}: the Lambda function's response is malformed${typeof parsed === 'string' ? ` (${parsed})` : ''}`);
      return respond(json(500, 'Internal Server Error', requestId));
    }
    return respond({ ...parsed, headers: [...parsed.headers, ['apigw-requestid', requestId]] });
  }
}

/** The most specific route: method over ANY, literal over `{param}`, `{proxy+}` after both, `$default` last. */
function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): { route: Route; params: Record<string, string> | null } | undefined {
  let best: { route: Route; params: Record<string, string>; score: number[] } | undefined;
  for (const route of routes) {
    if (!route.segments) continue;
    if (route.method !== method && route.method !== 'ANY') continue;
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < route.segments.length && ok; i++) {
      const s = route.segments[i]!;
      const greedy = /^\{(.+)\+\}$/.exec(s);
      if (greedy) {
        if (segments.length <= i) ok = false;
        else {
          params[greedy[1]!] = segments.slice(i).join('/');
          score.push(2);
        }
        break;
      }
      if (i >= segments.length) ok = false;
      else if (/^\{.+\}$/.test(s)) {
        params[s.slice(1, -1)] = segments[i]!;
        score.push(1);
      } else if (s === segments[i]) score.push(0);
      else ok = false;
    }
    const greedyRoute = route.segments.length > 0 && /\+\}$/.test(route.segments[route.segments.length - 1]!);
    if (!ok || (!greedyRoute && route.segments.length !== segments.length)) continue;
    score.push(route.method === 'ANY' ? 1 : 0);
    if (!best || compare(score, best.score) < 0) best = { route, params, score };
  }
  if (best) return { route: best.route, params: best.params };
  const fallback = routes.find((r) => r.key === '$default');
  return fallback ? { route: fallback, params: null } : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
