import { isOriginProblem, parseOriginEntry, type OriginEntry } from '../cors/origin.js';
import { registrableDomain, sharedHostingParent } from '../cors/shared-hosting.js';
import type { PathPart, SpecIssue } from './issue.js';
import { formatPath } from './issue.js';
import type { ApiKind, PathSegment } from './model.js';
import {
  CORS_ENV_NAMES,
  LAMBDA_ENV_LIMIT,
  LAMBDA_MAX_LAYERS,
  maxUserLayers,
  RESERVED_ENV_NAMES,
} from './lambda-config.js';
import { AUTH_KEYWORDS, DEFAULTS } from './model.js';
import type { Spec } from './schema.js';
import { checkLambdaSourceCharacters, checkSinkRules } from './sink-rules.js';

/**
 * The rules that need the whole spec: origins per target, `*` with credentials, routes, the limits of each
 * target. Each returns issues; none throws. The AWS limits are cited where each rule is defined.
 */

type Issue = Omit<SpecIssue, 'severity' | 'path'> & { path: readonly PathPart[] };

export interface RuleResult {
  readonly errors: SpecIssue[];
  readonly warnings: SpecIssue[];
}

export { LAMBDA_ENV_LIMIT };
/**
 * Room kept for what only Terraform knows: the S3 website origin
 * (`http://<bucket up to 63>.s3-website.<region>.amazonaws.com`) appended to ALLOWED_ORIGINS.
 */
export const WEBSITE_ORIGIN_RESERVE = 120;
/**
 * REST API quotas a spec can reach. "Resources per API: 300" (raisable on request)
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html;
 * the root resource is one of them. "The maximum size of the API definition file is 6MB" for the OpenAPI body
 * the module puts in `aws_api_gateway_rest_api.body` (PutRestApi and ImportRestApi,
 * https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html).
 */
export const REST_LIMITS = { resources: 300, bodyBytes: 6 * 1024 * 1024 } as const;
/**
 * Bytes of the REST module's OpenAPI document (Terraform's jsonencode, no whitespace), measured on a document of
 * its shape, rounded up:
 * a path item with its preflight (OPTIONS, seven declared headers, the MOCK integration and the VTL template,
 * `&` written as \u0026) before header values and origin lists; a proxied method (with a 64-character function
 * name in its ARN); a path parameter; the document's own parts (info, the two gateway responses).
 */
const REST_BODY_BYTES = { preflight: 1850, method: 400, parameter: 80, document: 2500 } as const;
/** What `*` in a wildcard origin becomes in the preflight template's pattern (one DNS label) minus its one byte. */
const PATTERN_LABEL_BYTES = 33;
/** Function URL CORS: AllowOrigins up to 100 items of 1-253 characters; AllowMethods up to 6 items. */
const FUNCTION_URL_LIMITS = { origins: 100, originLength: 253, methods: 6 } as const;
const FUNCTION_URL_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', '*']);

/**
 * Whether the value at a path is well-formed (the schema found nothing wrong at, above or below it). The rules
 * run even when the schema found problems elsewhere, each only where the values it reads are well-formed, so
 * one run of `validate` reports every mistake it can.
 */
export type WellFormed = (path: readonly PathPart[]) => boolean;

export function checkRules(spec: Spec, wellFormed: WellFormed = () => true): RuleResult {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const ok = (...paths: PathPart[][]) => paths.every((p) => wellFormed(p));
  const CORS_ORIGINS = ['cors', 'allowOrigins'];
  const CREDENTIALS = ['cors', 'allowCredentials'];
  // Every rule reads the target and the credentials setting.
  if (!ok(['api'], CREDENTIALS)) return finish(errors, warnings);
  const api: ApiKind = spec.api ?? DEFAULTS.api;
  const credentials = spec.cors.allowCredentials ?? DEFAULTS.allowCredentials;

  const originsOk = ok(CORS_ORIGINS, ['stages'], ['stage']);
  const lists: Array<{ path: PathPart[]; origins: readonly string[]; stage: string }> = originsOk
    ? [
        { path: CORS_ORIGINS, origins: spec.cors.allowOrigins, stage: spec.stage ?? DEFAULTS.stage },
        ...Object.keys(spec.stages ?? {})
          .sort()
          .map((name) => ({
            path: ['stages', name, 'allowOrigins'],
            origins: spec.stages![name]!.allowOrigins,
            stage: name,
          })),
      ]
    : [];
  for (const list of lists) checkOrigins(list.path, list.origins, list.stage, api, credentials, errors, warnings);

  const headersOk = ok(['cors', 'allowHeaders'], ['cors', 'exposeHeaders']);
  if (headersOk && ok(CORS_ORIGINS)) checkHeaders(spec, credentials, errors, warnings);
  if (headersOk) checkCookieHeaders(spec, errors, warnings);
  if (originsOk && ok(['domain'])) checkDomain(spec, api, credentials, errors, warnings);
  if (headersOk && ok(['frontend'])) errors.push(...checkSinkRules(spec));
  if (ok(['lambda', 'source'])) errors.push(...checkLambdaSourceCharacters(spec));
  checkRoutes(spec, api, wellFormed, errors, warnings);
  if (ok(['cors', 'allowMethods'], ['routes'])) checkMethods(spec, api, credentials, errors, warnings);
  const environmentOk = ok(['lambda', 'environment']);
  if (environmentOk) checkEnvironmentNames(spec, errors, warnings);
  if (originsOk && headersOk)
    checkEnvironmentSize(spec, lists, environmentOk ? (spec.lambda?.environment ?? {}) : {}, errors);
  if (api === 'rest' && originsOk && headersOk && ok(['routes'], ['cors', 'allowMethods'], ['frontend']))
    checkRestQuotas(spec, lists, errors, warnings);
  if (originsOk && ok(['frontend'])) checkSharedHosting(spec, lists, credentials, errors, warnings);
  checkAuth(spec, api, credentials, wellFormed, errors, warnings);
  if (ok(['frontend'])) checkFrontendCdn(spec, errors);

  const maxAge = ok(['cors', 'maxAge']) ? (spec.cors.maxAge ?? DEFAULTS.maxAge) : 0;
  if (maxAge > 7200) {
    warnings.push({
      code: 'max-age-capped',
      path: ['cors', 'maxAge'],
      message: `${maxAge} s is more than Chromium honours (7200 s); browsers cap it silently`,
      fix: 'write 7200 or less',
    });
  }
  if (originsOk && ok(['frontend']))
    for (const list of lists) gatewayErrorOrigin(spec, api, credentials, list, warnings);
  if (api !== 'rest' && ok(['stage']) && spec.stage !== undefined) {
    warnings.push({
      code: 'stage-ignored',
      path: ['stage'],
      message: `"${spec.stage}" is ignored for api: ${api}`,
      fix:
        api === 'http'
          ? 'the HTTP API always uses its $default stage; remove the key'
          : 'Function URLs have no stage; remove the key',
    });
  }
  if (api === 'function-url' && ok(['routes']) && (spec.routes ?? []).length > 0) {
    // A Function URL has one endpoint: every path and method reaches the function.
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
    warnings.push({
      code: 'function-url-routes',
      path: ['routes'],
      message:
        'routes do not restrict a Lambda Function URL: every path and method reaches your function (routes only set the default of cors.allowMethods)',
      fix: 'check the path and method in your handler (event.rawPath, event.requestContext.http.method), or use api: http to route',
    });
  }
  const timeout = ok(['lambda']) ? (spec.lambda?.timeout ?? DEFAULTS.lambda.timeout) : 0;
  if (api !== 'function-url' && timeout > 29) {
    warnings.push({
      code: 'timeout-above-gateway',
      path: ['lambda', 'timeout'],
      message: `${timeout} s is longer than API Gateway waits for an integration (29 s); the client gets a 504 first`,
      fix: 'write 29 or less',
    });
  }
  if (ok(['lambda'])) checkLambdaSource(spec, errors);
  return finish(errors, warnings);
}

