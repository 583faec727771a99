/**
 * fast-check generators for the reliability tests: specs that are valid by construction (kept only when
 * `validateSpec` agrees), and request origins crafted from an allowlist to look like its entries, after the
 * classes of PortSwigger (James Kettle, "Exploiting CORS misconfigurations",
 * https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties) and
 * Corsy (https://github.com/s0md3v/Corsy) / CORScanner (https://github.com/chenjj/CORScanner).
 */
import fc from 'fast-check';
import { compileOrigins, isOriginProblem, parseOriginEntry } from '../../src/cors/origin.js';
import type { CorsModel } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';

const label = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,6}[a-z0-9])?$/);
const tld = fc.constantFrom('com', 'org', 'io', 'dev', 'example');
const port = fc.constantFrom('', '', '', ':3000', ':8443', ':5173');

const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 2 }), tld)
  .map(([labels, t]) => [...labels, t].join('.'));
const exactOrigin = fc
  .tuple(
    fc.constantFrom('https', 'https', 'http'),
    fc.oneof(
      { weight: 6, arbitrary: host },
      { weight: 1, arbitrary: fc.constantFrom('localhost', '127.0.0.1', '[::1]') },
    ),
    port,
  )
  .map(([s, h, p]) => `${s}://${h}${p}`)
  .filter((o) => !isOriginProblem(parseOriginEntry(o)));
const wildcardOrigin = fc
  .tuple(fc.constantFrom('https', 'http'), host, port)
  .map(([s, h, p]) => `${s}://*.${h}${p}`)
  .filter((o) => !isOriginProblem(parseOriginEntry(o)));

export type Api = 'rest' | 'http' | 'function-url';

/** An allowlist the target supports; `*` and scheme-wide entries only without credentials. */
function allowlist(api: Api, credentials: boolean): fc.Arbitrary<string[]> {
  const entries = fc.uniqueArray(
    api === 'rest'
      ? fc.oneof({ weight: 3, arbitrary: exactOrigin }, { weight: 1, arbitrary: wildcardOrigin })
      : exactOrigin,
    { minLength: 1, maxLength: 4 },
  );
  const options: Array<fc.WeightedArbitrary<string[]>> = [{ weight: 8, arbitrary: entries }];
  if (!credentials) options.push({ weight: 1, arbitrary: fc.constant(['*']) });
  // https://* with credentials admits every site; the checker reports it (see security-invariants.test.ts).
  if (api === 'http' && !credentials)
    options.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('https://*', 'http://*'), fc.array(exactOrigin, { maxLength: 2 }))
        .map(([w, rest]) => [w, ...new Set(rest)]),
    });
  return fc.oneof(...options);
}

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('items', 'users', 'orders', 'v1', 'health', 'files') },
  { weight: 1, arbitrary: fc.constant('{id}') },
);
const routePath = fc.oneof(
  { weight: 1, arbitrary: fc.constant('/') },
  { weight: 6, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`) },
  {
    weight: 1,
    arbitrary: fc.array(segment, { minLength: 0, maxLength: 1 }).map((s) => `/${[...s, '{proxy+}'].join('/')}`),
  },
);
const methods = fc.uniqueArray(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'), {
  minLength: 1,
  maxLength: 4,
});
const headerName = fc.constantFrom(
  'Content-Type',
  'Authorization',
  'X-Request-Id',
  'X-Api-Key',
  'If-Match',
  'X-Custom',
);

/** A raw spec (what a YAML file holds), valid by construction and by `validateSpec`. */
export const validSpec: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    api: fc.constantFrom<Api>('rest', 'http', 'function-url'),
    credentials: fc.boolean(),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/),
    seed: fc.nat(),
  })
  .chain(({ api, credentials, name }) =>
    fc.record({
      version: fc.constant(1),
      name: fc.constant(name),
      api: fc.constant(api),
      cors: fc.record(
        {
          allowOrigins: allowlist(api, credentials),
          allowCredentials: fc.constant(credentials),
          allowHeaders: fc.uniqueArray(headerName, { maxLength: 3 }),
          exposeHeaders: fc.uniqueArray(headerName, { maxLength: 2 }),
          maxAge: fc.integer({ min: 0, max: 86400 }),
          enforceOrigin: fc.boolean(),
        },
        { requiredKeys: ['allowOrigins', 'allowCredentials'] },
      ),
      routes: fc.uniqueArray(fc.record({ path: routePath, methods }), {
        minLength: api === 'function-url' ? 0 : 1,
        maxLength: 4,
        selector: (r) => r.path.replace(/\{[^}]+\}/g, '{}'),
      }),
      frontend: fc.record({ enabled: fc.boolean() }),
      lambda: fc.record({ runtime: fc.constantFrom('nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13') }),
      stages: fc.option(fc.record({ dev: fc.record({ allowOrigins: allowlist(api, credentials) }) }), {
        nil: undefined,
      }),
    }),
  )
  .map((spec) => {
    const out: Record<string, unknown> = { ...spec };
    if (out['stages'] === undefined) delete out['stages'];
    // Methods the routes need must be allowed, or the spec is valid but useless; let the default decide.
    return out;
  })
  .filter((spec) => validateSpec(spec).ok);

/** The model of a spec from `validSpec`. */
export function modelOf(spec: Record<string, unknown>): CorsModel {
  const r = validateSpec(spec);
  if (!r.ok) throw new Error(`not valid: ${JSON.stringify(r.errors)}`);
  return r.model;
}

// ---- origins --------------------------------------------------------------------------------------------------

/** The class a crafted origin belongs to, as the report counts them. */
export type OriginClass =
  | 'allowed'
  | 'case variant'
  | 'null'
  | 'prefix (post-domain)'
  | 'suffix (pre-domain)'
  | 'unescaped dot'
  | 'substring'
  | 'any subdomain'
  | 'http trusted by https'
  | 'other port'
  | 'special characters'
  | 'unicode lookalike'
  | 'malformed'
  | 'arbitrary';

export interface CraftedOrigin {
  readonly origin: string;
  readonly kind: OriginClass;
}

const SPECIAL = [
  '_',
  '`',
  '!',
  '$',
  '&',
  "'",
  '(',
  ')',
  '*',
  '+',
  ',',
  ';',
  '=',
  '~',
  '-',
  '"',
  '{',
  '}',
  '|',
  '^',
  '%60',
  '%0d',
  '\u0000',
  '\t',
  ' ',
];
/** Characters that look like ASCII ones, and some that case-fold to them ("\u212A".toLowerCase() === "k"). */
const HOMOGLYPHS: Record<string, string[]> = {
  a: ['\u0430', '\u00e0', '\u0251'],
  e: ['\u0435', '\u00e9'],
  o: ['\u043e', '\u03bf', '\u00f6'],
  p: ['\u0440'],
  c: ['\u0441'],
  i: ['\u0456', '\u0131', '\u0130'],
  k: ['\u212a', '\u03ba'],
  s: ['\u017f', '\u0455'],
  x: ['\u0445'],
  '.': ['\u3002', '\uff0e', '\u2024'],
};

function parts(entry: string): { scheme: string; host: string; port: string } | undefined {
  const m = /^(https?):\/\/(\[[^\]]+\]|[^:/]+)(:\d+)?$/.exec(entry);
  return m ? { scheme: m[1]!, host: m[2]!, port: m[3] ?? '' } : undefined;
}

