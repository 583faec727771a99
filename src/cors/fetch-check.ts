/**
 * The response side of the Fetch standard's CORS protocol, rule by rule: the CORS check, the validation of a
 * preflight response, max-age, and which response headers script can read. Pure: a request description and
 * the response's status and headers in, a decision and its reasons out. Anchors are
 * https://fetch.spec.whatwg.org/#<anchor>.
 *
 * The decision is what the standard says (`specOk`) and what current browsers do (`ok`). They differ in one
 * place only, marked `tolerated`: `Access-Control-Allow-Headers: *` covering `Authorization`, which the
 * standard forbids and Chromium, Firefox (by default pref) and Safari still allow.
 */
import {
  isSafelistedMethod,
  isToken,
  normalizeMethod,
  unsafeRequestHeaderNames,
  type FetchRequest,
} from './fetch-request.js';

/** Response headers as received: lower-case names, every instance of a header kept, in order. */
export type ResponseHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/** Why a browser rejects a response. Codes are stable: `check` findings and tests use them. */
export type CorsFailureCode =
  | 'missing-allow-origin'
  | 'multiple-allow-origin'
  | 'allow-origin-mismatch'
  | 'wildcard-origin-with-credentials'
  | 'invalid-allow-credentials'
  | 'preflight-status'
  | 'preflight-redirect'
  | 'invalid-allow-methods'
  | 'invalid-allow-headers'
  | 'method-not-allowed'
  | 'header-not-allowed'
  | 'authorization-not-covered-by-wildcard';

export interface CorsFailure {
  readonly code: CorsFailureCode;
  /** One sentence in the browser's terms, naming the values involved. */
  readonly message: string;
  /** The standard forbids it but current browsers let it through: a warning, not a blocked request. */
  readonly tolerated?: true;
}

export interface CorsDecision {
  /** What current browsers do: no failure that they enforce. */
  readonly ok: boolean;
  /** What the standard says: no failure at all. */
  readonly specOk: boolean;
  readonly failures: readonly CorsFailure[];
}

/** The CORS check needs only the request's origin and credentials mode. */
export type CorsCheckRequest = Pick<FetchRequest, 'origin' | 'credentials'>;

function decision(failures: CorsFailure[]): CorsDecision {
  return { ok: failures.every((f) => f.tolerated), specOk: failures.length === 0, failures };
}

/**
 * #concept-header-list-get: all instances of a header, joined with ", ". This is why two
 * `Access-Control-Allow-Origin` headers never pass, even two identical ones. `null` when absent.
 */
export function getHeader(headers: ResponseHeaders, name: string): string | null {
  const values = headers[name.toLowerCase()];
  return values === undefined || values.length === 0 ? null : values.join(', ');
}

/**
 * #concept-cors-check: the check every CORS response passes (preflight, actual response of any status, and
 * each redirect hop). Returns the failing step, or nothing on success; the steps run in the standard's order.
 */
export function corsCheck(request: CorsCheckRequest, headers: ResponseHeaders): CorsFailure[] {
  const instances = headers['access-control-allow-origin'] ?? [];
  const origin = getHeader(headers, 'access-control-allow-origin');
  // Step 2. (A missing header is null, which is not the string "null".)
  if (origin === null) {
    return [{ code: 'missing-allow-origin', message: 'no Access-Control-Allow-Origin header' }];
  }
  // Step 3: `*` passes only when no credentials are included.
  if (!request.credentials && origin === '*') return [];
  // Step 4: byte equality with the serialized request origin. Several values can never be equal to one origin;
  // name the case, as Chromium does (kMultipleAllowOriginValues), because the fix differs.
  if (instances.length > 1 || /[ ,]/.test(origin)) {
    return [
      {
        code: 'multiple-allow-origin',
        message: `Access-Control-Allow-Origin has several values ("${origin}"); a browser accepts exactly one`,
      },
    ];
  }
  if (origin !== request.origin) {
    if (origin === '*') {
      return [
        {
          code: 'wildcard-origin-with-credentials',
          message: 'Access-Control-Allow-Origin is "*", which browsers refuse for a request with credentials',
        },
      ];
    }
    return [
      {
        code: 'allow-origin-mismatch',
        message: `Access-Control-Allow-Origin is "${origin}", not the request's origin "${request.origin}" (compared byte for byte)`,
      },
    ];
  }
  // Step 5.
  if (!request.credentials) return [];
  // Step 6: exactly `true`, case-sensitive (#http-access-control-allow-credentials: %s"true").
  const acac = getHeader(headers, 'access-control-allow-credentials');
  if (acac !== 'true') {
    return [
      {
        code: 'invalid-allow-credentials',
        message:
          acac === null
            ? 'no Access-Control-Allow-Credentials header; a request with credentials needs "Access-Control-Allow-Credentials: true"'
            : `Access-Control-Allow-Credentials is "${acac}"; only the exact value "true" is accepted`,
      },
    ];
  }
  return [];
}

