import { Construct } from 'constructs';
import { Fn, ref, TerraformLocal, TerraformStack, Token } from 'cdktf';
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { LAMBDA_ENV_LIMIT } from '../spec/lambda-config.js';
import { ARCHIVE_EXCLUDES } from '../spec/source-files.js';
import { templateLiteral } from './terraform-literal.js';

export interface CorsLambdaProps {
  /** Function and log group name, the role's name prefix and the zip's file name. */
  readonly functionName: string;
  /** Folder with the code, zipped at plan time by `archive_file`. @default "${path.module}/lambda" */
  readonly sourceDir?: string;
  /** Where the zip is written. @default "${path.root}/.terraform/cors-gen/<functionName>.zip" */
  readonly outputPath?: string;
  /** `index.handler` (Node) or `handler.handler` (Python). */
  readonly handler: string;
  readonly runtime: string;
  /** MB; a number or a token (the `memory_size` input). */
  readonly memorySize: number;
  /** Seconds; a number or a token (the `timeout` input). */
  readonly timeout: number;
  /**
   * The CORS contract between module and code: ALLOWED_ORIGINS, ALLOW_CREDENTIALS, ... Literal values; CDKTF
   * tokens in them (e.g. `Fn.join`) stay expressions. With `extraEnvironment`, written to a local
   * (`<idPrefix>cors_environment`) that the merge reads last, where the module's checkers read them too.
   */
  readonly environment: Record<string, string>;
  /**
   * The caller's own variables (a `map(string)`), merged under the CORS ones: Terraform's `merge` lets the last
   * argument win, so the CORS values can never be overridden
   * (https://developer.hashicorp.com/terraform/language/functions/merge). This and the four below are Terraform
   * expressions (e.g. `var.layers`), from which the module builds counts, a dynamic block and a precondition.
   * @default none
   */
  readonly extraEnvironment?: string;
  /** Managed policy ARNs (a `list(string)`), one attachment each, counted by the list's length. */
  readonly policyArns?: string;
  /**
   * An IAM policy document as JSON text (a `string` that may be null) and whether to attach it (a `bool`): an
   * inline policy when the flag is true.
   */
  readonly policyJson?: { readonly document: string; readonly attach: string };
  /** Layer version ARNs (a `list(string)`). */
  readonly layers?: string;
  /**
   * Subnet and security group ids (each a `list(string)`): the function joins the VPC, and the role gets
   * AWSLambdaVPCAccessExecutionRole, only when both are non-empty.
   */
  readonly vpc?: { readonly subnetIds: string; readonly securityGroupIds: string };
  /** Days to keep logs. */
  readonly logRetentionDays: number | string;
  readonly tags?: Record<string, string> | undefined;
  /** Prefix of the Terraform addresses, for more than one CorsLambda in a stack. @default "" */
  readonly idPrefix?: string;
}

// The files archive_file leaves out: one list, shared with `validate` (sizes) and `preview` (its staged copy).
export { ARCHIVE_EXCLUDES };

/**
 * The Lambda behind the API: code zipped from the module's `lambda/` folder, a role with AWSLambdaBasicExecutionRole
 * (logs) plus only the policies, layers and VPC the caller asks for, and a log group with retention created before
 * the function so Lambda never creates an unbounded one itself
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
 */
export class CorsLambda extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: CorsLambdaProps) {
    super(scope, id);
    const p = props.idPrefix ?? '';
    const stack = TerraformStack.of(this);
    const archive = new DataArchiveFile(this, 'archive', {
      type: 'zip',
      sourceDir: props.sourceDir ?? '${path.module}/lambda',
      // archive_file writes the zip while Terraform plans. Terraform advises against writing under path.module:
      // "Multiple invocations of local modules use the same source directory ... This can lead to race
      // conditions" (https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info),
      // e.g. two root modules (one per stage) planned at once. Under the calling root's own .terraform folder each
      // root writes its own file, and the function name keeps two calls in one root apart. The path stays
      // relative (path.root is "." in a root module), so `filename` is the same on every machine.
      outputPath: props.outputPath ?? `\${path.root}/.terraform/cors-gen/${props.functionName}.zip`,
      excludes: [...ARCHIVE_EXCLUDES],
      // A fixed file mode keeps the zip (and so source_code_hash) identical on every machine.
      outputFileMode: '0644',
    });
    archive.overrideLogicalId(`${p}lambda`);

    const partition = new DataAwsPartition(this, 'partition', {});
    partition.overrideLogicalId(`${p}current`);

