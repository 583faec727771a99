/**
 * Attributes AWS computes at apply time (ARNs, URLs, ids), which the preview synthesizes so that they point at
 * its own servers. Each service's model builder keeps the attributes of its resources beside it; this file holds
 * what they share and the attributes of resources no emulator owns (IAM, CloudWatch Logs, the provider's data
 * sources, `archive_file`).
 */
import type { HclValue } from '../../terraform/expression/ast.js';
import { ModuleError } from '../errors.js';
import type { AddressedBlock } from './load.js';

/** The account and region the synthesized ARNs use. Nothing is ever sent to AWS. */
export const PREVIEW_REGION = 'us-east-1';
export const PREVIEW_ACCOUNT = '123456789012';

/** Where the preview serves what the module describes; computed attributes are derived from it. */
export interface PreviewEnvironment {
  /** The API server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly apiOrigin: string;
  /** Host and port of the site server: what `website_endpoint` evaluates to (the S3 website stand-in). */
  readonly siteHost: string;
}

/** What a computed attribute may read: the module's other values and the preview's endpoints. */
export interface AttributeScope {
  readonly env: PreviewEnvironment;
  attribute(address: string, attr: string): HclValue;
  block(address: string): AddressedBlock;
  has(address: string): boolean;
}

/** The value AWS would give `attr` of `block`, or undefined when the preview does not synthesize it. */
export type ComputedAttributes = (r: AttributeScope, block: AddressedBlock, attr: string) => HclValue | undefined;

export const arn = (service: string, resource: string): string =>
  `arn:aws:${service}:${PREVIEW_REGION}:${PREVIEW_ACCOUNT}:${resource}`;

/** An argument of the block that must evaluate to a string. */
export function stringArgument(r: AttributeScope, block: AddressedBlock, attr: string): string {
  const v = r.attribute(block.address, attr);
  if (typeof v !== 'string')
    throw new ModuleError(`${attr} must be a string`, { file: block.file, address: `${block.address}.${attr}` });
  return v;
}

/**
 * Resources and data sources no emulator owns. ARN formats:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const commonAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_iam_role: (r, block, attr) => {
    if (attr === 'arn') return `arn:aws:iam::${PREVIEW_ACCOUNT}:role/${stringArgument(r, block, 'name')}`;
    if (attr === 'id') return stringArgument(r, block, 'name');
    return undefined;
  },
  aws_cloudwatch_log_group: (r, block, attr) =>
    attr === 'arn' ? arn('logs', `log-group:${stringArgument(r, block, 'name')}`) : undefined,
  aws_partition: (_r, _block, attr) =>
    attr === 'partition' ? 'aws' : attr === 'dns_suffix' ? 'amazonaws.com' : undefined,
  aws_region: (_r, _block, attr) => (attr === 'name' || attr === 'region' ? PREVIEW_REGION : undefined),
  aws_caller_identity: (_r, _block, attr) => (attr === 'account_id' ? PREVIEW_ACCOUNT : undefined),
  archive_file: (_r, _block, attr) => {
    if (attr === 'output_base64sha256' || attr === 'output_sha' || attr === 'output_md5' || attr === 'output_sha256')
      return `preview-${attr}`;
    if (attr === 'output_size') return 0;
    return undefined;
  },
};
