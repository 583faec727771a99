/**
 * A table of server CORS behaviours — correct ones, every scan misconfiguration class and the common AWS failures —
 * each with the request the frontend makes. One dispatcher serves them all under `/<name>/...`, so one server
 * (plus a second one on another port, for cross-origin redirects) hosts the whole table.
 *
 * `expect` records what a browser does; the differential test checks that Chromium agrees with it and that the
 * checker agrees with Chromium.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export interface Env {
  /** The frontend's origin, e.g. `http://127.0.0.1:41234`. */
  readonly page: string;
  /** Base URL of the second server (another origin), for cross-origin redirects. */
  readonly other: string;
}

export interface ServerConfig {
  readonly name: string;
  /** The frontend's request. */
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
  /** Answers both preflights and requests; `rest` is the path after `/<name>`. */
  handle(req: IncomingMessage, res: ServerResponse, env: Env, rest: string): void;
  /** Whether the browser lets the page read the response without and with credentials. */
  readonly expect: { readonly anon: boolean; readonly cred: boolean };
  /** What the checker should name (a code among its findings), when the request is blocked or warned about. */
  readonly codes?: { readonly anon?: readonly string[]; readonly cred?: readonly string[] };
}

type Headers = Record<string, string | string[]>;

function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

function send(res: ServerResponse, status: number, headers: Headers, body = ''): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  res.statusCode = status;
  res.end(body);
}

const MAT = {
  'Content-Type': 'application/json',
  'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
  'x-amz-apigw-id': 'abc=',
};
const MAT_BODY = '{"message":"Missing Authentication Token"}';

/** The error probe's paths: no route of these servers has them. */
const isUnknownPath = (rest: string) => rest.includes('cors-gen-check-not-found');

/**
 * A server that answers every request with `headers` (preflights also get `preflight`), 404 with the same headers
 * on the error probe's unknown paths.
 */
function fixed(
  headers: (req: IncomingMessage, env: Env) => Headers,
  preflight: (req: IncomingMessage, env: Env) => Headers = () => ({}),
): ServerConfig['handle'] {
  return (req, res, env, rest) => {
    if (isPreflight(req)) send(res, 204, { ...headers(req, env), ...preflight(req, env) });
    else if (isUnknownPath(rest)) send(res, 404, headers(req, env), '{"message":"Not Found"}');
    else send(res, 200, headers(req, env), '{"ok":true}');
  };
}

/** Echoes the request's Origin (with credentials) when `allowed` says so, as a dynamic allowlist would. */
function allowlist(allowed: (origin: string, env: Env) => boolean): ServerConfig['handle'] {
  return fixed((req, env): Headers => {
    const origin = req.headers.origin ?? '';
    return allowed(origin, env)
      ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
      : { Vary: 'Origin' };
  });
}

const echo = (req: IncomingMessage, env: Env): Headers => ({
  'Access-Control-Allow-Origin': env.page,
  'Access-Control-Allow-Credentials': 'true',
  Vary: 'Origin',
});
const allowAll =
  (methods: string, headers = 'Content-Type, Authorization, X-Api-Key, X-Custom') =>
  () => ({ 'Access-Control-Allow-Methods': methods, 'Access-Control-Allow-Headers': headers });