/** #ok-status */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** #redirect-status */
export function isRedirectStatus(status: number): boolean {
  return [301, 302, 303, 307, 308].includes(status);
}

/**
 * #extract-header-list-values for `#method` / `#field-name`: split on commas, trim, drop empty list elements
 * (RFC 9110 #rule; Chromium does the same); every element must be a token, else the whole header fails.
 * `null` when the header is absent, `'invalid'` when it does not parse.
 */
export function extractHeaderListValues(headers: ResponseHeaders, name: string): string[] | null | 'invalid' {
  const value = getHeader(headers, name);
  if (value === null) return null;
  const items = value
    .split(',')
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((s) => s !== '');
  return items.every(isToken) ? items : 'invalid';
}

/** The CORS-safelisted response-header names (#cors-safelisted-response-header-name), always readable. */
export const SAFELISTED_RESPONSE_HEADERS: readonly string[] = [
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
];

/** Default preflight cache lifetime when Access-Control-Max-Age is absent or invalid (#cors-preflight-fetch). */
export const DEFAULT_MAX_AGE = 5;
/** Chromium's cap since version 76 (services/network/cors/preflight_result.cc: base::Hours(2)). */
export const CHROMIUM_MAX_AGE_CAP = 7200;
/** Firefox's cap (netwerk/protocol/http/nsCORSListenerProxy.cpp: 24 hours). */
export const FIREFOX_MAX_AGE_CAP = 86400;

export interface MaxAge {
  /** How long the browser caches the preflight. */
  readonly seconds: number;
  /** What the server asked for; undefined when absent or not `delta-seconds`. */
  readonly requested?: number;
  /** True when the browser's cap shortened the requested value. */
  readonly capped: boolean;
}

/**
 * #cors-preflight-fetch: Access-Control-Max-Age parsed as delta-seconds (digits only); absent or unparsable
 * means 5 seconds; the user agent then clamps it to its own limit (`cap`, Chromium's by default).
 */
export function preflightMaxAge(headers: ResponseHeaders, cap: number = CHROMIUM_MAX_AGE_CAP): MaxAge {
  const raw = getHeader(headers, 'access-control-max-age');
  if (raw === null || !/^\d+$/.test(raw)) return { seconds: Math.min(DEFAULT_MAX_AGE, cap), capped: false };
  const requested = Number(raw);
  return { seconds: Math.min(requested, cap), requested, capped: requested > cap };
}

export interface PreflightDecision extends CorsDecision {
  readonly maxAge: MaxAge;
}

/**
 * #cors-preflight-fetch step 7: whether the preflight response lets `request` through. Every failing rule is
 * listed (a browser stops at the first, but the user wants them all); the verdict is the same.
 */