/**
 * `lambda.source` and `lambda.handler` go together: the folder alone does not say which function Lambda calls,
 * and a handler without a folder would point into the generated stub, whose entry point the module owns.
 */
function checkLambdaSource(spec: Spec, errors: Issue[]): void {
  const { source, handler } = spec.lambda ?? {};
  if (source !== undefined && handler === undefined)
    errors.push({
      code: 'lambda-handler-missing',
      path: ['lambda', 'source'],
      message: `${JSON.stringify(source)} has no lambda.handler: Lambda needs to know which export of which file to call`,
      fix: 'add lambda.handler as Lambda writes it, "<file>.<export>" relative to the folder, e.g. "app.handler" or "src/app.handler"',
    });
  if (handler !== undefined && source === undefined)
    errors.push({
      code: 'lambda-handler-without-source',
      path: ['lambda', 'handler'],
      message: `${JSON.stringify(handler)} names a file of your own code, but lambda.source does not say where it is`,
      fix: "add lambda.source (your code's folder, relative to this spec), or remove lambda.handler to use the generated stub in lambda/",
    });
  const layers = spec.lambda?.layers ?? [];
  if (source !== undefined && layers.length > maxUserLayers(true))
    errors.push({
      code: 'lambda-too-many-layers',
      path: ['lambda', 'layers'],
      message: `${layers.length} layers and the CORS wrapper's own layer make ${layers.length + 1}; Lambda allows ${LAMBDA_MAX_LAYERS} per function (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)`,
      fix: `list at most ${maxUserLayers(true)} layers: with lambda.source the wrapper that adds the CORS headers is a layer too`,
    });
}

/**
 * Whether the spec sets any key of access control (authorizers, `auth`, `apiKeyRequired`, at any level). Also
 * asked of a spec that failed the schema elsewhere, so it reads `routes` without trusting its shape.
 */
export function usesAuth(spec: Spec): boolean {
  const routes: unknown = spec.routes;
  return (
    spec.authorizers !== undefined ||
    spec.auth !== undefined ||
    spec.apiKeyRequired !== undefined ||
    (Array.isArray(routes) &&
      routes.some((r: unknown) => {
        const route = r !== null && typeof r === 'object' ? (r as Record<string, unknown>) : {};
        return route['auth'] !== undefined || route['apiKeyRequired'] !== undefined;
      }))
  );
}

function finish(errors: Issue[], warnings: Issue[]): RuleResult {
  const as =
    (severity: 'error' | 'warning') =>
    (i: Issue): SpecIssue => ({ ...i, severity, path: formatPath(i.path) });
  return { errors: errors.map(as('error')), warnings: warnings.map(as('warning')) };
}

/**
 * Gateway responses (API Gateway's own 403, 429, 502) cannot run VTL, so with credentials they name one origin:
 * the first exact origin of the list (echoing the request's origin there would allow any origin with
 * credentials). A wildcard pattern is never an Origin a browser sends, so it cannot be that origin. Each stage
 * deploys its own list (its .tfvars), so each list is checked.
 */
function gatewayErrorOrigin(
  spec: Spec,
  api: ApiKind,
  credentials: boolean,
  list: { path: PathPart[]; origins: readonly string[] },
  warnings: Issue[],
): void {
  const origins = list.origins;
  const stage = list.path[0] === 'stages';
  if (api !== 'rest' || !credentials || origins.includes('*')) return;
  const exact = origins.filter((o) => !o.includes('*'));
  const cdn = spec.frontend?.cdn === true;
  const website = cdn || (spec.frontend?.enabled ?? DEFAULTS.frontend.enabled);
  const patterns = origins.length - exact.length;
  if (exact.length + (website ? 1 : 0) === 1 && patterns === 0) return;
  const reader =
    exact[0] !== undefined
      ? JSON.stringify(exact[0])
      : website
        ? cdn
          ? "the CloudFront distribution's origin"
          : 'the S3 website origin'
        : undefined;
  // An authorizer's or API key's refusal is a gateway response too: the page that must ask the user to sign in.
  const errors = usesAuth(spec)
    ? "API Gateway's own errors (an authorizer's 401/403, 403 for an unknown path, 429, 502)"
    : "API Gateway's own errors (403 for an unknown path, 429, 502)";
  const where = stage ? `in stage "${String(list.path[1])}", ` : '';
  warnings.push({
    code: 'gateway-errors-first-origin',
    path: stage ? list.path : ['cors', 'allowCredentials'],
    message: reader
      ? `${where}${errors} will be readable only from ${reader}: with credentials, gateway responses can name one origin; errors your Lambda returns carry the right origin`
      : `${where}${errors} will be readable from no origin: with credentials, gateway responses name one exact origin, and ${stage ? 'the stage' : 'cors.allowOrigins'} lists only wildcard patterns; errors your Lambda returns carry the right origin`,
    fix: reader
      ? 'list the exact origin that most needs to read those errors first'
      : 'list the exact origin that most needs to read those errors first, before the patterns',
  });
}

/** What to do about an origin problem that has no single value to write instead. */
const ORIGIN_ADVICE: Record<string, string> = {
  'origin-null': 'remove it; list the real origins of your pages',
  'origin-scheme': 'write an http or https origin, e.g. "https://app.example.com"',
  'origin-port': 'write a port from 1 to 65535, or none for 80 (http) and 443 (https)',
  'origin-wildcard-form': 'write "*" as the whole leftmost label, e.g. "https://*.example.com"',
  'origin-empty': 'write an origin as "https://host[:port]", or remove the entry',
};

function isProdStage(stage: string): boolean {
  return /^(prod|production)$/i.test(stage);
}

function httpInProd(path: readonly PathPart[], shown: string, stage: string, fix: string): Issue {
  return {
    code: 'http-in-prod',
    path,
    message: `${shown} is plain http in stage "${stage}"; a network attacker can act as it`,
    fix,
  };
}

/**
 * Wildcards over a shared-hosting domain (`https://*.github.io`, `http://*.s3-website-us-east-1.amazonaws.com`):
 * every tenant of that domain matches. And the S3 website origin, which is plain http, trusted with credentials
 * in a production stage, like a hand-listed http:// origin.
 */
function checkSharedHosting(
  spec: Spec,
  lists: ReadonlyArray<{ path: PathPart[]; origins: readonly string[]; stage: string }>,
  credentials: boolean,
  errors: Issue[],
  warnings: Issue[],
): void {
  for (const list of lists) {
    list.origins.forEach((value, i) => {
      // Only wildcards load the Public Suffix List: most specs never pay for it.
      if (!value.includes('*.')) return;
      const entry = parseOriginEntry(value);
      const parent = !isOriginProblem(entry) && entry.kind === 'wildcard' ? sharedHostingParent(value) : undefined;
      if (parent === undefined) return;
      const issue: Issue = {
        code: 'shared-hosting-wildcard',
        path: [...list.path, i],
        message: `${JSON.stringify(value)} matches every site on ${parent}, a public suffix where anyone can publish (Public Suffix List); any tenant of ${parent} could read the responses${credentials ? " with your users' cookies" : ''}`,
        fix: `list your exact origins (e.g. "${value.replace('*', 'myapp')}")${credentials ? ', or set cors.allowCredentials: false' : ''}`,
      };
      // It replaces the generic wildcard warning for this entry: same entry, the sharper reason.
      const generic = warnings.findIndex(
        (w) =>
          (w.code === 'wildcard-with-credentials' || w.code === 'wildcard-origin') &&
          formatPath(w.path) === formatPath(issue.path),
      );
      if (generic !== -1) warnings.splice(generic, 1);
      (credentials ? errors : warnings).push(issue);
    });
  }
  if (spec.frontend?.enabled && spec.frontend.cdn !== true && credentials) {
    const stage = [spec.stage ?? DEFAULTS.stage, ...Object.keys(spec.stages ?? {}).sort()].find(isProdStage);
    if (stage !== undefined) {
      warnings.push(
        httpInProd(
          ['frontend', 'enabled'],
          'The S3 website origin (http://<bucket>.s3-website-<region>.amazonaws.com), allowed with credentials,',
          stage,
          'serve the site over https with frontend.cdn: true (CloudFront in front of a private bucket; its https origin is allowed instead), or set cors.allowCredentials: false',
        ),
      );
    }
  }
}

