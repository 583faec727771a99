/**
 * The AWS_PROXY (Lambda proxy) integration of a REST API: the function's resource policy must let the method
 * invoke it, it gets a payload 1.0 event, runs for real, and its answer passes through; a malformed one is a 502
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format).
 * In the shape of localstack's `execute_api/integrations/aws.py` (`RestApiAwsProxyIntegration`).
 */
import { v1Event } from '../events.js';
import { permitted, type FunctionRuntime } from '../module/functions.js';
import type { PoolResult } from '../lambda/pool.js';
import { lowerHeader, type PreviewResponse } from '../server/http-server.js';
import type { GatewayError } from './gateway-responses.js';
import type { ProxyIntegration } from './model.js';
import type { MethodInvocation } from './router.js';

export async function proxyIntegration(
  integration: ProxyIntegration,
  invocation: MethodInvocation,
  runtime: FunctionRuntime,
): Promise<PreviewResponse | GatewayError> {
  const { request, requestId, stageName, resource } = invocation;
  const { fn } = integration;
  const sourceArn = `${invocation.api.executionArn}/${stageName}/${request.method}${resource.path}`;
  if (!permitted(fn, { principal: 'apigateway.amazonaws.com', actions: ['lambda:InvokeFunction'], sourceArn })) {
    runtime.log(
      `${request.method} ${resource.path}: Execution failed due to configuration error: Invalid permissions on Lambda function ${fn.code.functionName} (no aws_lambda_permission lets ${sourceArn} invoke it)`,
    );
    return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
  }
  const event = v1Event(
    request,
    {
      resource: resource.path,
      resourceId: resource.id,
      stage: stageName,
      apiId: invocation.api.apiId,
      pathParameters: invocation.pathParams,
      stageVariables: invocation.stage.variables,
      domainName: lowerHeader(request, 'host') ?? '127.0.0.1',
    },
    requestId,
    invocation.path,
  );
  const result = await withTimeout(runtime.invoke(fn, event, requestId), integration.timeoutMs);
  if (result === 'timeout') return { type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' };
  if (!result.ok) {
    if ('throttled' in result) return { type: 'THROTTLED', message: 'Too Many Requests' };
    runtime.log(
      `${request.method} ${resource.path}: Lambda function error ${result.errorType}: ${result.errorMessage}`,
    );
    // A function error or crash reaches the client as 502 (the DEFAULT_5XX class; assumed type).
    return { type: 'DEFAULT_5XX', message: 'Internal server error', status: 502 };
  }
  const proxied = proxyResponse(result.payload);
  if (typeof proxied === 'string') {
    runtime.log(
      `${request.method} ${resource.path}: Execution failed due to configuration error: Malformed Lambda proxy response (${proxied})`,
    );
    return { type: 'DEFAULT_5XX', message: 'Internal server error', status: 502 };
  }
  proxied.headers.push(['x-amzn-RequestId', requestId]);
  return proxied;
}

/** The invocation's result, or `'timeout'` once the integration's timeout has passed. */
export async function withTimeout(p: Promise<PoolResult>, ms: number): Promise<PoolResult | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A payload 1.0 proxy result: `statusCode` (an integer), `headers`, `multiValueHeaders` (which win for the
 * same name), `body` (a string) and `isBase64Encoded`. Anything else is malformed: the reason, as a string.
 */
export function proxyResponse(payload: string): (PreviewResponse & { headers: [string, string][] }) | string {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return 'the result is not JSON';
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    return `the result is ${result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`}, not an object`;
  const o = result as Record<string, unknown>;
  if (
    typeof o['statusCode'] !== 'number' ||
    !Number.isInteger(o['statusCode']) ||
    o['statusCode'] < 100 ||
    o['statusCode'] > 599
  )
    return `statusCode is ${JSON.stringify(o['statusCode'])}`;
  const multi = new Map<string, [string, string[]]>();
  if (o['multiValueHeaders'] !== undefined && o['multiValueHeaders'] !== null) {
    if (typeof o['multiValueHeaders'] !== 'object' || Array.isArray(o['multiValueHeaders']))
      return 'multiValueHeaders is not an object';
    for (const [k, v] of Object.entries(o['multiValueHeaders'] as Record<string, unknown>)) {
      if (!Array.isArray(v) || v.some((x) => x === null || typeof x === 'object'))
        return `multiValueHeaders.${k} is not a list of strings`;
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