export function checkPreflight(request: FetchRequest, status: number, headers: ResponseHeaders): PreflightDecision {
  const failures: CorsFailure[] = [];
  // A preflight is fetched without following redirects, so a 3xx is simply not an ok status (#cors-preflight-fetch
  // uses HTTP-network-or-cache fetch directly; WPT cors-preflight-redirect.any.js).
  if (isRedirectStatus(status)) {
    failures.push({
      code: 'preflight-redirect',
      message: `the preflight was answered with a redirect (${status}); browsers never follow redirects on a preflight`,
    });
  } else if (!isOkStatus(status)) {
    failures.push({
      code: 'preflight-status',
      message: `the preflight was answered ${status}; browsers require a 2xx status (#ok-status)`,
    });
  }
  // The CORS check uses the actual request's credentials mode, although the preflight itself carries none.
  failures.push(...corsCheck(request, headers));

  const method = normalizeMethod(request.method);
  const methods = extractHeaderListValues(headers, 'access-control-allow-methods');
  const headerNames = extractHeaderListValues(headers, 'access-control-allow-headers');
  if (methods === 'invalid') {
    failures.push({
      code: 'invalid-allow-methods',
      message: `Access-Control-Allow-Methods "${getHeader(headers, 'access-control-allow-methods')}" is not a comma-separated list of methods`,
    });
  }
  if (headerNames === 'invalid') {
    failures.push({
      code: 'invalid-allow-headers',
      message: `Access-Control-Allow-Headers "${getHeader(headers, 'access-control-allow-headers')}" is not a comma-separated list of header names`,
    });
  }

  // Method check: byte-exact (so `put` does not allow PUT); `*` counts only without credentials.
  if (methods !== 'invalid') {
    const list = methods ?? [];
    const wildcard = !request.credentials && list.includes('*');
    if (!list.includes(method) && !isSafelistedMethod(method) && !wildcard) {
      const hint = list.some((m) => m.toUpperCase() === method.toUpperCase())
        ? ' (methods are compared case-sensitively)'
        : list.includes('*')
          ? ' ("*" is a literal method name when credentials are included)'
          : '';
      const where =
        methods === null
          ? 'the response has no Access-Control-Allow-Methods'
          : `it is not in Access-Control-Allow-Methods "${list.join(', ')}"`;
      failures.push({ code: 'method-not-allowed', message: `${method} is not allowed: ${where}${hint}` });
    }
  }

  if (headerNames !== 'invalid') {
    const allowed = new Set((headerNames ?? []).map((h) => h.toLowerCase()));
    const wildcard = !request.credentials && allowed.has('*');
    // Authorization check: `*` never covers it (#cors-non-wildcard-request-header-name). When `*` would otherwise
    // apply, browsers still let it through: tolerated. Without `*`, the header check below reports it.
    const hasAuthorization = request.headers.some(([n]) => n.toLowerCase() === 'authorization');
    if (hasAuthorization && !allowed.has('authorization') && wildcard) {
      failures.push({
        code: 'authorization-not-covered-by-wildcard',
        message:
          'Authorization is covered only by "*" in Access-Control-Allow-Headers; the standard requires it to be listed by name',
        tolerated: true,
      });
    }
    // Header check.
    const missing = headersNotAllowed(request, headerNames);
    if (missing.length > 0) {
      const hint =
        allowed.has('*') && request.credentials ? ' ("*" is a literal header name when credentials are included)' : '';
      const where =
        headerNames === null
          ? 'the response has no Access-Control-Allow-Headers'
          : `Access-Control-Allow-Headers is "${headerNames.join(', ')}"`;
      failures.push({
        code: 'header-not-allowed',
        message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not allowed: ${where}${hint}`,
      });
    }
  }

  return { ...decision(failures), maxAge: preflightMaxAge(headers) };
}

/**
 * #cors-preflight-fetch header check: the request's CORS-unsafe header names that the parsed
 * Access-Control-Allow-Headers list does not cover. Names compare case-insensitively; `*` covers all only
 * without credentials.
 */
export function headersNotAllowed(
  request: Pick<FetchRequest, 'headers' | 'credentials'>,
  allowHeaders: readonly string[] | null,
): string[] {
  const allowed = new Set((allowHeaders ?? []).map((h) => h.toLowerCase()));
  if (!request.credentials && allowed.has('*')) return [];
  return unsafeRequestHeaderNames(request.headers).filter((n) => !allowed.has(n));
}

/** The CORS check on an actual response (any status, including 4xx/5xx and each redirect hop). */
export function checkResponse(request: CorsCheckRequest, headers: ResponseHeaders): CorsDecision {
  return decision(corsCheck(request, headers));
}

export interface ExposedHeaders {
  /** Every header (`Access-Control-Expose-Headers: *` without credentials), except Set-Cookie. */
  readonly all: boolean;
  /** Lower-case names script can read through `response.headers`, besides the safelisted ones. */
  readonly names: readonly string[];
}

/**
 * #concept-main-fetch (CORS-exposed header-name list) and #concept-filtered-response-cors: the safelisted
 * response headers plus those listed in Access-Control-Expose-Headers; `*` means all of them only without
 * credentials. An unparsable list exposes nothing extra.
 */
export function exposedHeaders(request: CorsCheckRequest, headers: ResponseHeaders): ExposedHeaders {
  const listed = extractHeaderListValues(headers, 'access-control-expose-headers');
  const names = listed === null || listed === 'invalid' ? [] : listed.map((n) => n.toLowerCase());
  return {
    all: !request.credentials && names.includes('*'),
    names: names.filter((n) => n !== '*' || request.credentials),
  };
}

/** Whether script can read response header `name` (#forbidden-response-header-name: Set-Cookie never). */
export function isHeaderExposed(name: string, exposed: ExposedHeaders): boolean {
  const lower = name.toLowerCase();
  if (lower === 'set-cookie' || lower === 'set-cookie2') return false;
  return SAFELISTED_RESPONSE_HEADERS.includes(lower) || exposed.all || exposed.names.includes(lower);
}
