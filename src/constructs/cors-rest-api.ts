import { Construct } from 'constructs';
import { Fn, TerraformElement, TerraformLocal, TerraformOutput } from 'cdktf';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment/index.js';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api/index.js';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import type { PathSegment, RouteMethod } from '../spec/model.js';
import {
  API_KEY_SCHEME,
  authorizerPermissions,
  restSecuritySchemes,
  usedAuthorizers,
  type MethodAuth,
  type ResolvedAuthorizer,
} from './authorizers.js';
import { preflightTemplate, VTL_DNS_LABEL } from './preflight-template.js';
import {
  isLegacyAddress,
  legacyAddresses,
  mergeRestOpenApi,
  restOpenApi,
  restPaths,
  type UserOpenApi,
} from './rest-openapi.js';
import { staticValue, templateLiterals } from './terraform-literal.js';

export interface CorsRestApiRoute {
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly methods: readonly RouteMethod[];
  /**
   * What guards the route's methods: `none`, `iam` (AWS_IAM) or the name of one of `authorizers`, and whether
   * they require an API key. The preflight is never guarded. @default open
   */
  readonly auth?: MethodAuth | undefined;
}

export interface CorsRestApiCors {
  /**
   * Allowed origins: exact, `*` alone, or one-label wildcards. May be a Terraform list expression
   * (e.g. `"${local.allowed_origins}"`); it is resolved at apply time.
   */
  readonly allowOrigins: string | readonly string[];
  /** https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Methods */
  readonly allowMethods: readonly string[];
  /** https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Headers */
  readonly allowHeaders: readonly string[];
  /** https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Expose-Headers */
  readonly exposeHeaders: readonly string[];
  /** https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials */
  readonly allowCredentials: boolean;
  /** Seconds. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age */
  readonly maxAge: number;
}

export interface CorsRestApiProps {
  /** The REST API's name. */
  readonly name: string;
  /** The stage the deployment is published to (may be a Terraform expression). */
  readonly stageName: string;
  readonly routes: readonly CorsRestApiRoute[];
  readonly cors: CorsRestApiCors;
  /** The Lambda every route proxies to; it owns the CORS headers of actual responses. */
  readonly handler: LambdaFunction;
  readonly tags?: Record<string, string> | undefined;
  /**
   * Addresses of per-resource objects (`aws_api_gateway_method.orders_get`, ...) that an older generated module
   * declared, e.g. read from the module this one replaces. Each gets a `removed` block, beside those derived from
   * the current routes, so a state written by an older module upgrades in one apply. Anything that is not an
   * address of those types is ignored. @default []
   */
  readonly retiredAddresses?: readonly string[];
  /** Prefix of the Terraform addresses, for more than one CorsRestApi in a stack. @default "" */
  readonly idPrefix?: string;
  /** The authorizers routes may name (see AuthorizerInputs). @default [] */
  readonly authorizers?: readonly ResolvedAuthorizer[];
  /**
   * The user's own OpenAPI document (spec `openapi:`), which the body is built on instead of a document of the
   * routes alone; `routes` are then its paths and methods. @default none
   */
  readonly openapi?: UserOpenApi | undefined;
}

type ResponseHeader =
  | 'Access-Control-Allow-Origin'
  | 'Access-Control-Allow-Methods'
  | 'Access-Control-Allow-Headers'
  | 'Access-Control-Allow-Credentials'
  | 'Access-Control-Max-Age'
  | 'Access-Control-Expose-Headers'
  | 'Vary';

/**
 * A REST API (API Gateway v1) defined by one OpenAPI document in its `body`: every path answers the CORS
 * preflight itself (OPTIONS with a MOCK integration, so an unknown origin never reaches the Lambda), the real
 * methods proxy to a Lambda that adds CORS headers to every answer, API Gateway's own 4XX/5XX answers carry CORS
 * headers (gateway responses), and the deployment is replaced whenever the document changes.
 *
 * One document instead of a resource per method: PutRestApi in overwrite mode replaces the whole definition in one
 * call, so adding, removing or renaming a route reaches the stage in the same apply, and a removed method never
 * outlives its route in a deployment (hashicorp/terraform-provider-aws#11344).
 * Sources: https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_rest_api.
 */