function checkOrigins(
  path: PathPart[],
  origins: readonly string[],
  stage: string,
  api: ApiKind,
  credentials: boolean,
  errors: Issue[],
  warnings: Issue[],
): void {
  const prod = isProdStage(stage);
  const seen = new Set<string>();
  const parsed: OriginEntry[] = [];
  origins.forEach((value, i) => {
    const at = [...path, i];
    const shown = JSON.stringify(value);
    const entry = parseOriginEntry(value);
    if (isOriginProblem(entry)) {
      errors.push({
        code: entry.code,
        path: at,
        message: `${shown} ${entry.reason}`,
        fix: entry.fix
          ? `write "${entry.fix}"`
          : (ORIGIN_ADVICE[entry.code] ?? 'write an origin as "https://host[:port]"'),
      });
      return;
    }
    if (seen.has(value)) {
      warnings.push({
        code: 'origin-duplicate',
        path: at,
        message: `${shown} is listed twice`,
        fix: 'remove the duplicate',
      });
      return;
    }
    seen.add(value);
    parsed.push(entry);

    if (entry.kind === 'any') {
      if (credentials) {
        errors.push({
          code: 'star-with-credentials',
          path: at,
          message:
            '"*" cannot be combined with allowCredentials: true; browsers reject credentialed responses with Access-Control-Allow-Origin: *',
          fix: 'list the exact origins, or set cors.allowCredentials: false',
        });
      }
      if (origins.length > 1) {
        errors.push({
          code: 'star-mixed',
          path: at,
          message: '"*" allows every origin, so listing others beside it is a mistake',
          fix: 'keep "*" alone, or remove it',
        });
      }
    } else if (entry.kind === 'wildcard' && api !== 'rest') {
      errors.push({
        code: 'wildcard-unsupported',
        path: at,
        message: `${shown} is a wildcard pattern, which ${api === 'http' ? 'the HTTP API does' : 'Lambda Function URLs do'} not support (only "*"${api === 'http' ? ', "https://*" and "http://*"' : ''} and exact origins)`,
        fix: 'list each origin, or use api: rest',
      });
    } else if (entry.kind === 'scheme' && api !== 'http') {
      errors.push({
        code: 'wildcard-unsupported',
        path: at,
        message: `${shown} (every origin of a scheme) is only supported by the HTTP API`,
        fix: 'list each origin',
      });
    } else if (entry.kind === 'scheme' && credentials) {
      // The HTTP API would then answer every site of that scheme with credentials: "*" with credentials in disguise.
      errors.push({
        code: 'scheme-wildcard-with-credentials',
        path: at,
        message: `${shown} with allowCredentials: true lets every ${value.slice(0, -4)} site act as the signed-in user`,
        fix: 'list the exact origins, or set cors.allowCredentials: false',
      });
      return;
    }
    if (entry.kind === 'wildcard' || entry.kind === 'scheme') {
      warnings.push({
        code: credentials ? 'wildcard-with-credentials' : 'wildcard-origin',
        path: at,
        message: credentials
          ? `${shown} with credentials lets any matching host act as the signed-in user (a taken-over subdomain is enough)`
          : `${shown} allows every matching host`,
        fix: 'list the exact origins where you can',
      });
    }
    if (prod && entry.kind === 'exact') {
      const host = new URL(value).hostname;
      const local = host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
      if (local) {
        warnings.push({
          code: 'localhost-in-prod',
          path: at,
          message: `${shown} is a development origin in stage "${stage}"`,
          fix: 'move it to stages.dev.allowOrigins',
        });
      } else if (value.startsWith('http://')) {
        warnings.push(httpInProd(at, shown, stage, `write "https${value.slice(4)}"`));
      }
    }
  });

  if (api === 'function-url') {
    if (origins.length > FUNCTION_URL_LIMITS.origins) {
      errors.push({
        code: 'too-many-origins',
        path,
        message: `${origins.length} origins; Lambda Function URL CORS allows at most ${FUNCTION_URL_LIMITS.origins}`,
        fix: 'use api: rest, which matches origins in the Lambda',
      });
    }
    origins.forEach((o, i) => {
      if (o.length > FUNCTION_URL_LIMITS.originLength) {
        errors.push({
          code: 'origin-too-long',
          path: [...path, i],
          message: `"${o.slice(0, 40)}..." is ${o.length} characters; Lambda Function URL CORS allows origins of at most ${FUNCTION_URL_LIMITS.originLength}`,
          fix: 'use api: rest or api: http, which have no such limit',
        });
      }
    });
  }
}

function checkHeaders(spec: Spec, credentials: boolean, errors: Issue[], warnings: Issue[]): void {
  for (const key of ['allowHeaders', 'exposeHeaders'] as const) {
    const seen = new Set<string>();
    (spec.cors[key] ?? []).forEach((h, i) => {
      const at: PathPart[] = ['cors', key, i];
      if (h === '*' && credentials) {
        errors.push({
          code: 'star-header-with-credentials',
          path: at,
          message: `"*" in ${key} means the literal header name "*" when credentials are allowed (Fetch standard)`,
          fix: 'list the header names',
        });
      }
      if (seen.has(h.toLowerCase()))
        warnings.push({
          code: 'header-duplicate',
          path: at,
          message: `"${h}" is listed twice (header names are case-insensitive)`,
          fix: 'remove the duplicate',
        });
      seen.add(h.toLowerCase());
    });
  }
  const allowHeaders = spec.cors.allowHeaders ?? DEFAULTS.allowHeaders;
  const anyOrigin = spec.cors.allowOrigins.includes('*');
  if (anyOrigin && allowHeaders.some((h) => h.toLowerCase() === 'authorization')) {
    warnings.push({
      code: 'star-with-authorization',
      path: ['cors', 'allowOrigins'],
      message: 'every origin may send Authorization to this API; any page can call it with a token it holds',
      fix: 'list the exact origins of your frontends',
    });
  }
}

/**
 * What API Gateway accepts in one path part: letters, digits, "." "_" "-" (the service's own refusal reads
 * "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end",
 * https://github.com/claudiajs/claudia/issues/11), and ":" (accepted by CreateResource and the console,
 * https://github.com/aws/aws-cdk/issues/22477). Anything else is refused at apply time, or never matches
 * because clients percent-encode it.
 */
const LITERAL = /^[A-Za-z0-9._:-]+$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const GREEDY = /^\{([A-Za-z_][A-Za-z0-9_]*)\+\}$/;

type RoutePathResult = { segments: PathSegment[] } | { reason: string; fix?: string };

/** Said of the route mistakes earlier versions let through, so a spec that stops validating does not look like a bug. */
const EARLIER_ROUTE = 'earlier versions of cors-gen accepted it';

