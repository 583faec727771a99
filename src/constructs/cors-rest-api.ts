import { Construct } from 'constructs';
import { TerraformLocal, type TerraformResource } from 'cdktf';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment/index.js';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response/index.js';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration/index.js';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response/index.js';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method/index.js';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response/index.js';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource/index.js';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api/index.js';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import type { PathSegment, RouteMethod } from '../spec/model.js';
import { uniqueSlugs } from './logical-ids.js';
import { preflightTemplate, VTL_DNS_LABEL } from './preflight-template.js';
import { staticValue, templateLiteral, templateLiterals } from './terraform-literal.js';

export interface CorsRestApiRoute {
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly methods: readonly RouteMethod[];
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
   * A value that changes whenever the CORS configuration known at synthesis changes; hashed into the
   * deployment trigger beside the resources themselves. @default ""
   */
  readonly configHash?: string;
  /** Prefix of the Terraform addresses, for more than one CorsRestApi in a stack. @default "" */
  readonly idPrefix?: string;
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
 * A REST API (API Gateway v1) whose every resource answers the CORS preflight itself (an OPTIONS method with a
 * MOCK integration, so an unknown origin never reaches the Lambda), whose real methods proxy to a Lambda that
 * adds CORS headers to every answer, whose own 4XX/5XX answers carry CORS headers (gateway responses), and whose
 * deployment is replaced whenever any of that changes.
 * Sources: https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html.
 */
export class CorsRestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly deployment: ApiGatewayDeployment;
  /** Every method, integration, response and gateway response: what the deployment trigger hashes. */
  readonly deployed: TerraformResource[] = [];
  private readonly p: string;