/**
 * Origins crafted from one allowlist entry: the entry itself (or a filled wildcard), and lookalikes of every
 * class. `label` fills a wildcard; `n` picks among the variants of a class.
 */
export function craft(entry: string, fill: string, n: number): CraftedOrigin[] {
  if (entry === '*') return [];
  const p = parts(entry.replace('*', fill));
  if (!p) return [];
  const { scheme, host, port } = p;
  const other = scheme === 'https' ? 'http' : 'https';
  const origin = `${scheme}://${host}${port}`;
  const dots = [...host].map((c, i) => (c === '.' ? i : -1)).filter((i) => i >= 0);
  const at = (i: number, s: string) => `${scheme}://${host.slice(0, i)}${s}${host.slice(i + 1)}${port}`;
  const glyphs = [...host].flatMap((c, i) => (HOMOGLYPHS[c] ?? []).map((g) => at(i, g)));
  const special = SPECIAL[n % SPECIAL.length]!;
  const out: CraftedOrigin[] = [
    { origin, kind: 'allowed' },
    { origin: `${scheme}://${host.toUpperCase()}${port}`, kind: 'case variant' },
    { origin: `${scheme.toUpperCase()}://${host}${port}`, kind: 'case variant' },
    { origin: 'null', kind: 'null' },
    { origin: 'Null', kind: 'null' },
    { origin: `${scheme}://${host}.evil.io${port}`, kind: 'prefix (post-domain)' },
    { origin: `${scheme}://${host}${port}.evil.io`, kind: 'prefix (post-domain)' },
    { origin: `${scheme}://${host}-evil.io${port}`, kind: 'prefix (post-domain)' },
    { origin: `${scheme}://evil${host}${port}`, kind: 'suffix (pre-domain)' },
    { origin: `${scheme}://evil-${host}${port}`, kind: 'suffix (pre-domain)' },
    { origin: `${scheme}://${host.slice(1)}${port}`, kind: 'substring' },
    { origin: `${scheme}://${host.slice(0, -1)}${port}`, kind: 'substring' },
    { origin: `${scheme}://evil.${host}${port}`, kind: 'any subdomain' },
    { origin: `${other}://${host}${port}`, kind: 'http trusted by https' },
    { origin: `${scheme}://${host}${port === '' ? ':8443' : ''}`, kind: 'other port' },
    {
      origin: `${scheme}://${host}${port === '' ? (scheme === 'https' ? ':443' : ':80') : `${port}0`}`,
      kind: 'other port',
    },
    { origin: `${origin}/`, kind: 'malformed' },
    { origin: `${origin}/path`, kind: 'malformed' },
    { origin: `${origin}\n`, kind: 'malformed' },
    { origin: ` ${origin}`, kind: 'malformed' },
    { origin: `${origin}, https://evil.io`, kind: 'malformed' },
    { origin: `${origin} https://evil.io`, kind: 'malformed' },
    { origin: `${scheme}://user@${host}${port}`, kind: 'malformed' },
    { origin: `${scheme}://${host}${special}.evil.io${port}`, kind: 'special characters' },
    { origin: `${scheme}://${host}${special}${port}`, kind: 'special characters' },
    { origin: `${scheme}://evil.io${special}${host}${port}`, kind: 'special characters' },
  ];
  if (dots.length > 0) {
    const d = dots[n % dots.length]!;
    out.push(
      { origin: at(d, 'X'), kind: 'unescaped dot' },
      { origin: at(d, 'a'), kind: 'unescaped dot' },
      { origin: at(d, '-'), kind: 'unescaped dot' },
    );
  }
  for (const g of glyphs) out.push({ origin: g, kind: 'unicode lookalike' });
  return out;
}

