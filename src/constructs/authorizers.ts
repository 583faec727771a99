import { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import { authorizerInput, type AuthorizerModel, type AuthRef } from '../spec/model.js';
import { AUTH_PATTERNS } from '../spec/schema.js';

/**
 * The authorizers of a module as inputs: their ARNs, issuers and audiences differ per account and stage, so each
 * value is a variable whose default comes from the spec (settable in `stages/<stage>.tfvars`), validated with the
 * spec's own patterns. The REST API (in its OpenAPI body) and the HTTP API (aws_apigatewayv2_authorizer) read
 * the resolved values.
 */
export type ResolvedAuthorizer =
  | { readonly name: string; readonly type: 'cognito'; readonly userPoolArns: string }
  | {
      readonly name: string;
      readonly type: 'lambda';
      readonly functionArn: string;
      /** The function's API Gateway invocation URI (see {@link lambdaAuthorizerUri}). */
      readonly invokeUri: string;
      readonly kind: 'token' | 'request';
      readonly identitySource: readonly string[];
      readonly resultTtl: number;
    }
  | { readonly name: string; readonly type: 'jwt'; readonly issuer: string; readonly audience: string };

export interface AuthorizerInputsProps {
  readonly authorizers: readonly AuthorizerModel[];
}

export class AuthorizerInputs extends Construct {
  readonly authorizers: readonly ResolvedAuthorizer[];

  constructor(scope: Construct, id: string, props: AuthorizerInputsProps) {
    super(scope, id);
    const variable = (name: string, type: string, description: string, value: unknown, pattern: string) => {
      const isList = type === 'list(string)';
      const ref = `var.${name}`;
      const v = new TerraformVariable(this, name, {
        type,
        description,
        default: value,
        validation: [
          {
            condition: isList
              ? `\${length(${ref}) > 0 && alltrue([for x in ${ref} : can(regex("${pattern}", x))])}`
              : `\${can(regex("${pattern}", ${ref}))}`,
            errorMessage: `${name} must ${isList ? 'list at least one value, each matching' : 'match'} ${pattern}.`,
          },
        ],
      });
      v.overrideLogicalId(name);
      // The reference as text (not a CDKTF token), so expressions can be built around it.
      return `\${${ref}}`;
    };
    this.authorizers = props.authorizers.map((a): ResolvedAuthorizer => {
      if (a.type === 'cognito')
        return {
          name: a.name,
          type: 'cognito',
          userPoolArns: variable(
            authorizerInput(a.name, 'userPoolArns'),
            'list(string)',
            `ARNs of the Cognito user pools whose tokens the "${a.name}" authorizer accepts.`,
            [...a.userPoolArns],
            AUTH_PATTERNS.userPoolArn,
          ),
        };
      if (a.type === 'jwt')
        return {
          name: a.name,
          type: 'jwt',
          issuer: variable(
            authorizerInput(a.name, 'issuer'),
            'string',
            `The "iss" the "${a.name}" JWT authorizer accepts (an https URL with the issuer's OpenID configuration).`,
            a.issuer,
            AUTH_PATTERNS.issuer,
          ),
          audience: variable(
            authorizerInput(a.name, 'audience'),
            'list(string)',
            `The "aud" (or Cognito "client_id") values the "${a.name}" JWT authorizer accepts.`,
            [...a.audience],
            AUTH_PATTERNS.audience,
          ),
        };
      const functionArn = variable(
        authorizerInput(a.name, 'functionArn'),
        'string',
        `ARN of the Lambda function that is the "${a.name}" authorizer; the module lets this API invoke it.`,
        a.functionArn,
        AUTH_PATTERNS.functionArn,
      );
      return {
        name: a.name,
        type: 'lambda',
        functionArn,
        invokeUri: lambdaAuthorizerUri(functionArn),
        kind: a.kind,
        identitySource: a.identitySource,
        resultTtl: a.resultTtl,
      };
    });
  }
}

/**
 * `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`, with the
 * partition and region of the function's own ARN ("{region} is the same as the region hosting the Lambda
 * function", https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html, authorizerUri). `functionArn`
 * is a literal ARN, or a whole `${...}` expression whose parts Terraform extracts.
 */
export function lambdaAuthorizerUri(functionArn: string): string {
  const literal = /^arn:([^:]+):lambda:([^:]+):/.exec(functionArn);
  if (literal)
    return `arn:${literal[1]}:apigateway:${literal[2]}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
  const expression = /^\$\{(.+)\}$/s.exec(functionArn);
  if (!expression) throw new Error(`${JSON.stringify(functionArn)} is neither a Lambda function ARN nor an expression`);
  const parts = `regex("^arn:([^:]+):lambda:([^:]+):", ${expression[1]})`;
  return `arn:\${${parts}[0]}:apigateway:\${${parts}[1]}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/**
 * Lets this API's authorizers invoke a Lambda authorizer, and nothing else: the source ARN is
 * `<execution_arn>/authorizers/<authorizer id>` for REST and HTTP APIs alike
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html). The statement id
 * carries the module's name prefix, since two deployments may share one authorizer function and a statement id
 * is unique per function.
 */
export function authorizerPermissions(
  scope: Construct,
  authorizers: readonly ResolvedAuthorizer[],
  executionArn: string,
  namePrefix: string,
  idPrefix: string,
): void {
  for (const a of authorizers) {
    if (a.type !== 'lambda') continue;
    const permission = new LambdaPermission(scope, `authorizer-permission-${a.name}`, {
      statementId: `${namePrefix}-auth-${a.name}`,
      action: 'lambda:InvokeFunction',
      functionName: a.functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${executionArn}/authorizers/*`,
    });
    permission.overrideLogicalId(`${idPrefix}authorizer_${a.name}`);
  }
}

/** The OpenAPI security scheme names of AWS_IAM and API keys (authorizer names cannot take them). */
/**
 * The authorizers that `used` (the names the routes give, keywords included) names, in the order of
 * `authorizers`. A name that is neither one of `keywords` nor an authorizer is the caller's error (`validate`
 * refuses such a spec).
 */
export function usedAuthorizers<A extends { readonly name: string }>(
  used: ReadonlySet<string>,
  authorizers: readonly A[] | undefined,
  keywords: readonly string[],
): A[] {
  for (const name of used)
    if (!keywords.includes(name) && !authorizers?.some((a) => a.name === name))
      throw new Error(`a route names the authorizer "${name}", which is not among the authorizers`);
  return (authorizers ?? []).filter((a) => used.has(a.name));
}

export const SIGV4_SCHEME = 'sigv4';
export const API_KEY_SCHEME = 'api_key';

/** The guard of one route's methods. */
export interface MethodAuth {
  readonly auth: AuthRef;
  readonly apiKeyRequired: boolean;
}

/**
 * A REST method's OpenAPI `security`: one requirement naming the authorizer (or `sigv4`) and `api_key`, both
 * enforced. Undefined for an open method, so a module without authorizers keeps its document.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
 */
export function restSecurity(auth: MethodAuth | undefined): Array<Record<string, string[]>> | undefined {
  if (!auth) return undefined;
  const requirement: Record<string, string[]> = {};
  if (auth.auth === 'iam') requirement[SIGV4_SCHEME] = [];
  else if (auth.auth !== 'none') requirement[auth.auth] = [];
  if (auth.apiKeyRequired) requirement[API_KEY_SCHEME] = [];
  return Object.keys(requirement).length > 0 ? [requirement] : undefined;
}

/**
 * `components.securitySchemes` for the schemes the methods use, with API Gateway's extensions
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-api-key-source.html):
 * Cognito (`cognito_user_pools`, the token in Authorization), Lambda token and request authorizers (`custom`),
 * AWS_IAM (`awsSigv4`) and API keys (`x-api-key`, read from the header).
 */
export function restSecuritySchemes(
  authorizers: readonly ResolvedAuthorizer[],
  used: ReadonlySet<string>,
): Record<string, unknown> {
  const schemes: Record<string, unknown> = {};
  for (const a of authorizers) {
    if (!used.has(a.name)) continue;
    if (a.type === 'cognito')
      schemes[a.name] = {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: a.userPoolArns },
      };
    else if (a.type === 'lambda')
      schemes[a.name] = {
        type: 'apiKey',
        // For a token authorizer this header is the identity source; a request authorizer lists its own.
        name: a.kind === 'token' ? a.identitySource[0]! : 'Unused',
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': {
          type: a.kind,
          authorizerUri: a.invokeUri,
          authorizerResultTtlInSeconds: a.resultTtl,
          ...(a.kind === 'request'
            ? { identitySource: a.identitySource.map((h) => `method.request.header.${h}`).join(', ') }
            : {}),
        },
      };
  }
  if (used.has('iam'))
    schemes[SIGV4_SCHEME] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    };
  if (used.has(API_KEY_SCHEME)) schemes[API_KEY_SCHEME] = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  return schemes;
}

/**
 * The gateway responses an authorizer or API key can produce, besides the DEFAULT_4XX they would fall back to:
 * 401 UNAUTHORIZED (no or rejected token), 403 ACCESS_DENIED (the authorizer's policy denies), 403
 * MISSING_AUTHENTICATION_TOKEN (no SigV4 signature, or an unknown path), 403 EXPIRED_TOKEN, 403 INVALID_API_KEY
 * and 429 THROTTLED (a usage plan's limit).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export const AUTH_GATEWAY_RESPONSES = [
  'UNAUTHORIZED',
  'ACCESS_DENIED',
  'MISSING_AUTHENTICATION_TOKEN',
  'EXPIRED_TOKEN',
  'INVALID_API_KEY',
  'THROTTLED',
] as const;
