/**
 * A REST API (API Gateway v1) emulated over its {@link RestApiModel}, one function per phase of a request as
 * localstack's `services/apigateway/next_gen/execute_api` chains its handlers
 * (https://github.com/localstack/localstack/tree/master/localstack-core/localstack/services/apigateway/next_gen/execute_api/handlers):
 * - routing ({@link routeRequest}): the stage, then the resource tree (literal segments before `{param}`,
 *   `{proxy+}` last); an unknown path or method is the 403 MISSING_AUTHENTICATION_TOKEN gateway response;
 * - method request: the payload limit, then the authorizer and API key ({@link authorize}, as
 *   ../authorizers.ts emulates them);
 * - integration: MOCK ({@link mockIntegration}: request template, `selection_pattern`, integration response
 *   and its VTL) or AWS_PROXY ({@link proxyIntegration}: a payload 1.0 event to the module's Lambda code);
 * - gateway responses ({@link gatewayResponse}) for API Gateway's own errors.
 * Behaviour as AWS documents it: https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-develop.html.
 */
import type { FunctionRuntime } from '../module/functions.js';
import type { PreviewRequest, PreviewResponse } from '../server/http-server.js';
import { checkApiKey, checkGuard, type PreviewAuthOptions } from '../authorizers.js';
import { proxyIntegration } from './aws-proxy.js';
import { gatewayResponse, type GatewayError } from './gateway-responses.js';
import { mockIntegration } from './mock.js';
import type { MethodModel, RestApiModel } from './model.js';
import { routeRequest, type MethodInvocation } from './router.js';

// The demo page's plan reads the route list's type from here.
export type { RouteInfo } from '../module/routes.js';

/** REST API payload limit (10 MB): https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html. */
export const REST_MAX_BODY_BYTES = 10 * 1024 * 1024;

export function restApiHandler(
  api: RestApiModel,
  runtime: FunctionRuntime,
  auth: PreviewAuthOptions = {},
): (request: PreviewRequest) => Promise<PreviewResponse> {
  return async (request) => {
    const invocation = routeRequest(api, request);
    if ('status' in invocation) return invocation;
    const { resource, method } = invocation;
    // The server reads no body past the limit (http-server.ts); API Gateway answers 413 before authorizing.
    const result =
      !resource || !method
        ? missingAuthenticationToken
        : request.body === undefined
          ? requestTooLarge
          : (authorize(api, method, request, auth, runtime.log) ??
            (await integrate({ ...invocation, resource, method }, runtime)));
    if (!('type' in result)) return result;
    return gatewayResponse(api.gatewayResponses, result, request, {
      requestId: invocation.requestId,
      stage: invocation.stageName,
      pathParams: invocation.pathParams,
      query: invocation.query,
    });
  };
}

const requestTooLarge: GatewayError = { type: 'REQUEST_TOO_LARGE', message: 'Request Too Long' };

const missingAuthenticationToken: GatewayError = {
  type: 'MISSING_AUTHENTICATION_TOKEN',
  message: 'Missing Authentication Token',
};

/**
 * The method's authorizer, then its API key: API Gateway authorizes first, then checks the key against the usage
 * plans (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-authorization-flow.html).
 */
function authorize(
  api: RestApiModel,
  method: MethodModel,
  request: PreviewRequest,
  auth: PreviewAuthOptions,
  log: (line: string) => void,
): GatewayError | undefined {
  const { guard } = method;
  if (guard?.kind === 'token' && guard.functionArn && !api.authorizersPermitted.has(guard.functionArn)) {
    log(
      `${request.method} ${request.rawPath}: Execution failed due to configuration error: Invalid permissions on Lambda function ${guard.functionArn} (the authorizer)`,
    );
    return { type: 'AUTHORIZER_CONFIGURATION_ERROR', message: 'Internal server error' };
  }
  const denied = checkGuard(method.guard, request, auth);
  if (denied) {
    if (method.guard!.kind === 'iam')
      return denied.reason === 'missing'
        ? missingAuthenticationToken
        : { type: 'INVALID_SIGNATURE', message: denied.message };
    return {
      type:
        method.guard!.kind === 'token' && method.guard!.authorizer === 'lambda' && denied.reason === 'rejected'
          ? 'ACCESS_DENIED'
          : 'UNAUTHORIZED',
      message: denied.message,
    };
  }
  if (method.apiKeyRequired && checkApiKey(request, auth)) return { type: 'INVALID_API_KEY', message: 'Forbidden' };
  return undefined;
}

/** The method's integration. */
async function integrate(
  invocation: MethodInvocation,
  runtime: FunctionRuntime,
): Promise<PreviewResponse | GatewayError> {
  const { integration } = invocation.method;
  if (integration.kind === 'UNEMULATED')
    // What the gateway answers when a backend cannot be reached: a 5XX, with the gateway responses' CORS headers.
    return {
      type: 'DEFAULT_5XX',
      status: 502,
      message: `the preview does not emulate ${integration.type} integrations: on AWS this method calls its own backend`,
    };
  return integration.kind === 'MOCK'
    ? mockIntegration(integration, invocation, runtime.log)
    : proxyIntegration(integration, invocation, runtime);
}
