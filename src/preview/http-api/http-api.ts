/**
 * An HTTP API (API Gateway v2) emulated over its {@link HttpApiModel}
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html), one function per phase
 * in the shape of localstack's `execute_api` handler chain: the service's CORS (`cors_configuration`:
 * preflights answered by the service, configured headers added, the backend's ignored), the stage, the route
 * (`GET /cart/{lineId}`, `ANY /x/{proxy+}`, `$default`, most specific first), the payload limit, the Lambda
 * proxy integration with payload 2.0 (or 1.0 when the integration says so), and the service's own errors
 * (`{"message":"Not Found"}` and so on).
 */
import { randomUUID } from 'node:crypto';
import { decodeSegment, v1Event, v2Event, v2Response } from '../events.js';
import { checkGuard, type PreviewAuthOptions } from '../authorizers.js';
import { permitted, type FunctionRuntime } from '../module/functions.js';
import { proxyResponse, withTimeout } from '../rest/aws-proxy.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { isPreflight, preflightResponse, withServiceCors } from '../service-cors.js';
import type { HttpApiModel, HttpRouteModel } from './model.js';

/** HTTP API payload limit (10 MB): https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html. */
export const HTTP_API_MAX_BODY_BYTES = 10 * 1024 * 1024;

const json = (status: number, message: string, requestId: string): PreviewResponse => ({
  status,
  headers: [
    ['Content-Type', 'application/json'],
    ['apigw-requestid', requestId],
  ],
  body: JSON.stringify({ message }),
});

export function httpApiHandler(
  api: HttpApiModel,
  runtime: FunctionRuntime,
  auth: PreviewAuthOptions = {},
): (request: PreviewRequest) => Promise<PreviewResponse> {
  return async (request) => {
    const requestId = randomUUID().slice(0, 16);
    const { cors } = api;
    // The service answers every preflight itself when CORS is configured, routes or not (documented:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html), unless a route that
    // catches OPTIONS (ANY, OPTIONS or $default) has an authorizer: then the preflight goes to that authorizer
    // (the same page, "$default route and an authorizer"), and fails it for want of credentials.
    if (cors && isPreflight(request) && !guardedPreflight(api, request))
      return preflightResponse(cors, request, 204, [['apigw-requestid', requestId]]);
    const response = await routeAndInvoke(api, request, requestId, runtime, auth);
    return cors ? withServiceCors(cors, request, response) : response;
  };
}

/** Whether an OPTIONS request is routed to a route with an authorizer. */
function guardedPreflight(api: HttpApiModel, request: PreviewRequest): boolean {
  let rawPath = request.rawPath;
  if (api.basePath) {
    if (rawPath !== api.basePath && !rawPath.startsWith(`${api.basePath}/`)) return false;
    rawPath = rawPath.slice(api.basePath.length) || '/';
  }
  const match = matchRoute(api.routeModels, 'OPTIONS', rawPath.split('/').slice(1).map(decodeSegment));
  return match?.route.guard !== undefined;
}

