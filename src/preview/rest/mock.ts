/**
 * The MOCK integration of a REST API, in three phases as localstack's `execute_api` splits them
 * (`handlers/integration_request.py`, `integrations/mock.py`, `handlers/integration_response.py`): the request
 * template chosen by Content-Type renders the `statusCode`; `selection_pattern` over it picks the integration
 * response; its static `response_parameters`, then its VTL response template with `$context.responseOverride`
 * make the answer. Documented:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html.
 */
import { queryPairs } from '../events.js';
import { PREVIEW_ACCOUNT } from '../module/attributes.js';
import { lowerHeader, setHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import type { GatewayError } from './gateway-responses.js';
import type { IntegrationResponseModel, MockIntegration } from './model.js';
import type { MethodInvocation } from './router.js';
import { VtlError, type CompiledTemplate, type VtlRequest } from './vtl.js';

type Log = (line: string) => void;

export function mockIntegration(
  integration: MockIntegration,
  invocation: MethodInvocation,
  log: Log,
): PreviewResponse | GatewayError {
  const vtl = vtlRequest(invocation);
  const statusCode = integrationRequest(integration, invocation, vtl, log);
  if (typeof statusCode === 'object') return statusCode;
  return integrationResponse(integration, invocation, vtl, statusCode, log);
}

/** `$input`, `$context` as the templates see them. */
function vtlRequest({ api, request, requestId, stageName, resource, pathParams }: MethodInvocation): VtlRequest {
  return {
    params: vtlParams(request, pathParams),
    body: request.body?.toString('utf8') ?? '',
    context: {
      requestId,
      extendedRequestId: requestId,
      httpMethod: request.method,
      resourcePath: resource.path,
      resourceId: resource.id,
      stage: stageName,
      apiId: api.apiId,
      accountId: PREVIEW_ACCOUNT,
      path: `/${stageName}${request.rawPath.slice(stageName.length + 1)}`,
      protocol: request.protocol,
      identity: { sourceIp: request.sourceIp, userAgent: lowerHeader(request, 'user-agent') ?? '' },
    },
  };
}

/** The status the request template renders (undefined without a template), or why the request fails. */
function integrationRequest(
  integration: MockIntegration,
  { request, resource }: MethodInvocation,
  vtl: VtlRequest,
  log: Log,
): string | undefined | GatewayError {
  // The request template is chosen by Content-Type; without one API Gateway uses application/json
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
  const contentType = (lowerHeader(request, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const template = integration.requestTemplates.get(contentType);
  if (!template) {
    if (
      integration.passthrough === 'NEVER' ||
      (integration.passthrough === 'WHEN_NO_TEMPLATES' && integration.requestTemplates.size > 0)
    )
      return { type: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type' };
    return undefined;
  }
  let output: string;
  try {
    output = template.render(vtl).output;
  } catch (e) {
    log(`${request.method} ${resource.path}: the request template failed: ${(e as Error).message}`);
    return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
  }
  // Parsed leniently, as AWS does with `{ statusCode: 200 }`.
  const m = /["']?statusCode["']?\s*:\s*"?(\d{3})"?/.exec(output);
  if (!m) {
    log(
      `${request.method} ${resource.path}: Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template.`,
    );
    return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
  }
  return m[1]!;
}

function integrationResponse(
  integration: MockIntegration,
  { request, requestId, resource, method }: MethodInvocation,
  vtl: VtlRequest,
  statusCode: string | undefined,
  log: Log,
): PreviewResponse | GatewayError {
  const selected = selectResponse(integration.responses, statusCode);
  if (!selected) {
    log(
      `${request.method} ${resource.path}: Execution failed due to configuration error: no integration response matches status ${statusCode ?? '(none)'} and there is no default`,
    );
    return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
  }
  if (!method.methodResponses.has(selected.statusCode))
    return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  for (const [name, value] of selected.headers) setHeader(headers, name, value);
  let body = '';
  let status = Number(selected.statusCode);
  const responseTemplate = chooseResponseTemplate(selected.templates, lowerHeader(request, 'accept'));
  if (responseTemplate) {
    try {
      const out = responseTemplate.render({ ...vtl, body: '' });
      body = out.output;
      // Overrides apply after the static mappings and replace them; a status outside 100-599 is ignored.
      for (const [name, value] of Object.entries(out.responseOverride.headers)) setHeader(headers, name, value);
      if (
        out.responseOverride.status !== undefined &&
        out.responseOverride.status >= 100 &&
        out.responseOverride.status <= 599
      )
        status = out.responseOverride.status;
    } catch (e) {
      log(
        `${request.method} ${resource.path}: ${e instanceof VtlError ? e.message : `the response template failed: ${(e as Error).message}`}`,
      );
      return { type: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
    }
  }
  headers.push(['x-amzn-RequestId', requestId]);
  return { status, headers, body };
}

/** selection_pattern over the status (a whole-string match is assumed); no match falls to the default response. */
function selectResponse(
  responses: readonly IntegrationResponseModel[],
  statusCode: string | undefined,
): IntegrationResponseModel | undefined {
  return (
    (statusCode !== undefined ? responses.find((ir) => ir.selectionPattern?.test(statusCode)) : undefined) ??
    responses.find((ir) => !ir.selectionPattern)
  );
}

/** `$input.params()`: header names as the client sent them (the last value of a repeated one). */
function vtlParams(request: PreviewRequest, path: Readonly<Record<string, string>>) {
  const header: Record<string, string> = {};
  for (const [k, v] of request.headers) header[k] = v;
  const querystring: Record<string, string> = {};
  for (const [k, v] of queryPairs(request.rawQuery)) querystring[k] = v;
  return { path: { ...path }, querystring, header };
}

/** By Accept, defaulting to application/json; with no match, the first template. */
function chooseResponseTemplate(
  templates: ReadonlyMap<string, CompiledTemplate>,
  accept: string | undefined,
): CompiledTemplate | undefined {
  if (templates.size === 0) return undefined;
  const wanted = (accept ?? 'application/json').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  for (const t of wanted) if (templates.has(t)) return templates.get(t);
  return templates.get('application/json') ?? templates.values().next().value;
}
