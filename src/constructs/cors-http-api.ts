import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api/index.js';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration/index.js';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route/index.js';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
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
}

/**
 * An HTTP API (API Gateway v2) whose CORS is the service's own `cors_configuration`: API Gateway answers every
 * preflight itself (no OPTIONS route needed) and adds the configured headers to every response, ignoring any
 * the backend sets. Routes proxy to the Lambda with payload format 2.0 (Terraform's default is 1.0), and the
 * `$default` stage deploys every change automatically (its `auto_deploy` default is false).
 * Sources: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
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

    const slugs = uniqueSlugs(props.routes.map((r) => ({ key: r.path, segments: r.segments })));
    for (const route of props.routes) {
      for (const method of route.methods) {
        const name = `${slugs.get(route.path)!}_${method.toLowerCase()}`;
        const r = new Apigatewayv2Route(this, `route-${name}`, {
          apiId: this.api.id,
          routeKey: `${method} ${templateLiteral(route.path)}`,
          target: `integrations/${integration.id}`,
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
  }
}
