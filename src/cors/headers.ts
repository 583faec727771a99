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
 * The CORS response headers for a request. A disallowed or missing origin gets no `Access-Control-*` header at
 * all (the browser then blocks the response), but `Vary: Origin` is still sent whenever the answer depends on the
 * origin, so that a shared cache never serves one origin's answer to another
 * (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
 */
export function corsHeaders(policy: CorsPolicy, request: CorsRequest, matcher: OriginMatcher = compileOrigins(policy.allowOrigins)): Record<string, string> {
  const wildcard = matcher.any && !policy.allowCredentials;
  // Even with "*" the answer depends on the Origin (none is sent without one, or for "null"), so only a
  // literal "*" answer goes without Vary; the generated Lambda code does the same.
  // "*" with credentials is refused by the validator; should such a policy reach here anyway, allow nothing
  // rather than echo every origin together with credentials.
  if (!matcher.allows(request.origin) || (matcher.any && policy.allowCredentials)) return { Vary: 'Origin' };
  const headers: Record<string, string> = wildcard ? {} : { Vary: 'Origin' };

  // `*` cannot be combined with credentials (the spec validator refuses that), so with credentials the origin is
  // always echoed. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
  headers['Access-Control-Allow-Origin'] = wildcard ? '*' : request.origin!;
  if (policy.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (request.preflight) {
    headers['Access-Control-Allow-Methods'] = policy.allowMethods.join(',');
    if (policy.allowHeaders.length > 0) headers['Access-Control-Allow-Headers'] = policy.allowHeaders.join(',');
    if (policy.maxAge !== undefined) headers['Access-Control-Max-Age'] = String(policy.maxAge);
  } else if (policy.exposeHeaders.length > 0) {
    headers['Access-Control-Expose-Headers'] = policy.exposeHeaders.join(',');
  }
  return headers;
}
