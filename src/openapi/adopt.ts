import { FORBIDDEN_HEADER } from '../cors/headers.js';
import { AUTH_PATTERNS, HEADER_TOKEN } from '../spec/schema.js';
import { ROUTE_METHODS, type ApiKind, type RouteMethod } from '../spec/model.js';
import { parseRoutePath } from '../spec/rules.js';
import { localTarget, securitySchemeMap, securitySchemesPath, type OpenApiDocument } from './read-document.js';

/**
 * What `cors-gen init --from-openapi` takes from an OpenAPI document: its routes (paths and methods, with the
 * path prefix of `basePath` or the first server), its security mapped to cors-gen's authorizers where API Gateway
 * has an equivalent, and the request headers its operations declare. Everything it cannot carry over is a note,
 * so nothing is dropped silently.
 *
 * Sources: OpenAPI 3.0.3 and 3.1.0 (https://spec.openapis.org/oas/v3.0.3, https://spec.openapis.org/oas/v3.1.0),
 * Swagger 2.0 (https://swagger.io/specification/v2/), API Gateway's extensions
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).
 */

export interface AdoptedRoute {
  readonly path: string;
  readonly methods: readonly RouteMethod[];
  /** "iam" or the name of an adopted authorizer; absent for an open route. */
  readonly auth?: string;
  readonly apiKeyRequired?: boolean;
}

export type AdoptedAuthorizer =
  | { readonly type: 'cognito'; readonly userPoolArns: readonly string[] }
  | {
      readonly type: 'lambda';
      readonly functionArn: string;
      readonly kind?: 'token' | 'request';
      readonly identitySource?: readonly string[];
      readonly resultTtl?: number;
    }
  | { readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

/** Something of the document that was not carried over as it is, where it is in the document, and what to do. */
export interface AdoptNote {
  /** Where in the document, e.g. `paths./pets.options` or `securityDefinitions.petstore_auth`. */
  readonly at: string;
  readonly message: string;
  readonly fix?: string;
}

export interface Adopted {
  /** `info.title`, when it is a short single-line string. */
  readonly title?: string;
  readonly routes: readonly AdoptedRoute[];
  readonly authorizers: Readonly<Record<string, AdoptedAuthorizer>>;
  /** Request headers the operations and the authorizers read, in document order, without duplicates. */
  readonly headers: readonly string[];
  readonly notes: readonly AdoptNote[];
}

export interface AdoptOptions {
  readonly api: Exclude<ApiKind, 'function-url'>;
  /**
   * `prepend` keeps the URL paths clients call (`basePath: /v2` makes `/pets` the route `/v2/pets`); `ignore`
   * drops the prefix, as API Gateway's own import does by default
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html).
   * @default "prepend"
   */
  readonly basePath?: 'prepend' | 'ignore';
}

/**
 * More paths than this are not read: a REST API has 300 resources unless AWS raises the quota
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
export const MAX_PATHS = 2000;
/** Request headers kept for cors.allowHeaders; a preflight with more is a sign of a document to check by hand. */
const MAX_HEADERS = 50;
/** `$ref` hops followed for one value: local references only, so a loop ends here. */
const MAX_REF_HOPS = 16;

/**
 * Placeholders for values a document cannot give (they validate, and `generate` writes them as the inputs'
 * defaults, so they must be replaced, in the spec or per stage, before `terraform apply`).
 */
export const PLACEHOLDERS = {
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:replace-me',
  userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_REPLACEME',
  issuer: 'https://issuer.example.com',
  audience: 'replace-me',
} as const;

const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A value of the document quoted for a message: short, on one line (control characters are escaped by `note`). */
const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
};
/** A key of the document as part of a location, e.g. `paths./pets/{id}.get`. */
const at = (...parts: string[]) =>
  parts.map((p) => (/^[\w/{}.:+-]*$/.test(p) && p.length <= 80 ? p : shown(p))).join('.');

