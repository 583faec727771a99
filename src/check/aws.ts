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
  return type.startsWith('MissingAuthenticationTokenException') || response.bodyStart.includes('Missing Authentication Token');
}

/**
 * An authorizer, IAM or API-key rejection: 401/403 with API Gateway's JSON message. On a preflight it means the
 * OPTIONS request reached something that wants credentials, which a preflight never carries.
 */
export function isAuthorizerRejection(response: ProbeResponse): boolean {
  if (response.status !== 401 && response.status !== 403) return false;
  const type = getHeader(response.headers, 'x-amzn-errortype') ?? '';
  if (/^(UnauthorizedException|AccessDeniedException|ForbiddenException|IncompleteSignatureException)/.test(type)) return true;
  return /"message"\s*:\s*"(Unauthorized|Forbidden|User is not authorized[^"]*)"/.test(response.bodyStart);
}
