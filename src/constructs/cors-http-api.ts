import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api/index.js';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer/index.js';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration/index.js';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route/index.js';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { authorizerPermissions, usedAuthorizers, type ResolvedAuthorizer } from './authorizers.js';
import { serviceCors } from './service-cors.js';
import type { CorsRestApiCors, CorsRestApiRoute } from './cors-rest-api.js';
import { uniqueSlugs } from './logical-ids.js';
import { templateLiteral } from './terraform-literal.js';

export interface CorsHttpApiProps {
  readonly name: string;
  readonly routes: readonly CorsRestApiRoute[];
  /** `allowOrigins` may be a Terraform list expression such as `"${local.allowed_origins}"`. */
  readonly cors: CorsRestApiCors;
  /** The Lambda every route proxies to. It must not add CORS headers: the service owns them. */
  readonly handler: LambdaFunction;
  readonly tags?: Record<string, string> | undefined;
  /** Prefix of the Terraform addresses. @default "" */
  readonly idPrefix?: string;
  /** The JWT and Lambda authorizers routes may name in `auth` (see AuthorizerInputs). @default [] */
  readonly authorizers?: readonly ResolvedAuthorizer[];
}

/**
 * An HTTP API (API Gateway v2) whose CORS is the service's own `cors_configuration`: API Gateway answers every
 * preflight itself (no OPTIONS route needed) and adds the configured headers to every response, ignoring any
 * the backend sets. Routes proxy to the Lambda with payload format 2.0 (Terraform's default is 1.0), and the
 * `$default` stage deploys every change automatically (its `auto_deploy` default is false).
 * Sources: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 *
 * Authorizers (JWT; Lambda as REQUEST authorizers with payload 2.0) guard only the routes that name them. The
 * preflight never reaches them: with a CORS configuration "API Gateway automatically sends a response to
 * preflight OPTIONS requests, even if there isn't an OPTIONS route configured" (http-api-cors.html above), and
 * the module declares no OPTIONS, ANY or `$default` route that could capture OPTIONS and its authorizer (the
 * case that page's "$default route and an authorizer" section warns about).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html
 */
export class CorsHttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;

  constructor(scope: Construct, id: string, props: CorsHttpApiProps) {
    super(scope, id);
    const p = props.idPrefix ?? '';
    this.api = new Apigatewayv2Api(this, 'api', {
      name: props.name,
      protocolType: 'HTTP',
      corsConfiguration: serviceCors(props.cors),
      tags: props.tags,
    });
    this.api.overrideLogicalId(`${p}api`);

    const integration = new Apigatewayv2Integration(this, 'lambda', {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: props.handler.invokeArn,
      // Lambda is only ever invoked with POST; 2.0 gives lowercased headers and requestContext.http.
      integrationMethod: 'POST',
      payloadFormatVersion: '2.0',
    });
    integration.overrideLogicalId(`${p}lambda`);

    const used = new Set(props.routes.map((r) => r.auth?.auth ?? 'none'));
    const authorizers = new Map<string, { resource: Apigatewayv2Authorizer; jwt: boolean }>();
    for (const a of usedAuthorizers(used, props.authorizers, ['none', 'iam'])) {
      if (a.type === 'cognito')
        throw new Error(`HTTP APIs validate Cognito tokens with a JWT authorizer ("${a.name}" is cognito)`);
      const authorizer = new Apigatewayv2Authorizer(this, `authorizer-${a.name}`, {
        apiId: this.api.id,
        name: a.name,
        ...(a.type === 'jwt'
          ? {
              authorizerType: 'JWT',
              identitySources: ['$request.header.Authorization'],
              jwtConfiguration: { issuer: a.issuer, audience: Token.asList(a.audience) },
            }
          : {
              authorizerType: 'REQUEST',
              authorizerUri: a.invokeUri,
              authorizerPayloadFormatVersion: '2.0',
              authorizerResultTtlInSeconds: a.resultTtl,
              identitySources: a.identitySource.map((h) => `$request.header.${h}`),
            }),
      });
      authorizer.overrideLogicalId(`${p}${a.name}`);
      authorizers.set(a.name, { resource: authorizer, jwt: a.type === 'jwt' });
    }

    const slugs = uniqueSlugs(props.routes.map((r) => ({ key: r.path, segments: r.segments })));
    for (const route of props.routes) {
      const auth = route.auth?.auth ?? 'none';
      const authorizer = authorizers.get(auth);
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_route#authorization_type
      const guard =
        auth === 'iam'
          ? { authorizationType: 'AWS_IAM' }
          : authorizer
            ? { authorizationType: authorizer.jwt ? 'JWT' : 'CUSTOM', authorizerId: authorizer.resource.id }
            : {};
      for (const method of route.methods) {
        const name = `${slugs.get(route.path)!}_${method.toLowerCase()}`;
        const r = new Apigatewayv2Route(this, `route-${name}`, {
          apiId: this.api.id,
          routeKey: `${method} ${templateLiteral(route.path)}`,
          target: `integrations/${integration.id}`,
          ...guard,
        });
        r.overrideLogicalId(`${p}${name}`);
      }
    }

    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      tags: props.tags,
    });
    this.stage.overrideLogicalId(`${p}default`);

    const permission = new LambdaPermission(this, 'permission', {
      statementId: 'AllowInvokeFromThisHttpApi',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      // `$default/$default` (stage/route) has two segments, which "/*/*" covers: arn:...:execute-api:region:account:
      // api-id/stage/route-key (https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html).
      sourceArn: `${this.api.executionArn}/*/*`,
    });
    permission.overrideLogicalId(`${p}api`);
    authorizerPermissions(
      this,
      (props.authorizers ?? []).filter((a) => authorizers.has(a.name)),
      this.api.executionArn,
      props.name,
      p,
    );
  }
}