/** Maps an OpenAPI document to routes, authorizers and request headers; see {@link Adopted}. */
export function adoptOpenApi(document: OpenApiDocument, options: AdoptOptions): Adopted {
  const doc = document.data;
  const notes: AdoptNote[] = [];
  // Messages quote the document (parseRoutePath quotes segments as they are): no control characters get through.
  const clean = (t: string) =>
    t.replace(
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const note = (where: string, message: string, fix?: string) =>
    notes.push({ at: clean(where), message: clean(message), ...(fix !== undefined ? { fix: clean(fix) } : {}) });

  /** Follows local `$ref`s (`#/a/b`); external ones and loops are noted and give undefined. */
  const deref = (value: unknown, where: string): Json | undefined => {
    let v = value;
    for (let hop = 0; isObject(v) && typeof v['$ref'] === 'string'; hop++) {
      const ref = v['$ref'];
      if (hop >= MAX_REF_HOPS) {
        note(
          where,
          `$ref ${shown(ref)} leads through more than ${MAX_REF_HOPS} references (a loop?)`,
          'point it at the value',
        );
        return undefined;
      }
      if (!ref.startsWith('#/')) {
        note(
          where,
          `$ref ${shown(ref)} points outside the document, which init does not read`,
          'bundle the document first, e.g. with "npx @redocly/cli bundle"',
        );
        return undefined;
      }
      v = localTarget(doc, ref);
      if (v === undefined) {
        note(where, `$ref ${shown(ref)} names nothing in the document`, 'fix the reference');
        return undefined;
      }
    }
    return isObject(v) ? v : undefined;
  };

  const prefix = options.basePath === 'ignore' ? '' : pathPrefix(doc, document.version, note);
  const schemes = securitySchemes(doc, document.version, deref);
  const auth = new AuthMapper(schemes, options.api, note);
  const headers = new HeaderList();

  const paths = doc['paths'];
  if (!isObject(paths) || Object.keys(paths).filter((k) => !k.startsWith('x-')).length === 0)
    note('paths', 'the document has no paths, so the spec gets none', 'add routes to the spec by hand');
  const routes = new Map<string, { path: string; methods: Set<RouteMethod>; guards: Guard[]; where: string[] }>();
  /** The name of the variable segment at each level (API Gateway allows one per level), by parent path. */
  const variables = new Map<string, string>();
  const keys = isObject(paths) ? Object.keys(paths).filter((k) => !k.startsWith('x-')) : [];
  if (keys.length > MAX_PATHS)
    note('paths', `the document has ${keys.length} paths; only the first ${MAX_PATHS} are read`, 'split the API');
  for (const key of keys.slice(0, MAX_PATHS)) {
    const where = at('paths', key);
    const item = deref((paths as Json)[key], where);
    if (!item) continue;
    const path = routePath(prefix + key.replace(/\/+$/, ''), where, variables, note);
    if (path === undefined) continue;
    const pathParams = Array.isArray(item['parameters']) ? item['parameters'] : [];
    const found: Array<{ methods: RouteMethod[]; guard: Guard; where: string }> = [];
    for (const op of [...OPERATION_KEYS, 'x-amazon-apigateway-any-method'] as const) {
      const operation = deref(item[op], at(where, op));
      if (!operation) continue;
      const opWhere = at(where, op);
      if (op === 'options') {
        note(
          opWhere,
          'cors-gen answers OPTIONS itself (the CORS preflight); this operation is not kept',
          'serve other OPTIONS requests from a method the spec routes',
        );
        continue;
      }
      if (op === 'trace') {
        note(opWhere, 'API Gateway cannot route TRACE; this operation is not kept');
        continue;
      }
      for (const p of [...pathParams, ...(Array.isArray(operation['parameters']) ? operation['parameters'] : [])]) {
        const param = deref(p, opWhere);
        if (param && param['in'] === 'header' && typeof param['name'] === 'string')
          headers.add(param['name'], opWhere, note);
      }
      if (operation['x-amazon-apigateway-integration'] !== undefined)
        note(
          opWhere,
          "its x-amazon-apigateway-integration is not carried over: the route is served by cors-gen's Lambda",
          "to keep the document's own integrations, name it in the spec instead of routes (openapi: <file>, api: rest)",
        );
      const guard = auth.guard(operation['security'] ?? doc['security'], opWhere);
      if (op === 'x-amazon-apigateway-any-method')
        note(opWhere, `ANY becomes the methods cors-gen routes (${ROUTE_METHODS.join(', ')})`);
      found.push({
        methods: op === 'x-amazon-apigateway-any-method' ? [...ROUTE_METHODS] : [op.toUpperCase() as RouteMethod],
        guard,
        where: opWhere,
      });
    }
    if (found.length === 0) {
      note(where, 'has no operation cors-gen can route, so it is not kept');
      continue;
    }
    const route = routes.get(path) ?? { path, methods: new Set(), guards: [], where: [] };
    for (const f of found) {
      f.methods.forEach((m) => route.methods.add(m));
      route.guards.push(f.guard);
      route.where.push(f.where);
    }
    routes.set(path, route);
  }

  const adoptedRoutes: AdoptedRoute[] = [...routes.values()].map((r) => {
    const guard = pickGuard(r, note);
    for (const h of auth.headersOf(guard)) headers.add(h, r.where[0]!, note);
    return {
      path: r.path,
      methods: ROUTE_METHODS.filter((m) => r.methods.has(m)),
      ...(guard.auth !== undefined ? { auth: guard.auth } : {}),
      ...(guard.apiKeyRequired ? { apiKeyRequired: true } : {}),
    };
  });
  auth.noteOpen();
  const info = doc['info'];
  const title = isObject(info) ? str(info['title']) : undefined;
  return {
    ...(title !== undefined && title.length <= 200 && !/[\r\n]/.test(title) ? { title } : {}),
    routes: adoptedRoutes,
    authorizers: auth.used(new Set(adoptedRoutes.map((r) => r.auth))),
    headers: headers.list(),
    notes,
  };
}

/** What guards one operation: an authorizer name or "iam" (absent: open), and whether it needs an API key. */
interface Guard {
  readonly auth?: string;
  readonly apiKeyRequired?: boolean;
}
const sameGuard = (a: Guard, b: Guard) => a.auth === b.auth && !!a.apiKeyRequired === !!b.apiKeyRequired;

/**
 * A cors-gen route has one guard for all its methods. When the document's operations differ, the first guarded
 * operation's guard is taken (an open method becomes guarded rather than a guarded one open), and that is noted.
 */
function pickGuard(
  route: { path: string; guards: Guard[]; where: string[] },
  note: (w: string, m: string, f?: string) => void,
): Guard {
  const first = route.guards.find((g) => g.auth !== undefined || g.apiKeyRequired) ?? {};
  route.guards.forEach((g, i) => {
    if (!sameGuard(g, first))
      note(
        route.where[i]!,
        `maps to ${describeGuard(g)}, but a cors-gen route has one guard for all its methods: it gets ${describeGuard(first)}, as another method of ${route.path}`,
        'check the guard of this method in your handler, or move the method to a path of its own',
      );
  });
  return first;
}
const describeGuard = (g: Guard) =>
  g.auth === undefined && !g.apiKeyRequired
    ? 'no check at the gateway'
    : [...(g.auth !== undefined ? [g.auth] : []), ...(g.apiKeyRequired ? ['an API key'] : [])].join(' and ');

/**
 * The path prefix of the API: Swagger 2.0's `basePath`, or the path of OpenAPI 3's first server URL (with its
 * variables' defaults). Only literal segments API Gateway accepts are kept.
 */
function pathPrefix(
  doc: Json,
  version: OpenApiDocument['version'],
  note: (w: string, m: string, f?: string) => void,
): string {
  let raw: string | undefined;
  let where = 'basePath';
  if (version === '2.0') raw = str(doc['basePath']);
  else {
    const servers = Array.isArray(doc['servers']) ? doc['servers'].filter(isObject) : [];
    const pathOf = (server: Json): string | undefined => {
      let url = str(server['url']);
      if (url === undefined) return undefined;
      const variables = isObject(server['variables']) ? server['variables'] : {};
      url = url.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
        const v = variables[name];
        return isObject(v) && typeof v['default'] === 'string' ? v['default'] : whole;
      });
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
        try {
          return decodeURI(new URL(url).pathname);
        } catch {
          return undefined;
        }
      }
      return url.startsWith('/') ? url.replace(/[?#].*$/, '') : undefined;
    };
    where = 'servers[0].url';
    raw = servers[0] ? pathOf(servers[0]) : undefined;
    const others = [
      ...new Set(
        servers
          .slice(1)
          .map(pathOf)
          .filter((p) => p !== undefined && p !== raw),
      ),
    ];
    if (others.length > 0)
      note(
        'servers',
        `the servers have different paths (${[raw, ...others].map(shown).join(', ')}); the routes take the first one's`,
        'pass --base-path ignore to take none',
      );
  }
  if (raw === undefined) return '';
  const trimmed = raw.replace(/\/+$/, '');
  if (trimmed === '') return '';
  const parsed = parseRoutePath(trimmed);
  if ('reason' in parsed || parsed.segments.some((s) => s.kind !== 'literal')) {
    note(
      where,
      `the path prefix ${shown(raw)} is not made of segments API Gateway accepts, so the routes do not include it`,
      "map the prefix with a custom domain's base path instead",
    );
    return '';
  }
  note(
    where,
    `the routes start with the document's path prefix ${shown(trimmed)}, so clients keep their URLs`,
    'pass --base-path ignore to leave it out (e.g. when a custom domain maps it)',
  );
  return trimmed;
}