/** `/users/{id}` -> segments, or why it is not an API Gateway resource path and what to write instead. */
export function parseRoutePath(path: string): RoutePathResult {
  if (!path.startsWith('/')) return { reason: 'must start with "/"', fix: `write "/${path}"` };
  if (path === '/') return { segments: [] };
  if (path.endsWith('/')) return { reason: 'has a trailing slash', fix: `write "${path.replace(/\/+$/, '')}"` };
  const parts = path.slice(1).split('/');
  const rewrite = (i: number, part: string) => `/${parts.map((p, j) => (j === i ? part : p)).join('/')}`;
  const segments: PathSegment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '') return { reason: 'has an empty segment ("//")', fix: `write "${path.replace(/\/{2,}/g, '/')}"` };
    // Clients resolve dot segments before sending (RFC 3986 section 5.2.4), so such a route is never reached.
    if (part === '.' || part === '..') {
      return {
        reason: `has the dot segment "${part}", which browsers and HTTP clients remove before sending (RFC 3986 section 5.2.4), so the route is never reached (${EARLIER_ROUTE})`,
        fix: 'write the path without "." and ".." segments',
      };
    }
    // Express and other routers write parameters as ":id"; API Gateway would create the literal resource ":id".
    const colon = /^:([A-Za-z_][A-Za-z0-9_]*)$/.exec(part);
    if (colon)
      return {
        reason: `segment "${part}" is a literal in API Gateway, not a parameter (paths use {name}; ${EARLIER_ROUTE})`,
        fix: `write "${path.replace(/\/:([A-Za-z_][A-Za-z0-9_]*)(?=\/|$)/g, '/{$1}')}"`,
      };
    if (part === '*' || part === '**') {
      return {
        reason: `segment "${part}" is a literal "${part}" in API Gateway, not a wildcard (a greedy {proxy+} matches everything below a path; ${EARLIER_ROUTE})`,
        fix: last
          ? `write "${rewrite(i, '{proxy+}')}"`
          : `write "/${[...parts.slice(0, i), '{proxy+}'].join('/')}" ({proxy+} must be the last segment)`,
      };
    }
    const greedy = GREEDY.exec(part);
    const param = greedy ? undefined : PARAM.exec(part);
    const name = greedy?.[1] ?? param?.[1];
    if (name !== undefined) {
      if (names.has(name)) {
        // The integration receives path parameters as a map by name (event.pathParameters), so one value would be lost.
        return {
          reason: `uses the parameter {${name}} twice (each parameter of a path needs its own name; ${EARLIER_ROUTE})`,
          fix: `write "${rewrite(i, greedy ? `{${name}2+}` : `{${name}2}`)}"`,
        };
      }
      names.add(name);
    }
    if (greedy) {
      if (!last)
        return {
          reason: `"${part}" is greedy and so must be the last segment`,
          fix: `write "/${parts.slice(0, i + 1).join('/')}"`,
        };
      segments.push({ kind: 'greedy', name: greedy[1]! });
    } else if (param) segments.push({ kind: 'param', name: param[1]! });
    else if (LITERAL.test(part)) segments.push({ kind: 'literal', value: part });
    else if (/[{}]/.test(part))
      return {
        reason: `segment "${part}" is not a literal, a {param} or a final {proxy+}`,
        fix: 'a parameter is a whole segment: write segments like /users/{id} or /files/{proxy+}',
      };
    else {
      const bad = [...new Set(part.replace(/[A-Za-z0-9._:-]/g, ''))].map((c) => JSON.stringify(c)).join(' ');
      const clean = part.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^-+|-+$/g, '');
      // Earlier versions accepted RFC 3986's other path characters, which API Gateway then refused.
      const before = /^[A-Za-z0-9._~:@!$&'()*+,;=-]+$/.test(part)
        ? ` (${EARLIER_ROUTE}, and API Gateway refused it at apply time)`
        : '';
      return {
        reason: `segment "${part}" has characters API Gateway does not accept in a path part (${bad}); only letters, digits, ".", "_", "-" and ":"${before}`,
        fix: clean ? `write "${rewrite(i, clean)}"` : 'remove the segment',
      };
    }
  }
  return { segments };
}

/**
 * `openapi:` names the document the routes come from, so the spec has no `routes:` of its own; only a REST API
 * is defined by an OpenAPI body (HTTP APIs and Function URLs are not imported from one here).
 */
function checkOpenApiKey(spec: Spec, api: ApiKind, errors: Issue[]): void {
  if (spec.routes !== undefined)
    errors.push({
      code: 'openapi-and-routes',
      path: ['routes'],
      message: `routes and openapi (${JSON.stringify(spec.openapi)}) both define the routes; with openapi, the routes are the paths and methods of that document`,
      fix: 'remove routes: and add the paths to the OpenAPI document, or remove openapi: to keep the routes',
    });
  if (api !== 'rest')
    errors.push({
      code: 'openapi-not-rest',
      path: ['openapi'],
      message: `openapi: is for api: rest (a REST API defined by an OpenAPI body), not api: ${api}`,
      fix: 'set api: rest, or remove openapi: and list the routes under routes:',
    });
}

function checkRoutes(spec: Spec, api: ApiKind, wellFormed: WellFormed, errors: Issue[], warnings: Issue[]): void {
  // Each route on its own: a malformed method in one route must not hide a mistake in another's path.
  const routes = Array.isArray(spec.routes) ? spec.routes : [];
  if (spec.openapi !== undefined) {
    checkOpenApiKey(spec, api, errors);
    if (routes.length === 0) return;
  }
  if (api !== 'function-url' && routes.length === 0 && wellFormed(['routes'])) {
    errors.push({
      code: 'no-routes',
      path: ['routes'],
      message: `api: ${api} needs at least one route`,
      fix: 'add routes: [{ path: /items, methods: [GET] }]',
    });
  }
  const byPath = new Map<string, number>();
  // API Gateway allows one variable part per level: `/users/{id}` and `/users/{userId}` cannot coexist.
  const variableAt = new Map<string, { name: string; index: number }>();
  routes.forEach((route, i) => {
    if (!wellFormed(['routes', i, 'path'])) return;
    const parsed = parseRoutePath(route.path);
    if ('reason' in parsed) {
      errors.push({
        code: 'route-path',
        path: ['routes', i, 'path'],
        message: `"${route.path}" ${parsed.reason}`,
        fix: parsed.fix ?? 'write segments like /users/{id} or /files/{proxy+}',
      });
      return;
    }
    const key = canonicalPath(parsed.segments);
    const first = byPath.get(key);
    if (first !== undefined) {
      errors.push({
        code: 'route-duplicate',
        path: ['routes', i, 'path'],
        message: `"${route.path}" is the same route as routes[${first}] ("${routes[first]!.path}")`,
        fix: `merge the methods into routes[${first}]`,
      });
    } else byPath.set(key, i);
    let parent = '';
    parsed.segments.forEach((seg) => {
      if (seg.kind !== 'literal') {
        const name = seg.kind === 'greedy' ? `{${seg.name}+}` : `{${seg.name}}`;
        const other = variableAt.get(parent);
        if (other && other.name !== name) {
          errors.push({
            code: 'route-sibling-variable',
            path: ['routes', i, 'path'],
            message: `"${route.path}" puts ${name} beside ${other.name} of routes[${other.index}]; API Gateway allows one variable segment per level`,
            fix: `use ${other.name} here too`,
          });
        } else if (!other) variableAt.set(parent, { name, index: i });
      }
      parent += `/${seg.kind === 'literal' ? seg.value : '{}'}`;
    });
    if (!wellFormed(['routes', i, 'methods'])) return;
    const seen = new Set<string>();
    route.methods.forEach((m, j) => {
      if (seen.has(m))
        warnings.push({
          code: 'method-duplicate',
          path: ['routes', i, 'methods', j],
          message: `"${m}" is listed twice`,
          fix: 'remove the duplicate',
        });
      seen.add(m);
    });
  });
}

function canonicalPath(segments: readonly PathSegment[]): string {
  return segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}')).join('/');
}

