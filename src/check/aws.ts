/**
 * Fingerprints of AWS answers, so a finding can name the AWS cause and fix instead of a generic CORS rule.
 * Sources: API Gateway developer guide, "API Gateway response types" (MISSING_AUTHENTICATION_TOKEN is a 403 whose
 * body is {"message":"Missing Authentication Token"} and whose x-amzn-ErrorType names the exception),
 * "CORS for HTTP APIs" (http-api-cors.html), and Lambda function URL docs (urls-configuration.md).
 */
import { getHeader } from '../cors/fetch-check.js';
import type { Exchange } from './exchange.js';
import type { ProbeResponse } from './http-probe.js';

/** Which AWS front door answered; `unknown` when nothing says so (a custom domain hides the host). */
export type ApiFlavor = 'rest' | 'http' | 'function-url' | 'unknown';

/**
 * REST APIs send `x-amz-apigw-id`; HTTP APIs send `apigw-requestid`; function URLs live on `*.lambda-url.*.on.aws`.
 * The first exchange that tells wins.
 */
export function detectFlavor(url: URL, exchanges: readonly Exchange[]): ApiFlavor {
  if (/\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(url.hostname)) return 'function-url';
  for (const { response } of exchanges) {
    if (getHeader(response.headers, 'x-amz-apigw-id') !== null) return 'rest';
    if (getHeader(response.headers, 'apigw-requestid') !== null) return 'http';
  }
  return 'unknown';
}

/** API Gateway's answer for a path or method that is not in the deployed stage (REST). */
export function isMissingAuthenticationToken(response: ProbeResponse): boolean {
  if (response.status !== 403) return false;
  const type = getHeader(response.headers, 'x-amzn-errortype') ?? '';
  return (
    type.startsWith('MissingAuthenticationTokenException') ||
    response.bodyStart.includes('Missing Authentication Token')
  );
}

/** x-amzn-ErrorType without its `:<detail>` suffix, or '' when absent. */
function errorType(response: ProbeResponse): string {
  return (getHeader(response.headers, 'x-amzn-errortype') ?? '').split(':')[0]!.trim();
}

/**
 * A rejection by something that checks who the caller is: a Lambda, Cognito or JWT authorizer, IAM, or a resource
 * policy. API Gateway names it in x-amzn-ErrorType: UnauthorizedException (401 "Unauthorized"),
 * AccessDeniedException (403 "User is not authorized ..."), IncompleteSignatureException and
 * InvalidSignatureException (IAM signatures)
 * (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden). On a preflight it means the OPTIONS
 * request reached something that wants credentials, which a preflight never carries. Without the header (HTTP APIs
 * send none), the body's message tells.
 */
export function isAuthorizerRejection(response: ProbeResponse): boolean {
  if (response.status !== 401 && response.status !== 403) return false;
  const type = errorType(response);
  if (
    /^(UnauthorizedException|AccessDeniedException|IncompleteSignatureException|InvalidSignatureException)$/.test(type)
  )
    return true;
  return type === '' && /"message"\s*:\s*"(Unauthorized|User is not authorized[^"]*)"/i.test(response.bodyStart);
}

/**
 * API Gateway's 403 {"message":"Forbidden"} that names no authorizer: x-amzn-ErrorType ForbiddenException (a
 * missing or invalid API key), or no type at all. A URL without the stage (or with a wrong one) and a WAF block
 * answer the same way, so the three cannot be told apart from the answer alone.
 */
export function isGatewayForbidden(response: ProbeResponse): boolean {
  if (response.status !== 403 || isMissingAuthenticationToken(response) || isAuthorizerRejection(response))
    return false;
  const type = errorType(response);
  return type === 'ForbiddenException' || (type === '' && /"message"\s*:\s*"Forbidden"/i.test(response.bodyStart));
}
