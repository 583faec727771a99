import type {
  AuthModel,
  AuthorizerModel,
  DomainModel,
  CorsMethod,
  CorsModel,
  RouteMethod,
  StageAuthorizerValues,
} from './model.js';
import { DEFAULTS, ROUTE_METHODS } from './model.js';
import { parseRoutePath, usesAuth } from './rules.js';
import type { Spec } from './schema.js';

/**
 * Fills every default and puts lists in a canonical order. Only called on a spec that passed the schema and the
 * rules, so every path parses and every origin is valid.
 */
export function normalize(spec: Spec): CorsModel {
  const api = spec.api ?? DEFAULTS.api;
  const routes = (spec.routes ?? []).map((r) => {
    const parsed = parseRoutePath(r.path);
    if ('reason' in parsed) throw new Error(`normalize() called on an invalid route ${r.path}`);
    return { path: r.path, segments: parsed.segments, methods: orderMethods(r.methods) };
  });
  const routeMethods = orderMethods(routes.flatMap((r) => r.methods));
  const allowMethods: readonly CorsMethod[] = spec.cors.allowMethods
    ? orderMethods(spec.cors.allowMethods)
    : routeMethods.length > 0
      ? routeMethods
      : ROUTE_METHODS;
  return deepFreeze({
    version: 1,
    name: spec.name,
    api,
    stage: api === 'rest' ? (spec.stage ?? DEFAULTS.stage) : '$default',
    cors: {
      allowOrigins: unique(spec.cors.allowOrigins),
      allowMethods,
      allowHeaders: uniqueCaseless(spec.cors.allowHeaders ?? DEFAULTS.allowHeaders),
      exposeHeaders: uniqueCaseless(spec.cors.exposeHeaders ?? DEFAULTS.exposeHeaders),
      allowCredentials: spec.cors.allowCredentials ?? DEFAULTS.allowCredentials,
      maxAge: spec.cors.maxAge ?? DEFAULTS.maxAge,
      enforceOrigin: spec.cors.enforceOrigin ?? DEFAULTS.enforceOrigin,
    },
    routes,
    frontend: {
      enabled: spec.frontend?.enabled ?? (spec.frontend?.cdn === true || DEFAULTS.frontend.enabled),
      indexDocument: spec.frontend?.indexDocument ?? DEFAULTS.frontend.indexDocument,
      ...(spec.frontend?.cdn === true
        ? {
            cdn: {
              aliases: [...new Set(spec.frontend.aliases ?? [])],
              ...(spec.frontend.certificateArn !== undefined ? { certificateArn: spec.frontend.certificateArn } : {}),
              spa: spec.frontend.spa ?? false,
            },
          }
        : {}),
    },
    lambda: {
      runtime: spec.lambda?.runtime ?? DEFAULTS.lambda.runtime,
      memorySize: spec.lambda?.memorySize ?? DEFAULTS.lambda.memorySize,
      timeout: spec.lambda?.timeout ?? DEFAULTS.lambda.timeout,
      environment: Object.fromEntries(
        Object.entries(spec.lambda?.environment ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      policyArns: unique(spec.lambda?.policyArns ?? []),
      policyJson: spec.lambda?.policy ? JSON.stringify(spec.lambda.policy) : null,
      layers: [...(spec.lambda?.layers ?? [])],
      vpc: {
        subnetIds: unique(spec.lambda?.vpc?.subnetIds ?? []),
        securityGroupIds: unique(spec.lambda?.vpc?.securityGroupIds ?? []),
      },
      ...(spec.lambda?.source !== undefined && spec.lambda.handler !== undefined
        ? { source: { dir: spec.lambda.source, handler: spec.lambda.handler } }
        : {}),
    },
    stages: Object.keys(spec.stages ?? {})
      .sort()
      .map((name) => {
        const stage = spec.stages![name]!;
        return {
          name,
          allowOrigins: unique(stage.allowOrigins),
          ...(stage.authorizers ? { authorizers: stageAuthorizerValues(stage.authorizers) } : {}),
          ...(stage.domain ? { domain: domainModel(stage.domain) } : {}),
        };
      }),
    ...(spec.domain ? { domain: domainModel(spec.domain) } : {}),
    ...authModel(spec),
  });
}

function domainModel(d: NonNullable<Spec['domain']>): DomainModel {
  return { name: d.name, certificateArn: d.certificateArn, zoneId: d.zoneId ?? null };
}

/** `auth` only when the spec sets one of its keys, so a spec without authorizers normalizes as before. */
function authModel(spec: Spec): { auth?: AuthModel } {
  const routes = spec.routes ?? [];
  if (!usesAuth(spec)) return {};
  const def = spec.auth ?? DEFAULTS.auth;
  const authorizers = Object.keys(spec.authorizers ?? {})
    .sort()
    .map((name): AuthorizerModel => {
      const a = spec.authorizers![name]!;
      if (a.type === 'lambda')
        return {
          name,
          type: 'lambda',
          functionArn: a.functionArn,
          kind: a.kind ?? DEFAULTS.authorizer.kind,
          identitySource: uniqueCaseless(a.identitySource ?? DEFAULTS.authorizer.identitySource),
          resultTtl: a.resultTtl ?? DEFAULTS.authorizer.resultTtl,
        };
      if (a.type === 'cognito') return { name, type: 'cognito', userPoolArns: unique(a.userPoolArns) };
      return { name, type: 'jwt', issuer: a.issuer, audience: unique(a.audience) };
    });
  return {
    auth: {
      authorizers,
      default: def,
      routes: routes.map((r) => ({
        path: r.path,
        auth: r.auth ?? def,
        apiKeyRequired: r.apiKeyRequired ?? spec.apiKeyRequired ?? DEFAULTS.apiKeyRequired,
      })),
    },
  };
}

const METHOD_ORDER: readonly string[] = [...ROUTE_METHODS, 'OPTIONS', '*'];

function orderMethods<M extends CorsMethod | RouteMethod>(methods: readonly M[]): M[] {
  return unique(methods).sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function uniqueCaseless(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((h) => !seen.has(h.toLowerCase()) && seen.add(h.toLowerCase()));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Sorted by authorizer name, each value's keys in a fixed order, so the tfvars are the same on every run. */
function stageAuthorizerValues(
  values: Readonly<Record<string, StageAuthorizerValues>>,
): Record<string, StageAuthorizerValues> {
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((name) => {
        const v = values[name]!;
        return [
          name,
          {
            ...(v.userPoolArns ? { userPoolArns: unique(v.userPoolArns) } : {}),
            ...(v.functionArn !== undefined ? { functionArn: v.functionArn } : {}),
            ...(v.issuer !== undefined ? { issuer: v.issuer } : {}),
            ...(v.audience ? { audience: unique(v.audience) } : {}),
          },
        ];
      }),
  );
}
