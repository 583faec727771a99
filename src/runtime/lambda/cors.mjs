// CORS for the Lambda function behind the generated API, with no dependencies. `createHandler(handle, config)`
// wraps the app's `handle(event, context)` so that every answer (the app's result, a thrown error, a malformed
// result, the 403 of ENFORCE_ORIGIN) carries the CORS headers the spec asks for.
//
// Configuration comes only from environment variables, which the Terraform module sets:
//   ALLOWED_ORIGINS    origins and one-label patterns ("https://*.example.com") separated by spaces, or "*"
//   ALLOW_CREDENTIALS  "true" | "false"
//   ALLOW_HEADERS      comma-separated; sent on a preflight that reaches the function
//   EXPOSE_HEADERS     comma-separated; sent on every other allowed response
//   CORS_MODE          "lambda": this code adds the CORS headers (REST API, whose Lambda proxy integration passes
//                      the function's headers through); "service": the HTTP API or Function URL adds them
//                      itself and ignores or overrides the function's, so this code adds none
//   ENFORCE_ORIGIN     "true": a request whose Origin is present and not allowed gets 403 before the app runs
//
// cors-gen's own model of CORS (src/cors/origin.ts, src/cors/headers.ts) imports this file, so the two can never
// disagree. It is plain JavaScript so that Lambda runs it as it is; the JSDoc types are checked by TypeScript:
// @ts-check

/** One DNS label (letters, digits, inner hyphens, 1-63 characters): what `*` stands for in a pattern. */
export const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/** What an Origin header from a browser consists of: printable ASCII, no spaces. */
const BROWSER_ORIGIN = /^[\x21-\x7e]+$/;

/** CORS response headers this code owns in `lambda` mode: values the app sets for them are replaced. */
const OWNED_HEADERS = new Set([
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-headers',
]);

const JSON_CONTENT_TYPE = 'application/json';

/** @typedef {Record<string, unknown>} HeaderMap header names (in any case) to values, as events and results hold them */

/**
 * The parts of a Lambda event this code reads; any of them may be missing or of another type.
 * @typedef {object} LambdaEvent
 * @property {unknown} [headers]
 * @property {unknown} [multiValueHeaders]
 * @property {unknown} [httpMethod]
 * @property { { http?: { method?: unknown } } } [requestContext]
 */

/**
 * A Lambda proxy result: what the app returns (once `malformedReason` accepts it) and what this code answers.
 * @typedef {object} ProxyResult
 * @property {number} statusCode
 * @property {HeaderMap | null} [headers]
 * @property {HeaderMap | null} [multiValueHeaders]
 * @property {string | null} [body]
 */

/**
 * Reads the configuration from environment variables (call it once, at cold start). Throws on a value that is
 * neither unset nor valid, so that a misconfigured function fails at initialization instead of answering
 * without CORS headers.
 * @param {Record<string, string | undefined>} env usually `process.env`
 */
export function configFromEnv(env) {
  return {
    allowedOrigins: splitList(env.ALLOWED_ORIGINS, ' '),
    allowCredentials: parseFlag(env, 'ALLOW_CREDENTIALS'),
    allowHeaders: splitList(env.ALLOW_HEADERS, ','),
    exposeHeaders: splitList(env.EXPOSE_HEADERS, ','),
    mode: parseMode(env.CORS_MODE),
    enforceOrigin: parseFlag(env, 'ENFORCE_ORIGIN'),
  };
}

/**
 * @param {string | undefined} value
 * @param {string} separator
 */
function splitList(value, separator) {
  if (value === undefined) return [];
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 */
function parseFlag(env, name) {
  const value = env[name];
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`cors-gen: environment variable ${name} must be "true" or "false", not ${JSON.stringify(value)}`);
}

/**
 * @param {string | undefined} value
 * @returns {'lambda' | 'service'}
 */
function parseMode(value) {
  if (value === undefined || value === '' || value === 'lambda') return 'lambda';
  if (value === 'service') return 'service';
  throw new Error(
    `cors-gen: environment variable CORS_MODE must be "lambda" or "service", not ${JSON.stringify(value)}`,
  );
}

