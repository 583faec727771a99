/**
 * What `check` reports. Codes are stable (CI keys on them), the scan codes included. Each code
 * has one fix text, specialised for the AWS front door when the responses say which one answered.
 */
import type { ApiFlavor } from './aws.js';
import type { Evidence } from './exchange.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  readonly code: FindingCode;
  /** `error`: the browser blocks the request (or, for scan codes, an attacker's origin can read credentialed responses). */
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
  readonly evidence: readonly Evidence[];
  /**
   * Failures that follow from this one and go away with its fix (no Access-Control-Allow-Origin, so no allowed
   * methods or headers either): shown under it rather than as findings of their own.
   */
  readonly consequences?: readonly Consequence[];
}

export interface Consequence {
  readonly code: FindingCode;
  readonly message: string;
}

/** Codes of the live check: the Fetch rule that failed, or the AWS cause recognised behind it. */
export const CHECK_CODES = [
  'options-missing',
  'route-not-deployed',
  'preflight-unauthorized',
  'gateway-forbidden',
  'preflight-status',
  'preflight-redirect',
  'missing-allow-origin',
  'multiple-allow-origin',
  'allow-origin-mismatch',
  'wildcard-origin-with-credentials',
  'invalid-allow-credentials',
  'invalid-allow-methods',
  'invalid-allow-headers',
  'method-not-allowed',
  'header-not-allowed',
  'authorization-not-covered-by-wildcard',
  'error-response-without-cors',
  'authorizer-response-without-cors',
  'error-path-not-found',
  'redirect-failed',
  'actual-status',
  'max-age-capped',
  'expose-wildcard-with-credentials',
  'vary-origin-missing',
  // check --credentials: cookies the answers set that a page on another site cannot use (src/check/cookies.ts).
  'cookie-domain-mismatch',
  'cookie-none-without-secure',
  'cookie-not-cross-site',
  'cookie-third-party',
] as const;

/** Misconfiguration classes found by `--scan`, one code per class (the union of Corsy's and CORScanner's). */
export const SCAN_CODES = [
  'reflected-origin',
  'null-origin',
  'prefix-match',
  'suffix-match',
  'unescaped-dot',
  'substring-match',
  'any-subdomain',
  'http-trusted',
  'special-chars',
  'third-party',
  'wildcard-credentials',
] as const;

export type CheckCode = (typeof CHECK_CODES)[number];
export type ScanCode = (typeof SCAN_CODES)[number];
export type FindingCode = CheckCode | ScanCode;

/** What a fix may mention: the detected front door and the values involved. */
export interface FixContext {
  readonly flavor: ApiFlavor;
  readonly origin: string;
  readonly method: string;
  /** Header names the finding is about, when there are any. */
  readonly headers?: readonly string[];
  /** The Access-Control-Allow-Origin value the server sent, when relevant. */
  readonly allowOrigin?: string;
  /** The first segment of the URL's path: the stage name in a REST API's default endpoint URL. */
  readonly firstSegment?: string;
  /** The answer is API Gateway's own error (x-amzn-ErrorType, 4xx/5xx) allowing credentials. */
  readonly credentialedGatewayError?: boolean;
}

const REDEPLOY =
  'A REST API stage serves its last deployment: nothing changes until a new deployment (the cors-gen module redeploys on every change through its deployment triggers).';

/** Picks the text for the detected front door; with none detected, the REST and HTTP API texts together. */
function byFlavor(flavor: ApiFlavor, texts: { rest: string; http: string; url: string; other?: string }): string {
  switch (flavor) {
    case 'rest':
      return texts.rest;
    case 'http':
      return texts.http;
    case 'function-url':
      return texts.url;
    default:
      return texts.other ?? `${texts.rest} ${texts.http}`;
  }
}

