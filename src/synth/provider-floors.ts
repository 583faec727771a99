/**
 * The oldest provider release that accepts each resource type, argument and value a generated module can emit,
 * each with the public source that proves it. `required_providers` asks for the highest floor among the entries a
 * module uses, and nothing more: teams that still pin the 5.x line keep every module whose features 5.x has.
 *
 * How to read an entry: `version` is a release that is known to accept the feature, and `source` shows it (the
 * provider CHANGELOG entry or release, or the pull request that documented it). Types and arguments that predate
 * the 4.0 line are listed at 4.0.0 with the resource's documentation at that tag as source: no module can go
 * lower anyway (the split `aws_s3_bucket_*` resources are 4.0.0, and every Lambda runtime the spec offers is
 * newer than 5.30), so an exact older floor would never be the maximum.
 */

/** One feature and the provider release from which it is accepted. */
export interface ProviderFloor {
  /** The provider's local name in `required_providers`. */
  readonly provider: 'aws' | 'archive';
  /** `resource` or `data`, as the module declares the block. */
  readonly kind: 'resource' | 'data';
  /** The resource or data source type, e.g. `aws_lambda_function`. */
  readonly type: string;
  /** A top-level argument or block of the type; absent for the type itself. */
  readonly argument?: string;
  /** A value of `argument` (e.g. one Lambda runtime); absent for any value. */
  readonly value?: string;
  /** The lowest release known to accept it, `major.minor.patch`. */
  readonly version: string;
  /** Public evidence of that release: CHANGELOG entry, release notes, pull request, or docs at the tag. */
  readonly source: string;
}

const AWS_RELEASE = 'https://github.com/hashicorp/terraform-provider-aws/releases/tag/v';
const ARCHIVE_RELEASE = 'https://github.com/hashicorp/terraform-provider-archive/releases/tag/v';
/** The resource's documentation as released in 4.0.0: it shows the type and every argument the module uses. */
const awsDocsAt4 = (page: string) =>
  `https://github.com/hashicorp/terraform-provider-aws/blob/v4.0.0/website/docs/${page}.html.markdown`;

const predates4 = (kind: 'resource' | 'data', type: string, page: string): ProviderFloor => ({
  provider: 'aws',
  kind,
  type,
  version: '4.0.0',
  source: awsDocsAt4(page),
});

