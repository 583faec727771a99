import { Construct } from 'constructs';
import { Fn, Token, type IResolvable } from 'cdktf';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution/index.js';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control/index.js';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { templateLiteral } from './terraform-literal.js';

/**
 * CloudFront's managed cache policy "Managed-CachingOptimized": the same id in every account
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
 */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

export interface FrontendCdnProps {
  /** Bucket name prefix (S3 adds a unique suffix); at most 37 characters are used. */
  readonly bucketPrefix: string;
  /** Names the origin access control (at most 64 characters). */
  readonly name: string;
  /** The object served for `/` (the distribution's default root object); literal text. @default "index.html" */
  readonly indexDocument?: string;
  /** Host names the distribution answers to, as a `${...}` expression of a list. */
  readonly aliases: string;
  /** ACM certificate ARN (us-east-1) or null for the `*.cloudfront.net` certificate, as a `${...}` expression. */
  readonly certificateArn: string;
  /** `PriceClass_All`, `PriceClass_200` or `PriceClass_100`, as a `${...}` expression. */
  readonly priceClass: string;
  /** Answer 403 and 404 with the index document and 200, so a single-page app's deep links load it. */
  readonly spa: boolean;
  /** @default false */
  readonly forceDestroy?: boolean | IResolvable;
  readonly tags?: Record<string, string> | undefined;
}

/**
 * The frontend over https: a private bucket that only this module's CloudFront distribution may read, through an
 * origin access control that signs every request with SigV4, and a bucket policy that lets the
 * `cloudfront.amazonaws.com` service principal `s3:GetObject` only when `AWS:SourceArn` is this distribution
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).
 * The bucket keeps the website bucket's address (`aws_s3_bucket.site`), so turning the CDN on keeps the
 * uploaded site; there is no website configuration, no public policy, ACLs are disabled (BucketOwnerEnforced,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html) and all four public access
 * blocks are on.
 */
export class FrontendCdn extends Construct {
  readonly bucket: S3Bucket;
  readonly distribution: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: FrontendCdnProps) {
    super(scope, id);
    const index = props.indexDocument ?? 'index.html';
    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: Fn.substr(props.bucketPrefix, 0, 37),
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html: a bucket must be empty to be deleted.
      forceDestroy: props.forceDestroy ?? false,
      tags: props.tags,
    });
    this.bucket.overrideLogicalId('site');

    const ownership = new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    ownership.overrideLogicalId('site');

    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    publicAccess.overrideLogicalId('site');

    const oac = new CloudfrontOriginAccessControl(this, 'oac', {
      name: props.name,
      description: 'Lets only this distribution read the site bucket.',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    oac.overrideLogicalId('site');

    const originId = 'site-bucket';
    const certificate = props.certificateArn;
    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      isIpv6Enabled: true,
      comment: 'cors-gen frontend',
      defaultRootObject: templateLiteral(index),
      aliases: Token.asList(props.aliases),
      priceClass: props.priceClass,
      origin: [
        {
          // The regional endpoint: the global one can redirect (307) for a new bucket outside us-east-1.
          domainName: this.bucket.bucketRegionalDomainName,
          originId,
          originAccessControlId: oac.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        compress: true,
      },
      // With a private bucket a missing key is 403 (the OAC may not s3:ListBucket), so both codes mean "not here".
      customErrorResponse: props.spa
        ? [403, 404].map((errorCode) => ({
            errorCode,
            responseCode: 200,
            responsePagePath: `/${templateLiteral(index)}`,
            errorCachingMinTtl: 0,
          }))
        : undefined,
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        // sni-only: a dedicated-IP certificate costs $600 a month; TLSv1.2_2021 is CloudFront's recommended policy
        // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
        acmCertificateArn: certificate,
        sslSupportMethod: `\${${unwrap(certificate)} == null ? null : "sni-only"}`,
        minimumProtocolVersion: `\${${unwrap(certificate)} == null ? null : "TLSv1.2_2021"}`,
        cloudfrontDefaultCertificate: Token.asAny(`\${${unwrap(certificate)} == null}`),
      },
      tags: props.tags,
    });
    this.distribution.overrideLogicalId('site');

    const policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowCloudFrontServicePrincipalReadOnly',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: `${this.bucket.arn}/*`,
            Condition: { StringEquals: { 'AWS:SourceArn': this.distribution.arn } },
          },
        ],
      }),
      // PutBucketPolicy after the block: the policy is not public, but one order keeps the plan predictable.
      dependsOn: [publicAccess],
    });
    policy.overrideLogicalId('site');
  }
}

/** `${var.x}` -> `var.x`, to use an expression inside another. */
function unwrap(expression: string): string {
  const m = /^\$\{(.*)\}$/s.exec(expression);
  return m ? m[1]! : expression;
}