/**
 * A document's path as a spec route path, or undefined (noted) when API Gateway cannot have it. A variable
 * segment that differs in name from its sibling's (`/users/{id}` beside `/users/{userId}/posts`) takes the
 * first one's name, because API Gateway allows one variable per level.
 */
function routePath(
  raw: string,
  where: string,
  variables: Map<string, string>,
  note: (w: string, m: string, f?: string) => void,
): string | undefined {
  const path = raw === '' ? '/' : raw;
  const parsed = parseRoutePath(path);
  if ('reason' in parsed) {
    note(
      where,
      `${shown(path)} ${parsed.reason}; the path is not kept`,
      parsed.fix ? `${parsed.fix} in the spec` : undefined,
    );
    return undefined;
  }
  let parent = '';
  const out: string[] = [];
  for (const seg of parsed.segments) {
    if (seg.kind === 'literal') {
      out.push(seg.value);
      parent += `/${seg.value}`;
      continue;
    }
    const written = seg.kind === 'greedy' ? `{${seg.name}+}` : `{${seg.name}}`;
    const first = variables.get(parent);
    if (first === undefined) variables.set(parent, written);
    else if (first !== written) {
      note(
        where,
        `${written} becomes ${first}: API Gateway allows one variable segment per level, and another path has ${first} here`,
        `read the parameter as ${first} in your handler`,
      );
    }
    out.push(first ?? written);
    parent += '/{}';
  }
  const result = `/${out.join('/')}`;
  return 'reason' in parseRoutePath(result)
    ? (note(where, `${shown(result)} is not a path API Gateway accepts; the path is not kept`), undefined)
    : result;
}

