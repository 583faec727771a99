/**
 * The site the module describes, as the preview serves it: the site server stands in for the S3 website endpoint
 * or for the CloudFront distribution, so the bucket's, the website's and the distribution's computed attributes
 * name that server's host, and the module's own expressions put its origin into the allow lists.
 */
import { isList } from '../../terraform/expression/values.js';
import { ModuleError } from '../errors.js';
import { stringArgument, type ComputedAttributes } from './attributes.js';
import { nestedBlock, type AddressedBlock } from './load.js';
import type { ModuleResolver } from './resolve.js';

/**
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket#attribute-reference,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_website_configuration#attribute-reference.
 */
export const siteAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_s3_bucket: (r, block, attr) => {
    const bucket = () =>
      block.body['bucket'] !== undefined
        ? stringArgument(r, block, 'bucket')
        : `${typeof block.body['bucket_prefix'] === 'string' ? stringArgument(r, block, 'bucket_prefix') : 'terraform-'}preview`;
    if (attr === 'bucket' || attr === 'id') return bucket();
    if (attr === 'arn') return `arn:aws:s3:::${bucket()}`;
    if (attr === 'bucket_regional_domain_name' || attr === 'bucket_domain_name') return r.env.siteHost;
    return undefined;
  },
  // The distribution's domain is the https site server's host (`localhost:<port>`): the module builds its site
  // origins from it ("https://${...domain_name}") exactly as it does from the real `*.cloudfront.net` name.
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudfront_distribution#attribute-reference
  aws_cloudfront_distribution: (r, _block, attr) => {
    if (attr === 'domain_name') return r.env.siteHost;
    if (attr === 'id') return 'EPREVIEW';
    if (attr === 'arn') return 'arn:aws:cloudfront::000000000000:distribution/EPREVIEW';
    if (attr === 'hosted_zone_id') return 'Z2FDTNDATAQYW2';
    return undefined;
  },
  aws_cloudfront_origin_access_control: (_r, _block, attr) => (attr === 'id' ? 'EPREVIEWOAC' : undefined),
  aws_s3_bucket_website_configuration: (r, block, attr) => {
    // The S3 website endpoint has no scheme; the browser's origin is http:// + it
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html).
    if (attr === 'website_endpoint') return r.env.siteHost;
    if (attr === 'website_domain') return r.env.siteHost.replace(/:\d+$/, '');
    if (attr === 'id') return r.attribute(block.address, 'bucket');
    return undefined;
  },
};

export interface SiteModel {
  /** True when the module has an S3 website, which the site server stands in for. */
  readonly website: boolean;
  /** The S3 website's index document, or the distribution's default root object (served for `/` only). */
  readonly indexDocument?: string;
  readonly errorDocument?: string;
  /**
   * With a CloudFront distribution: its custom error responses. A missing key of its private bucket is a 403
   * (the origin access control may not s3:ListBucket), which these may turn into a page and another status.
   */
  readonly errorResponses?: readonly CdnErrorResponse[];
  /** With a CloudFront distribution: its aliases, which the preview cannot serve (their DNS is the real one). */
  readonly aliases?: readonly string[];
}

export interface CdnErrorResponse {
  readonly errorCode: number;
  /** The object served, as a key (response_page_path without its leading slash). */
  readonly key: string;
  readonly status: number;
}

/**
 * `custom_error_response` blocks with literal values (what cors-gen writes); anything else is left out.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/GeneratingCustomErrorResponses.html
 */
function cdnErrorResponses(body: Record<string, unknown>): CdnErrorResponse[] {
  const raw = body['custom_error_response'];
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.flatMap((b) => {
    if (b === null || typeof b !== 'object') return [];
    const { error_code: code, response_code: status, response_page_path: page } = b as Record<string, unknown>;
    const number = (v: unknown) =>
      typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(number(code)) || !Number.isInteger(number(status))) return [];
    if (typeof page !== 'string' || !page.startsWith('/') || page.includes('${')) return [];
    return [{ errorCode: number(code), key: page.slice(1), status: number(status) }];
  });
}

/**
 * The distribution as the site server serves it. `default_root_object` answers `/` only: CloudFront never serves
 * it for a subfolder (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html).
 */
function planCdn(r: ModuleResolver, cdn: AddressedBlock): SiteModel {
  const value = (attr: string) => (cdn.body[attr] === undefined ? undefined : r.attribute(cdn.address, attr));
  const root = value('default_root_object');
  const aliases = value('aliases');
  // Served from the site folder like any key, so it is as untrusted as a request path (the folder is confined).
  if (root != null && (typeof root !== 'string' || /[\\\0]/.test(root) || root.startsWith('/')))
    throw new ModuleError(
      `default_root_object ${JSON.stringify(root)} is not an object key (no leading slash, no backslash)`,
      { file: cdn.file, address: `${cdn.address}.default_root_object` },
      { fix: 'set frontend.indexDocument to a file name such as index.html and run "cors-gen generate"' },
    );
  return {
    website: false,
    ...(typeof root === 'string' && root !== '' ? { indexDocument: root } : {}),
    errorResponses: cdnErrorResponses(cdn.body),
    aliases: aliases !== undefined && isList(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [],
  };
}

export function planSite(r: ModuleResolver): SiteModel {
  const block = r.ofType('aws_s3_bucket_website_configuration')[0];
  const cdn = r.ofType('aws_cloudfront_distribution')[0];
  if (!block) return cdn ? planCdn(r, cdn) : { website: false };
  const indexDocument = nestedBlock(block.body, 'index_document', block)?.['suffix'];
  const errorDocument = nestedBlock(block.body, 'error_document', block)?.['key'];
  // S3 refuses such a suffix ("must not be empty and must not include a slash character",
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_IndexDocument.html); served, it could name a file
  // outside the site folder.
  if (typeof indexDocument === 'string' && (indexDocument === '' || /[/\\\0]/.test(indexDocument))) {
    throw new ModuleError(
      `index_document.suffix ${JSON.stringify(indexDocument)} is empty or contains a slash, which S3 refuses`,
      { file: block.file, address: block.address },
      { fix: 'set frontend.indexDocument to a file name such as index.html and run "cors-gen generate"' },
    );
  }
  return {
    website: true,
    ...(typeof indexDocument === 'string' ? { indexDocument } : {}),
    ...(typeof errorDocument === 'string' ? { errorDocument } : {}),
  };
}
