/**
 * API Gateway's own answers (gateway responses): the 403 Missing Authentication Token for an unknown path or
 * method, the 5XX of a failed integration, and so on. A type without its own customization falls back to
 * DEFAULT_4XX or DEFAULT_5XX; without either, API Gateway's default answer carries no CORS header.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import { lowerHeader, setHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { object, type BodyPath, type Json } from './body-path.js';

/** Default status of each type the preview produces, as the page above lists them. */
export const GATEWAY_RESPONSE_STATUS = {
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  BAD_REQUEST_BODY: 400,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  MISSING_AUTHENTICATION_TOKEN: 403,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  EXPIRED_TOKEN: 403,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  QUOTA_EXCEEDED: 429,
  UNAUTHORIZED: 401,
  WAF_FILTERED: 403,
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_STATUS;

/** `x-amzn-ErrorType` API Gateway sends with some of its errors. */
const ERROR_TYPES: Partial<Record<GatewayResponseType, string>> = {
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  THROTTLED: 'TooManyRequestsException',
  REQUEST_TOO_LARGE: 'RequestEntityTooLargeException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  // What API Gateway sends with an authorizer's or API key's refusal (as seen on its answers; AWS lists no table).
  UNAUTHORIZED: 'UnauthorizedException',
  ACCESS_DENIED: 'AccessDeniedException',
  INVALID_API_KEY: 'ForbiddenException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
};

/** One type's customization, evaluated. */
export interface GatewayResponseModel {
  readonly status?: number;
  /** Header name -> where the value comes from. */
  readonly headers: readonly (readonly [string, ValueSource])[];
  readonly templates: ReadonlyMap<string, string>;
}

export type GatewayResponsesModel = ReadonlyMap<GatewayResponseType, GatewayResponseModel>;

type ValueSource =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'request'; readonly location: 'header' | 'path' | 'querystring'; readonly name: string };

export interface GatewayError {
  readonly type: GatewayResponseType;
  /** `$context.error.message`. */
  readonly message: string;
  /** The status for the DEFAULT_4XX/5XX class when the type has none of its own (e.g. 502 for a bad Lambda answer). */
  readonly status?: number;
}

/** What a gateway response may read of the request: its id, its stage and the parameters routing found. */
export interface GatewayContext {
  readonly requestId: string;
  readonly stage: string;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

/**
 * The API's customized gateway responses, by type: the document's `x-amazon-apigateway-gateway-responses`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html).
 */
export function planGatewayResponses(value: Json, at: BodyPath): GatewayResponsesModel {
  const custom = new Map<GatewayResponseType, GatewayResponseModel>();
  for (const [type, config] of Object.entries(object(value, at))) {
    const typeAt = at.child(type);
    if (!Object.hasOwn(GATEWAY_RESPONSE_STATUS, type))
      throw typeAt.error(`${JSON.stringify(type)} is not a gateway response type (DEFAULT_4XX, DEFAULT_5XX, ...)`);
    const response = object(config, typeAt);
    for (const key of Object.keys(response))
      if (!RESPONSE_KEYS.has(key))
        throw typeAt
          .child(key)
          .error(`"${key}" is not emulated by the preview (a gateway response has ${[...RESPONSE_KEYS].join(', ')})`);
    const statusValue = response['statusCode'];
    const status = statusValue === undefined || statusValue === null ? undefined : Number(statusValue);
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599))
      throw typeAt.child('statusCode').error(`statusCode ${JSON.stringify(statusValue)} is not an HTTP status`);
    const paramsAt = typeAt.child('responseParameters');
    const headers: [string, ValueSource][] = [];
    for (const [key, v] of Object.entries(object(response['responseParameters'], paramsAt))) {
      const m = /^gatewayresponse\.header\.(.+)$/.exec(key);
      if (!m)
        throw paramsAt
          .child(key)
          .error(`response parameter ${key} is not supported by the preview (it emulates gatewayresponse.header.*)`);
      headers.push([m[1]!, valueSource(v, paramsAt.child(key))]);
    }
    const templatesAt = typeAt.child('responseTemplates');
    const templates = new Map<string, string>();
    for (const [contentType, t] of Object.entries(object(response['responseTemplates'], templatesAt))) {
      if (typeof t !== 'string') throw templatesAt.child(contentType).error('a response template must be a string');
      templates.set(contentType.toLowerCase(), t);
    }
    custom.set(type as GatewayResponseType, {
      ...(status !== undefined ? { status } : {}),
      headers,
      templates,
    });
  }
  return custom;
}

