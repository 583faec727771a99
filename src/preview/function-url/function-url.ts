/**
 * A Lambda Function URL emulated over its {@link FunctionUrlModel}
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): every path and method goes to the
 * function with a payload 2.0 event; the `cors` block is the service's CORS (the configured headers win over
 * the function's); the function's resource policy must let the URL invoke it.
 */
import { randomUUID } from 'node:crypto';
import { v2Event, v2Response } from '../events.js';
import { checkGuard } from '../authorizers.js';
import { permitted, type FunctionRuntime } from '../module/functions.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { isPreflight, preflightResponse, withServiceCors } from '../service-cors.js';
import type { FunctionUrlModel } from './model.js';

/** Function URL payload limit (6 MB, the synchronous invocation limit). */
export const FUNCTION_URL_MAX_BODY_BYTES = 6 * 1024 * 1024;

const FORBIDDEN =
  'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html';

export function functionUrlHandler(
  url: FunctionUrlModel,
  runtime: FunctionRuntime,
): (request: PreviewRequest) => Promise<PreviewResponse> {
  return async (request) => {
    const requestId = randomUUID();
    const base: [string, string][] = [['x-amzn-RequestId', requestId]];
    const { cors } = url;
    // Answered from the configuration without invoking the function (a third-party observation; assumed).
    if (cors && isPreflight(request)) return preflightResponse(cors, request, 200, base);
    const response = await invoke(url, request, base, requestId, runtime);
    return cors ? withServiceCors(cors, request, response) : response;
  };
}

/** The resource policy, the payload limit, then the function with a payload 2.0 event. */
async function invoke(
  url: FunctionUrlModel,
  request: PreviewRequest,
  base: readonly [string, string][],
  requestId: string,
  runtime: FunctionRuntime,
): Promise<PreviewResponse> {
  const { fn } = url;
  // AWS_IAM: an unsigned request is refused before the function (urls-auth.html below); the signer's own IAM
  // policy grants the invocation, so the function's resource policy is not consulted (assumed: same account).
  if (url.iam) {
    if (checkGuard({ kind: 'iam' }, request, {}))
      return {
        status: 403,
        headers: [...base, ['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'AccessDeniedException']],
        body: JSON.stringify({ Message: FORBIDDEN }),
      };
  } else if (
    // NONE needs lambda:InvokeFunctionUrl (the provider adds it) and, since Oct 2025, lambda:InvokeFunction
    // through the URL, which providers before 6.28 do not add: the module must grant it
    // (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
    !permitted(fn, {
      principal: '*',
      actions: ['lambda:InvokeFunction'],
      functionUrlAuthType: 'NONE',
      viaFunctionUrl: true,
    })
  ) {
    runtime.log(
      `${request.method} ${request.rawPath}: 403 AccessDeniedException: no aws_lambda_permission grants lambda:InvokeFunction to "*" for ${fn.code.functionName}`,
    );
    return {
      status: 403,
      headers: [...base, ['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'AccessDeniedException']],
      body: JSON.stringify({ Message: FORBIDDEN }),
    };
  }
  if (request.body === undefined)
    return {
      status: 413,
      headers: [...base, ['Content-Type', 'application/json']],
      body: JSON.stringify({
        Message: `Request must be smaller than ${FUNCTION_URL_MAX_BODY_BYTES} bytes for the InvokeFunction operation`,
      }),
    };
  const event = v2Event(
    request,
    {
      routeKey: '$default',
      stage: '$default',
      apiId: 'preview',
      domainName: lowerHeader(request, 'host') ?? '127.0.0.1',
      pathParameters: null,
      stageVariables: null,
    },
    requestId,
  );
  const result = await runtime.invoke(fn, event, requestId);
  if (!result.ok) {
    if ('throttled' in result)
      return {
        status: 429,
        headers: [...base, ['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'TooManyRequestsException']],
        body: JSON.stringify({ Message: 'Rate Exceeded.' }),
      };
    runtime.log(
      `${request.method} ${request.rawPath}: Lambda function error ${result.errorType}: ${result.errorMessage}`,
    );
    return {
      status: 502,
      headers: [...base, ['Content-Type', 'text/plain'], ['x-amzn-ErrorType', 'FunctionError']],
      body: 'Internal Server Error',
    };
  }
  const parsed = v2Response(result.payload);
  if (!parsed) {
    runtime.log(`${request.method} ${request.rawPath}: the Lambda function's response is malformed`);
    return { status: 502, headers: [...base, ['Content-Type', 'text/plain']], body: 'Internal Server Error' };
  }
  return { ...parsed, headers: [...parsed.headers, ...base] };
}
