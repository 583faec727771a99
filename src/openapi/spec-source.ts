import path from 'node:path';
import { pathParts, validateSpec, type ValidationResult } from '../spec/validate.js';
import type { ParsedText } from '../spec/parse.js';
import type { SpecIssue } from '../spec/issue.js';
import { REST_LIMITS, restDocumentBytes } from '../spec/rules.js';
import type { Spec } from '../spec/schema.js';
import { FORBIDDEN_HEADER, SAFELISTED_HEADER } from '../cors/headers.js';
import { routeAuth } from '../spec/model.js';
import { securitySchemeMap, securitySchemesPath } from './read-document.js';
import { loadOpenApiSource, type OpenApiSource, type OperationSecurity } from './source.js';

/**
 * A spec with `openapi:` (already valid on its own): reads the document, validates the spec again with the
 * document's paths as its routes (so every route rule, the preflight's default methods and the quotas apply to
 * them), and returns the model with the document. Issues the route rules find are reported at the document's
 * path, in the document.
 */
export async function withOpenApiSource(
  specFile: string,
  parsed: ParsedText,
  file: string,
  cwd: string,
): Promise<ValidationResult> {
  const data = parsed.data as Spec & { openapi: string };
  const atSpec = (issue: SpecIssue): SpecIssue => {
    const pos = parsed.locate(pathParts(issue.path));
    return { ...issue, file, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  };
  const loaded = await loadOpenApiSource(path.resolve(cwd, specFile), data.openapi, cwd);
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map((i) => (i.file ? i : atSpec(i))), warnings: [] };
  const source = loaded.source;
  const { openapi, ...spec } = data;
  const routes = source.routes.map((r) => ({ path: r.path, methods: [...r.methods] }));
  const result = validateSpec({ ...spec, routes }, { file, parsed });
  const inDocument = (issue: SpecIssue): SpecIssue => {
    const index = /^routes(?:\[(\d+)\])?(?![\w$-])/.exec(issue.path)?.[1];
    if (index === undefined && issue.path !== 'routes') return issue;
    // A rule on one route points at its path, a rule on all of them (a quota) at `paths`.
    const at = index === undefined ? ['paths'] : ['paths', routes[Number(index)]!.path];
    const pos = source.locate(at, 'key');
    // The route rules name other routes by index (`routes[0]`), which the spec does not have: by path instead.
    const named = (t: string) => t.replace(/routes\[(\d+)\]/g, (all, i: string) => routes[Number(i)]?.path ?? all);
    const { line: _line, column: _column, fix, ...rest } = issue;
    return {
      ...rest,
      message: named(issue.message),
      ...(fix !== undefined ? { fix: named(fix) } : {}),
      path: at.length === 1 ? 'paths' : `paths[${JSON.stringify(at[1])}]`,
      file: source.shown,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    };
  };
  const warnings = [...result.warnings.map(inDocument), ...loaded.warnings];
  if (!result.ok) return { ok: false, errors: result.errors.map(inDocument), warnings };
  const errors = [...sizeIssues({ ...spec, routes }, result.model, source), ...schemeIssues(result.model, source)].map(
    (i) => (i.file ? i : atSpec(i)),
  );
  if (errors.length > 0) return { ok: false, errors, warnings };
  const guarded = (path: string) => {
    const auth = routeAuth(result.model, path);
    return auth.auth !== 'none' || auth.apiKeyRequired;
  };
  // The spec's auth guards what the document leaves unguarded at the gateway: no requirement, or only schemes API
  // Gateway does not enforce (which would leave the method open). An operation the document opens on purpose
  // (`security: []`) stays open.
  const bySpec = source.operations.filter(
    (o) => (o.security === 'none' || o.security === 'unenforced') && guarded(o.path),
  );
  const open = source.operations.filter((o) => o.security === 'unenforced' && !bySpec.includes(o));
  const openOnPurpose = source.operations.filter((o) => o.security === 'open' && guarded(o.path));
  warnings.push(...securityWarnings(source, open, openOnPurpose), ...headerWarnings(source, result.model.cors));
  return {
    ok: true,
    model: {
      ...result.model,
      openapi: {
        file: openapi,
        version: source.version,
        document: source.document,
        guardedBySpec: bySpec.map((o) => `${o.method} ${o.path}`),
      },
    },
    warnings,
  };
}

/**
 * Request headers the document's operations take that `cors.allowHeaders` lacks: a page that sends one fails the
 * preflight. Headers browsers never let a page set, or send without a preflight, do not count.
 */
function headerWarnings(
  source: OpenApiSource,
  cors: { allowHeaders: readonly string[]; allowCredentials: boolean },
): SpecIssue[] {
  const allowed = new Set(cors.allowHeaders.map((h) => h.toLowerCase()));
  // "*" allows every header only without credentials (https://fetch.spec.whatwg.org/#http-access-control-allow-headers).
  if (allowed.has('*') && !cors.allowCredentials) return [];
  const missing = source.headers.filter(
    (h) => !allowed.has(h.name.toLowerCase()) && !FORBIDDEN_HEADER.test(h.name) && !SAFELISTED_HEADER.test(h.name),
  );
  if (missing.length === 0) return [];
  const pos = source.locate(missing[0]!.at, 'key');
  const names = missing.map((h) => h.name);
  return [
    {
      severity: 'warning',
      code: 'openapi-header-not-allowed',
      path: `paths[${JSON.stringify(missing[0]!.at[1])}].${String(missing[0]!.at[2])}`,
      message: `the document's operations take the request header${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')}, which cors.allowHeaders does not list: a page that sends ${names.length > 1 ? 'one' : 'it'} fails the preflight`,
      fix: `add ${names.join(', ')} to cors.allowHeaders, unless browsers never send ${names.length > 1 ? 'them' : 'it'}`,
      file: source.shown,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    },
  ];
}

