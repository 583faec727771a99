/**
 * Lambda proxy events built from a real HTTP request: payload 1.0 for REST APIs, payload 2.0 for HTTP APIs and
 * Function URLs. Field by field as AWS documents them:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (1.0),
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html (2.0),
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html (Function URL).
 */
import { PREVIEW_ACCOUNT } from './module/attributes.js';
import type { PreviewRequest } from './server/http-server.js';

/** Percent-decoding that keeps a malformed escape as written (API Gateway does not reject those). */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Query parameters in order, decoded (`+` is a space). */
export function queryPairs(rawQuery: string): [string, string][] {
  return [...new URLSearchParams(rawQuery)];
}

function awsTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function lastByName(pairs: readonly (readonly [string, string])[]): Record<string, string> | null {
  if (pairs.length === 0) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

function allByName(pairs: readonly (readonly [string, string])[]): Record<string, string[]> | null {
  if (pairs.length === 0) return null;
  const out: Record<string, string[]> = {};
  for (const [k, v] of pairs) (out[k] ??= []).push(v);
  return out;
}

export interface V1Route {
  /** The resource path with its variables, `/orders/{orderId}`. */
  readonly resource: string;
  readonly resourceId: string;
  readonly stage: string;
  readonly apiId: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly domainName: string;
}

/**
 * Payload 1.0: `headers` holds one value per name (the last) and `multiValueHeaders` all of them, names as the
 * client sent them; `path` is the path without the stage, `requestContext.path` with it.
 */
export function v1Event(
  request: PreviewRequest,
  route: V1Route,
  requestId: string,
  path: string,
): Record<string, unknown> {
  const query = queryPairs(request.rawQuery);
  const header = (name: string) =>
    request.headers
      .filter(([k]) => k.toLowerCase() === name)
      .map(([, v]) => v)
      .pop() ?? null;
  const body = request.body && request.body.length > 0 ? request.body.toString('utf8') : null;
  return {
    resource: route.resource,
    path,
    httpMethod: request.method,
    headers: lastByName(request.headers),
    multiValueHeaders: allByName(request.headers),
    queryStringParameters: lastByName(query),
    multiValueQueryStringParameters: allByName(query),
    pathParameters: Object.keys(route.pathParameters).length > 0 ? { ...route.pathParameters } : null,
    stageVariables: route.stageVariables,
    requestContext: {
      accountId: PREVIEW_ACCOUNT,
      apiId: route.apiId,
      domainName: route.domainName,
      domainPrefix: route.domainName.split('.')[0],
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        sourceIp: request.sourceIp,
        userAgent: header('user-agent'),
        accessKey: null,
        accountId: null,
        caller: null,
        user: null,
        userArn: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        principalOrgId: null,
      },
      path: `/${route.stage}${path}`,
      protocol: request.protocol,
      requestId,
      requestTime: awsTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: route.resourceId,
      resourcePath: route.resource,
      stage: route.stage,
    },
    body,
    isBase64Encoded: false,
  };
}

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|yaml|x-www-form-urlencoded|graphql)\b)|[+](json|xml)\b/i;

export interface V2Route {
  readonly routeKey: string;
  readonly stage: string;
  readonly apiId: string;
  readonly domainName: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>> | null;
}

/**
 * Payload 2.0: header names lowercased, repeated values joined with commas, cookies in `cookies` (not in
 * `headers`), a text body as is and anything else base64-encoded.
 */
export function v2Event(request: PreviewRequest, route: V2Route, requestId: string): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [k, v] of request.headers) {
    const name = k.toLowerCase();
    if (name === 'cookie') cookies.push(...v.split(/;\s*/).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${v}` : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs(request.rawQuery)) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const hasBody = request.body !== undefined && request.body.length > 0;
  const text = !hasBody || TEXT_TYPES.test(contentType);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: PREVIEW_ACCOUNT,
      apiId: route.apiId,
      domainName: route.domainName,
      domainPrefix: route.domainName.split('.')[0],
      http: {
        method: request.method,
        path: decodeSegment(request.rawPath),
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: route.stage,
      time: awsTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(hasBody ? { body: text ? request.body!.toString('utf8') : request.body!.toString('base64') } : {}),
    ...(route.pathParameters && Object.keys(route.pathParameters).length > 0
      ? { pathParameters: { ...route.pathParameters } }
      : {}),
    isBase64Encoded: !text,
    ...(route.stageVariables ? { stageVariables: route.stageVariables } : {}),
  };
}

/**
 * A payload 2.0 response as HTTP API and Function URLs read it: an object with `statusCode` is a proxy result;
 * any other valid JSON is a 200 `application/json` body; `cookies` become Set-Cookie headers.
 * Undefined when the result is malformed.
 */
export function v2Response(payload: string): { status: number; headers: [string, string][]; body: Buffer } | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { status: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(body, 'utf8') };
  }
  const r = result as {
    statusCode: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599)
    return undefined;
  const headers: [string, string][] = [];
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return undefined;
    for (const [k, v] of Object.entries(r.headers)) {
      if (v === null || typeof v === 'object') return undefined;
      headers.push([k, String(v)]);
    }
  }
  if (Array.isArray(r.cookies)) for (const c of r.cookies) headers.push(['Set-Cookie', String(c)]);
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const text = typeof r.body === 'string' ? r.body : '';
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
  return {
    status: r.statusCode,
    headers,
    body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
