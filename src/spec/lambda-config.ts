/**
 * What Lambda and IAM accept for the function's configuration that the spec (`lambda.*`) and the module's inputs
 * can set: environment variable names, policy and layer ARNs, VPC ids and their limits. One place, read by the
 * schema, the rules and the module's variable validations, so `validate` and `terraform plan` refuse the same
 * values.
 */

/**
 * Environment variable names Lambda accepts: "Keys start with a letter and are at least two characters. Keys only
 * contain letters, numbers, and the underscore character (_)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). The API's own pattern,
 * `[a-zA-Z]([a-zA-Z0-9_])+` (https://docs.aws.amazon.com/lambda/latest/dg/API_Environment.html), needs two.
 */
export const ENV_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;
export const ENV_NAME_RULE = 'a letter, then at least one letter, digit or "_"';

/** Lambda allows 4 KB for all environment variables together, keys and values (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const LAMBDA_ENV_LIMIT = 4096;

/**
 * Names Lambda sets itself and refuses in a function's configuration ("The keys for these environment variables
 * are reserved and cannot be set in your function configuration", "Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html). `_HANDLER` and
 * `_X_AMZN_TRACE_ID` are there too, but ENV_NAME already refuses a leading "_".
 */
export const RESERVED_ENV_NAMES: readonly string[] = [
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
  'TZ',
];

/**
 * The variables the module sets from the CORS settings: the keys of `corsEnvironment()` in
 * `src/render/lambda-code.ts` (a test holds the two equal). Listed here because `validate` must stay light; they
 * win over `lambda.environment` / `environment_variables`, which may not name them.
 */
export const CORS_ENV_NAMES: readonly string[] = [
  'ALLOWED_ORIGINS',
  'ALLOW_CREDENTIALS',
  'ALLOW_HEADERS',
  'CORS_GEN_HANDLER',
  'CORS_MODE',
  'ENFORCE_ORIGIN',
  'EXPOSE_HEADERS',
];

/**
 * An IAM managed policy ARN: AWS managed (`arn:aws:iam::aws:policy/...`) or customer managed (12-digit account),
 * in any partition, with an optional path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
 */
export const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy\/[\w+=,.@/-]+$/;

/** A layer version ARN, the pattern of CreateFunction's `Layers` (https://docs.aws.amazon.com/lambda/latest/dg/API_CreateFunction.html). */
export const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:[0-9]{12}:layer:[a-zA-Z0-9_-]+:[0-9]+$/;

/**
 * "Function layers: 5" per function (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * Layers the module adds itself count against it.
 */
export const LAMBDA_MAX_LAYERS = 5;

/**
 * The layers the caller may list (`lambda.layers`, the `layers` input): with `lambda.source` the module adds the
 * CORS wrapper's layer, which takes one of the five.
 */
export function maxUserLayers(ownCode: boolean): number {
  return LAMBDA_MAX_LAYERS - (ownCode ? 1 : 0);
}

/**
 * VpcConfig: "SubnetIds ... Maximum number of 16 items", "SecurityGroupIds ... Maximum number of 5 items"
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_VpcConfig.html); ids as EC2 writes them.
 */
export const VPC_LIMITS = { subnets: 16, securityGroups: 5 } as const;
export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

/** Memory (MB) and timeout (s) Lambda accepts (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MEMORY_RANGE = { min: 128, max: 10240 } as const;
export const TIMEOUT_RANGE = { min: 1, max: 900 } as const;
