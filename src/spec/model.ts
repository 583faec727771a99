/**
 * The validated, fully defaulted CORS model: what every later stage (constructs, templates, preview) consumes.
 * Nothing in it is optional that has a default, and nothing in it is mutable.
 */

export const API_KINDS = ['rest', 'http', 'function-url'] as const;
export type ApiKind = (typeof API_KINDS)[number];

/** Methods a route can serve. OPTIONS is not among them: cors-gen owns OPTIONS (the preflight). */
export const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** Values `Access-Control-Allow-Methods` may list. `*` only for the HTTP API and Function URL targets. */
export const CORS_METHODS = [...ROUTE_METHODS, 'OPTIONS', '*'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

export const RUNTIMES = ['nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** One path segment of a route, as API Gateway resources are made of them. */
export type PathSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  /** `{name+}`: matches the rest of the path; only ever the last segment. */
  | { readonly kind: 'greedy'; readonly name: string };

export interface RouteModel {
  /** As written in the spec, e.g. `/users/{id}`. `/` is the API's root. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** Sorted in the order of ROUTE_METHODS. */
  readonly methods: readonly RouteMethod[];
}

export interface CorsSettings {
  /** Exact origins, `*` alone, or patterns the target supports; in spec order, without duplicates. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly CorsMethod[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  /** Seconds. 0 is kept: it disables the preflight cache. */
  readonly maxAge: number;
  /** The Lambda answers 403 to a request whose `Origin` is present and not allowed. */
  readonly enforceOrigin: boolean;
}

export interface FrontendModel {
  readonly enabled: boolean;
  readonly indexDocument: string;
  /** CloudFront with origin access control in front of a private bucket, instead of the S3 website. */
  readonly cdn?: FrontendCdnModel;
}

export interface FrontendCdnModel {
  /** Host names (CNAMEs) of the distribution: the default of `site_aliases`. */
  readonly aliases: readonly string[];
  /** ACM certificate ARN (us-east-1): the default of `site_certificate_arn`. */
  readonly certificateArn?: string;
  /** 403/404 answered with the index document and 200 (a single-page app's deep links). */
  readonly spa: boolean;
}

export interface LambdaModel {
  readonly runtime: Runtime;
  readonly memorySize: number;
  readonly timeout: number;
  /** `lambda.environment`, sorted by name: the default of `environment_variables`. */
  readonly environment: Readonly<Record<string, string>>;
  /** Without duplicates, in spec order: the default of `policy_arns`. */
  readonly policyArns: readonly string[];
  /** `lambda.policy` as JSON text, the default of `policy_json`; null without one. */
  readonly policyJson: string | null;
  /** In spec order: the default of `layers`. */
  readonly layers: readonly string[];
  /** The defaults of `vpc_subnet_ids` and `vpc_security_group_ids`: both empty without `lambda.vpc`. */
  readonly vpc: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /** The user's own code (`lambda.source` + `lambda.handler`); absent: the module's generated stub in `lambda/`. */
  readonly source?: LambdaSourceModel;
}

export interface LambdaSourceModel {
  /** The folder as the spec writes it, relative to the spec's folder ("/"-separated). */
  readonly dir: string;
  /** `<file>.<export>` relative to the folder, as Lambda writes it. */
  readonly handler: string;
}

/** A custom domain of the API: the defaults of `domain_name`, `domain_certificate_arn` and `domain_zone_id`. */
export interface DomainModel {
  readonly name: string;
  readonly certificateArn: string;
  /** A Route 53 hosted zone for the alias records; null: the caller points DNS at the domain itself. */
  readonly zoneId: string | null;
}

export interface StageModel {
  readonly name: string;
  readonly allowOrigins: readonly string[];
  /** This stage's own custom domain (`stages.<name>.domain`); absent: the top-level one, if any. */
  readonly domain?: DomainModel;
  /** This stage's values for authorizers, by authorizer name; absent when the stage sets none. */
  readonly authorizers?: Readonly<Record<string, StageAuthorizerValues>>;
}

/** The values a stage may set for one authorizer (each one a module input). */
export interface StageAuthorizerValues {
  readonly userPoolArns?: readonly string[];
  readonly functionArn?: string;
  readonly issuer?: string;
  readonly audience?: readonly string[];
}

export interface CorsModel {
  readonly version: 1;
  readonly name: string;
  readonly api: ApiKind;
  /** REST stage name. The HTTP API always uses `$default`; Function URLs have no stage. */
  readonly stage: string;
  readonly cors: CorsSettings;
  /** In spec order. */
  readonly routes: readonly RouteModel[];
  readonly frontend: FrontendModel;
  readonly lambda: LambdaModel;
  /** Sorted by name. */
  readonly stages: readonly StageModel[];
  /** The custom domain (`domain`); absent without one (a stage may still set its own). */
  readonly domain?: DomainModel;
  /** Authorizers and API keys; absent when the spec sets none of `authorizers`, `auth` or `apiKeyRequired`. */
  readonly auth?: AuthModel;
  /** The user's OpenAPI document the REST API's body is built on (`openapi:`); absent: built from `routes`. */
  readonly openapi?: OpenApiSourceModel;
}

/**
 * The user's own OpenAPI document (`openapi:`), read when the spec is loaded. `routes` are then its paths and
 * methods; the body is this document with cors-gen's additions.
 */
export interface OpenApiSourceModel {
  /** As the spec writes it, relative to the spec's folder. */
  readonly file: string;
  /** The dialect the document is in, and the body is written in. */
  readonly version: '2.0' | '3.0';
  /** The document as parsed: plain data, in the document's key order. */
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * The operations the spec's auth guards (`get /orders`, as the document writes them): those the document leaves
   * unguarded at the gateway (no security requirement, or only schemes API Gateway does not enforce).
   */
  readonly guardedBySpec: readonly string[];
}

/** What guards a route: `none`, `iam` (AWS_IAM, SigV4-signed requests) or the name of an authorizer. */
export type AuthRef = string;

/** Names `auth` takes besides an authorizer's name. */
export const AUTH_KEYWORDS = ['none', 'iam'] as const;

export type AuthorizerModel =
  | { readonly name: string; readonly type: 'cognito'; readonly userPoolArns: readonly string[] }
  | {
      readonly name: string;
      readonly type: 'lambda';
      readonly functionArn: string;
      /** REST only: `token` reads one header, `request` the identity sources. HTTP APIs always use request. */
      readonly kind: 'token' | 'request';
      /** Header names. */
      readonly identitySource: readonly string[];
      /** Seconds API Gateway caches a result; 0 turns caching off. */
      readonly resultTtl: number;
    }
  | { readonly name: string; readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

export interface RouteAuthModel {
  /** As in `routes`. */
  readonly path: string;
  readonly auth: AuthRef;
  readonly apiKeyRequired: boolean;
}

export interface AuthModel {
  /** Sorted by name. */
  readonly authorizers: readonly AuthorizerModel[];
  /** The top-level `auth`: the default of every route, and the Function URL's auth type. */
  readonly default: AuthRef;
  /** One per route, in route order. */
  readonly routes: readonly RouteAuthModel[];
}

export const DEFAULTS = {
  api: 'rest',
  stage: 'prod',
  allowHeaders: ['Content-Type', 'Authorization'],
  exposeHeaders: [] as string[],
  allowCredentials: false,
  maxAge: 600,
  enforceOrigin: false,
  frontend: { enabled: false, indexDocument: 'index.html' },
  lambda: { runtime: 'nodejs22.x', memorySize: 256, timeout: 10 },
  auth: 'none',
  apiKeyRequired: false,
  authorizer: { kind: 'token', identitySource: ['Authorization'], resultTtl: 300 },
} as const;

export function isPythonRuntime(runtime: Runtime): boolean {
  return runtime.startsWith('python');
}

/** How a route is guarded, for a model with or without `auth`. */
export function routeAuth(model: Pick<CorsModel, 'auth'>, path: string): RouteAuthModel {
  return (
    model.auth?.routes.find((r) => r.path === path) ?? {
      path,
      auth: model.auth?.default ?? DEFAULTS.auth,
      apiKeyRequired: false,
    }
  );
}

/** The module input holding one value of an authorizer, `authorizer_<name>_<field>`, as stage tfvars set it. */
export function authorizerInput(name: string, field: keyof StageAuthorizerValues): string {
  const suffix = {
    userPoolArns: 'user_pool_arns',
    functionArn: 'function_arn',
    issuer: 'issuer',
    audience: 'audience',
  };
  return `authorizer_${name}_${suffix[field]}`;
}