export class CorsRestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly deployment: ApiGatewayDeployment;
  /** The OpenAPI document the body is encoded from (`local.openapi`). */
  readonly openapi: TerraformLocal;
  private readonly p: string;

  constructor(scope: Construct, id: string, props: CorsRestApiProps) {
    super(scope, id);
    this.p = props.idPrefix ?? '';
    const p = this.p;

    const origins = this.originLocals(props.cors.allowOrigins);
    const paths = restPaths(props.routes);
    const preflight = this.staticHeaders(props.cors, true, origins);
    const used = new Set(props.routes.flatMap((r) => (r.auth ? [r.auth.auth] : [])));
    if (props.routes.some((r) => r.auth?.apiKeyRequired)) used.add(API_KEY_SCHEME);
    const authorizers = usedAuthorizers(used, props.authorizers, ['none', 'iam', API_KEY_SCHEME]);
    for (const a of authorizers)
      if (a.type === 'jwt') throw new Error(`REST APIs have no JWT authorizers ("${a.name}"); use cognito or lambda`);
    const input = {
      title: props.name,
      paths,
      preflightHeaders: prefixed('method.response.header.', preflight),
      preflightTemplate: preflightTemplate(origins.exact, origins.patterns),
      gatewayHeaders: prefixed('gatewayresponse.header.', this.gatewayHeaders(props.cors, origins)),
      invokeArn: props.handler.invokeArn,
      securitySchemes: restSecuritySchemes(authorizers, used),
    };
    this.openapi = new TerraformLocal(
      this,
      'openapi',
      props.openapi ? mergeRestOpenApi(props.openapi, input) : restOpenApi(input),
    );
    this.openapi.overrideLogicalId(`${p}openapi`);

    this.api = new ApiGatewayRestApi(this, 'api', {
      name: props.name,
      body: `\${jsonencode(local.${p}openapi)}`,
      // Overwrite, not merge: a route removed from the document is removed from the API.
      putRestApiMode: 'overwrite',
      tags: props.tags,
    });
    this.api.overrideLogicalId(`${p}api`);

    // A deployment is a snapshot of the API when it is created: hashing the body (which holds the origin list,
    // the headers and every route) replaces it whenever the definition changes, and the reference orders it after
    // the body's update. create_before_destroy avoids "Active stages pointing to this deployment must be moved or
    // deleted". https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_deployment
    // Not at the address of the per-resource modules' deployment, which is forgotten (see legacyDeploymentAddress).
    this.deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.api.id,
      triggers: { redeployment: Fn.sha1(this.api.body) },
      lifecycle: { createBeforeDestroy: true },
    });
    this.deployment.overrideLogicalId(`${p}openapi`);

    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.api.id,
      stageName: props.stageName,
      deploymentId: this.deployment.id,
      tags: props.tags,
    });
    this.stage.overrideLogicalId(`${p}api`);

    // Scoped to this API (any stage, method and path of it), never to every API in the account.
    const permission = new LambdaPermission(this, 'permission', {
      statementId: 'AllowInvokeFromThisRestApi',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/*/*`,
    });
    permission.overrideLogicalId(`${p}api`);
    authorizerPermissions(this, authorizers, this.api.executionArn, props.name, p);

    const document = new TerraformOutput(this, 'openapi-document', {
      value: this.api.body,
      description: `The ${props.openapi?.version === '2.0' ? 'Swagger 2.0' : 'OpenAPI 3.0'} document (JSON, with API Gateway extensions) that defines the REST API. Lint it or show it in API docs: terraform output -raw openapi_document > openapi.json`,
    });
    document.overrideLogicalId(`${p}openapi_document`);

    new RemovedBlocks(
      this,
      'removed',
      [...new Set([...legacyAddresses(paths, p), ...(props.retiredAddresses ?? []).filter(isLegacyAddress)])].sort(),
    );
  }

  /**
   * The allowlist split the way the preflight template needs it, computed by Terraform because the list is a
   * variable: exact origins for `.contains()`, wildcard entries as Java regexes (`.` as `[.]`, `*` as one DNS
   * label; the variable's validation admits no other regex metacharacter).
   */
  private originLocals(allowOrigins: string | readonly string[]) {
    const p = this.p;
    const local = (name: string, expression: unknown) => {
      const l = new TerraformLocal(this, name, expression);
      l.overrideLogicalId(`${p}${name}`);
      return `local.${p}${name}`;
    };
    const all = local('cors_origins', typeof allowOrigins === 'string' ? allowOrigins : templateLiterals(allowOrigins));
    return {
      all,
      any: local('cors_any_origin', `\${contains(${all}, "*")}`),
      exact: local('cors_exact_origins', `\${[for o in ${all} : o if !strcontains(o, "*")]}`),
      patterns: local(
        'cors_origin_patterns',
        `\${[for o in ${all} : replace(replace(o, ".", "[.]"), "*", "${VTL_DNS_LABEL}") if strcontains(o, "*") && o != "*"]}`,
      ),
    };
  }

  /** The static headers every CORS answer of this API carries, keyed by header name. */
  private staticHeaders(
    cors: CorsRestApiCors,
    forPreflight: boolean,
    origins: { any: string; exact: string; all: string },
  ) {
    const headers: Partial<Record<ResponseHeader, string>> = {
      'Access-Control-Allow-Origin': `'\${${origins.any} ? "*" : try(${origins.exact}[0], ${origins.all}[0])}'`,
      // Always sent: the answer depends on the request's Origin unless the list is "*", and a superfluous
      // Vary costs nothing. https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
      Vary: "'Origin'",
    };
    if (cors.allowCredentials) headers['Access-Control-Allow-Credentials'] = "'true'";
    if (forPreflight) {
      headers['Access-Control-Allow-Methods'] = staticValue(cors.allowMethods.join(','));
      if (cors.allowHeaders.length > 0)
        headers['Access-Control-Allow-Headers'] = staticValue(cors.allowHeaders.join(','));
      headers['Access-Control-Max-Age'] = `'${cors.maxAge}'`;
    } else if (cors.exposeHeaders.length > 0) {
      headers['Access-Control-Expose-Headers'] = staticValue(cors.exposeHeaders.join(','));
    }
    return headers;
  }

  /**
   * API Gateway's own errors (403 Missing Authentication Token for an unknown path, 429, 502 from a malformed
   * Lambda answer, ...) fall back to DEFAULT_4XX/DEFAULT_5XX; without CORS headers there the browser hides them
   * behind a CORS error. No status_code: setting one would change the status of every 4XX/5XX.
   * Gateway responses cannot run VTL, so Allow-Origin is: "*"; the one origin; with several origins and no
   * credentials the request's own Origin (the error carries nothing worth protecting and no cookies are
   * accepted); with several origins and credentials the first origin only (echoing arbitrary origins together
   * with credentials would be unsafe). https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
   */
  private gatewayHeaders(
    cors: CorsRestApiCors,
    origins: { any: string; exact: string; patterns: string; all: string },
  ) {
    const headers = this.staticHeaders(cors, false, origins);
    const echo = cors.allowCredentials
      ? `'\${try(${origins.exact}[0], ${origins.all}[0])}'`
      : 'method.request.header.origin';
    headers['Access-Control-Allow-Origin'] =
      `\${${origins.any} ? "'*'" : length(${origins.exact}) == 1 && length(${origins.patterns}) == 0 ? "'\${${origins.exact}[0]}'" : "${echo.replace(/"/g, '\\"')}"}`;
    return headers;
  }
}

/** Header name -> value as API Gateway's `<prefix><name>` mapping keys. */
function prefixed(prefix: string, headers: Partial<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([h, v]) => [`${prefix}${h}`, v!]));
}

/**
 * `removed` blocks (Terraform >= 1.7) that make Terraform forget objects without destroying them: the body now owns
 * the API definition, and PutRestApi in overwrite mode deletes them from the API itself.
 * https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources
 */
class RemovedBlocks extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly addresses: readonly string[],
  ) {
    super(scope, id);
  }

  override toTerraform(): Record<string, unknown> {
    if (this.addresses.length === 0) return {};
    return { removed: this.addresses.map((from) => ({ from, lifecycle: { destroy: false } })) };
  }
}
