import { corsResponseHeaders } from '../runtime/lambda/cors.mjs';
import { compileOrigins, type OriginMatcher } from './origin.js';

/** The CORS policy of an API, as every part of cors-gen (module, Lambda code, preview) applies it. */
export interface CorsPolicy {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  /** Seconds; `undefined` sends no `Access-Control-Max-Age`. */
  readonly maxAge?: number | undefined;
}

/** What the server knows about the request when it answers. */
export interface CorsRequest {
  readonly origin: string | undefined;
  /** True for a preflight: OPTIONS with `Access-Control-Request-Method`. */
  readonly preflight: boolean;
}

/**
 * The CORS response headers for a request: the Lambda wrapper's decision (`corsResponseHeaders` of
 * `src/runtime/lambda/cors.mjs`), plus what a service adds to an allowed preflight (methods, max-age). A
 * disallowed or missing origin gets no `Access-Control-*` header at all (the browser then blocks the response),
 * but `Vary: Origin` is still sent whenever the answer depends on the origin, so that a shared cache never serves
 * one origin's answer to another (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
 */
export function corsHeaders(
  policy: CorsPolicy,
  request: CorsRequest,
  matcher: OriginMatcher = compileOrigins(policy.allowOrigins),
): Record<string, string> {
  // "*" with credentials is refused by the validator; should such a policy reach here anyway, allow nothing
  // rather than echo every origin together with credentials.
  if (matcher.any && policy.allowCredentials) return { Vary: 'Origin' };
  const joined = (list: readonly string[]) => (list.length > 0 ? list.join(',') : undefined);
  const { headers, varyOrigin } = corsResponseHeaders(
    matcher,
    {
      allowCredentials: policy.allowCredentials,
      allowHeaders: joined(policy.allowHeaders),
      exposeHeaders: joined(policy.exposeHeaders),
    },
    request.origin,
    request.preflight,
  );
  const answer: Record<string, string> = varyOrigin ? { Vary: 'Origin', ...headers } : headers;
  if (request.preflight && headers['Access-Control-Allow-Origin'] !== undefined) {
    answer['Access-Control-Allow-Methods'] = policy.allowMethods.join(',');
    if (policy.maxAge !== undefined) answer['Access-Control-Max-Age'] = String(policy.maxAge);
  }
  return answer;
}

/**
 * Forbidden request headers (https://fetch.spec.whatwg.org/#forbidden-request-header): a page can never set
 * them, so listing them in Access-Control-Allow-Headers is pointless (and Cookie is refused by `validate`).
 */
export const FORBIDDEN_HEADER =
  /^(accept-charset|accept-encoding|access-control-request-headers|access-control-request-method|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;

/**
 * Headers a page sends without a preflight whatever the Access-Control-Allow-Headers list says
 * (https://fetch.spec.whatwg.org/#cors-safelisted-request-header; Content-Type only with the three simple values).
 */
export const SAFELISTED_HEADER = /^(accept|accept-language|content-language)$/i;
