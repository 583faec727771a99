/**
 * The REST API quotas a spec can reach, caught by `validate` instead of by API Gateway at apply time: 300
 * resources per API (the root, every route path and every parent path; AWS raises it on request, so a warning)
 * and the 6 MB OpenAPI definition (a hard limit, so an error).
 */
import { describe, expect, it } from 'vitest';
import type { SpecIssue } from '../../src/spec/issue.js';
import { REST_LIMITS, restDocumentBytes } from '../../src/spec/rules.js';
import { validateSpec } from '../../src/spec/validate.js';
import { modelOf } from '../support/reliability-specs.js';
import { jsonencodedBytes, renderedDocument } from '../support/rest-document.js';

type Routes = Array<{ path: string; methods: string[]; auth?: string }>;
const spec = (routes: Routes, extra: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'catalog',
  api: 'rest',
  cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'PUT'] },
  routes,
  ...extra,
});
const issues = (data: unknown): { errors: readonly SpecIssue[]; warnings: readonly SpecIssue[] } => {
  const result = validateSpec(data);
  return { errors: result.ok ? [] : result.errors, warnings: result.warnings };
};
const quotaWarnings = (data: unknown) => issues(data).warnings.filter((w) => w.code === 'rest-too-many-resources');
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('resources per REST API', () => {
  it('counts the root and every parent path once: 100 routes /aN/b/c are 301 resources', () => {
    const routes = range(100).map((i) => ({ path: `/a${i}/b/c`, methods: ['GET'] }));
    const { errors } = issues(spec(routes));
    expect(errors).toEqual([]);
    expect(quotaWarnings(spec(routes))).toEqual([
      expect.objectContaining({
        path: 'routes',
        message: expect.stringMatching(/^the routes need 301 API Gateway resources .* beyond 300 unless AWS/),
        fix: expect.stringContaining('{proxy+}'),
      }),
    ]);
    // Parents shared by many routes count once: /s, /s/{id} and 297 children, plus the root.
    const shared = [
      { path: '/s/{id}', methods: ['GET'] },
      ...range(297).map((i) => ({ path: `/s/{id}/c${i}`, methods: ['GET'] })),
    ];
    expect(quotaWarnings(spec(shared))).toEqual([]);
    expect(quotaWarnings(spec([...shared, { path: '/t', methods: ['GET'] }]))).toHaveLength(1);
  });

  it('counts a route on "/" as the root itself', () => {
    const routes = range(REST_LIMITS.resources - 1).map((i) => ({ path: `/r${i}`, methods: ['GET'] }));
    expect(quotaWarnings(spec([{ path: '/', methods: ['GET'] }, ...routes]))).toEqual([]);
    expect(
      quotaWarnings(spec([{ path: '/', methods: ['GET'] }, ...routes, { path: '/x', methods: ['GET'] }])),
    ).toHaveLength(1);
  });

  it('does not apply to an HTTP API', () => {
    const routes = range(400).map((i) => ({ path: `/r${i}`, methods: ['GET'] }));
    expect(quotaWarnings(spec(routes, { api: 'http' }))).toEqual([]);
  });
});

describe('the size of the OpenAPI definition', () => {
  // Every path's preflight template lists the origins, so the document grows with paths times origins.
  const origins = range(120).map((i) => `https://*.team-${i}.example.com`);
  const routes = range(1000).map((i) => ({ path: `/items${i}/{id}`, methods: ['GET', 'PUT'] }));
  const cors = (allowOrigins: string[]) => ({ allowOrigins, allowMethods: ['GET', 'PUT'] });

  it('is refused above 6 MB, at the origin list that makes it so, saying what to do', () => {
    expect(issues(spec(routes, { cors: cors(origins) })).errors).toEqual([
      expect.objectContaining({
        code: 'rest-definition-too-large',
        path: 'cors.allowOrigins',
        message: expect.stringMatching(
          /^with these 120 origins, the REST API's OpenAPI definition \(2000 paths, .*\) would be about \d+\.\d MB; API Gateway accepts at most 6\.0 MB$/,
        ),
        fix: expect.stringContaining('fewer routes'),
      }),
    ]);
  });

  it('is checked for each stage, whose origins the document is rendered with', () => {
    const { errors } = issues(
      spec(routes, { cors: cors(['https://app.example.com']), stages: { qa: { allowOrigins: origins } } }),
    );
    expect(errors.map((e) => [e.code, e.path])).toEqual([['rest-definition-too-large', 'stages.qa.allowOrigins']]);
  });

  it('passes the same 2000 paths with one origin, and 120 origins on 150 paths', () => {
    expect(issues(spec(routes, { cors: cors(['https://app.example.com']) })).errors).toEqual([]);
    expect(issues(spec(routes.slice(0, 75), { cors: cors(origins) })).errors).toEqual([]);
  });
});

describe('the size estimate of the OpenAPI document', () => {
  it('is never below the document Terraform renders, and at most 25% above it from 10 routes on', () => {
    const originLists = [
      ['https://app.example.com'],
      ['https://*.example.com', 'https://admin.example.io'],
      range(100).map((i) => `https://app${i}.example.com`),
    ];
    // With authorizers (every scheme, API keys, a route left open) and without.
    const AUTH = {
      authorizers: {
        users: {
          type: 'cognito',
          userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
        },
        partner: {
          type: 'lambda',
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:partner-auth',
          kind: 'request',
          identitySource: ['Authorization', 'X-Tenant'],
        },
      },
      auth: 'users',
      apiKeyRequired: true,
    };
    for (const auth of [undefined, AUTH])
      for (const n of [1, 10, 100, 300])
        for (const origins of originLists) {
          const routes: Routes = [];
          for (let i = 0; routes.length < n; i++) {
            routes.push({ path: `/s${i}`, methods: ['GET', 'POST'] });
            if (routes.length < n) routes.push({ path: `/s${i}/{id}/items`, methods: ['GET', 'PUT', 'DELETE'] });
          }
          if (auth) routes[routes.length - 1] = { ...routes[routes.length - 1]!, auth: 'partner' };
          const data = spec(routes, {
            ...auth,
            cors: {
              allowOrigins: origins,
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
              allowHeaders: ['Content-Type', 'Authorization'],
              exposeHeaders: ['X-Request-Id'],
              allowCredentials: true,
            },
          });
          const actual = jsonencodedBytes(renderedDocument(modelOf(data)));
          const estimate = restDocumentBytes(data as Parameters<typeof restDocumentBytes>[0], origins);
          const at = `${n} routes, ${origins.length} origins${auth ? ', authorizers' : ''}: estimate ${estimate}, rendered ${actual}`;
          expect(estimate, at).toBeGreaterThanOrEqual(actual);
          if (n >= 10) expect(estimate, at).toBeLessThanOrEqual(actual * 1.25);
        }
  });
});
