/**
 * The request side of the Fetch standard's CORS protocol: which requests a browser preflights, and the exact
 * preflight it sends. Pure functions; every rule cites its section of https://fetch.spec.whatwg.org/.
 *
 * Method and header values are byte strings in the standard; JavaScript strings holding Latin-1 text stand in
 * for them here, and lengths count UTF-8 bytes, as browsers do when they put the value on the wire.
 */

/** What the frontend's `fetch()` call looks like, as far as CORS is concerned. */
export interface FetchRequest {
  /**
   * The serialized request origin that goes into the `Origin` header, e.g. `https://app.example.com`, or `null`
   * for an opaque or redirect-tainted origin (#serializing-a-request-origin).
   */
  readonly origin: string;
  /** The method as passed to `fetch()`; normalized with {@link normalizeMethod} before use. */
  readonly method: string;
  /** Headers set by script, in order; names in any case. */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** True for `credentials: 'include'` (the credentials mode the CORS check looks at). */
  readonly credentials: boolean;
}

/** #concept-method-normalize: only these six are upper-cased; `patch` stays `patch` and is then case-sensitive. */
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'] as const;

export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return (NORMALIZED_METHODS as readonly string[]).includes(upper) ? upper : method;
}

/** #cors-safelisted-method: byte-exact, after normalization. */
export function isSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/** #forbidden-method: `fetch()` throws on these, so a frontend can never send them. */
export function isForbiddenMethod(method: string): boolean {
  return ['CONNECT', 'TRACE', 'TRACK'].includes(method.toUpperCase());
}

/** RFC 9110 token: what a method or a header name must be (#concept-method, #header-name). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

const METHOD_OVERRIDE_HEADERS = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/**
 * #forbidden-request-header: headers that script cannot set (the browser drops them silently), so a check that
 * pretended to send them would test a request no frontend can make.
 */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.has(lower)) return true;
  if (lower.startsWith('proxy-') || lower.startsWith('sec-')) return true;
  if (METHOD_OVERRIDE_HEADERS.has(lower)) {
    return value.split(',').some((m) => isForbiddenMethod(m.trim()));
  }
  return false;
}

/** #cors-unsafe-request-header-byte */
function hasUnsafeByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
    if ('"():<>?@[\\]{}'.includes(value[i]!)) return true;
  }
  return false;
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** #cors-safelisted-request-header, content-type branch: the MIME type's essence, or undefined if it does not parse. */
function mimeEssence(value: string): string | undefined {
  // #parse-a-mime-type: type "/" subtype, both HTTP tokens, optional parameters after ";". Whitespace around the
  // essence is trimmed; the essence is compared lower-cased.
  const semi = value.indexOf(';');
  const essence = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0 || slash === essence.length - 1) return undefined;
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  if (!isToken(type) || !isToken(subtype)) return undefined;
  return essence;
}

const SAFELISTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** #simple-range-header-value: `bytes=N-` or `bytes=N-M`, no whitespace, a single range; suffix ranges are not simple. */
function isSimpleRange(value: string): boolean {
  const m = /^bytes=(\d+)-(\d*)$/.exec(value);
  if (!m) return false;
  return m[2] === '' || Number(m[1]) <= Number(m[2]);
}

/** #cors-safelisted-request-header: a header a cross-origin request may carry without a preflight. */
export function isSafelistedRequestHeader(name: string, value: string): boolean {
  if (byteLength(value) > 128) return false;
  switch (name.toLowerCase()) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
      if (hasUnsafeByte(value)) return false;
      const essence = mimeEssence(value);
      return essence !== undefined && SAFELISTED_CONTENT_TYPES.includes(essence);
    }
    case 'range':
      return isSimpleRange(value);
    default:
      return false;
  }
}

/**
 * #cors-unsafe-request-header-names: the names a preflight must ask about, lower-cased, sorted, unique. Safelisted
 * headers count too once their values add up to more than 1024 bytes.
 */
export function unsafeRequestHeaderNames(headers: FetchRequest['headers']): string[] {
  const unsafe = new Set<string>();
  const safelisted: string[] = [];
  let safelistedBytes = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (isSafelistedRequestHeader(name, value)) {
      safelisted.push(lower);
      safelistedBytes += byteLength(value);
    } else {
      unsafe.add(lower);
    }
  }
  if (safelistedBytes > 1024) for (const n of safelisted) unsafe.add(n);
  // "sorted lowercase": byte order, which for ASCII names is code-unit order.
  return [...unsafe].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * #concept-main-fetch, CORS-with-preflight branch: `fetch()` sets the unsafe-request flag, so a cross-origin
 * request is preflighted when its method is not safelisted or it has a CORS-unsafe header. (A cached preflight
 * can make the browser skip it; a checker always asks, as a browser does on first contact.)
 */
export function needsPreflight(request: Pick<FetchRequest, 'method' | 'headers'>): boolean {
  return !isSafelistedMethod(normalizeMethod(request.method)) || unsafeRequestHeaderNames(request.headers).length > 0;
}

/** The headers of the preflight a browser sends for `request` (#cors-preflight-fetch steps 1-4). */
export function preflightRequestHeaders(request: FetchRequest): [string, string][] {
  const headers: [string, string][] = [
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', normalizeMethod(request.method)],
  ];
  const unsafe = unsafeRequestHeaderNames(request.headers);
  // Joined with "," and no space: the standard says so on purpose, it is not "combine" (#cors-preflight-fetch).
  if (unsafe.length > 0) headers.push(['Access-Control-Request-Headers', unsafe.join(',')]);
  headers.push(['Origin', request.origin]);
  return headers;
}

/** The headers of the CORS request itself: the script's headers plus `Origin` (#append-a-request-origin-header). */
export function actualRequestHeaders(request: FetchRequest): [string, string][] {
  return [...request.headers.map(([n, v]): [string, string] => [n, v]), ['Origin', request.origin]];
}