/** Origins that resemble nothing in particular. */
export const arbitraryOrigin: fc.Arbitrary<CraftedOrigin> = fc
  .oneof(
    fc.webUrl().map((u) => new URL(u).origin),
    fc.constantFrom('https://evil.io', 'http://localhost', 'file://', 'https://[::1]', 'https://127.0.0.1:8080', ''),
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  )
  .map((origin) => ({ origin, kind: 'arbitrary' as const }));

/** What cors-gen means by "allowed": the one matcher every component must agree with. */
export function allows(allowlist: readonly string[], origin: string): boolean {
  return compileOrigins(allowlist).allows(origin);
}

/** Whether a crafted class must never be accepted, whatever the list (a lookalike, not an allowed origin). */
export function isLookalike(kind: OriginClass): boolean {
  return kind !== 'allowed' && kind !== 'case variant' && kind !== 'arbitrary';
}

// ---- authorizers ----------------------------------------------------------------------------------------------

/**
 * `spec` with authorizers the API kind has (variant picks which: Cognito, a Lambda request authorizer with API
 * keys or AWS_IAM for REST; JWT, Lambda or AWS_IAM for HTTP APIs; AWS_IAM for Function URLs), the first route
 * left open. The spec itself when the result would not validate.
 */
export function withAuthorizers(spec: Record<string, unknown>, variant: number): Record<string, unknown> {
  const api = spec['api'] as Api;
  const routes = (spec['routes'] ?? []) as Record<string, unknown>[];
  const open = (extra: Record<string, unknown> = {}) =>
    routes.map((r, i) => (i === 0 ? { ...r, auth: 'none', ...extra } : r));
  const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:authorizer';
  const v = variant % 3;
  let auth: Record<string, unknown>;
  if (api === 'function-url') auth = { auth: 'iam' };
  else if (v === 2) auth = { auth: 'iam', routes: open() };
  else if (api === 'rest')
    auth =
      v === 0
        ? {
            authorizers: {
              users: {
                type: 'cognito',
                userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
              },
            },
            auth: 'users',
            routes: open(),
          }
        : {
            authorizers: {
              partner: {
                type: 'lambda',
                functionArn: fn,
                kind: 'request',
                identitySource: ['Authorization', 'X-Tenant'],
              },
            },
            auth: 'partner',
            apiKeyRequired: true,
            routes: open({ apiKeyRequired: false }),
          };
  else
    auth =
      v === 0
        ? {
            authorizers: { oidc: { type: 'jwt', issuer: 'https://issuer.example.com/pool', audience: ['web'] } },
            auth: 'oidc',
            routes: open(),
          }
        : {
            authorizers: { partner: { type: 'lambda', functionArn: fn, identitySource: ['X-Tenant'], resultTtl: 0 } },
            auth: 'partner',
            routes: open(),
          };
  const out = { ...spec, ...auth };
  return validateSpec(out).ok ? out : spec;
}
