import { Construct } from 'constructs';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { serviceCors } from './service-cors.js';
import type { CorsRestApiCors } from './cors-rest-api.js';

export interface CorsFunctionUrlProps {
  /** `allowOrigins` may be a Terraform list expression. At most 6 methods; `maxAge` at most 86400. */
  readonly cors: CorsRestApiCors;
  /** The Lambda behind the URL. It must not add CORS headers: the configured ones win anyway. */
  readonly handler: LambdaFunction;
  /** Prefix of the Terraform addresses. @default "" */
  readonly idPrefix?: string;
  /**
   * `AWS_IAM`: only SigV4-signed requests from principals with lambda:InvokeFunctionUrl reach the function, and
   * the public grants are not created. A Function URL has no other auth type
   * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). @default "NONE"
   */
  readonly authorizationType?: 'NONE' | 'AWS_IAM';
}

/**
 * A public Lambda Function URL with the service's `cors` configuration, which answers preflights and adds the
 * configured headers to every response.
 * Since October 2025 a NONE-auth URL needs two grants: `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction`
 * limited to calls through the URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). The provider
 * adds its own statements too, untracked; ours are tracked in state and use other statement ids, because
 * re-creating the provider's `FunctionURLAllowPublicAccess` conflicts (409). Both depend on the URL: creating it
 * calls AddPermission for that statement (terraform-provider-aws `internal/service/lambda/function_url.go`),
 * while the provider serialises AddPermission per function only among `aws_lambda_permission` resources (a
 * mutex in `internal/service/lambda/permission.go`, working around parallel calls that lose permissions), so in
 * parallel they can fail with ResourceConflictException (409, "concurrent update").
 * CORS settings: https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html and
 * https://docs.aws.amazon.com/lambda/latest/dg/API_Cors.html.
 */
export class CorsFunctionUrl extends Construct {
  readonly url: LambdaFunctionUrl;

  constructor(scope: Construct, id: string, props: CorsFunctionUrlProps) {
    super(scope, id);
    const p = props.idPrefix ?? '';
    const authorizationType = props.authorizationType ?? 'NONE';
    this.url = new LambdaFunctionUrl(this, 'url', {
      functionName: props.handler.functionName,
      authorizationType,
      cors: serviceCors(props.cors),
    });
    this.url.overrideLogicalId(`${p}handler`);
    // With AWS_IAM the caller's own IAM policy grants lambda:InvokeFunctionUrl; a public grant would be wrong.
    if (authorizationType === 'AWS_IAM') return;

    const invokeUrl = new LambdaPermission(this, 'invoke-url', {
      statementId: 'AllowPublicFunctionUrl',
      action: 'lambda:InvokeFunctionUrl',
      functionName: props.handler.functionName,
      principal: '*',
      functionUrlAuthType: 'NONE',
      dependsOn: [this.url],
    });
    invokeUrl.overrideLogicalId(`${p}function_url`);

    const invoke = new LambdaPermission(this, 'invoke-function', {
      statementId: 'AllowPublicFunctionUrlInvoke',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: '*',
      dependsOn: [this.url],
    });
    // `invoked_via_function_url` (provider >= 6.28) is newer than the 21.x bindings (generated for 6.25), hence
    // the override; it limits this grant to invocations through the URL
    // (https://github.com/hashicorp/terraform-provider-aws/pull/44858).
    invoke.addOverride('invoked_via_function_url', true);
    invoke.overrideLogicalId(`${p}function_url_invoke`);
  }
}
