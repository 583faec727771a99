import { Construct } from 'constructs';
import { Fn, type IResolvable } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketWebsiteConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-website-configuration/index.js';
import { templateLiteral } from './terraform-literal.js';

export interface FrontendBucketProps {
  /** Bucket name prefix (S3 adds a unique suffix); at most 37 characters are used. */
  readonly bucketPrefix: string;
  /** The object served for a folder; literal text. @default "index.html" */
  readonly indexDocument?: string;
  /**
   * Whether `terraform destroy` deletes the site's objects with the bucket; may be a variable's value.
   * S3 refuses to delete a bucket that has objects (BucketNotEmpty), so without it the site must be emptied
   * first. @default false
   */
  readonly forceDestroy?: boolean | IResolvable;
  readonly tags?: Record<string, string> | undefined;
  /** Prefix of the Terraform addresses. @default "" */
  readonly idPrefix?: string;
}

/**
 * An S3 static-website bucket for the frontend. Its origin, `http://<website_endpoint>` (S3 websites have no
 * HTTPS), is what the browser sends as Origin, so the module adds it to the allowed origins everywhere.
 * Public read needs the bucket's Block Public Access relaxed for policies, an `s3:GetObject`-only policy, and
 * that policy created after the block is relaxed, or PutBucketPolicy is denied
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
 */
export class FrontendBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly website: S3BucketWebsiteConfiguration;
  /** `http://<bucket>.s3-website-<region>.amazonaws.com`, as a Terraform expression. */
  readonly websiteOrigin: string;

  constructor(scope: Construct, id: string, props: FrontendBucketProps) {
    super(scope, id);
    const p = props.idPrefix ?? '';
    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: Fn.substr(props.bucketPrefix, 0, 37),
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html: "All objects (including all
      // object versions and delete markers) in the bucket must be deleted before the bucket itself can be deleted."
      forceDestroy: props.forceDestroy ?? false,
      tags: props.tags,
    });
    this.bucket.overrideLogicalId(`${p}site`);

    this.website = new S3BucketWebsiteConfiguration(this, 'website', {
      bucket: this.bucket.id,
      indexDocument: { suffix: templateLiteral(props.indexDocument ?? 'index.html') },
    });
    this.website.overrideLogicalId(`${p}site`);

    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    publicAccess.overrideLogicalId(`${p}site`);

    const policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      // Literal JSON, written like the Lambda role's trust policy: one policy style, read back with JSON.parse.
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicReadGetObject',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `${this.bucket.arn}/*`,
          },
        ],
      }),
      dependsOn: [publicAccess],
    });
    policy.overrideLogicalId(`${p}site`);

    this.websiteOrigin = `http://${this.website.websiteEndpoint}`;
  }
}