/** Every entry, AWS first; the order is the reading order, not a priority. */
export const PROVIDER_FLOORS: readonly ProviderFloor[] = [
  // The S3 bucket's configuration moved into standalone resources in 4.0.0 (the "S3 bucket refactor").
  ...[
    'aws_s3_bucket',
    'aws_s3_bucket_website_configuration',
    'aws_s3_bucket_public_access_block',
    'aws_s3_bucket_policy',
  ].map((type): ProviderFloor => ({
    provider: 'aws',
    kind: 'resource',
    type,
    version: '4.0.0',
    source: `${AWS_RELEASE}4.0.0`,
  })),
  predates4('data', 'aws_partition', 'd/partition'),
  predates4('resource', 'aws_iam_role', 'r/iam_role'),
  predates4('resource', 'aws_iam_role_policy_attachment', 'r/iam_role_policy_attachment'),
  predates4('resource', 'aws_iam_role_policy', 'r/iam_role_policy'),
  predates4('resource', 'aws_cloudwatch_log_group', 'r/cloudwatch_log_group'),
  predates4('resource', 'aws_lambda_function', 'r/lambda_function'),
  predates4('resource', 'aws_lambda_permission', 'r/lambda_permission'),
  predates4('resource', 'aws_lambda_layer_version', 'r/lambda_layer_version'),
  predates4('resource', 'aws_api_gateway_rest_api', 'r/api_gateway_rest_api'),
  predates4('resource', 'aws_api_gateway_resource', 'r/api_gateway_resource'),
  predates4('resource', 'aws_api_gateway_method', 'r/api_gateway_method'),
  predates4('resource', 'aws_api_gateway_method_response', 'r/api_gateway_method_response'),
  predates4('resource', 'aws_api_gateway_integration', 'r/api_gateway_integration'),
  predates4('resource', 'aws_api_gateway_integration_response', 'r/api_gateway_integration_response'),
  predates4('resource', 'aws_api_gateway_gateway_response', 'r/api_gateway_gateway_response'),
  predates4('resource', 'aws_api_gateway_deployment', 'r/api_gateway_deployment'),
  predates4('resource', 'aws_api_gateway_stage', 'r/api_gateway_stage'),
  predates4('resource', 'aws_apigatewayv2_api', 'r/apigatewayv2_api'),
  predates4('resource', 'aws_apigatewayv2_integration', 'r/apigatewayv2_integration'),
  predates4('resource', 'aws_apigatewayv2_route', 'r/apigatewayv2_route'),
  predates4('resource', 'aws_apigatewayv2_stage', 'r/apigatewayv2_stage'),
  // The CloudFront frontend: ownership controls (with BucketOwnerEnforced) and the distribution predate 4.0;
  // "New Resource: aws_cloudfront_origin_access_control" and the origin's `origin_access_control_id` (#26508).
  predates4('resource', 'aws_s3_bucket_ownership_controls', 'r/s3_bucket_ownership_controls'),
  predates4('resource', 'aws_cloudfront_distribution', 'r/cloudfront_distribution'),
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_cloudfront_origin_access_control',
    version: '4.29.0',
    source: `${AWS_RELEASE}4.29.0`,
  },
  // The optional custom API domain.
  predates4('resource', 'aws_api_gateway_domain_name', 'r/api_gateway_domain_name'),
  predates4('resource', 'aws_api_gateway_base_path_mapping', 'r/api_gateway_base_path_mapping'),
  predates4('resource', 'aws_apigatewayv2_domain_name', 'r/apigatewayv2_domain_name'),
  predates4('resource', 'aws_apigatewayv2_api_mapping', 'r/apigatewayv2_api_mapping'),
  predates4('resource', 'aws_route53_record', 'r/route53_record'),
  // "New Resource: aws_lambda_function_url" (#24053), with its `cors` block.
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_lambda_function_url',
    version: '4.9.0',
    source: `${AWS_RELEASE}4.9.0`,
  },
  // "resource/aws_lambda_permission: Add `function_url_auth_type` argument" (#24510).
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_lambda_permission',
    argument: 'function_url_auth_type',
    version: '4.13.0',
    source: `${AWS_RELEASE}4.13.0`,
  },
  // "resource/aws_api_gateway_rest_api: Add `put_rest_api_mode` argument" (#26051).
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_api_gateway_rest_api',
    argument: 'put_rest_api_mode',
    version: '4.25.0',
    source: `${AWS_RELEASE}4.25.0`,
  },
  // The provider validates `runtime` against the AWS SDK's enum, so a runtime is accepted from the first release
  // built with an SDK that knows it. "resource/aws_lambda_function: Add support for `python3.12` `runtime` value".
  runtime('python3.12', '5.32.0', `${AWS_RELEASE}5.32.0`),
  // Documented together by #40277, merged the day after 5.77.0 (November 21, 2024); 5.75.1 still rejected
  // python3.13 (hashicorp/terraform-provider-aws#40107).
  runtime('python3.13', '5.77.0', 'https://github.com/hashicorp/terraform-provider-aws/pull/40277'),
  runtime('nodejs22.x', '5.77.0', 'https://github.com/hashicorp/terraform-provider-aws/pull/40277'),
  // The CHANGELOG lists them under 6.21.0; the pull request that documented them records that 6.19.0 already
  // creates nodejs24.x functions and 6.20.0 python3.14 ones (SDK releases of 2025-10-23 and 2025-10-31).
  runtime('nodejs24.x', '6.19.0', 'https://github.com/hashicorp/terraform-provider-aws/pull/45024'),
  runtime('python3.14', '6.20.0', 'https://github.com/hashicorp/terraform-provider-aws/pull/45024'),
  // "resource/aws_lambda_function: `code_sha256` is now optional and computed" (#45618): an input from here on.
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_lambda_function',
    argument: 'code_sha256',
    version: '6.27.0',
    source: `${AWS_RELEASE}6.27.0`,
  },
  // "resource/aws_lambda_permission: Add `invoked_via_function_url` argument" (#44858).
  {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_lambda_permission',
    argument: 'invoked_via_function_url',
    version: '6.28.0',
    source: `${AWS_RELEASE}6.28.0`,
  },

  // hashicorp/archive. `type = "zip"`, `source_dir` and `output_path` are as old as the provider (0.1.0).
  { provider: 'archive', kind: 'data', type: 'archive_file', version: '1.0.0', source: `${ARCHIVE_RELEASE}1.0.0` },
  // "New opt-in flag to specify the `output_file_mode`" (#90).
  {
    provider: 'archive',
    kind: 'data',
    type: 'archive_file',
    argument: 'output_file_mode',
    version: '2.2.0',
    source: `${ARCHIVE_RELEASE}2.2.0`,
  },
  // `excludes` exists since 1.1.0 but matched exact paths only; "Add glob pattern matching support to the
  // `excludes` attribute" (#354) is what makes `*.pyc` or `**/__pycache__/**` exclude anything.
  {
    provider: 'archive',
    kind: 'data',
    type: 'archive_file',
    argument: 'excludes',
    version: '2.5.0',
    source: `${ARCHIVE_RELEASE}2.5.0`,
  },
];