export const FIXES: Record<FindingCode, (c: FixContext) => string> = {
  'options-missing': (c) =>
    byFlavor(c.flavor, {
      rest: `REST API: the resource has no OPTIONS method in the deployed stage — 403 Missing Authentication Token. Add an OPTIONS method (authorization NONE, a MOCK integration answering 204 with the CORS headers; cors-gen generates one per resource) and redeploy the stage. ${REDEPLOY} Also check the stage name and path in the URL.`,
      http: 'HTTP API: no route answers OPTIONS. Set cors_configuration on the API, so API Gateway answers preflights itself before routing.',
      url: 'Function URL: set the cors block of aws_lambda_function_url, so Lambda answers preflights itself.',
    }),
  'route-not-deployed': () =>
    `REST API: API Gateway answers 403 Missing Authentication Token for a path or method that is not in the deployed stage. Check the stage name and path in the URL, and redeploy after adding routes. ${REDEPLOY}`,
  'preflight-unauthorized': (c) =>
    byFlavor(c.flavor, {
      rest: 'REST API: the OPTIONS method requires authorization or an API key, but a browser never sends credentials on a preflight. Set authorization = "NONE" and api_key_required = false on every OPTIONS method, then redeploy.',
      http: 'HTTP API: the preflight reached a route with an authorizer (an ANY /{proxy+} route also catches OPTIONS), but a browser never sends credentials on a preflight. Set cors_configuration on the API — API Gateway then answers preflights before routing — or add an OPTIONS /{proxy+} route without an authorizer.',
      url: 'Function URL: with AWS_IAM auth a preflight cannot be signed; use the cors block (Lambda answers preflights itself) or authorization_type NONE.',
    }),
  // x-amzn-ErrorType ForbiddenException with {"message":"Forbidden"} is API Gateway's answer to a missing or
  // invalid API key; a request for a stage that does not exist and a WAF block look the same
  // (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden, and WAF_FILTERED in
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
  'gateway-forbidden': (c) =>
    `Tell the three causes apart: (1) stage: a REST API's URL is https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/<path>, so ${c.firstSegment === undefined ? 'the first path segment' : `the first path segment "${c.firstSegment}"`} must be the stage name (terraform output api_url ends with it; behind a custom domain the base path mapping takes its place). (2) API key: repeat the request with the header x-api-key: <key>; if it then passes, the method has api_key_required = true, and since a preflight never carries the key, OPTIONS methods need api_key_required = false. (3) WAF: a web ACL blocks before API Gateway runs; the request shows as blocked in the web ACL's sampled requests or logs, and a custom WAF response may carry its own body. No authorizer answered, so changing authorization changes nothing.`,
  'preflight-status': (c) =>
    byFlavor(c.flavor, {
      rest: 'REST API: give the resource an OPTIONS method with a MOCK integration that answers 200 or 204 (cors-gen generates it); if a Lambda handles OPTIONS, it must return 200 or 204 without requiring authentication.',
      http: 'HTTP API: set cors_configuration so API Gateway answers the preflight; a Lambda behind an OPTIONS route must return 200 or 204.',
      url: 'Function URL: set the cors block so Lambda answers the preflight itself.',
      other:
        'The preflight (OPTIONS) must get a 2xx status without authentication. REST API: an OPTIONS method with a MOCK integration (cors-gen generates it); HTTP API: cors_configuration; Function URL: the cors block.',
    }),
  'preflight-redirect': () =>
    'Answer OPTIONS at this URL itself: browsers never follow a redirect on a preflight. The redirect is usually http to https, a trailing slash added or removed, or a custom domain base path — call the final URL from the frontend.',
  'missing-allow-origin': (c) =>
    c.allowOrigin !== undefined
      ? `Add ${c.origin} to the allowed origins: the API answers CORS to ${c.allowOrigin}, so CORS is set up and this origin is simply not in the list. ${byFlavor(
          c.flavor,
          {
            rest: `In a cors-gen spec: cors.allowOrigins (every stage) or stages.<stage>.allowOrigins (one stage), then "cors-gen generate" and terraform apply (the module's allowed_origins). ${REDEPLOY}`,
            http: 'HTTP API: cors_configuration.allow_origins (in a cors-gen spec: cors.allowOrigins or stages.<stage>.allowOrigins, then "cors-gen generate" and terraform apply).',
            url: 'Function URL: cors.allow_origins (in a cors-gen spec: cors.allowOrigins or stages.<stage>.allowOrigins, then "cors-gen generate" and terraform apply).',
            other: `In a cors-gen spec: cors.allowOrigins (every stage) or stages.<stage>.allowOrigins (one stage), then "cors-gen generate" and terraform apply (the module's allowed_origins). ${REDEPLOY}`,
          },
        )}`
      : byFlavor(c.flavor, {
          rest: `REST API: with a Lambda proxy integration the Lambda's response must carry Access-Control-Allow-Origin (API Gateway adds nothing to proxy responses); the OPTIONS method maps it in its integration response, declared in the method response. If other origins get the header, ${c.origin} is not in the allowlist. ${REDEPLOY}`,
          http: `HTTP API: add ${c.origin} to cors_configuration.allow_origins; API Gateway ignores CORS headers returned by the Lambda.`,
          url: `Function URL: add ${c.origin} to cors.allow_origins; Lambda's configured CORS headers take precedence over the function's.`,
        }),
  'multiple-allow-origin': () =>
    'Set Access-Control-Allow-Origin in exactly one place, with one value. REST API: the Lambda and a mapped integration or gateway response both add it — keep one. HTTP API and function URLs set it themselves: remove it from the Lambda. CloudFront: a response headers policy adds a second copy. A list of origins never works: echo the single allowed request origin, with Vary: Origin.',
  'allow-origin-mismatch': (c) => {
    const isLocal = (o: string) => /^https?:\/\/(localhost|127\.0\.0\.1)/.test(o);
    const dev = c.allowOrigin !== undefined && isLocal(c.allowOrigin) && !isLocal(c.origin);
    const slash = c.allowOrigin !== undefined && c.allowOrigin === `${c.origin}/`;
    // A REST gateway response cannot run code, so with credentials it names one fixed origin for every caller
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
    if (c.credentialedGatewayError && c.allowOrigin !== undefined && c.allowOrigin !== '*' && !slash)
      return `This is API Gateway's own error answer (an authorizer's 401/403, a 403 for an unknown path, a 429), which with credentials names one fixed origin, ${c.allowOrigin}, for every caller: ${c.origin} may well be allowed, and your Lambda's own answers carry the right origin. Put the origin whose page must read these errors first in the stage's list (cors.allowOrigins, or stages.<stage>.allowOrigins; "cors-gen validate" warns with gateway-errors-first-origin), then generate and apply.`;
    const lead = dev
      ? `The API answers with the development origin ${c.allowOrigin}: this stage was deployed with the dev origin list (e.g. stages/dev.tfvars). Apply it with the production list (allowed_origins containing ${c.origin}).`
      : slash
        ? `The allowed origin has a trailing slash; browsers send ${c.origin} without one. Remove the slash from the allowlist.`
        : `Add ${c.origin} to the allowed origins (allowed_origins / stages/<stage>.tfvars in the cors-gen module; cors_configuration.allow_origins for an HTTP API; cors.allow_origins for a function URL) and apply.`;
    return `${lead} Origins compare byte for byte: scheme, lower-case host and port, no path, no trailing slash. ${REDEPLOY}`;
  },
  'wildcard-origin-with-credentials': () =>
    'Browsers never accept "*" for a request with credentials. Echo the request\'s origin when it is in an allowlist, with Vary: Origin (cors-gen does this for every target). HTTP API: allow_origins must list the origins when allow_credentials is true.',
  'invalid-allow-credentials': (c) =>
    `${byFlavor(c.flavor, {
      rest: 'REST API: send Access-Control-Allow-Credentials: true (lower case) from the OPTIONS integration response, the Lambda, and the DEFAULT_4XX/DEFAULT_5XX gateway responses.',
      http: 'HTTP API: set cors_configuration.allow_credentials = true.',
      url: 'Function URL: set cors.allow_credentials = true.',
    })} If the frontend needs neither cookies nor HTTP authentication, drop credentials: 'include' instead.`,
  'invalid-allow-methods': () =>
    'Access-Control-Allow-Methods must be method names separated by commas, e.g. "GET,POST,OPTIONS".',
  'invalid-allow-headers': () =>
    'Access-Control-Allow-Headers must be header names separated by commas, e.g. "Content-Type,Authorization".',
  'method-not-allowed': (c) =>
    [
      `List ${c.method} in Access-Control-Allow-Methods, spelled exactly as the frontend sends it (methods compare case-sensitively; "*" works only without credentials).`,
      byFlavor(c.flavor, {
        rest: 'REST API: the OPTIONS integration response.',
        http: 'HTTP API: cors_configuration.allow_methods.',
        url: 'Function URL: cors.allow_methods.',
        other: '',
      }),
      // A module cors-gen generates allows the union of the routes' methods unless cors.allowMethods is set, and a
      // route without the method would not serve it even once the preflight passes.
      `In cors-gen: add ${c.method} to the route's methods, and to cors.allowMethods if the spec sets it.`,
    ]
      .filter(Boolean)
      .join(' '),
  'header-not-allowed': (c) =>
    `List ${(c.headers ?? []).join(', ') || 'the header'} in Access-Control-Allow-Headers (cors.allowHeaders in the spec; "*" works only without credentials and never covers Authorization). ${byFlavor(
      c.flavor,
      {
        rest: 'REST API: the OPTIONS integration response.',
        http: 'HTTP API: cors_configuration.allow_headers.',
        url: 'Function URL: cors.allow_headers.',
        other: '',
      },
    )}`.trim(),
  'authorization-not-covered-by-wildcard': () =>
    'List Authorization by name in Access-Control-Allow-Headers. The Fetch standard says "*" never covers it; browsers still tolerate it today (Chromium flags it in DevTools) and are expected to enforce the rule.',
  // An authorizer answers before any method or Lambda runs, so only the gateway's own response can carry CORS
  // headers (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
  'authorizer-response-without-cors': (c) =>
    `The authorizer's refusal must carry the CORS headers, or the frontend sees a CORS error instead of the 401/403 and cannot ask the user to sign in again. ${byFlavor(
      c.flavor,
      {
        rest: 'REST API: define the gateway responses UNAUTHORIZED and ACCESS_DENIED (or DEFAULT_4XX, which they fall back to) with gatewayresponse.header.Access-Control-Allow-Origin and the other CORS headers (cors-gen does, for every authorizer in the spec), then redeploy the stage.',
        http: "HTTP API: with cors_configuration set, API Gateway adds the CORS headers to an authorizer's 401/403 when the Origin is in allow_origins; check that list (and that the API has cors_configuration at all).",
        url: "Function URL: AWS_IAM refusals get the cors block's headers only when the Origin is in cors.allow_origins.",
      },
    )}`,
  'error-response-without-cors': (c) =>
    `Error responses need the CORS headers too, or the browser hides the status and body behind a CORS error. ${byFlavor(
      c.flavor,
      {
        rest: 'REST API: errors API Gateway generates itself (403 for unknown paths, 401/403 from authorizers, 429, 5xx) skip your methods; add the gateway responses DEFAULT_4XX and DEFAULT_5XX with Access-Control-Allow-Origin (cors-gen does) and redeploy. A Lambda proxy must return the headers on every path, including thrown errors.',
        http: 'HTTP API: errors from the Lambda get the configured CORS headers only when the origin is in allow_origins; check cors_configuration.',
        url: 'Function URL: errors get the configured CORS headers only when the origin is in cors.allow_origins.',
      },
    )}`,
  'error-path-not-found': () =>
    'Check an error answer yourself: run cors-gen check on a URL that fails (a path under no route, an id that does not exist, a request without the login it needs) and look for Access-Control-Allow-Origin on the 4xx. A catch-all route ({proxy+}) or a path parameter can answer every path under the endpoint.',
  'redirect-failed': () =>
    'Redirect only to an http(s) URL without user:password@, or call the final URL from the frontend directly.',
  'actual-status': () =>
    'CORS works; the API itself answered with an error. Check the route, the method and the authentication the request needs.',
  'max-age-capped': () =>
    'Chromium caches a preflight for at most 7200 s (Firefox 86400 s); a larger maxAge changes nothing in Chromium.',
  'expose-wildcard-with-credentials': () =>
    'With credentials, "*" in Access-Control-Expose-Headers is a literal header name, not "all headers": list the headers the frontend reads (cors.exposeHeaders).',
  'vary-origin-missing': () =>
    "Send Vary: Origin with every response whose Access-Control-Allow-Origin depends on the request's Origin; otherwise a cache (CloudFront, the browser) serves one origin's answer to another (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).",

  'cookie-domain-mismatch': () =>
    "Set the cookie's Domain to the API's host or a parent of it, or leave Domain out (RFC 6265bis 5.7).",
  'cookie-none-without-secure': () => 'Add Secure: SameSite=None; Secure.',
  'cookie-not-cross-site': () =>
    "Set SameSite=None; Secure, or serve the API from the page's site (a custom domain) where SameSite=Lax works.",
  'cookie-third-party': () => "Serve the API from the page's site (a custom domain) so its cookies are first-party.",

  'reflected-origin': () =>
    'The API echoes any Origin it receives. Compare the Origin with an exact allowlist (cors-gen: ALLOWED_ORIGINS) and send no CORS headers for other origins.',
  'null-origin': () =>
    'Remove "null" from the allowlist: sandboxed iframes, data: documents, file: pages and redirected requests all send Origin: null, so any site can obtain it.',
  'prefix-match': () =>
    'The origin check accepts anything that starts with an allowed origin (startsWith, or a regex without $). Compare whole origins; anchor regexes with ^ and $.',
  'suffix-match': () =>
    'The origin check accepts anything that ends with an allowed host (endsWith, or a regex without ^), so attacker-registered names like "attacker<your domain>" pass. Compare whole origins; for subdomains require the dot and escape it.',
  'unescaped-dot': () =>
    'An allowlist regex has an unescaped "." that matches any character, so a registrable look-alike (appxexample.com) passes. Escape dots or compare strings; cors-gen\'s wildcard patterns escape everything.',
  'substring-match': () =>
    'The origin check accepts origins that merely contain, or are contained in, an allowed one (includes/indexOf). Compare whole origins.',
  'any-subdomain': () =>
    "Any subdomain is trusted, so one forgotten or taken-over subdomain (dangling DNS, an unclaimed S3 bucket or CloudFront distribution) can read responses. List the origins you own, or use cors-gen's one-label wildcard only where every subdomain is yours.",
  'http-trusted': () =>
    'An http:// origin is trusted by an https API: a network attacker can inject script into the http page and read API responses. Allow only https origins in production (localhost excepted).',
  'special-chars': () =>
    'The origin parser stops at characters such as "_" or "`" and accepts what comes before them. Compare the whole Origin header with the allowlist instead of parsing a prefix out of it.',
  'third-party': () =>
    'Origins where anyone can host code are trusted (github.io, codepen.io, jsfiddle.net, S3 website and CloudFront domains, ...). Remove them from the allowlist.',
  'wildcard-credentials': () =>
    '"*" with Access-Control-Allow-Credentials: true: browsers refuse credentials with "*", so credentialed calls fail. Echo the allowed origins instead — and do not fix it by reflecting every origin.',
};

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then information; otherwise in the order found (which is deterministic). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