const hostOf = (origin: string) => origin.replace(/^https?:\/\//, '');
const schemeOf = (origin: string) => origin.slice(0, origin.indexOf(':'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const GET: Pick<ServerConfig, 'method' | 'headers'> = { method: 'GET', headers: [] };
const PUT_JSON: Pick<ServerConfig, 'method' | 'headers'> = {
  method: 'PUT',
  headers: [['Content-Type', 'application/json']],
};
const both = (ok: boolean) => ({ anon: ok, cred: ok });

export const SERVER_CONFIGS: readonly ServerConfig[] = [
  // Correct and near-correct answers.
  { name: 'exact-origin', ...GET, handle: fixed(echo), expect: both(true) },
  { name: 'exact-allowlist', ...GET, handle: allowlist((o, env) => o === env.page), expect: both(true) },
  { name: 'exact-origin-put', ...PUT_JSON, handle: fixed(echo, allowAll('GET,PUT')), expect: both(true) },
  {
    name: 'wildcard',
    ...GET,
    handle: fixed(() => ({ 'Access-Control-Allow-Origin': '*' })),
    expect: { anon: true, cred: false },
    codes: { cred: ['wildcard-origin-with-credentials'] },
  },
  {
    name: 'exact-without-acac',
    ...GET,
    handle: fixed((_r, env) => ({ 'Access-Control-Allow-Origin': env.page })),
    expect: { anon: true, cred: false },
    codes: { cred: ['invalid-allow-credentials'] },
  },
  {
    name: 'acac-capitalized',
    ...GET,
    handle: fixed((_r, env) => ({
      'Access-Control-Allow-Origin': env.page,
      'Access-Control-Allow-Credentials': 'True',
    })),
    expect: { anon: true, cred: false },
    codes: { cred: ['invalid-allow-credentials'] },
  },
  {
    name: 'acac-duplicated',
    ...GET,
    handle: fixed((_r, env) => ({
      'Access-Control-Allow-Origin': env.page,
      'Access-Control-Allow-Credentials': ['true', 'true'],
    })),
    expect: { anon: true, cred: false },
    codes: { cred: ['invalid-allow-credentials'] },
  },
  {
    name: 'trailing-slash',
    ...GET,
    handle: fixed((_r, env) => ({ 'Access-Control-Allow-Origin': `${env.page}/` })),
    expect: both(false),
    codes: { anon: ['allow-origin-mismatch'] },
  },
  {
    name: 'uppercase-scheme',
    ...GET,
    handle: fixed((_r, env) => ({
      'Access-Control-Allow-Origin': env.page.replace(/^https?/, (s) => s.toUpperCase()),
    })),
    expect: both(false),
    codes: { anon: ['allow-origin-mismatch'] },
  },
  {
    name: 'no-cors-headers',
    ...GET,
    handle: fixed(() => ({})),
    expect: both(false),
    codes: { anon: ['missing-allow-origin'] },
  },
  {
    name: 'acao-null',
    ...GET,
    handle: fixed(() => ({ 'Access-Control-Allow-Origin': 'null' })),
    expect: both(false),
    codes: { anon: ['allow-origin-mismatch'] },
  },
  {
    name: 'acao-list',
    ...GET,
    handle: fixed((_r, env) => ({ 'Access-Control-Allow-Origin': `${env.page}, https://app.example.com` })),
    expect: both(false),
    codes: { anon: ['multiple-allow-origin'] },
  },
  // AWS: the Lambda and the gateway (or CloudFront) both add the header.
  {
    name: 'aws-duplicate-acao',
    ...GET,
    handle: fixed((_r, env) => ({ 'Access-Control-Allow-Origin': [env.page, env.page] })),
    expect: both(false),
    codes: { anon: ['multiple-allow-origin'] },
  },
  // AWS: the stage was deployed with the dev origin list.
  {
    name: 'aws-origin-mismatch-localhost',
    ...GET,
    handle: fixed(() => ({
      'Access-Control-Allow-Origin': 'http://localhost:3000',
      Vary: 'Origin',
      'x-amz-apigw-id': 'abc=',
    })),
    expect: both(false),
    codes: { anon: ['allow-origin-mismatch'] },
  },

  // Scan classes: each accepts the page's origin too (it is what the buggy check was written for).
  { name: 'reflected-origin', ...GET, handle: allowlist((o) => o !== ''), expect: both(true) },
  {
    name: 'null-origin',
    ...GET,
    handle: allowlist((o) => o === 'null'),
    expect: both(false),
    codes: { anon: ['missing-allow-origin'] },
  },
  { name: 'prefix-match', ...GET, handle: allowlist((o, env) => o.startsWith(env.page)), expect: both(true) },
  { name: 'suffix-match', ...GET, handle: allowlist((o, env) => o.endsWith(hostOf(env.page))), expect: both(true) },
  {
    name: 'unescaped-dot',
    ...GET,
    handle: allowlist((o, env) => new RegExp(`^${env.page}$`).test(o)),
    expect: both(true),
  },
  { name: 'substring-match', ...GET, handle: allowlist((o, env) => o.includes(hostOf(env.page))), expect: both(true) },
  {
    name: 'any-subdomain',
    ...GET,
    handle: allowlist((o, env) =>
      new RegExp(`^${schemeOf(env.page)}://([a-z0-9-]+\\.)*${escape(hostOf(env.page))}$`).test(o),
    ),
    expect: both(true),
  },
  {
    name: 'http-trusted',
    ...GET,
    handle: allowlist((o, env) => hostOf(o) === hostOf(env.page) && /^https?:\/\//.test(o)),
    expect: both(true),
  },
  // Parses a host prefix out of the Origin and compares that: `_` and friends end the match early.
  {
    name: 'special-chars',
    ...GET,
    handle: allowlist((o, env) => /^https?:\/\/[a-z0-9.-]+/.exec(o)?.[0] === env.page.replace(/:\d+$/, '')),
    expect: both(true),
  },
  {
    name: 'third-party',
    ...GET,
    handle: allowlist((o) => o === 'https://codepen.io'),
    expect: both(false),
    codes: { anon: ['missing-allow-origin'] },
  },
  {
    name: 'wildcard-credentials',
    ...GET,
    handle: fixed(() => ({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' })),
    expect: { anon: true, cred: false },
    codes: { cred: ['wildcard-origin-with-credentials'] },
  },

  // AWS failure modes.
  {
    name: 'aws-options-missing',
    ...PUT_JSON,
    handle: (req, res, env) =>
      req.method === 'OPTIONS' ? send(res, 403, MAT, MAT_BODY) : send(res, 200, echo(req, env)),
    expect: both(false),
    codes: { anon: ['options-missing'], cred: ['options-missing'] },
  },
  {
    name: 'aws-options-missing-simple-get',
    ...GET,
    handle: (req, res, env) =>
      req.method === 'OPTIONS' ? send(res, 403, MAT, MAT_BODY) : send(res, 200, echo(req, env)),
    expect: both(true),
  },
  {
    name: 'aws-route-not-deployed',
    ...GET,
    handle: (_req, res) => send(res, 403, MAT, MAT_BODY),
    expect: both(false),
    codes: { anon: ['route-not-deployed'] },
  },
  {
    name: 'aws-lambda-500-without-cors',
    method: 'POST',
    headers: [['Content-Type', 'application/json']],
    handle: (req, res, env) =>
      isPreflight(req)
        ? send(res, 204, { ...echo(req, env), ...allowAll('POST')() })
        : send(res, 500, { 'Content-Type': 'application/json' }, '{"message":"Internal server error"}'),
    expect: both(false),
    codes: { anon: ['error-response-without-cors'] },
  },
  {
    name: 'aws-authorizer-401-without-cors',
    method: 'GET',
    headers: [['Authorization', 'Bearer expired']],
    handle: (req, res, env) =>
      isPreflight(req)
        ? send(res, 204, { ...echo(req, env), ...allowAll('GET')() })
        : send(
            res,
            401,
            {
              'Content-Type': 'application/json',
              'x-amzn-ErrorType': 'UnauthorizedException',
              'x-amz-apigw-id': 'abc=',
            },
            '{"message":"Unauthorized"}',
          ),
    expect: both(false),
    codes: { anon: ['error-response-without-cors'] },
  },
  {
    name: 'aws-gateway-404-with-cors',
    ...GET,
    handle: (req, res, env) =>
      send(res, 404, { ...echo(req, env), 'Content-Type': 'application/json' }, '{"message":"Not Found"}'),
    expect: both(true),
  },
  {
    name: 'aws-http-api-authorizer-options',
    method: 'GET',
    headers: [['Authorization', 'Bearer t']],
    handle: (req, res, env) =>
      req.method === 'OPTIONS'
        ? send(
            res,
            401,
            { 'Content-Type': 'application/json', 'apigw-requestid': 'abc=' },
            '{"message":"Unauthorized"}',
          )
        : send(res, 200, { ...echo(req, env), 'apigw-requestid': 'abc=' }),
    expect: both(false),
    codes: { anon: ['preflight-unauthorized'] },
  },
  {
    name: 'aws-preflight-without-acac',
    ...PUT_JSON,
    handle: (req, res, env) =>
      isPreflight(req)
        ? send(res, 204, { 'Access-Control-Allow-Origin': env.page, ...allowAll('PUT')() })
        : send(res, 200, echo(req, env)),
    expect: { anon: true, cred: false },
    codes: { cred: ['invalid-allow-credentials'] },
  },

  // Preflight rules.
  {
    name: 'acam-lowercase',
    ...PUT_JSON,
    handle: fixed(echo, allowAll('get, put')),
    expect: both(false),
    codes: { anon: ['method-not-allowed'] },
  },
  {
    name: 'method-patch-lowercase',
    method: 'patch',
    headers: [],
    handle: fixed(echo, allowAll('GET, PATCH')),
    expect: both(false),
    codes: { anon: ['method-not-allowed'] },
  },
  {
    name: 'acam-wildcard',
    ...PUT_JSON,
    handle: fixed(echo, allowAll('*')),
    expect: { anon: true, cred: false },
    codes: { cred: ['method-not-allowed'] },
  },
  {
    name: 'acah-wildcard',
    method: 'POST',
    headers: [['X-Custom', '1']],
    handle: fixed(echo, () => ({ 'Access-Control-Allow-Headers': '*' })),
    expect: { anon: true, cred: false },
    codes: { cred: ['header-not-allowed'] },
  },
  {
    name: 'acah-wildcard-authorization',
    method: 'GET',
    headers: [['Authorization', 'Bearer t']],
    handle: fixed(echo, () => ({ 'Access-Control-Allow-Headers': '*' })),
    expect: { anon: true, cred: false },
    codes: { anon: ['authorization-not-covered-by-wildcard'], cred: ['header-not-allowed'] },
  },
  {
    name: 'acah-case-insensitive',
    method: 'GET',
    headers: [['X-Api-Key', 'k']],
    handle: fixed(echo, () => ({ 'Access-Control-Allow-Headers': 'X-API-KEY' })),
    expect: both(true),
  },
  {
    name: 'acah-missing-content-type',
    method: 'POST',
    headers: [['Content-Type', 'application/json']],
    handle: fixed(echo, () => ({ 'Access-Control-Allow-Headers': 'Authorization' })),
    expect: both(false),
    codes: { anon: ['header-not-allowed'] },
  },
  {
    name: 'acam-invalid-token',
    ...PUT_JSON,
    handle: fixed(echo, allowAll('PUT POST')),
    expect: both(false),
    codes: { anon: ['invalid-allow-methods'] },
  },
  { name: 'acam-empty-items', ...PUT_JSON, handle: fixed(echo, allowAll('GET, , PUT')), expect: both(true) },
  {
    name: 'preflight-redirect',
    ...PUT_JSON,
    handle: (req, res, env) =>
      isPreflight(req)
        ? send(res, 307, { ...echo(req, env), ...allowAll('PUT')(), Location: '/preflight-redirect/elsewhere' })
        : send(res, 200, echo(req, env)),
    expect: both(false),
    codes: { anon: ['preflight-redirect'] },
  },
  {
    name: 'preflight-500',
    ...PUT_JSON,
    handle: (req, res, env) =>
      isPreflight(req) ? send(res, 500, { ...echo(req, env), ...allowAll('PUT')() }) : send(res, 200, echo(req, env)),
    expect: both(false),
    codes: { anon: ['preflight-status'] },
  },
  {
    name: 'simple-post-text-plain',
    method: 'POST',
    headers: [['Content-Type', 'text/plain;charset=UTF-8']],
    handle: (req, res, env) => (req.method === 'OPTIONS' ? send(res, 403, {}) : send(res, 200, echo(req, env))),
    expect: both(true),
  },

  // Redirects: the CORS check on each hop, and the origin turning into "null" after a cross-origin hop.
  {
    name: 'redirect-same-origin',
    ...GET,
    handle: (req, res, env) =>
      req.url?.endsWith('/final')
        ? send(res, 200, echo(req, env))
        : send(res, 302, { ...echo(req, env), Location: '/redirect-same-origin/final' }),
    expect: both(true),
  },
  {
    name: 'redirect-without-cors',
    ...GET,
    handle: (req, res, env) =>
      req.url?.endsWith('/final')
        ? send(res, 200, echo(req, env))
        : send(res, 302, { Location: '/redirect-without-cors/final' }),
    expect: both(false),
    codes: { anon: ['missing-allow-origin'] },
  },
  {
    name: 'redirect-cross-origin-reflect',
    ...GET,
    handle: (req, res, env) =>
      req.url?.endsWith('/final')
        ? send(res, 200, {
            'Access-Control-Allow-Origin': req.headers.origin ?? '',
            'Access-Control-Allow-Credentials': 'true',
          })
        : send(res, 302, { ...echo(req, env), Location: `${env.other}/redirect-cross-origin-reflect/final` }),
    expect: both(true),
  },
  {
    name: 'redirect-cross-origin-exact',
    ...GET,
    handle: (req, res, env) =>
      req.url?.endsWith('/final')
        ? send(res, 200, req.headers.origin === env.page ? echo(req, env) : {})
        : send(res, 302, { ...echo(req, env), Location: `${env.other}/redirect-cross-origin-exact/final` }),
    expect: both(false),
    codes: { anon: ['missing-allow-origin'] },
  },
];

/** One handler for the whole table: `/<name>/...` goes to that configuration. */
export function dispatcher(env: () => Env): RequestListener {
  const byName = new Map(SERVER_CONFIGS.map((c) => [c.name, c]));
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const [, name = '', ...rest] = path.split('/');
    const config = byName.get(name);
    if (!config) return send(res, 404, {}, 'no such configuration');
    config.handle(req, res, env(), `/${rest.join('/')}`);
  };
}
