/**
 * Authorizers as the preview emulates them: no Cognito pool, identity provider or authorizer function is
 * reachable from a laptop, so the decision follows a documented rule instead, well enough to show in a browser
 * what a denied request looks like (its status, its body, and whether the page can read them):
 * - a token authorizer (Cognito, JWT, Lambda) accepts a request whose identity header (`Authorization`, or the
 *   Lambda authorizer's first identity source) is the accepted token, with or without `Bearer ` (default
 *   `preview-token`, what the demo page sends; `--accept-token` changes it); a missing header is 401, another
 *   token is 401 (Cognito, JWT) or 403 (a Lambda authorizer's Deny policy);
 * - AWS_IAM accepts a request whose Authorization looks like a SigV4 signature and that has X-Amz-Date; the
 *   signature is not verified;
 * - an API key is the `x-api-key` header equal to the accepted key (default `preview`, what the demo page sends;
 *   `--api-key` changes it).
 * The preflight never reaches any of this: the module leaves OPTIONS open.
 * AWS's answers: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * (REST), https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html and
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html (HTTP API).
 */
import { lambdaPermissions, permitted } from './module/functions.js';
import type { ModuleResolver } from './module/resolve.js';
import { lowerHeader, type PreviewRequest } from './server/http-server.js';

export interface PreviewAuthOptions {
  /** The token token authorizers accept. @default "preview-token" */
  readonly acceptToken?: string;
  /** The API key methods that require one accept. @default "preview" */
  readonly apiKey?: string;
}

/** What the demo page sends (`Authorization: Bearer preview-token`, `X-Api-Key: preview`), so it passes. */
export const DEFAULT_ACCEPT_TOKEN = 'preview-token';
export const DEFAULT_API_KEY = 'preview';

/** How a method or route is guarded, read from the module. */
export type GuardModel =
  | {
      readonly kind: 'token';
      readonly authorizer: 'cognito' | 'jwt' | 'lambda';
      readonly headers: readonly string[];
      /** A Lambda authorizer's function, from its invocation URI. */
      readonly functionArn?: string;
    }
  | { readonly kind: 'iam' };

export type Denial =
  | { readonly reason: 'missing'; readonly message: string }
  | { readonly reason: 'rejected'; readonly message: string }
  | { readonly reason: 'api-key'; readonly message: string };

/** A SigV4 Authorization header's shape (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). */
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=[^,\s]+,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]{64}$/;

/** Undefined when the request may pass the guard; else why not. */
export function checkGuard(
  guard: GuardModel | undefined,
  request: PreviewRequest,
  options: PreviewAuthOptions,
): Denial | undefined {
  if (!guard) return undefined;
  if (guard.kind === 'iam') {
    const authorization = lowerHeader(request, 'authorization');
    if (authorization === undefined) return { reason: 'missing', message: 'Missing Authentication Token' };
    if (!SIGV4.test(authorization.trim()) || lowerHeader(request, 'x-amz-date') === undefined)
      return {
        reason: 'rejected',
        message: "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and an X-Amz-Date header",
      };
    return undefined;
  }
  const values = guard.headers.map((h) => lowerHeader(request, h.toLowerCase()));
  if (values.some((v) => v === undefined || v.trim() === '')) return { reason: 'missing', message: 'Unauthorized' };
  const token = values[0]!.trim().replace(/^Bearer\s+/i, '');
  if (token === (options.acceptToken ?? DEFAULT_ACCEPT_TOKEN)) return undefined;
  return guard.authorizer === 'lambda'
    ? { reason: 'rejected', message: 'User is not authorized to access this resource with an explicit deny' }
    : { reason: 'rejected', message: 'Unauthorized' };
}

/** Undefined when the request carries the accepted API key. */
export function checkApiKey(request: PreviewRequest, options: PreviewAuthOptions): Denial | undefined {
  return lowerHeader(request, 'x-api-key') === (options.apiKey ?? DEFAULT_API_KEY)
    ? undefined
    : { reason: 'api-key', message: 'Forbidden' };
}

/** The function ARN in a Lambda authorizer's `arn:aws:apigateway:<region>:lambda:path/.../functions/<ARN>/invocations`. */
export function authorizerFunctionArn(uri: unknown): string | undefined {
  return typeof uri === 'string'
    ? /:lambda:path\/[^/]+\/functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1]
    : undefined;
}

/**
 * The Lambda authorizer functions of `arns` that the module's aws_lambda_permission resources let API Gateway
 * invoke as an authorizer of this API (`<execution_arn>/authorizers/<id>`). Without such a grant API Gateway
 * answers every request the authorizer guards with 500 (AUTHORIZER_CONFIGURATION_ERROR,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */
export function permittedAuthorizers(
  r: ModuleResolver,
  executionArn: string,
  arns: Iterable<string>,
): ReadonlySet<string> {
  const grants = lambdaPermissions(r);
  const out = new Set<string>();
  for (const arn of new Set(arns)) {
    const permissions = grants.filter((g) => g.functionName === arn).map((g) => g.permission);
    if (
      permitted(
        { permissions },
        {
          principal: 'apigateway.amazonaws.com',
          actions: ['lambda:InvokeFunction'],
          sourceArn: `${executionArn}/authorizers/preview`,
        },
      )
    )
      out.add(arn);
  }
  return out;
}