/** The document's security schemes by name, `$ref`s followed. */
function securitySchemes(
  doc: Json,
  version: OpenApiDocument['version'],
  deref: (v: unknown, w: string) => Json | undefined,
): Map<string, Json> {
  const where = securitySchemesPath(version).join('.');
  const raw = securitySchemeMap(doc, version);
  const schemes = new Map<string, Json>();
  for (const name of Object.keys(raw)) {
    const s = deref(raw[name], at(where, name));
    if (s) schemes.set(name, s);
  }
  return schemes;
}

/** What one security scheme becomes: an API key, an authorizer (or iam), or nothing (with the reason). */
type SchemeMapping =
  | { readonly kind: 'key' }
  | { readonly kind: 'auth'; readonly name: string }
  | { readonly kind: 'none'; readonly why: string; readonly fix: string };

class AuthMapper {
  private readonly mapped = new Map<string, SchemeMapping>();
  private readonly authorizers = new Map<string, AdoptedAuthorizer>();
  private readonly usedNames = new Set<string>();
  private readonly noted = new Set<string>();
  /** The fields of each authorizer that hold placeholders, and the scheme it came from. */
  private readonly placeholders = new Map<string, { scheme: string; fields: readonly string[] }>();
  /** Operations the document guards with schemes that map to nothing: open at the gateway. */
  private readonly open: string[] = [];

  constructor(
    private readonly schemes: ReadonlyMap<string, Json>,
    private readonly api: AdoptOptions['api'],
    private readonly note: (w: string, m: string, f?: string) => void,
  ) {}