function checkMethods(spec: Spec, api: ApiKind, credentials: boolean, errors: Issue[], warnings: Issue[]): void {
  const methods = spec.cors.allowMethods;
  if (!methods) return;
  const listed = new Set<string>();
  methods.forEach((m, i) => {
    const at: PathPart[] = ['cors', 'allowMethods', i];
    if (listed.has(m))
      warnings.push({
        code: 'method-duplicate',
        path: at,
        message: `"${m}" is listed twice`,
        fix: 'remove the duplicate',
      });
    listed.add(m);
    if (m === '*' && api === 'rest')
      errors.push({
        code: 'method-star-rest',
        path: at,
        message: '"*" is not supported for api: rest',
        fix: 'list the methods',
      });
    if (m === '*' && credentials) {
      errors.push({
        code: 'method-star-with-credentials',
        path: at,
        message: '"*" in allowMethods means the literal method "*" when credentials are allowed (Fetch standard)',
        fix: 'list the methods',
      });
    }
    if (api === 'function-url' && !FUNCTION_URL_METHODS.has(m)) {
      errors.push({
        code: 'function-url-method',
        path: at,
        message: `"${m}" is not accepted by Lambda Function URL CORS (GET, PUT, HEAD, POST, PATCH, DELETE, * only)`,
        fix: 'remove it; the preflight is answered by the service',
      });
    }
  });
  const unique = new Set(methods);
  if (api === 'function-url' && unique.size > FUNCTION_URL_LIMITS.methods) {
    errors.push({
      code: 'function-url-methods-count',
      path: ['cors', 'allowMethods'],
      message: `${unique.size} methods; Lambda Function URL CORS allows at most ${FUNCTION_URL_LIMITS.methods}`,
      fix: 'remove some, or write ["*"] without credentials',
    });
  }
  if (unique.has('*')) return;
  const safelisted = new Set(['GET', 'HEAD', 'POST']);
  (spec.routes ?? []).forEach((route, i) => {
    for (const m of route.methods) {
      if (!unique.has(m) && !safelisted.has(m)) {
        warnings.push({
          code: 'method-not-allowed',
          path: ['routes', i, 'methods'],
          message: `${m} ${route.path} is not in cors.allowMethods; browsers will block it after the preflight`,
          fix: `add "${m}" to cors.allowMethods`,
        });
      }
    }
  });
}

/**
 * `lambda.environment` may not name what the module sets itself (the CORS variables, which win over it) nor what
 * Lambda reserves (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html).
 */
function checkEnvironmentNames(spec: Spec, errors: Issue[], warnings: Issue[]): void {
  for (const [name, value] of Object.entries(spec.lambda?.environment ?? {})) {
    // The spec's values become the input's default in the committed variables.tf and the module README.
    if (SECRET_NAME.test(name) && value !== '')
      warnings.push({
        code: 'environment-secret',
        path: ['lambda', 'environment', name],
        message: `${name} looks like a secret, and its value is written into the committed module (variables.tf and README.md)`,
        fix: 'keep secrets out of the spec: read them at startup from SSM Parameter Store or Secrets Manager (the role takes the permission through lambda.policyArns), or pass environment_variables from an uncommitted .tfvars',
      });
    if (CORS_ENV_NAMES.includes(name))
      errors.push({
        code: 'environment-cors-variable',
        path: ['lambda', 'environment', name],
        message: `${name} is set by the module from the cors settings, and its value always wins over this one`,
        fix: `remove it; ${name === 'ALLOWED_ORIGINS' ? 'list origins in cors.allowOrigins' : 'change the cors settings instead'}`,
      });
    else if (RESERVED_ENV_NAMES.includes(name))
      errors.push({
        code: 'environment-reserved',
        path: ['lambda', 'environment', name],
        message: `${name} is reserved: Lambda sets it in every execution environment and refuses it in a function's configuration`,
        fix: 'give the variable another name',
      });
  }
}

/**
 * Identity source mapping expressions: REST `method.request.header.X`, `method.request.querystring.x`,
 * `context.x`, `stageVariables.x`; HTTP API `$request.header.x`, `$request.querystring.x`, `$context.x`,
 * `$stageVariables.x` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
 */
const IDENTITY_EXPRESSION = /^\$?(?:method\.request\.|request\.|context\.|stageVariables\.)/i;

/** Variable names that usually hold a secret (`DB_PASSWORD`, `STRIPE_SECRET_KEY`, `GITHUB_TOKEN`, `API_KEY`). */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/i;

/**
 * The environment the module gives the Lambda, sized as Lambda counts it (keys and values, "4 KB, for all
 * environment variables together", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), for
 * each origin list: the CORS variables plus `lambda.environment`.
 */
function checkEnvironmentSize(
  spec: Spec,
  lists: Array<{ path: PathPart[]; origins: readonly string[] }>,
  environment: Readonly<Record<string, string>>,
  errors: Issue[],
): void {
  const own = Object.entries(environment).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k.normalize('NFC')) + Buffer.byteLength(v.normalize('NFC')),
    0,
  );
  let largest: { size: number; origins: number; path: PathPart[] } | undefined;
  const fixed =
    'ALLOW_CREDENTIALS'.length +
    5 +
    'ALLOW_HEADERS'.length +
    (spec.cors.allowHeaders ?? DEFAULTS.allowHeaders).join(',').length +
    'EXPOSE_HEADERS'.length +
    (spec.cors.exposeHeaders ?? []).join(',').length +
    'CORS_MODE'.length +
    7 +
    'ENFORCE_ORIGIN'.length +
    5 +
    'ALLOWED_ORIGINS'.length +
    (spec.lambda?.source !== undefined ? 'CORS_GEN_HANDLER'.length + (spec.lambda.handler ?? '').length : 0);
  for (const list of lists) {
    const size = fixed + list.origins.join(' ').length + WEBSITE_ORIGIN_RESERVE + cdnAliasBytes(spec);
    if (size + own > LAMBDA_ENV_LIMIT && size <= LAMBDA_ENV_LIMIT && (!largest || size + own > largest.size))
      largest = { size: size + own, origins: list.origins.length, path: list.path };
    if (size > LAMBDA_ENV_LIMIT) {
      errors.push({
        code: 'origins-too-large',
        path: list.path,
        message: `${list.origins.length} origins need about ${size} bytes of Lambda environment; Lambda allows ${LAMBDA_ENV_LIMIT} bytes in all`,
        fix: 'use a wildcard such as "https://*.example.com" (api: rest) or fewer origins',
      });
    }
  }
  // The origins fit alone: lambda.environment is what tips the largest list over, once.
  if (largest) {
    const where = largest.path[0] === 'stages' ? `stage "${String(largest.path[1])}"` : 'cors.allowOrigins';
    errors.push({
      code: 'environment-too-large',
      path: ['lambda', 'environment'],
      message: `${Object.keys(environment).length} variables (${own} bytes) plus the CORS variables with the ${largest.origins} origins of ${where} need about ${largest.size} bytes of Lambda environment; Lambda allows ${LAMBDA_ENV_LIMIT} bytes in all`,
      fix: 'keep large values out of the environment (e.g. in SSM Parameter Store, read at startup) or shorten them',
    });
  }
}

/**
 * The REST API's resources (the root, every route path and every parent path) and the size of its OpenAPI
 * document, estimated for each origin list (the document is rendered with one stage's list). Routes whose path
 * is invalid are left out: they have their own error. The size limit cannot be raised, so it is an error.
 */