function runtime(value: string, version: string, source: string): ProviderFloor {
  return {
    provider: 'aws',
    kind: 'resource',
    type: 'aws_lambda_function',
    argument: 'runtime',
    value,
    version,
    source,
  };
}

/** A block as the module declares it: its kind, type and (JSON) body. */
export interface DeclaredBlock {
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Whether `block` uses what `floor` describes. */
export function usesFloor(floor: ProviderFloor, block: DeclaredBlock): boolean {
  if (floor.kind !== block.kind || floor.type !== block.type) return false;
  if (floor.argument === undefined) return true;
  if (!(floor.argument in block.body)) return false;
  return floor.value === undefined || block.body[floor.argument] === floor.value;
}

/** Every `resource` and `data` block of a Terraform JSON document. */
export function declaredBlocks(doc: Readonly<Record<string, unknown>>): DeclaredBlock[] {
  const out: DeclaredBlock[] = [];
  for (const kind of ['resource', 'data'] as const) {
    const byType = (doc[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [type, instances] of Object.entries(byType))
      for (const body of Object.values(instances)) out.push({ kind, type, body });
  }
  return out;
}

/** The table entries a document uses, for one provider. */
export function floorsUsed(
  doc: Readonly<Record<string, unknown>>,
  provider: ProviderFloor['provider'],
): ProviderFloor[] {
  const blocks = declaredBlocks(doc);
  return PROVIDER_FLOORS.filter((f) => f.provider === provider && blocks.some((b) => usesFloor(f, b)));
}

/**
 * The version constraint for `provider` in `required_providers`: `>= ` the highest floor the document uses,
 * written without a zero patch (`>= 6.28`), or undefined when the document uses nothing from the table.
 */
export function minimumVersion(
  doc: Readonly<Record<string, unknown>>,
  provider: ProviderFloor['provider'],
): string | undefined {
  const highest = floorsUsed(doc, provider)
    .map((f) => f.version)
    .sort(compareVersions)
    .at(-1);
  return highest === undefined ? undefined : `>= ${highest.replace(/\.0$/, '')}`;
}

/** The version a `>= x.y[.z]` constraint (possibly followed by an upper bound) starts at, as `x.y.z`. */
export function constraintMinimum(constraint: unknown): string | undefined {
  if (typeof constraint !== 'string') return undefined;
  const m = /^\s*>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(constraint);
  return m ? `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}` : undefined;
}

/** Orders `major.minor.patch` versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A Terraform language feature a module may use, with the Terraform release that introduced it. */
export interface TerraformFloor {
  readonly feature: string;
  readonly version: string;
  readonly source: string;
  readonly uses: (doc: Readonly<Record<string, unknown>>) => boolean;
}

const TERRAFORM_RELEASE = 'https://github.com/hashicorp/terraform/releases/tag/v';

/**
 * The language features a generated module can use that are newer than Terraform 1.0; `required_version` must
 * admit none older than the highest one used (the test suite checks it, since `required_version` is set by hand).
 */
export const TERRAFORM_FLOORS: readonly TerraformFloor[] = [
  {
    feature: 'the terraform_data resource',
    version: '1.4.0',
    source: `${TERRAFORM_RELEASE}1.4.0`,
    uses: (doc) => 'terraform_data' in ((doc.resource ?? {}) as object),
  },
  {
    feature: 'preconditions',
    version: '1.2.0',
    source: `${TERRAFORM_RELEASE}1.2.0`,
    uses: (doc) => JSON.stringify(doc).includes('"precondition":'),
  },
  {
    feature: 'the strcontains function',
    version: '1.5.0',
    source: `${TERRAFORM_RELEASE}1.5.0`,
    uses: (doc) => /\bstrcontains\(/.test(JSON.stringify(doc)),
  },
  { feature: 'import blocks', version: '1.5.0', source: `${TERRAFORM_RELEASE}1.5.0`, uses: (doc) => 'import' in doc },
  { feature: 'check blocks', version: '1.5.0', source: `${TERRAFORM_RELEASE}1.5.0`, uses: (doc) => 'check' in doc },
  { feature: 'removed blocks', version: '1.7.0', source: `${TERRAFORM_RELEASE}1.7.0`, uses: (doc) => 'removed' in doc },
];

/** The highest Terraform release among the language features `doc` uses, `major.minor.patch`. */
export function minimumTerraformVersion(doc: Readonly<Record<string, unknown>>): string | undefined {
  return TERRAFORM_FLOORS.filter((f) => f.uses(doc))
    .map((f) => f.version)
    .sort(compareVersions)
    .at(-1);
}