  constructor(scope: Construct, id: string, props: CorsRestApiProps) {
    super(scope, id);
    this.p = props.idPrefix ?? '';
    const p = this.p;
    this.api = new ApiGatewayRestApi(this, 'api', { name: props.name, tags: props.tags });
    this.api.overrideLogicalId(`${p}api`);

    const origins = this.originLocals(props.cors.allowOrigins);
    const resources = this.resources(props.routes);
    for (const r of resources) {
      this.preflight(r.slug, r.resourceId, props.cors, origins);
      for (const method of r.methods) this.proxyMethod(r.slug, r.resourceId, method, props.handler);
    }
    this.gatewayResponses(props.cors, origins);

    // Hash whole resources, not ids: an in-place change (a header mapping, the VTL list) keeps every id but
    // must still produce a new deployment, or the stage keeps serving the old snapshot. create_before_destroy
    // avoids "Active stages pointing to this deployment must be moved or deleted".
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_deployment
    const hashed = [
      ...this.deployed.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`),
      origins.all,
      JSON.stringify(props.configHash ?? ''),
    ];
    this.deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.api.id,
      triggers: { redeployment: `\${sha1(jsonencode([${hashed.join(', ')}]))}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.deployment.overrideLogicalId(`${p}api`);

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

  /** One resource per path segment, parents first; the root is the API's own root resource. */
  private resources(routes: readonly CorsRestApiRoute[]) {
    const nodes = new Map<string, { segments: PathSegment[]; methods: RouteMethod[] }>();
    const keyOf = (segments: readonly PathSegment[]) =>
      '/' +
      segments
        .map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : `{${s.name}+}`))
        .join('/');
    for (const route of routes) {
      for (let i = 1; i <= route.segments.length; i++) {
        const key = keyOf(route.segments.slice(0, i));
        if (!nodes.has(key)) nodes.set(key, { segments: route.segments.slice(0, i), methods: [] });
      }
      if (route.segments.length === 0 && !nodes.has('/')) nodes.set('/', { segments: [], methods: [] });
      nodes.get(keyOf(route.segments))!.methods.push(...route.methods);
    }
    const slugs = uniqueSlugs([...nodes].map(([key, n]) => ({ key, segments: n.segments })));
    const ids = new Map<string, string>([['/', this.api.rootResourceId]]);
    const out: Array<{ slug: string; resourceId: string; methods: RouteMethod[] }> = [];
    for (const [key, node] of nodes) {
      const slug = slugs.get(key)!;
      if (node.segments.length > 0) {
        const last = node.segments[node.segments.length - 1]!;
        const resource = new ApiGatewayResource(this, `resource-${slug}`, {
          restApiId: this.api.id,
          parentId: ids.get(keyOf(node.segments.slice(0, -1)))!,
          pathPart:
            last.kind === 'literal'
              ? templateLiteral(last.value)
              : last.kind === 'param'
                ? `{${last.name}}`
                : `{${last.name}+}`,
        });
        resource.overrideLogicalId(`${this.p}${slug}`);
        this.deployed.push(resource);
        ids.set(key, resource.id);
      }
      out.push({ slug, resourceId: ids.get(key)!, methods: node.methods });
    }
    return out;
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
   * OPTIONS with a MOCK integration: the request template yields 200, the default integration response maps
   * it to 204 with the static headers, and the VTL response template overrides Allow-Origin with the request's
   * origin when it is allowed. No authorization and no API key: browsers never send credentials on a preflight.
   */
  private preflight(
    slug: string,
    resourceId: string,
    cors: CorsRestApiCors,
    origins: { any: string; exact: string; patterns: string; all: string },
  ) {
    const p = this.p;
    const method = new ApiGatewayMethod(this, `${slug}-options`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod: 'OPTIONS',
      authorization: 'NONE',
      apiKeyRequired: false,
    });
    method.overrideLogicalId(`${p}${slug}_options`);

    const headers = this.staticHeaders(cors, true, origins);
    const methodResponse = new ApiGatewayMethodResponse(this, `${slug}-options-204`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: '204',
      responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [`method.response.header.${h}`, true])),
    });
    methodResponse.overrideLogicalId(`${p}${slug}_options`);

    const integration = new ApiGatewayIntegration(this, `${slug}-options-mock`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      type: 'MOCK',
      // A preflight has no body and no Content-Type, so API Gateway picks the application/json template.
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      contentHandling: 'CONVERT_TO_TEXT',
    });
    integration.overrideLogicalId(`${p}${slug}_options`);

    const integrationResponse = new ApiGatewayIntegrationResponse(this, `${slug}-options-response`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: methodResponse.statusCode,
      responseParameters: Object.fromEntries(
        Object.entries(headers).map(([h, v]) => [`method.response.header.${h}`, v]),
      ),
      responseTemplates: { 'application/json': preflightTemplate(origins.exact, origins.patterns) },
      dependsOn: [integration],
    });
    integrationResponse.overrideLogicalId(`${p}${slug}_options`);
    this.deployed.push(method, methodResponse, integration, integrationResponse);
  }

  /** A real method: Lambda proxy (payload v1). Lambda is only ever invoked with POST, whatever the method. */
  private proxyMethod(slug: string, resourceId: string, httpMethod: RouteMethod, handler: LambdaFunction) {
    const p = this.p;
    const name = `${slug}_${httpMethod.toLowerCase()}`;
    const method = new ApiGatewayMethod(this, `${slug}-${httpMethod}`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod,
      authorization: 'NONE',
    });
    method.overrideLogicalId(`${p}${name}`);
    const integration = new ApiGatewayIntegration(this, `${slug}-${httpMethod}-lambda`, {
      restApiId: this.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: handler.invokeArn,
    });
    integration.overrideLogicalId(`${p}${name}`);
    this.deployed.push(method, integration);
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
  private gatewayResponses(
    cors: CorsRestApiCors,
    origins: { any: string; exact: string; patterns: string; all: string },
  ) {
    const headers = this.staticHeaders(cors, false, origins);
    const echo = cors.allowCredentials
      ? `'\${try(${origins.exact}[0], ${origins.all}[0])}'`
      : 'method.request.header.origin';
    headers['Access-Control-Allow-Origin'] =
      `\${${origins.any} ? "'*'" : length(${origins.exact}) == 1 && length(${origins.patterns}) == 0 ? "'\${${origins.exact}[0]}'" : "${echo.replace(/"/g, '\\"')}"}`;
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX'] as const) {
      const response = new ApiGatewayGatewayResponse(this, type, {
        restApiId: this.api.id,
        responseType: type,
        responseParameters: Object.fromEntries(
          Object.entries(headers).map(([h, v]) => [`gatewayresponse.header.${h}`, v]),
        ),
        responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
      });
      response.overrideLogicalId(`${this.p}${type.toLowerCase()}`);
      this.deployed.push(response);
    }
  }
}
