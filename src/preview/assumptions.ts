/**
 * Behaviour the preview emulates that AWS does not document. Each entry is marked "assumed" where the code
 * implements it; the demo page and the README list them, so nobody mistakes them for AWS's word. What AWS does
 * document is cited where the code emulates it.
 */
export interface Assumption {
  readonly id: string;
  /** Which APIs it concerns. */
  readonly applies: readonly ('rest' | 'http' | 'function-url')[];
  readonly text: string;
}

export const ASSUMPTIONS: readonly Assumption[] = [
  {
    id: 'http-preflight-status',
    applies: ['http'],
    text: 'HTTP API: the service answers a CORS preflight with 204 (AWS does not document the status; the floci emulator answers 204).',
  },
  {
    id: 'function-url-preflight',
    applies: ['function-url'],
    text: 'Function URL: the service answers a CORS preflight itself, with 200 and without invoking the function (not documented; reported by a third-party emulator).',
  },
  {
    id: 'service-disallowed-origin',
    applies: ['http', 'function-url'],
    text: 'HTTP API and Function URL: a preflight or request from an origin the configuration does not allow gets no CORS headers at all (not documented).',
  },
  {
    id: 'service-wildcards',
    applies: ['http', 'function-url'],
    text: 'HTTP API and Function URL: an allowed origin with "*" inside it (such as "https://*") matches one or more characters there (only "*" alone is documented in detail).',
  },
  {
    id: 'service-errors-cors',
    applies: ['http'],
    text: 'HTTP API: the service\'s own errors (404 "Not Found", 413, 429, 500) carry the configured CORS headers like any other response (not documented).',
  },
  {
    id: 'function-url-other-cors-headers',
    applies: ['function-url'],
    text: 'Function URL: with CORS configured, every Access-Control-* header the function returns is dropped, not only those the configuration sets (AWS documents only that the configured ones win).',
  },
  {
    id: 'gateway-response-missing-parameter',
    applies: ['rest'],
    text: 'REST API: a gateway response header mapped from a request value the request does not carry (method.request.header.origin without an Origin) is left out (not documented).',
  },
  {
    id: 'rest-selection-pattern',
    applies: ['rest'],
    text: 'REST API: selection_pattern must match the whole status code (AWS does not say whether it is anchored; for 200 or 2\\d{2} it makes no difference).',
  },
  {
    id: 'rest-unknown-stage',
    applies: ['rest'],
    text: 'REST API: a path whose first segment is not a deployed stage gets 403 {"message":"Forbidden"} without any gateway response (not documented).',
  },
  {
    id: 'rest-trailing-slash',
    applies: ['rest'],
    text: 'REST API: a trailing slash names the same resource (/orders/ is /orders).',
  },
  {
    id: 'rest-function-error',
    applies: ['rest'],
    text: 'REST API: a Lambda function error, crash or malformed proxy result is a 502 through the DEFAULT_5XX gateway response (the status is documented, the gateway response type is not).',
  },
  {
    id: 'rest-params-missing',
    applies: ['rest'],
    text: 'REST API: $input.params("name") of a parameter the request does not have is the empty string.',
  },
  {
    id: 'authorizer-decision',
    applies: ['rest', 'http', 'function-url'],
    text: 'Authorizers: whether a request passes follows the preview\'s rule (the accepted token, default "preview-token"; a SigV4-shaped Authorization with X-Amz-Date, signature not verified; the accepted x-api-key, default "preview"), not Cognito, the issuer, your authorizer function or IAM; a refusal gets the answer AWS gives.',
  },
  {
    id: 'rest-authorizer-error-types',
    applies: ['rest'],
    text: "REST API: refusals carry x-amzn-ErrorType UnauthorizedException (401), AccessDeniedException (a Lambda authorizer's deny), ForbiddenException (API key) or InvalidSignatureException, a Lambda authorizer without a permission is a 500 AuthorizerConfigurationException, and a body over the payload limit is refused (413) before the authorizer runs (as seen on AWS's answers; not documented).",
  },
  {
    id: 'http-authorizer-cors',
    applies: ['http'],
    text: "HTTP API: an authorizer's 401 or 403 carries the configured CORS headers like any other response, and a preflight that an ANY route with an authorizer catches goes to that authorizer, as AWS documents for $default (neither documented).",
  },
];

export function assumptionsFor(kind: 'rest' | 'http' | 'function-url'): Assumption[] {
  return ASSUMPTIONS.filter((a) => a.applies.includes(kind));
}
