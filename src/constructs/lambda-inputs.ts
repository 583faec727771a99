import type { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import {
  CORS_ENV_NAMES,
  ENV_NAME,
  LAYER_ARN,
  maxUserLayers,
  MEMORY_RANGE,
  POLICY_ARN,
  RESERVED_ENV_NAMES,
  SECURITY_GROUP_ID,
  SUBNET_ID,
  TIMEOUT_RANGE,
  VPC_LIMITS,
} from '../spec/lambda-config.js';
import type { LambdaModel } from '../spec/model.js';

/** The module inputs that configure the function, as the Terraform expressions CorsLambda takes. */
export interface LambdaInputs {
  readonly extraEnvironment: string;
  readonly policyArns: string;
  readonly policyJson: { readonly document: string; readonly attach: string };
  readonly layers: string;
  readonly vpc: { readonly subnetIds: string; readonly securityGroupIds: string };
  /** Tokens. */
  readonly memorySize: number;
  readonly timeout: number;
}

/** A regex as an HCL string literal: JSON's escapes are HCL's. */
const re = (r: RegExp) => JSON.stringify(r.source);
/** `[ "A", "B" ]` as HCL. */
const hclList = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
/** Every element of `list` matches `r`. */
const each = (list: string, r: RegExp) => `\${alltrue([for x in ${list} : can(regex(${re(r)}, x))])}`;

/**
 * The inputs a team moving its own backend onto the module expects, named as terraform-aws-modules/lambda names
 * them; each default is the spec's `lambda.*` value, and each validation refuses what Lambda or IAM would refuse
 * at apply time, with the same limits as `validate` (src/spec/lambda-config.ts).
 */
export function lambdaInputs(scope: Construct, lambda: LambdaModel, corsNames: readonly string[]): LambdaInputs {
  const maxLayers = maxUserLayers(lambda.source !== undefined);
  const cors = [...new Set([...CORS_ENV_NAMES, ...corsNames])].sort();
  const environment = new TerraformVariable(scope, 'environment_variables', {
    type: 'map(string)',
    description: `Environment variables for the function, merged with the CORS variables the module sets (${cors.join(', ')}), which always win and cannot be set here. Lambda allows 4 KB for all keys and values together.`,
    validation: [
      {
        condition: `\${alltrue([for k in keys(var.environment_variables) : can(regex(${re(ENV_NAME)}, k))])}`,
        errorMessage:
          'environment_variables: each name must be a letter followed by letters, digits or "_" (at least two characters), as Lambda accepts them.',
      },
      {
        condition: `\${alltrue([for k in keys(var.environment_variables) : !contains(${hclList(cors)}, k)])}`,
        errorMessage: `environment_variables must not set ${cors.join(', ')}: the module sets them from its CORS settings (allowed_origins and the spec's cors section).`,
      },
      {
        condition: `\${alltrue([for k in keys(var.environment_variables) : !contains(${hclList(RESERVED_ENV_NAMES)}, k)])}`,
        errorMessage: `environment_variables must not set ${RESERVED_ENV_NAMES.join(', ')}: Lambda reserves them.`,
      },
    ],
  });
  // cdktf 0.21 snake-cases the keys of an object default (LOG_LEVEL -> log_level): written as an override.
  environment.addOverride('default', { ...lambda.environment });
  const policyArns = new TerraformVariable(scope, 'policy_arns', {
    type: 'list(string)',
    description:
      "ARNs of IAM managed policies to attach to the function's role, besides AWSLambdaBasicExecutionRole (e.g. a policy that reads your DynamoDB table).",
    default: [...lambda.policyArns],
    validation: [
      {
        condition: each('var.policy_arns', POLICY_ARN),
        errorMessage:
          'policy_arns: each must be an IAM policy ARN, such as "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess" or "arn:aws:iam::123456789012:policy/my-policy".',
      },
    ],
  });
  const policyJson = new TerraformVariable(scope, 'policy_json', {
    type: 'string',
    description:
      "An IAM policy document (JSON text, e.g. from jsonencode or data.aws_iam_policy_document) added to the function's role as an inline policy; null for none.",
    ...(lambda.policyJson !== null ? { default: lambda.policyJson } : {}),
    validation: [
      {
        condition: '${var.policy_json == null || can(keys(jsondecode(var.policy_json)))}',
        errorMessage:
          'policy_json must be a JSON object (an IAM policy document), or null; to attach none, set attach_policy_json = false.',
      },
    ],
  });
  // cdktf 0.21 cannot synthesize `default: null` (keysToSnakeCase reads its keys); without a default the input
  // would be required, so the null default is written as an override.
  if (lambda.policyJson === null) policyJson.addOverride('default', null);
  // A flag beside the document because count must be known at plan: a document built from resources of the same
  // apply is not (see CorsLambda).
  const attachPolicyJson = new TerraformVariable(scope, 'attach_policy_json', {
    type: 'bool',
    description:
      'Attach policy_json to the role. A separate flag because Terraform must know at plan whether the policy exists, and a document built from resources created in the same apply is only known then.',
    default: lambda.policyJson !== null,
  });
  const range = (name: string, unit: string, r: { min: number; max: number }) => [
    {
      condition: `\${var.${name} >= ${r.min} && var.${name} <= ${r.max} && floor(var.${name}) == var.${name}}`,
      errorMessage: `${name} must be a whole number of ${unit} from ${r.min} to ${r.max}.`,
    },
  ];
  const memorySize = new TerraformVariable(scope, 'memory_size', {
    type: 'number',
    description: 'MB of memory for the function; CPU grows with it.',
    default: lambda.memorySize,
    validation: range('memory_size', 'MB', MEMORY_RANGE),
  });
  const timeout = new TerraformVariable(scope, 'timeout', {
    type: 'number',
    description: 'Seconds the function may run per invocation.',
    default: lambda.timeout,
    validation: range('timeout', 'seconds', TIMEOUT_RANGE),
  });
  const layers = new TerraformVariable(scope, 'layers', {
    type: 'list(string)',
    description: `Layer version ARNs for the function, at most ${maxLayers}${lambda.source ? " (the module adds the CORS wrapper's layer before them)" : ''}.`,
    default: [...lambda.layers],
    validation: [
      {
        condition: `\${length(var.layers) <= ${maxLayers}}`,
        errorMessage: `layers: Lambda allows ${maxLayers} layers for this function.`,
      },
      {
        condition: each('var.layers', LAYER_ARN),
        errorMessage:
          'layers: each must be a layer version ARN, such as "arn:aws:lambda:eu-west-1:123456789012:layer:my-layer:3".',
      },
    ],
  });
  const subnets = new TerraformVariable(scope, 'vpc_subnet_ids', {
    type: 'list(string)',
    description:
      'Subnets to run the function in, with vpc_security_group_ids (both or neither). The role then also gets AWSLambdaVPCAccessExecutionRole. Empty: no VPC.',
    default: [...lambda.vpc.subnetIds],
    validation: [
      {
        condition: `\${length(var.vpc_subnet_ids) <= ${VPC_LIMITS.subnets}}`,
        errorMessage: `vpc_subnet_ids: Lambda takes at most ${VPC_LIMITS.subnets} subnets.`,
      },
      {
        condition: each('var.vpc_subnet_ids', SUBNET_ID),
        errorMessage: 'vpc_subnet_ids: each must be a subnet id, such as "subnet-0123456789abcdef0".',
      },
    ],
  });
  const securityGroups = new TerraformVariable(scope, 'vpc_security_group_ids', {
    type: 'list(string)',
    description: 'Security groups of the function in the VPC, with vpc_subnet_ids (both or neither). Empty: no VPC.',
    default: [...lambda.vpc.securityGroupIds],
    validation: [
      {
        condition: `\${length(var.vpc_security_group_ids) <= ${VPC_LIMITS.securityGroups}}`,
        errorMessage: `vpc_security_group_ids: Lambda takes at most ${VPC_LIMITS.securityGroups} security groups.`,
      },
      {
        condition: each('var.vpc_security_group_ids', SECURITY_GROUP_ID),
        errorMessage: 'vpc_security_group_ids: each must be a security group id, such as "sg-0123456789abcdef0".',
      },
    ],
  });
  return {
    extraEnvironment: `var.${environment.friendlyUniqueId}`,
    policyArns: `var.${policyArns.friendlyUniqueId}`,
    policyJson: { document: `var.${policyJson.friendlyUniqueId}`, attach: `var.${attachPolicyJson.friendlyUniqueId}` },
    layers: `var.${layers.friendlyUniqueId}`,
    vpc: { subnetIds: `var.${subnets.friendlyUniqueId}`, securityGroupIds: `var.${securityGroups.friendlyUniqueId}` },
    memorySize: memorySize.numberValue,
    timeout: timeout.numberValue,
  };
}
