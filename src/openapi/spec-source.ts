import path from 'node:path';
import { pathParts, validateSpec, type ValidationResult } from '../spec/validate.js';
import type { ParsedText } from '../spec/parse.js';
import type { SpecIssue } from '../spec/issue.js';
import { REST_LIMITS, restDocumentBytes } from '../spec/rules.js';
import type { Spec } from '../spec/schema.js';
import { loadOpenApiSource, type OpenApiSource } from './source.js';

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
  return {
    ok: true,
    model: { ...result.model, openapi: { file: openapi, version: source.version, document: source.document } },
    warnings,
  };
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
  model: { auth?: { authorizers: ReadonlyArray<{ name: string }> } },
  source: OpenApiSource,
): SpecIssue[] {
  if (!model.auth) return [];
  const at = source.version === '2.0' ? ['securityDefinitions'] : ['components', 'securitySchemes'];
  let schemes: unknown = source.document;
  for (const k of at) schemes = isObject(schemes) ? schemes[k] : undefined;
  if (!isObject(schemes)) return [];
  const ours = new Set([...model.auth.authorizers.map((a) => a.name), 'sigv4', 'api_key']);
  return Object.keys(schemes)
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