/**
 * @typedef {object} OriginMatcher
 * @property {boolean} any true for the `*` list, which is answered with a literal `*` instead of an echo
 * @property {(origin: string | undefined) => boolean} allows whether `origin` (as the request sent it) is allowed
 */

/**
 * Compiles the allowlist once. The rules are cors-gen's (src/cors/origin.ts): `*` alone allows every origin;
 * in "scheme://*.domain" the `*` stands for exactly one DNS label and everything else is literal; "http://*" and
 * "https://*" allow every host of that scheme; matching is whole-string on the lowercased request origin; the
 * opaque origin "null", an empty Origin and one that is not printable ASCII are never allowed.
 * @param {readonly string[]} entries valid allowlist entries (the spec validator checks them)
 * @returns {OriginMatcher}
 */
export function compileOrigins(entries) {
  /** @type {Set<string>} */
  const exact = new Set();
  /** @type {RegExp[]} */
  const patterns = [];
  let any = false;
  for (const entry of entries) {
    if (entry === '*') any = true;
    else if (entry === 'http://*' || entry === 'https://*') {
      patterns.push(new RegExp(`^${escapeRegExp(entry.slice(0, -1))}${DNS_LABEL}(?:\\.${DNS_LABEL})*(?::\\d{1,5})?$`));
    } else if (entry.includes('*')) {
      patterns.push(new RegExp(wildcardPatternSource(entry)));
    } else exact.add(entry);
  }
  return {
    any,
    allows(origin) {
      if (origin === undefined || origin === '' || origin === 'null') return false;
      // Browsers send origins in printable ASCII (hosts in punycode); anything else is not a browser's Origin.
      // Checking first also keeps Unicode case folding out: '\u212A'.toLowerCase() is the ASCII 'k'.
      if (!BROWSER_ORIGIN.test(origin)) return false;
      if (any) return true;
      const lower = origin.toLowerCase();
      if (exact.has(lower)) return true;
      for (const pattern of patterns) if (pattern.test(lower)) return true;
      return false;
    },
  };
}

/**
 * The anchored regular expression source for a one-label wildcard entry ("https://*.example.com"): everything
 * escaped, `*` as one DNS label. The REST preflight's VTL uses the same source with Java's `String.matches()`,
 * which reads it the same way and matches the whole string.
 * @param {string} entry
 */