/** The stage's base path, the route, the payload limit, then the route's integration. */
async function routeAndInvoke(
  api: HttpApiModel,
  request: PreviewRequest,
  requestId: string,
  runtime: FunctionRuntime,
  auth: PreviewAuthOptions,
): Promise<PreviewResponse> {
  let rawPath = request.rawPath;
  if (api.basePath) {
    if (rawPath !== api.basePath && !rawPath.startsWith(`${api.basePath}/`)) return json(404, 'Not Found', requestId);
    rawPath = rawPath.slice(api.basePath.length) || '/';
  }
  const match = matchRoute(api.routeModels, request.method, rawPath.split('/').slice(1).map(decodeSegment));
  if (!match) return json(404, 'Not Found', requestId);
  if (request.body === undefined) return json(413, 'Request Entity Too Large', requestId);
  // The route's authorizer (../authorizers.ts): a missing identity or rejected token is 401 {"message":"Unauthorized"}
  // (JWT, or a Lambda authorizer without its identity sources), a Lambda authorizer's refusal 403 Forbidden, an
  // unsigned AWS_IAM request 403 Forbidden; the service's CORS headers are added like on every answer.
  const { guard: routeGuard } = match.route;
  if (routeGuard?.kind === 'token' && routeGuard.functionArn && !api.authorizersPermitted.has(routeGuard.functionArn)) {
    runtime.log(
      `${request.method} ${rawPath}: no aws_lambda_permission lets this API's authorizers invoke ${routeGuard.functionArn}`,
    );
    return json(500, 'Internal Server Error', requestId);
  }
  const denied = checkGuard(routeGuard, request, auth);
  if (denied) {
    const guard = routeGuard!;
    if (guard.kind === 'token' && (guard.authorizer === 'jwt' || denied.reason === 'missing')) {
      const r = json(401, 'Unauthorized', requestId);
      return guard.authorizer === 'jwt'
        ? { ...r, headers: [...r.headers, ['www-authenticate', 'Bearer error="invalid_token"']] }
        : r;
    }
    return json(403, 'Forbidden', requestId);
  }
  return lambdaIntegration(api, match.route, match.params, request, rawPath, requestId, runtime);
}

/** The Lambda proxy integration: the function's resource policy, the event, the invocation and its answer. */
async function lambdaIntegration(
  api: HttpApiModel,
  route: HttpRouteModel,
  params: Record<string, string> | null,
  request: PreviewRequest,
  rawPath: string,
  requestId: string,
  runtime: FunctionRuntime,
): Promise<PreviewResponse> {
  const { stageName, apiId, stageVariables } = api;
  const sourceArn = `${api.executionArn}/${stageName}/${route.key === '$default' ? '$default' : `${request.method}${rawPath}`}`;
  if (!permitted(route.fn, { principal: 'apigateway.amazonaws.com', actions: ['lambda:InvokeFunction'], sourceArn })) {
    runtime.log(
      `${request.method} ${rawPath}: no aws_lambda_permission lets ${sourceArn} invoke ${route.fn.code.functionName}`,
    );
    return json(500, 'Internal Server Error', requestId);
  }
  const domainName = lowerHeader(request, 'host') ?? '127.0.0.1';
  const event =
    route.payload === '2.0'
      ? v2Event(
          { ...request, rawPath },
          { routeKey: route.key, stage: stageName, apiId, domainName, pathParameters: params, stageVariables },
          requestId,
        )
      : v1Event(
          request,
          {
            resource: route.segments ? `/${route.segments.join('/')}` : '/{proxy+}',
            resourceId: route.key,
            stage: stageName,
            apiId,
            pathParameters: params ?? {},
            stageVariables,
            domainName,
          },
          requestId,
          rawPath,
        );
  const result = await withTimeout(runtime.invoke(route.fn, event, requestId), route.timeoutMs);
  if (result === 'timeout') return json(503, 'Service Unavailable', requestId);
  if (!result.ok) {
    if ('throttled' in result) return json(429, 'Too Many Requests', requestId);
    runtime.log(`${request.method} ${rawPath}: Lambda function error ${result.errorType}: ${result.errorMessage}`);
    return json(500, 'Internal Server Error', requestId);
  }
  const parsed = route.payload === '2.0' ? v2Response(result.payload) : proxyResponse(result.payload);
  if (parsed === undefined || typeof parsed === 'string') {
    runtime.log(
      `${request.method} ${rawPath}: the Lambda function's response is malformed${typeof parsed === 'string' ? ` (${parsed})` : ''}`,
    );
    return json(500, 'Internal Server Error', requestId);
  }
  return { ...parsed, headers: [...parsed.headers, ['apigw-requestid', requestId]] };
}

/** The most specific route: method over ANY, literal over `{param}`, `{proxy+}` after both, `$default` last. */
function matchRoute(
  routes: readonly HttpRouteModel[],
  method: string,
  segments: readonly string[],
): { route: HttpRouteModel; params: Record<string, string> | null } | undefined {
  let best: { route: HttpRouteModel; params: Record<string, string>; score: number[] } | undefined;
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