/** `paths./a.get, paths./b.post and 3 more`. */
function listed(operations: readonly OperationSecurity[]): string {
  const shown = operations.slice(0, 5).map((o) => o.at.map(String).join('.'));
  return `${shown.join(', ')}${operations.length > 5 ? ` and ${operations.length - 5} more` : ''}`;
}

function securityWarnings(
  source: OpenApiSource,
  open: readonly OperationSecurity[],
  openOnPurpose: readonly OperationSecurity[],
): SpecIssue[] {
  const warning = (code: string, first: OperationSecurity, message: string, fix: string): SpecIssue => {
    const pos = source.locate(first.at, 'key');
    return {
      severity: 'warning',
      code,
      path: `paths[${JSON.stringify(first.path)}].${first.method}`,
      message,
      fix,
      file: source.shown,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    };
  };
  const out: SpecIssue[] = [];
  if (open.length > 0) {
    const kinds = new Map(open.flatMap((o) => o.schemes.map((n, i) => [n, o.kinds[i]!] as const)));
    out.push(
      warning(
        'openapi-security-not-enforced',
        open[0]!,
        `${open.length} operation(s) the document guards only with security schemes API Gateway does not enforce (${[
          ...kinds,
        ]
          .map(([n, kind]) => `${JSON.stringify(n)}: ${kind}`)
          .join('; ')}) are open at the gateway: ${listed(open)}`,
        "give those schemes an x-amazon-apigateway-authorizer (a Lambda or Cognito authorizer), set the spec's auth (it then guards the operations without their own integration), or check the credentials in the handler",
      ),
    );
  }
  if (openOnPurpose.length > 0)
    out.push(
      warning(
        'openapi-security-open',
        openOnPurpose[0]!,
        `${openOnPurpose.length} operation(s) the document opens to anyone (security: [], or {} among its requirements) stay open: the spec's auth does not guard them: ${listed(openOnPurpose)}`,
        "remove their security to have the spec's auth guard them, or keep it if anyone may call them",
      ),
    );
  return out;
}

/** API Gateway's 6 MB limit on an imported definition holds for the document with cors-gen's additions. */
function sizeIssues(
  spec: Spec,
  model: { cors: { allowOrigins: readonly string[] }; stages: ReadonlyArray<{ allowOrigins: readonly string[] }> },
  source: OpenApiSource,
): SpecIssue[] {
  const largest = Math.max(
    ...[model.cors.allowOrigins, ...model.stages.map((s) => s.allowOrigins)].map((o) => restDocumentBytes(spec, o)),
  );
  const bytes = largest + source.bytes;
  if (bytes <= REST_LIMITS.bodyBytes) return [];
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return [
    {
      severity: 'error',
      code: 'rest-definition-too-large',
      path: 'openapi',
      message: `${source.shown} (${mb(source.bytes)} MB as JSON) with the preflights and integrations cors-gen adds would be about ${mb(bytes)} MB; API Gateway accepts at most ${mb(REST_LIMITS.bodyBytes)} MB`,
      fix: 'remove what API Gateway does not need from the document (examples, long descriptions), or split the API',
    },
  ];
}

/** The security schemes cors-gen adds for the spec's authorizers must not replace the document's own. */
function schemeIssues(
  model: Parameters<typeof routeAuth>[0] & { routes: ReadonlyArray<{ path: string }> },
  source: OpenApiSource,
): SpecIssue[] {
  if (!model.auth) return [];
  // The schemes the module adds: one per authorizer a route uses, `sigv4` for iam and `api_key` for API keys
  // (src/constructs/authorizers.ts, restSecuritySchemes).
  const ours = new Set<string>();
  for (const route of model.routes) {
    const { auth, apiKeyRequired } = routeAuth(model, route.path);
    if (auth === 'iam') ours.add('sigv4');
    else if (auth !== 'none') ours.add(auth);
    if (apiKeyRequired) ours.add('api_key');
  }
  const at = securitySchemesPath(source.version);
  return Object.keys(securitySchemeMap(source.document, source.version))
    .filter((name) => ours.has(name))
    .map((name): SpecIssue => {
      const pos = source.locate([...at, name], 'key');
      return {
        severity: 'error',
        code: 'openapi-scheme-name',
        path: [...at, name].join('.'),
        message: `the security scheme ${JSON.stringify(name)} has the name cors-gen gives the spec's ${name === 'sigv4' ? 'auth: iam' : name === 'api_key' ? 'apiKeyRequired' : `authorizer ${name}`}`,
        fix: 'rename the scheme in the document (and where its operations name it), or rename the authorizer in the spec',
        file: source.shown,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
      };
    });
}