function checkRestQuotas(
  spec: Spec,
  lists: Array<{ path: PathPart[]; origins: readonly string[] }>,
  errors: Issue[],
  warnings: Issue[],
): void {
  const paths = restPaths(spec);
  const resources = paths.size + (paths.has('/') ? 0 : 1);
  // A warning, not an error: AWS raises this quota on request, and an account that has it must not be refused.
  if (resources > REST_LIMITS.resources) {
    warnings.push({
      code: 'rest-too-many-resources',
      path: ['routes'],
      message: `the routes need ${resources} API Gateway resources (the root, every path and every parent path); API Gateway refuses the API beyond ${REST_LIMITS.resources} unless AWS has raised this account's "Resources per API" quota`,
      fix: 'serve related routes from one greedy path such as "/files/{proxy+}" and route in your code, or ask AWS for a higher quota before you apply',
    });
  }
  for (const list of lists) {
    const bytes = restDocumentBytes(spec, list.origins, paths);
    if (bytes > REST_LIMITS.bodyBytes) {
      const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
      errors.push({
        code: 'rest-definition-too-large',
        path: list.path,
        message: `with these ${list.origins.length} origins, the REST API's OpenAPI definition (${paths.size} paths, each with its preflight template listing the origins) would be about ${mb(bytes)} MB; API Gateway accepts at most ${mb(REST_LIMITS.bodyBytes)} MB`,
        fix: 'use fewer routes (one greedy path such as "/files/{proxy+}" serves many) or fewer origins (a wildcard such as "https://*.example.com" covers many)',
      });
    }
  }
}

/** The document's path items: every route path and every parent path, with their parameters and methods. */
function restPaths(spec: Spec): Map<string, { parameters: number; methods: number }> {
  const paths = new Map<string, { parameters: number; methods: number }>();
  for (const route of spec.routes ?? []) {
    const parsed = parseRoutePath(route.path);
    if ('reason' in parsed) continue;
    const parts = parsed.segments.map((s) =>
      s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : `{${s.name}+}`,
    );
    // Every parent path is a resource with its own preflight; the root has a path item only for a route on "/".
    for (let i = parts.length === 0 ? 0 : 1; i <= parts.length; i++) {
      const key = `/${parts.slice(0, i).join('/')}`;
      const entry = paths.get(key) ?? {
        parameters: parsed.segments.slice(0, i).filter((s) => s.kind !== 'literal').length,
        methods: 0,
      };
      if (i === parts.length) entry.methods += new Set(route.methods).size;
      paths.set(key, entry);
    }
  }
  return paths;
}

/**
 * The estimated size in bytes of the REST API's OpenAPI document (`jsonencode(local.openapi)`) with `origins`;
 * `test/spec/rest-quotas.test.ts` holds it to the size of the rendered document.
 */
export function restDocumentBytes(
  spec: Spec,
  origins: readonly string[],
  paths: ReadonlyMap<string, { parameters: number; methods: number }> = restPaths(spec),
): number {
  const headerText =
    (spec.cors.allowMethods ?? []).join(',').length +
    (spec.cors.allowHeaders ?? DEFAULTS.allowHeaders).join(',').length +
    (spec.cors.exposeHeaders ?? []).join(',').length;
  let items = 0;
  for (const p of paths.values())
    items +=
      REST_BODY_BYTES.preflight +
      headerText +
      p.methods * REST_BODY_BYTES.method +
      p.parameters * REST_BODY_BYTES.parameter;
  const website =
    (spec.frontend?.enabled ?? DEFAULTS.frontend.enabled) || spec.frontend?.cdn === true
      ? WEBSITE_ORIGIN_RESERVE + cdnAliasBytes(spec)
      : 0;
  // Each preflight template lists the exact origins and the wildcard patterns, as JSON inside a JSON string.
  const originBytes = origins.reduce(
    (n, o) =>
      n + o.length + 4 + (o.includes('*') && o !== '*' ? PATTERN_LABEL_BYTES + 2 * (o.split('.').length - 1) : 0),
    website,
  );
  return (
    REST_BODY_BYTES.document + 2 * headerText + items + paths.size * originBytes + authBytes(spec, headerText, paths)
  );
}

/**
 * What authorizers add to the REST document: six more gateway responses (each as large as DEFAULT_4XX), a
 * security scheme per authorizer (with its ARNs) plus `sigv4` and `api_key`, and a security requirement per
 * method; measured like REST_BODY_BYTES, rounded up.
 */
const REST_AUTH_BYTES = { responses: 6 * 450, scheme: 450, method: 60 } as const;

function authBytes(
  spec: Spec,
  headerText: number,
  paths: ReadonlyMap<string, { parameters: number; methods: number }>,
): number {
  if (!usesAuth(spec)) return 0;
  const schemes = Object.values(spec.authorizers ?? {}).reduce(
    (n, a) => n + REST_AUTH_BYTES.scheme + JSON.stringify(a).length,
    2 * REST_AUTH_BYTES.scheme,
  );
  const methods = [...paths.values()].reduce((n, p) => n + p.methods, 0);
  return REST_AUTH_BYTES.responses + 6 * headerText + schemes + methods * REST_AUTH_BYTES.method;
}

/** Authorizer types each API kind has: REST (Cognito, Lambda), HTTP API (JWT, Lambda); Function URLs only IAM. */
const AUTHORIZER_TYPES: Record<ApiKind, readonly string[]> = {
  rest: ['cognito', 'lambda'],
  http: ['jwt', 'lambda'],
  'function-url': [],
};

const AUTHORIZER_TYPE_FIX: Record<string, string> = {
  'rest:jwt':
    'REST APIs have no JWT authorizer: use type: cognito for a Cognito user pool, a type: lambda authorizer that checks the token, or api: http',
  'http:cognito':
    'HTTP APIs validate Cognito tokens with a JWT authorizer: type: jwt, issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>, audience: [<app client id>]',
  'function-url':
    'a Function URL only knows AWS_IAM: write auth: iam (callers sign requests with SigV4), or use api: http or api: rest for authorizers',
};

/**
 * The spec's authorizers and what each route references: unknown names, types the API kind lacks, API keys
 * outside REST, and the request headers an authorizer reads but the preflight would refuse (the browser then
 * never sends the request). Authorizer types per API: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
 * (REST), https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html (HTTP API),
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html (Function URLs: AWS_IAM or NONE).
 */