  /**
   * The guard of an operation from its security requirements: alternatives (any one suffices) of schemes that
   * all apply. The first alternative whose every scheme maps is taken; the rest are noted.
   */
  guard(requirements: unknown, where: string): Guard {
    if (!Array.isArray(requirements) || requirements.length === 0) return {};
    const alternatives = requirements.filter(isObject).slice(0, 20);
    const results = alternatives.map((alt) => this.alternative(alt, where));
    const chosen = results.find((r) => r.guard !== undefined && (r.guard.auth !== undefined || r.guard.apiKeyRequired));
    if (alternatives.some((alt) => Object.keys(alt).length === 0) && chosen)
      this.note(
        where,
        'the document lets this operation be called without credentials too; the route requires them',
        'set auth: none on the route if anonymous calls must pass',
      );
    if (!chosen) {
      if (results.some((r) => r.why.length > 0)) this.open.push(where);
      return {};
    }
    if (results.length > 1)
      this.note(
        where,
        'the document accepts several kinds of credentials here; a cors-gen route accepts one: the first that maps is kept',
        'check the others in your handler',
      );
    return chosen.guard!;
  }

  private alternative(alt: Json, where: string): { guard?: Guard; why: string[] } {
    const names = Object.keys(alt);
    if (names.length === 0) return { guard: {}, why: [] };
    const why: string[] = [];
    const guard: { auth?: string; apiKeyRequired?: boolean } = {};
    for (const name of names) {
      const m = this.scheme(name, where);
      if (m.kind === 'none') why.push(`${shown(name)}: ${m.why}`);
      else if (m.kind === 'key') guard.apiKeyRequired = true;
      else if (guard.auth !== undefined && guard.auth !== m.name)
        why.push(`${shown(name)}: a route has one authorizer`);
      else guard.auth = m.name;
    }
    return why.length > 0 ? { why } : { guard, why };
  }

  private scheme(name: string, where: string): SchemeMapping {
    const known = this.mapped.get(name);
    if (known) return known;
    const s = this.schemes.get(name);
    const m: SchemeMapping = s
      ? this.map(name, s)
      : { kind: 'none', why: 'no security scheme of that name', fix: 'define it, or remove it from the requirement' };
    this.mapped.set(name, m);
    if (m.kind === 'none' && !this.noted.has(name)) {
      this.noted.add(name);
      this.note(s ? `security scheme ${shown(name)}` : where, `is not carried over: ${m.why}`, m.fix);
    }
    return m;
  }

  private map(name: string, s: Json): SchemeMapping {
    const api = this.api;
    const ext = s['x-amazon-apigateway-authorizer'];
    const authtype = str(s['x-amazon-apigateway-authtype'])?.toLowerCase();
    if (authtype === 'awssigv4') return { kind: 'auth', name: 'iam' };
    if (isObject(ext)) return this.fromExtension(name, s, ext);
    const type = str(s['type']);
    if (type === 'apiKey') {
      if (s['in'] === 'header' && str(s['name'])?.toLowerCase() === 'x-api-key') {
        return api === 'rest'
          ? { kind: 'key' }
          : {
              kind: 'none',
              why: 'HTTP APIs have no API keys',
              fix: 'use api: rest, or a lambda authorizer with identitySource: [X-Api-Key]',
            };
      }
      return {
        kind: 'none',
        why: `API Gateway reads API keys from the X-Api-Key header only, not from the ${s['in'] === 'header' || s['in'] === 'query' || s['in'] === 'cookie' ? s['in'] : shown(s['in'])} ${shown(s['name'])}`,
        fix: `define a lambda authorizer that reads it (identitySource: [${/^[A-Za-z0-9-]+$/.test(str(s['name']) ?? '') && s['in'] === 'header' ? s['name'] : 'X-Api-Key'}])`,
      };
    }
    if (type === 'oauth2' || type === 'openIdConnect') {
      if (api !== 'http')
        return {
          kind: 'none',
          why: 'REST APIs validate tokens with Cognito or a Lambda authorizer only',
          fix: 'define a cognito or lambda authorizer in the spec, or use --api http (JWT authorizers)',
        };
      const discovery = str(s['openIdConnectUrl']);
      // OpenID Connect Discovery 1.0, section 4: the configuration is at <issuer>/.well-known/openid-configuration.
      const issuer = discovery?.replace(/\/\.well-known\/openid-configuration$/, '');
      const valid = issuer !== undefined && issuer !== discovery && new RegExp(AUTH_PATTERNS.issuer).test(issuer);
      return this.add(
        name,
        { type: 'jwt', issuer: valid ? issuer : PLACEHOLDERS.issuer, audience: [PLACEHOLDERS.audience] },
        [...(valid ? [] : ['issuer']), 'audience'],
      );
    }
    return {
      kind: 'none',
      why: `API Gateway has no authorizer for ${type === 'http' ? `HTTP ${shown(s['scheme'])} authentication` : `type ${shown(type)}`}`,
      fix: 'check the credentials in your handler, or put a lambda authorizer in the spec',
    };
  }