export function wildcardPatternSource(entry) {
  const star = entry.indexOf('*');
  return `^${escapeRegExp(entry.slice(0, star))}${DNS_LABEL}${escapeRegExp(entry.slice(star + 1))}$`;
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * What the CORS headers of an answer depend on besides the origin.
 * @typedef {object} HeaderPolicy
 * @property {boolean} allowCredentials
 * @property {string | undefined} allowHeaders comma-separated, sent on an allowed preflight; undefined sends none
 * @property {string | undefined} exposeHeaders comma-separated, sent on every other allowed answer; undefined sends none
 */

/**
 * @typedef {object} CorsAnswer
 * @property {Record<string, string>} headers the `Access-Control-*` headers to send
 * @property {boolean} varyOrigin whether the answer must carry `Vary: Origin`
 */

/**
 * The CORS headers of an answer to `origin`: the `Access-Control-*` headers (none for an origin that is not
 * allowed, so the browser blocks the answer) and whether the answer varies with the Origin, which it does unless
 * it is a literal `*`: a shared cache must not serve one origin's answer to another
 * (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches). cors-gen's own model of the policy
 * (src/cors/headers.ts) uses this function too.
 * @param {OriginMatcher} matcher
 * @param {HeaderPolicy} policy
 * @param {string | undefined} origin the request's Origin
 * @param {boolean} preflight
 * @returns {CorsAnswer}
 */
export function corsResponseHeaders(matcher, policy, origin, preflight) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (origin === undefined || !matcher.allows(origin)) return { headers, varyOrigin: true };
  // `*` cannot be sent with credentials (browsers refuse it; the spec validator forbids it): echo the origin then.
  // https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
  const wildcard = matcher.any && !policy.allowCredentials;
  headers['Access-Control-Allow-Origin'] = wildcard ? '*' : origin;
  if (policy.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (preflight) {
    if (policy.allowHeaders !== undefined) headers['Access-Control-Allow-Headers'] = policy.allowHeaders;
  } else if (policy.exposeHeaders !== undefined) {
    headers['Access-Control-Expose-Headers'] = policy.exposeHeaders;
  }
  return { headers, varyOrigin: !wildcard };
}

/**
 * A request header's value, whatever the event shape and the header name's case:
 * - REST API, payload 1.0: `headers` (one value per name, names as the client sent them, or null when there are
 *   none, e.g. a console test) and `multiValueHeaders` (every value).
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * - HTTP API payload 2.0 and Function URLs: `headers` with lowercased names, repeated values joined by commas.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * @param {unknown} event
 * @param {string} lower the header name in lowercase
 * @param {string} canonical the header name as browsers write it
 * @returns {string | undefined}
 */
function requestHeader(event, lower, canonical) {
  if (event === null || typeof event !== 'object') return undefined;
  const { headers, multiValueHeaders: multi } = /** @type {LambdaEvent} */ (event);
  if (headers !== null && typeof headers === 'object') {
    const map = /** @type {HeaderMap} */ (headers);
    const value = map[lower] ?? map[canonical] ?? findCaseless(map, lower);
    if (value !== undefined && value !== null) return typeof value === 'string' ? value : undefined;
  }
  if (multi !== null && typeof multi === 'object') {
    const map = /** @type {HeaderMap} */ (multi);
    const values = map[lower] ?? map[canonical] ?? findCaseless(map, lower);
    // `headers` keeps one value per name; take the same one API Gateway does, the last.
    if (Array.isArray(values) && values.length > 0) {
      const value = values[values.length - 1];
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}

/**
 * @param {HeaderMap} headers
 * @param {string} lower
 */
function findCaseless(headers, lower) {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === lower) return headers[name];
  }
  return undefined;
}

/**
 * @param {unknown} event
 * @returns {unknown}
 */
function requestMethod(event) {
  if (event === null || typeof event !== 'object') return undefined;
  const { requestContext, httpMethod } = /** @type {LambdaEvent} */ (event);
  // Payload 2.0 (HTTP API, Function URL) has requestContext.http.method; payload 1.0 has httpMethod.
  return requestContext?.http?.method ?? httpMethod;
}

/**
 * Why `result` is not a proxy result API Gateway or Lambda can send (which would become a 502), or undefined.
 * @param {unknown} result
 * @returns {string | undefined}
 */
function malformedReason(result) {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    const kind = result === null ? 'null' : Array.isArray(result) ? 'array' : typeof result;
    return `a ${kind} instead of { statusCode, headers?, body? }`;
  }
  const { statusCode, headers, multiValueHeaders, body } = /** @type {Record<string, unknown>} */ (result);
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    const shown = typeof statusCode === 'string' ? JSON.stringify(statusCode) : String(statusCode);
    return `statusCode ${shown}; it must be an integer from 100 to 599`;
  }
  if (!isOptionalObject(headers)) return 'headers that are not an object';
  if (!isOptionalObject(multiValueHeaders)) return 'multiValueHeaders that are not an object';
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return `a ${typeof body} body; it must be a string (use JSON.stringify)`;
  }
  return undefined;
}

/** @param {unknown} value */
function isOptionalObject(value) {
  return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
}

/**
 * Adds `Origin` to an existing Vary value unless it is already there (or the value is `*`).
 * @param {string | undefined} vary
 */
function addVaryOrigin(vary) {
  if (vary === undefined) return 'Origin';
  for (const token of vary.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === 'origin' || name === '*') return vary;
  }
  return `${vary}, Origin`;
}

/**
 * @param {string | undefined} current
 * @param {unknown} value one value of the app's Vary header, or a list of them
 */
function joinVary(current, value) {
  if (value === undefined || value === null) return current;
  const text = Array.isArray(value) ? value.join(', ') : String(value);
  return current === undefined ? text : `${current}, ${text}`;
}

/**
 * @param {number} statusCode
 * @param {string} message
 * @returns {ProxyResult}
 */
function jsonResponse(statusCode, message) {
  return { statusCode, headers: { 'Content-Type': JSON_CONTENT_TYPE }, body: JSON.stringify({ message }) };
}

