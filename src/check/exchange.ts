/**
 * An exchange is one request sent and the response received; findings carry them as evidence. The JSON form is
 * part of `check --json`'s stable output: request headers as sent, and the response headers the verdict and the
 * diagnosis rest on, with lower-case names, a header received more than once as an array of its values.
 */
import type { ProbeRequest, ProbeResponse } from './http-probe.js';

/** Which probe an exchange belongs to: `preflight`, `request`, `redirect`, `error-probe` or `scan:<class>`. */
export type ProbeName = string;

export interface Exchange {
  readonly probe: ProbeName;
  readonly request: ProbeRequest;
  readonly response: ProbeResponse;
}

/** Sends one probe. The orchestrator supplies it (limits, cancellation, progress); tests can supply a fake. */
export type Send = (probe: ProbeName, request: ProbeRequest) => Promise<Exchange>;

export interface Evidence {
  readonly probe: ProbeName;
  readonly request: { readonly method: string; readonly url: string; readonly headers: Record<string, string> };
  readonly response: { readonly status: number; readonly headers: Record<string, string | string[]> };
}

/**
 * Response headers kept as evidence. Others are left out on purpose: `date`, request and trace ids
 * (`x-amzn-requestid`, `apigw-requestid`, `x-amz-cf-id`) change on every run and would make `--json` differ
 * between two identical CI runs.
 */
export function isEvidenceHeader(name: string): boolean {
  return (
    name.startsWith('access-control-') ||
    ['vary', 'location', 'content-type', 'cache-control', 'x-amzn-errortype', 'www-authenticate'].includes(name)
  );
}

export function toEvidence(exchange: Exchange): Evidence {
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of exchange.request.headers) {
    requestHeaders[name] = name in requestHeaders ? `${requestHeaders[name]}, ${value}` : value;
  }
  const responseHeaders: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(exchange.response.headers)) {
    if (values === undefined || values.length === 0 || !isEvidenceHeader(name)) continue;
    responseHeaders[name] = values.length === 1 ? values[0]! : [...values];
  }
  return {
    probe: exchange.probe,
    request: { method: exchange.request.method, url: exchange.request.url.href, headers: requestHeaders },
    response: { status: exchange.response.status, headers: responseHeaders },
  };
}

/**
 * Headers whose values are credentials: RFC 9110 Authorization and Proxy-Authorization, RFC 6265 cookies, and
 * the two AWS ones a frontend sends to API Gateway: the API key of a usage plan (`x-api-key`,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html) and the session
 * token of temporary credentials that SigV4 requests carry (`x-amz-security-token`,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-amz-security-token',
]);

const REDACTED = '<redacted: --show-secrets shows it>';

/** A credential header's value with the secret left out; an authentication scheme ("Bearer") stays, it helps. */
function redactValue(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = /^(?:proxy-)?authorization$/i.test(name)
    ? /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+\S/.exec(value)?.[1]
    : undefined;
  return scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
}

/** The evidence with credential header values replaced, for output that may end up in CI logs or issues. */
export function redactEvidence(e: Evidence): Evidence {
  const requestHeaders = Object.fromEntries(Object.entries(e.request.headers).map(([n, v]) => [n, redactValue(n, v)]));
  const responseHeaders = Object.fromEntries(
    Object.entries(e.response.headers).map(([n, v]) => [
      n,
      Array.isArray(v) ? v.map((x) => redactValue(n, x)) : redactValue(n, v as string),
    ]),
  );
  return {
    ...e,
    request: { ...e.request, headers: requestHeaders },
    response: { ...e.response, headers: responseHeaders },
  };
}
