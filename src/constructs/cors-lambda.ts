import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataArchiveFile } from '@cdktf/provider-archive/lib/data-archive-file/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
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
  /** MB. */
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  /**
   * The CORS contract between module and code: ALLOWED_ORIGINS, ALLOW_CREDENTIALS, ... Literal values; CDKTF
   * tokens in them (e.g. `Fn.join`) stay expressions.
   */
  readonly environment: Record<string, string>;
  /** Days to keep logs. */
  readonly logRetentionDays: number | string;
  readonly tags?: Record<string, string> | undefined;
  /** Prefix of the Terraform addresses, for more than one CorsLambda in a stack. @default "" */
  readonly idPrefix?: string;
}

// The files archive_file leaves out: one list, shared with `validate` (sizes) and `preview` (its staged copy).
export { ARCHIVE_EXCLUDES };

/**
 * The Lambda behind the API: code zipped from the module's `lambda/` folder, a role with nothing but
 * AWSLambdaBasicExecutionRole (logs), and a log group with retention created before the function so Lambda
 * never creates an unbounded one itself
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
 */
export class CorsLambda extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: CorsLambdaProps) {
    super(scope, id);
    const p = props.idPrefix ?? '';
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

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays as number,
      tags: props.tags,
    });
    logGroup.overrideLogicalId(`${p}lambda`);

    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: this.role.arn,
      handler: props.handler,
      runtime: props.runtime,
      filename: archive.outputPath,
      sourceCodeHash: archive.outputBase64Sha256,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: {
        variables: Object.fromEntries(Object.entries(props.environment).map(([k, v]) => [k, templateLiteral(v)])),
      },
      tags: props.tags,
      dependsOn: [logGroup, logs],
    });
    this.function.overrideLogicalId(`${p}handler`);
  }
}