/**
 * Wraps the app's `handle` into a Lambda handler.
 * @param {(event: any, context: any) => any} handle the app's function; may be async
 * @param {ReturnType<typeof configFromEnv>} config
 */
export function createHandler(handle, config) {
  if (typeof handle !== 'function') {
    throw new TypeError('cors-gen: app.mjs must export `async function handle(event, context)`');
  }
  const matcher = compileOrigins(config.allowedOrigins);
  const addCors = config.mode === 'lambda';
  /** @type {HeaderPolicy} */
  const policy = {
    allowCredentials: config.allowCredentials,
    allowHeaders: config.allowHeaders.length > 0 ? config.allowHeaders.join(',') : undefined,
    exposeHeaders: config.exposeHeaders.length > 0 ? config.exposeHeaders.join(',') : undefined,
  };
  const enforce = config.enforceOrigin;

  /**
   * A new response: `result` with the app's CORS headers replaced by ours. Neither `result` nor its header
   * objects are modified: the app may return the same object on every call, and a warm container serves many
   * origins one after the other.
   * @param {ProxyResult} result
   * @param {string | undefined} origin
   * @param {boolean} preflight
   * @returns {ProxyResult}
   */
  function withCors(result, origin, preflight) {
    if (!addCors) return result;
    /** @type {HeaderMap} */
    const headers = {};
    /** @type {string | undefined} */
    let vary;
    const appHeaders = result.headers;
    if (appHeaders !== undefined && appHeaders !== null) {
      for (const name of Object.keys(appHeaders)) {
        const lower = name.toLowerCase();
        if (lower === 'vary') vary = joinVary(vary, appHeaders[name]);
        else if (!OWNED_HEADERS.has(lower)) headers[name] = appHeaders[name];
      }
    }
    /** @type {HeaderMap | undefined} */
    let multiValueHeaders;
    const appMulti = result.multiValueHeaders;
    if (appMulti !== undefined && appMulti !== null) {
      // API Gateway prefers multiValueHeaders over headers for the same name, so the app's CORS values must go
      // from there too.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
      multiValueHeaders = {};
      for (const name of Object.keys(appMulti)) {
        const lower = name.toLowerCase();
        if (lower === 'vary') vary = joinVary(vary, appMulti[name]);
        else if (!OWNED_HEADERS.has(lower)) multiValueHeaders[name] = appMulti[name];
      }
    }

    const cors = corsResponseHeaders(matcher, policy, origin, preflight);
    Object.assign(headers, cors.headers);
    if (cors.varyOrigin) vary = addVaryOrigin(vary);
    if (vary !== undefined) headers['Vary'] = vary;

    /** @type {ProxyResult} */
    const response = { ...result, headers };
    if (multiValueHeaders !== undefined) response.multiValueHeaders = multiValueHeaders;
    return response;
  }

  /**
   * @param {unknown} event
   * @param {unknown} context
   * @returns {Promise<ProxyResult>}
   */
  return async function handler(event, context) {
    const origin = requestHeader(event, 'origin', 'Origin');
    const preflight =
      requestMethod(event) === 'OPTIONS' &&
      requestHeader(event, 'access-control-request-method', 'Access-Control-Request-Method') !== undefined;

    if (enforce && origin !== undefined && !matcher.allows(origin)) {
      return withCors(jsonResponse(403, 'Origin not allowed'), origin, preflight);
    }
    let result;
    try {
      result = await handle(event, context);
    } catch (error) {
      console.error('cors-gen: handle() threw; answering 500', error);
      return withCors(jsonResponse(500, 'Internal Server Error'), origin, preflight);
    }
    // Payload 2.0 (HTTP API, Function URL) accepts any JSON value: without a statusCode the service answers 200
    // with the value as the JSON body (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response,
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload). The service owns
    // the CORS headers there, so such a result passes through as it would without this wrapper.
    if (!addCors) return /** @type {ProxyResult} */ (result);
    const problem = malformedReason(result);
    if (problem !== undefined) {
      console.error(`cors-gen: handle() returned ${problem}; answering 500`);
      return withCors(jsonResponse(500, 'Internal Server Error'), origin, preflight);
    }
    return withCors(/** @type {ProxyResult} */ (result), origin, preflight);
  };
}