const RESPONSE_KEYS = new Set(['statusCode', 'responseParameters', 'responseTemplates']);

/** The answer API Gateway gives for `error` to `request` (localstack: `handlers/gateway_exception.py`). */
export function gatewayResponse(
  custom: GatewayResponsesModel,
  error: GatewayError,
  request: PreviewRequest,
  context: GatewayContext,
): PreviewResponse {
  const typeStatus = GATEWAY_RESPONSE_STATUS[error.type] ?? error.status ?? 500;
  const own = custom.get(error.type);
  const fallback = custom.get(typeStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const config = own ?? fallback;
  // A status_code on DEFAULT_4XX/5XX applies to every type of the class without its own customization.
  const status = own?.status ?? (own ? typeStatus : (fallback?.status ?? error.status ?? typeStatus));
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  const errorType = ERROR_TYPES[error.type];
  if (errorType) headers.push(['x-amzn-ErrorType', errorType]);
  headers.push(['x-amzn-RequestId', context.requestId]);
  let body = JSON.stringify({ message: error.message });
  if (config) {
    for (const [name, source] of config.headers) {
      const value = source.kind === 'static' ? source.value : requestValue(request, source, context);
      // A mapping from a request value the request does not have adds no header (assumed; AWS does not say).
      if (value !== undefined) setHeader(headers, name, value);
    }
    const template = config.templates.get('application/json') ?? config.templates.values().next().value;
    if (template !== undefined) body = substitute(template, error, context);
  }
  return { status, headers, body };
}

function requestValue(
  request: PreviewRequest,
  source: Extract<ValueSource, { kind: 'request' }>,
  context: { pathParams: Readonly<Record<string, string>>; query: Readonly<Record<string, string>> },
): string | undefined {
  if (source.location === 'header') return lowerHeader(request, source.name);
  if (source.location === 'path') return context.pathParams[source.name];
  return context.query[source.name];
}

/**
 * Gateway response templates are not VTL: API Gateway substitutes `$context.*` and `$stageVariables.*` only
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
 */
function substitute(template: string, error: GatewayError, context: { requestId: string; stage: string }): string {
  const values: Record<string, string> = {
    'context.error.messageString': JSON.stringify(error.message),
    'context.error.message': error.message,
    'context.error.responseType': error.type,
    'context.error.validationErrorString': '',
    'context.requestId': context.requestId,
    'context.extendedRequestId': context.requestId,
    'context.stage': context.stage,
  };
  return template.replace(
    /\$\{(context(?:\.[A-Za-z]+)+)\}|\$(context(?:\.[A-Za-z]+)+)/g,
    (m, braced: string | undefined, bare: string | undefined) => values[(braced ?? bare)!] ?? m,
  );
}

/** A mapping value: `'static'` or `method.request.{header|path|querystring}.name`; anything else fails on AWS. */
function valueSource(value: Json, at: BodyPath): ValueSource {
  if (typeof value !== 'string') throw at.error('the value must be a string');
  const quoted = /^'(.*)'$/s.exec(value);
  if (quoted) return { kind: 'static', value: quoted[1]! };
  const m = /^method\.request\.(header|path|querystring)\.(.+)$/.exec(value);
  if (m) return { kind: 'request', location: m[1] as 'header' | 'path' | 'querystring', name: m[2]! };
  throw at.error(`Invalid mapping expression specified: ${value}; a static value must be in single quotes`);
}