function checkAuth(
  spec: Spec,
  api: ApiKind,
  credentials: boolean,
  wellFormed: WellFormed,
  errors: Issue[],
  warnings: Issue[],
): void {
  if (!wellFormed(['authorizers']) || !wellFormed(['auth']) || !wellFormed(['apiKeyRequired'])) return;
  const authorizers = spec.authorizers ?? {};
  const names = Object.keys(authorizers).sort();
  for (const name of names) {
    const a = authorizers[name]!;
    // `none` and `iam` are values of auth; `sigv4` and `api_key` name the REST API's own security schemes.
    if ([...AUTH_KEYWORDS, 'sigv4', 'api_key'].includes(name)) {
      errors.push({
        code: 'authorizer-name-reserved',
        path: ['authorizers', name],
        message: `"${name}" is reserved (${(AUTH_KEYWORDS as readonly string[]).includes(name) ? 'a value of auth' : 'the name of a security scheme the module writes'})`,
        fix: `rename it, e.g. "${name}_authorizer"`,
      });
    }
    if (!AUTHORIZER_TYPES[api].includes(a.type)) {
      errors.push({
        code: 'authorizer-type-unsupported',
        path: ['authorizers', name, 'type'],
        message: `a ${a.type} authorizer is not available for api: ${api}`,
        fix: AUTHORIZER_TYPE_FIX[api === 'function-url' ? api : `${api}:${a.type}`] ?? 'remove it',
      });
    }
    if (a.type === 'lambda') {
      // Copied from an existing API's settings, an identity source keeps its mapping expression
      // ("method.request.header.X" on REST, "$request.header.X" on HTTP APIs); the module writes that prefix
      // itself, so it would read a header that never exists and deny every request.
      (a.identitySource ?? []).forEach((source, i) => {
        const m = IDENTITY_EXPRESSION.exec(source);
        if (!m) return;
        const header = /^\$?(?:method\.)?request\.header\.(.+)$/i.exec(source)?.[1];
        errors.push({
          code: 'identity-source-expression',
          path: ['authorizers', name, 'identitySource', i],
          message: `${JSON.stringify(source)} is a mapping expression; identitySource lists request header names, and the module writes the "${api === 'http' ? '$request.header.' : 'method.request.header.'}" prefix itself`,
          fix: header
            ? `write the header name alone: ${JSON.stringify(header)}`
            : 'write request header names (query strings, context and stage variables are not supported as identity sources here)',
        });
      });
      if (api === 'rest' && (a.kind ?? DEFAULTS.authorizer.kind) === 'token' && (a.identitySource?.length ?? 1) !== 1)
        errors.push({
          code: 'token-authorizer-sources',
          path: ['authorizers', name, 'identitySource'],
          message: `a token authorizer reads exactly one header; ${a.identitySource!.length} are listed`,
          fix: 'write kind: request to read several headers, or list one',
        });
      if (api === 'http' && a.kind === 'token')
        warnings.push({
          code: 'authorizer-kind-ignored',
          path: ['authorizers', name, 'kind'],
          message: 'HTTP API Lambda authorizers are request authorizers (payload format 2.0); kind: token is ignored',
          fix: 'remove kind',
        });
    }
  }

  const routes = Array.isArray(spec.routes) && wellFormed(['routes']) ? spec.routes : [];
  const refs: Array<{ value: string; path: PathPart[] }> = [];
  if (spec.auth !== undefined) refs.push({ value: spec.auth, path: ['auth'] });
  routes.forEach((r, i) => {
    if (r.auth !== undefined) refs.push({ value: r.auth, path: ['routes', i, 'auth'] });
  });
  const def = spec.auth ?? DEFAULTS.auth;
  // What each route's methods end up with, for the header warnings.
  const effective = routes.length > 0 ? routes.map((r) => r.auth ?? def) : [def];
  for (const ref of refs) {
    const known = (AUTH_KEYWORDS as readonly string[]).includes(ref.value) || Object.hasOwn(authorizers, ref.value);
    if (!known) {
      errors.push({
        code: 'auth-unknown',
        path: ref.path,
        message: `"${ref.value}" is neither "none", "iam" nor an authorizer of this spec${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
        fix:
          names.length > 0
            ? `write one of: none, iam, ${names.join(', ')}`
            : `write none or iam, or define it under authorizers.${ref.value}`,
      });
      continue;
    }
    if (api === 'function-url' && ref.value !== 'none' && ref.value !== 'iam')
      errors.push({
        code: 'function-url-auth',
        path: ref.path,
        message: `a Function URL cannot use the authorizer "${ref.value}": its only auth types are AWS_IAM and NONE`,
        fix: AUTHORIZER_TYPE_FIX['function-url']!,
      });
  }
  if (api === 'function-url')
    routes.forEach((r, i) => {
      if (r.auth !== undefined && r.auth !== def)
        errors.push({
          code: 'function-url-route-auth',
          path: ['routes', i, 'auth'],
          message: `a Function URL has one auth type for every path; "${r.auth}" differs from auth ("${def}")`,
          fix: 'remove it, and set auth at the top level',
        });
    });
  for (const name of names)
    if (!effective.includes(name))
      warnings.push({
        code: 'authorizer-unused',
        path: ['authorizers', name],
        message: `no route uses "${name}"`,
        fix: `write auth: ${name} at the top level or on a route, or remove it`,
      });

  const keyPaths: PathPart[][] = [];
  if (spec.apiKeyRequired !== undefined) keyPaths.push(['apiKeyRequired']);
  routes.forEach((r, i) => {
    if (r.apiKeyRequired !== undefined) keyPaths.push(['routes', i, 'apiKeyRequired']);
  });
  if (api !== 'rest')
    for (const path of keyPaths)
      errors.push({
        code: 'api-key-not-rest',
        path,
        message: `API keys exist only for api: rest; ${api === 'http' ? 'HTTP APIs' : 'Function URLs'} have none`,
        fix:
          api === 'http'
            ? 'remove it, and check a key in a Lambda authorizer (identitySource: [X-Api-Key]) if you need one'
            : 'remove it, or use api: rest',
      });

  // A stage's own authorizer values: for an authorizer of the spec, and only the values its type has.
  const FIELDS: Record<string, readonly string[]> = {
    cognito: ['userPoolArns'],
    lambda: ['functionArn'],
    jwt: ['issuer', 'audience'],
  };
  if (wellFormed(['stages']))
    for (const stage of Object.keys(spec.stages ?? {}).sort())
      for (const [name, values] of Object.entries(spec.stages![stage]!.authorizers ?? {})) {
        const at: PathPart[] = ['stages', stage, 'authorizers', name];
        const a = Object.hasOwn(authorizers, name) ? authorizers[name] : undefined;
        if (!a) {
          errors.push({
            code: 'stage-authorizer-unknown',
            path: at,
            message: `"${name}" is not an authorizer of this spec${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
            fix: names.length > 0 ? `write one of: ${names.join(', ')}` : `define it under authorizers.${name}`,
          });
          continue;
        }
        for (const key of Object.keys(values))
          if (!FIELDS[a.type]!.includes(key))
            errors.push({
              code: 'stage-authorizer-field',
              path: [...at, key],
              message: `a ${a.type} authorizer has no ${key}`,
              fix: `set ${FIELDS[a.type]!.join(' or ')}, or remove it`,
            });
      }

  // Headers the browser must be allowed to send for the guarded methods.
  if (!wellFormed(['cors', 'allowHeaders'])) return;
  const allow = new Set((spec.cors.allowHeaders ?? DEFAULTS.allowHeaders).map((h) => h.toLowerCase()));
  // "*" covers every header but Authorization, and only without credentials (Fetch standard, CORS-preflight fetch).
  const covered = (h: string) =>
    allow.has(h.toLowerCase()) || (allow.has('*') && !credentials && h.toLowerCase() !== 'authorization');
  // Who reads which headers, in a fixed order: one warning per reader, naming every header it lacks.
  const needs = new Map<string, string[]>();
  const need = (who: string, headers: readonly string[]) =>
    needs.set(who, [...new Set([...(needs.get(who) ?? []), ...headers])]);
  for (const ref of [...new Set(effective)].sort()) {
    const a = authorizers[ref];
    if (ref === 'iam') need('auth: iam (SigV4 signing)', ['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token']);
    else if (a?.type === 'lambda')
      need(`the authorizer "${ref}"`, a.identitySource ?? DEFAULTS.authorizer.identitySource);
    else if (a) need(`the authorizer "${ref}"`, ['Authorization']);
  }
  const keyRequired =
    api === 'rest' &&
    (routes.some((r) => r.apiKeyRequired ?? spec.apiKeyRequired) || (routes.length === 0 && spec.apiKeyRequired));
  if (keyRequired) need('apiKeyRequired', ['X-Api-Key']);
  for (const [who, headers] of needs) {
    const missing = headers.filter((h) => !covered(h));
    if (missing.length === 0) continue;
    const list = missing.map((h) => JSON.stringify(h));
    warnings.push({
      code: 'auth-header-not-allowed',
      path: ['cors', 'allowHeaders'],
      message: `${who} needs the request header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which cors.allowHeaders does not list: the preflight refuses ${missing.length > 1 ? 'them' : 'it'}, so the browser never sends the request`,
      fix: `add ${list.join(', ')} to cors.allowHeaders`,
    });
  }
}

/** The `https://<alias>` origins a CloudFront frontend adds to every allow list, with their separators. */
function cdnAliasBytes(spec: Spec): number {
  if (spec.frontend?.cdn !== true) return 0;
  return (spec.frontend.aliases ?? []).reduce((n, a) => n + 'https://'.length + a.length + 4, 0);
}

/**
 * The CloudFront frontend's keys: aliases need a certificate that covers them (CloudFront refuses a CNAME
 * without one, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html), and the keys
 * that only configure the distribution mean nothing without `cdn: true`.
 */
function checkFrontendCdn(spec: Spec, errors: Issue[]): void {
  const f = spec.frontend;
  if (!f) return;
  if (f.cdn === true && f.enabled === false)
    errors.push({
      code: 'frontend-cdn-disabled',
      path: ['frontend', 'enabled'],
      message: 'false turns the frontend off, but frontend.cdn: true asks for one behind CloudFront',
      fix: 'remove frontend.enabled (cdn implies it), or remove frontend.cdn',
    });
  if (f.cdn !== true) {
    for (const key of ['aliases', 'certificateArn', 'spa'] as const)
      if (f[key] !== undefined)
        errors.push({
          code: 'frontend-cdn-only',
          path: ['frontend', key],
          message: `configures the CloudFront distribution, which exists only with frontend.cdn: true`,
          fix: `add "cdn: true" under frontend, or remove frontend.${key}`,
        });
    return;
  }
  if ((f.aliases ?? []).length > 0 && f.certificateArn === undefined)
    errors.push({
      code: 'frontend-alias-certificate',
      path: ['frontend', 'aliases'],
      message: `${JSON.stringify(f.aliases![0])} needs a certificate: CloudFront serves an alias only with an ACM certificate (us-east-1) that covers it`,
      fix: 'add frontend.certificateArn: "arn:aws:acm:us-east-1:<account>:certificate/<id>", or remove frontend.aliases',
    });
}

/**
 * Cookies travel only as the browser sends and stores them: `Cookie` is a forbidden request header (a script
 * cannot set it, https://fetch.spec.whatwg.org/#forbidden-request-header) and `Set-Cookie` / `Set-Cookie2` are
 * forbidden response header names (filtered from every response a script sees, exposed or not,
 * https://fetch.spec.whatwg.org/#forbidden-response-header-name).
 */
function checkCookieHeaders(spec: Spec, errors: Issue[], warnings: Issue[]): void {
  (spec.cors.allowHeaders ?? []).forEach((h, i) => {
    if (h.toLowerCase() === 'cookie')
      errors.push({
        code: 'cookie-in-allow-headers',
        path: ['cors', 'allowHeaders', i],
        message: `"${h}" is a forbidden request header (Fetch standard): scripts can never set it, so allowing it does nothing; browsers send cookies themselves`,
        fix: "remove it; to send cookies, set cors.allowCredentials: true and call fetch() with credentials: 'include'",
      });
  });
  (spec.cors.exposeHeaders ?? []).forEach((h, i) => {
    if (h.toLowerCase() === 'set-cookie' || h.toLowerCase() === 'set-cookie2')
      warnings.push({
        code: 'set-cookie-exposed',
        path: ['cors', 'exposeHeaders', i],
        message: `"${h}" is a forbidden response header name (Fetch standard): browsers remove it from every response a script sees, exposed or not; the browser stores the cookie itself`,
        fix: 'remove it; a cookie the page must read belongs in the response body or another header',
      });
  });
}

/**
 * A custom domain: REST and HTTP APIs only (Lambda Function URLs have no custom domain of their own,
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html), one name per deployment. And with
 * credentials, whether the API is on the same site as each allowed origin: browsers treat cookies an API sets
 * from another site as third-party cookies (they need `SameSite=None; Secure`, and Safari and Firefox block them
 * by default: https://webkit.org/tracking-prevention/#full-third-party-cookie-blocking,
 * https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Third-party_cookies). The default hosts,
 * `<id>.execute-api.<region>.amazonaws.com` and `<id>.lambda-url.<region>.on.aws`, are never on an app's site.
 */
function checkDomain(spec: Spec, api: ApiKind, credentials: boolean, errors: Issue[], warnings: Issue[]): void {
  const deployments: Array<{ path: PathPart[]; origins: readonly string[]; domain?: string; own: boolean }> = [
    { path: ['cors', 'allowOrigins'], origins: spec.cors.allowOrigins, domain: spec.domain?.name, own: !!spec.domain },
    ...Object.keys(spec.stages ?? {})
      .sort()
      .map((name) => {
        const stage = spec.stages![name]!;
        return {
          path: ['stages', name, 'allowOrigins'],
          origins: stage.allowOrigins,
          domain: stage.domain?.name ?? spec.domain?.name,
          own: !!stage.domain,
        };
      }),
  ];
  if (api === 'function-url') {
    const at = [
      ...(spec.domain ? [['domain']] : []),
      ...deployments.filter((d) => d.own && d.path[0] === 'stages').map((d) => [...d.path.slice(0, 2), 'domain']),
    ];
    for (const path of at)
      errors.push({
        code: 'domain-function-url',
        path,
        message:
          'a Lambda Function URL cannot have a custom domain (only its own <id>.lambda-url.<region>.on.aws host)',
        fix: 'use api: http (or rest) for a custom domain, or remove the key',
      });
    for (const d of deployments) delete d.domain;
  }
  const byName = new Map<string, string>();
  for (const d of deployments.filter((d) => d.path[0] === 'stages' && d.domain !== undefined)) {
    const stage = d.path[1] as string;
    const other = byName.get(d.domain!);
    if (other !== undefined)
      errors.push({
        code: 'domain-duplicate',
        path: d.own ? ['stages', stage, 'domain', 'name'] : ['stages', stage],
        message: `stages "${other}" and "${stage}" both use the custom domain "${d.domain}"; a domain name maps to one API stage in a region`,
        fix: `give stages.${stage}.domain its own name, e.g. "${stage}.${d.domain}"`,
      });
    else byName.set(d.domain!, stage);
  }
  if (!credentials) return;
  const without = deployments.filter((d) => d.domain === undefined);
  if (without.length > 0) {
    const stages = without.filter((d) => d.path[0] === 'stages').map((d) => d.path[1] as string);
    const scope =
      without.length === deployments.length
        ? ''
        : ` (stage${stages.length === 1 ? '' : 's'} ${stages.map((s) => `"${s}"`).join(', ')}${without[0]!.path[0] === 'cors' ? ' and the default deployment' : ''})`;
    warnings.push({
      code: 'credentials-without-domain',
      path: ['cors', 'allowCredentials'],
      message: `cookies are allowed but the API has no custom domain${scope}: its host (${api === 'rest' || api === 'http' ? '<id>.execute-api.<region>.amazonaws.com' : '<id>.lambda-url.<region>.on.aws'}) is never on your pages' site, so every cookie it sets is a third-party cookie: it needs SameSite=None; Secure, and Safari and Firefox block it anyway`,
      fix:
        api === 'function-url'
          ? 'use api: http with a domain on your site (e.g. api.example.com for app.example.com), or send a token in Authorization instead of cookies'
          : 'add domain: { name: api.<your site>, certificateArn: ... } so the API is on the same site as your pages, or send a token in Authorization instead of cookies',
    });
  }
  for (const d of deployments) {
    if (d.domain === undefined) continue;
    const apiSite = registrableDomain(d.domain);
    d.origins.forEach((value, i) => {
      const m = /^(https?):\/\/(?:\*\.)?([^/:]+)(?::\d+)?$/.exec(value);
      if (!m) return;
      const originSite = registrableDomain(m[2]!);
      // Sites are schemeful (https://web.dev/articles/schemeful-samesite): the API is always https.
      if (m[1] === 'https' && originSite === apiSite) return;
      const dev = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(m[2]!);
      warnings.push({
        code: 'origin-cross-site-cookies',
        path: [...d.path, i],
        message: `${JSON.stringify(value)} is not on the site of the API's domain "${d.domain}" (https://${apiSite}): cookies the API sets are third-party cookies there (SameSite=None; Secure needed, blocked by Safari and Firefox)`,
        fix: dev
          ? "proxy the API through your dev server (e.g. Vite's server.proxy) so the page and the API share an origin"
          : `serve the page from https://<name>.${apiSite}, or give this deployment a domain on ${m[2]!.replace(/^www\./, '')}'s site`,
      });
    });
  }
}