    // Role names are unique per account, across regions
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), so a fixed name fails with
    // EntityAlreadyExists when the module is applied in a second region. With name_prefix Terraform appends a
    // unique 26-character suffix; the provider accepts at most 38 characters of prefix (64 - 26). A unique name
    // also lets the role be replaced create-before-destroy: the function moves to the new role before the old
    // one is deleted, so it is never left with a deleted role.
    this.role = new IamRole(this, 'role', {
      namePrefix: Fn.substr(`${props.functionName}-`, 0, 38),
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags: props.tags,
      lifecycle: { createBeforeDestroy: true },
    });
    this.role.overrideLogicalId(`${p}lambda`);

    const logs = new IamRolePolicyAttachment(this, 'logs', {
      role: this.role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
    });
    logs.overrideLogicalId(`${p}lambda_logs`);

    // Extra permissions the caller asks for: nothing cors-gen chooses. Counted by the list's length and a flag,
    // never by the values: for_each keys and count must be known at plan, and an ARN or a policy document built
    // from resources created in the same apply (a new table's policy) is not
    // (https://developer.hashicorp.com/terraform/language/meta-arguments/for_each#limitations-on-values-used-in-for_each),
    // which is why terraform-aws-modules/lambda takes `number_of_policies` and `attach_policy_json`. The price:
    // removing an ARN from the middle of the list re-attaches the ones after it.
    if (props.policyArns) {
      const extra = new IamRolePolicyAttachment(this, 'extra', {
        count: Token.asNumber(`\${length(${props.policyArns})}`),
        role: this.role.name,
        policyArn: `\${${props.policyArns}[count.index]}`,
      });
      extra.overrideLogicalId(`${p}lambda_extra`);
    }
    if (props.policyJson !== undefined) {
      const inline = new IamRolePolicy(this, 'inline', {
        count: Token.asNumber(`\${${props.policyJson.attach} ? 1 : 0}`),
        name: `${props.functionName}-extra`,
        role: this.role.id,
        policy: `\${${props.policyJson.document}}`,
        lifecycle: {
          precondition: [
            {
              condition: `\${${props.policyJson.document} != null}`,
              errorMessage:
                'attach_policy_json is true but policy_json is null: give the policy document, or set attach_policy_json = false.',
            },
          ],
        },
      });
      inline.overrideLogicalId(`${p}lambda_extra`);
    }
    // In a VPC, Lambda creates network interfaces with the function's role, which needs the ec2 permissions of
    // AWSLambdaVPCAccessExecutionRole before the function is created (or configured) with a VpcConfig
    // (https://docs.aws.amazon.com/lambda/latest/dg/configuring-vpc.html#configuring-vpc-permissions).
    const vpc = props.vpc;
    const inVpc = vpc ? `length(${vpc.subnetIds}) > 0 && length(${vpc.securityGroupIds}) > 0` : undefined;
    const vpcAccess = inVpc
      ? new IamRolePolicyAttachment(this, 'vpc', {
          count: Token.asNumber(`\${${inVpc} ? 1 : 0}`),
          role: this.role.name,
          policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
        })
      : undefined;
    vpcAccess?.overrideLogicalId(`${p}lambda_vpc`);

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays as number,
      tags: props.tags,
    });
    logGroup.overrideLogicalId(`${p}lambda`);

    const cors = Object.fromEntries(Object.entries(props.environment).map(([k, v]) => [k, templateLiteral(v)]));
    let variables: unknown = cors;
    const preconditions: Array<{ condition: string; errorMessage: string }> = [];
    if (props.extraEnvironment !== undefined) {
      const local = new TerraformLocal(this, 'cors-environment', cors);
      local.overrideLogicalId(`${p}cors_environment`);
      variables = Fn.merge([ref(props.extraEnvironment, stack), local.expression]);
      // Lambda allows 4 KB for all keys and values together
      // (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). `validate` checks the spec's
      // defaults; this catches what a caller passes. Terraform's `length` counts characters, and Lambda counts
      // bytes: the UTF-8 byte count of all keys and values is read off their base64 form, whose unpadded length
      // is ceil(8n/6) for n bytes (RFC 4648, section 4), so n = floor(unpadded * 3 / 4).
      const pairs = `join("", [for k, v in merge(${props.extraEnvironment}, local.${p}cors_environment) : join("", [k, v])])`;
      preconditions.push({
        condition: `\${floor(length(replace(base64encode(${pairs}), "=", "")) * 3 / 4) <= ${LAMBDA_ENV_LIMIT}}`,
        errorMessage: `The function's environment (environment_variables plus the CORS variables) exceeds Lambda's ${LAMBDA_ENV_LIMIT} bytes for all keys and values: keep large values out of it (e.g. in SSM Parameter Store, read at startup).`,
      });
    }
    // The flag, not the document, decides whether the inline policy exists (see above): a document given without
    // it would be dropped without a word.
    if (props.policyJson !== undefined)
      preconditions.push({
        condition: `\${${props.policyJson.attach} || ${props.policyJson.document} == null}`,
        errorMessage:
          'policy_json is set but attach_policy_json is false, so the policy would not be attached: set attach_policy_json = true.',
      });
    if (vpc)
      preconditions.push({
        condition: `\${(length(${vpc.subnetIds}) == 0) == (length(${vpc.securityGroupIds}) == 0)}`,
        errorMessage:
          'vpc_subnet_ids and vpc_security_group_ids go together: set both to run the function in a VPC, or neither.',
      });

    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: this.role.arn,
      handler: props.handler,
      runtime: props.runtime,
      filename: archive.outputPath,
      sourceCodeHash: archive.outputBase64Sha256,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: { variables: variables as Record<string, string> },
      layers: props.layers !== undefined ? Token.asList(ref(props.layers, stack)) : undefined,
      tags: props.tags,
      dependsOn: [logGroup, logs, ...(vpcAccess ? [vpcAccess] : [])],
      lifecycle: preconditions.length > 0 ? { precondition: preconditions } : undefined,
    });
    this.function.overrideLogicalId(`${p}handler`);
    // Without a VPC the function has no vpc_config block at all: a `dynamic` block over a list of one or none. The
    // binding's vpcConfig is a single struct, through which cdktf 0.21 drops an iterator's dynamic block, hence
    // the override.
    if (vpc)
      this.function.addOverride('dynamic.vpc_config', {
        for_each: `\${${inVpc} ? ["vpc"] : []}`,
        content: { subnet_ids: `\${${vpc.subnetIds}}`, security_group_ids: `\${${vpc.securityGroupIds}}` },
      });
  }
}