  /** An `x-amazon-apigateway-authorizer`: API Gateway's own description of the authorizer. */
  private fromExtension(name: string, s: Json, ext: Json): SchemeMapping {
    const type = str(ext['type'])?.toLowerCase();
    if (type === 'cognito_user_pools') {
      const arns = (Array.isArray(ext['providerARNs']) ? ext['providerARNs'] : []).filter(
        (a): a is string => typeof a === 'string' && new RegExp(AUTH_PATTERNS.userPoolArn).test(a),
      );
      if (this.api === 'rest')
        return this.add(
          name,
          { type: 'cognito', userPoolArns: arns.length > 0 ? arns : [PLACEHOLDERS.userPoolArn] },
          arns.length > 0 ? [] : ['userPoolArns'],
        );
      // HTTP APIs validate Cognito tokens with a JWT authorizer whose issuer is the pool's URL
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
      const pool = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):[0-9]{12}:userpool\/(.+)$/.exec(arns[0] ?? '');
      const issuer = pool ? `https://cognito-idp.${pool[1]}.amazonaws.com/${pool[2]}` : PLACEHOLDERS.issuer;
      return this.add(
        name,
        { type: 'jwt', issuer, audience: [PLACEHOLDERS.audience] },
        pool ? ['audience'] : ['issuer', 'audience'],
      );
    }
    if (type === 'jwt') {
      if (this.api === 'rest')
        return {
          kind: 'none',
          why: 'REST APIs have no JWT authorizer',
          fix: 'define a cognito or lambda authorizer in the spec, or use --api http',
        };
      const config = isObject(ext['jwtConfiguration']) ? ext['jwtConfiguration'] : {};
      const issuer = str(config['issuer']);
      const audience = (Array.isArray(config['audience']) ? config['audience'] : []).filter(
        (a): a is string => typeof a === 'string' && new RegExp(AUTH_PATTERNS.audience).test(a),
      );
      const validIssuer = issuer !== undefined && new RegExp(AUTH_PATTERNS.issuer).test(issuer);
      return this.add(
        name,
        {
          type: 'jwt',
          issuer: validIssuer ? issuer : PLACEHOLDERS.issuer,
          audience: audience.length > 0 ? audience : [PLACEHOLDERS.audience],
        },
        [...(validIssuer ? [] : ['issuer']), ...(audience.length > 0 ? [] : ['audience'])],
      );
    }
    if (type === 'token' || type === 'request') {
      // authorizerUri: arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
      const uri = str(ext['authorizerUri']) ?? '';
      const fn = /functions\/(arn:[^/]+)\/invocations/.exec(uri)?.[1];
      const functionArn = fn !== undefined && new RegExp(AUTH_PATTERNS.functionArn).test(fn) ? fn : undefined;
      const sources = identitySources(str(ext['identitySource']), s);
      const ttl = ext['authorizerResultTtlInSeconds'];
      return this.add(
        name,
        {
          type: 'lambda',
          functionArn: functionArn ?? PLACEHOLDERS.functionArn,
          ...(this.api === 'rest' ? { kind: type } : {}),
          ...(sources.length > 0 ? { identitySource: type === 'token' ? sources.slice(0, 1) : sources } : {}),
          ...(typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 && ttl <= 3600 ? { resultTtl: ttl } : {}),
        },
        functionArn ? [] : ['functionArn'],
      );
    }
    return {
      kind: 'none',
      why: `x-amazon-apigateway-authorizer type ${shown(ext['type'])} is not one cors-gen knows`,
      fix: 'use type token, request or cognito_user_pools',
    };
  }

  /** Registers an authorizer under a spec-safe name; `placeholders` are its fields the document could not give. */
  private add(scheme: string, authorizer: AdoptedAuthorizer, placeholders: readonly string[]): SchemeMapping {
    let base =
      scheme
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^[^a-z]+/, '')
        .slice(0, 27) || 'authorizer';
    if (['none', 'iam', 'sigv4', 'api_key'].includes(base)) base = `${base}_auth`;
    let name = base;
    for (let i = 2; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    this.authorizers.set(name, authorizer);
    this.placeholders.set(name, { scheme, fields: placeholders });
    return { kind: 'auth', name };
  }

  /** One note for every operation left open at the gateway because its schemes map to nothing. */
  noteOpen(): void {
    if (this.open.length === 0) return;
    const listed = this.open.slice(0, 5).join(', ') + (this.open.length > 5 ? ` and ${this.open.length - 5} more` : '');
    this.note(
      'security',
      `${this.open.length} operation${this.open.length > 1 ? 's' : ''} the document guards ${this.open.length > 1 ? 'are' : 'is'} open at the gateway, since no security scheme ${this.open.length > 1 ? 'they require' : 'it requires'} maps to API Gateway (unless another method of the path is guarded: a route has one guard): ${listed}`,
      'check credentials in your handler, or define an authorizer in the spec and set auth on those routes',
    );
  }

  /** The authorizers of `names` (those some route uses), in the order they were met. */
  used(names: ReadonlySet<string | undefined>): Record<string, AdoptedAuthorizer> {
    const used = [...this.authorizers].filter(([name]) => names.has(name));
    for (const [name, authorizer] of used) {
      const p = this.placeholders.get(name);
      if (!p || p.fields.length === 0) continue;
      this.note(
        `security scheme ${shown(p.scheme)}`,
        `becomes the ${authorizer.type} authorizer "${name}" with placeholder ${p.fields.join(' and ')} (the document does not say ${p.fields.length > 1 ? 'them' : 'it'})`,
        `set authorizers.${name}.${p.fields.join(` and authorizers.${name}.`)} (or per stage, under stages.<stage>.authorizers.${name}) before terraform apply`,
      );
    }
    return Object.fromEntries(used);
  }

  /** Request headers a guard makes the browser send. */
  headersOf(guard: Guard): string[] {
    const a = guard.auth === undefined ? undefined : this.authorizers.get(guard.auth);
    return [
      ...(guard.auth === 'iam' ? ['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token'] : []),
      ...(a?.type === 'lambda' ? (a.identitySource ?? ['Authorization']) : a ? ['Authorization'] : []),
      ...(guard.apiKeyRequired ? ['X-Api-Key'] : []),
    ];
  }
}

/** Header names of an authorizer's identity source (`method.request.header.X`, `$request.header.X`), else the scheme's header. */
function identitySources(source: string | undefined, scheme: Json): string[] {
  const fromSource = (source ?? '')
    .split(',')
    .map((p) => /^\s*(?:method\.request|\$request)\.header\.([^\s,]+)\s*$/.exec(p)?.[1])
    .filter((h): h is string => h !== undefined && HEADER_TOKEN.test(h));
  if (fromSource.length > 0) return [...new Set(fromSource)];
  const name = str(scheme['name']);
  return scheme['in'] === 'header' && name !== undefined && HEADER_TOKEN.test(name) ? [name] : [];
}

/** Request header names, first spelling kept, forbidden and malformed names noted and left out. */
class HeaderList {
  private readonly seen = new Map<string, string>();
  add(name: string, where: string, note: (w: string, m: string, f?: string) => void): void {
    const key = name.toLowerCase();
    if (this.seen.has(key)) return;
    if (!HEADER_TOKEN.test(name) || name === '*') {
      note(where, `the header ${shown(name)} is not an HTTP header name, so cors.allowHeaders does not list it`);
      this.seen.set(key, '');
    } else if (FORBIDDEN_HEADER.test(name)) {
      note(
        where,
        `the header ${shown(name)} is one browsers never let a page send, so cors.allowHeaders does not list it`,
      );
      this.seen.set(key, '');
    } else if ([...this.seen.values()].filter(Boolean).length >= MAX_HEADERS) {
      note(
        where,
        `more than ${MAX_HEADERS} request headers: ${shown(name)} and later ones are not listed`,
        'list the headers your frontend sends with --header',
      );
      this.seen.set(key, '');
    } else this.seen.set(key, name);
  }
  list(): string[] {
    return [...this.seen.values()].filter(Boolean);
  }
}
