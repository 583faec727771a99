import { describe, expect, it } from 'vitest';
import { ARCHIVE_EXCLUDES } from '../../src/constructs/cors-lambda.js';
import { doc, functionEnvironment, locals, resource, resources, spec, type Body } from '../support/synth.js';

const WEBSITE_ORIGIN = 'http://${aws_s3_bucket_website_configuration.site.website_endpoint}';

describe('FrontendBucket', () => {
  it("hosts the site in an S3 website bucket with the spec's index document", async () => {
    const d = await doc(spec({ frontend: { enabled: true, indexDocument: 'app.html' } }));
    expect(resource(d, 'aws_s3_bucket', 'site')).toMatchObject({
      bucket_prefix: '${substr("${var.name_prefix}-site-", 0, 37)}',
      tags: '${var.tags}',
    });
    expect(resource(d, 'aws_s3_bucket_website_configuration', 'site')).toEqual({
      bucket: '${aws_s3_bucket.site.id}',
      index_document: { suffix: 'app.html' },
    });
  });

  it('relaxes only the policy half of Block Public Access and grants s3:GetObject alone, after the block', async () => {
    const d = await doc(spec());
    expect(resource(d, 'aws_s3_bucket_public_access_block', 'site')).toEqual({
      bucket: '${aws_s3_bucket.site.id}',
      block_public_acls: true,
      ignore_public_acls: true,
      block_public_policy: false,
      restrict_public_buckets: false,
    });
    const policy = resource(d, 'aws_s3_bucket_policy', 'site');
    expect(policy.depends_on).toEqual(['aws_s3_bucket_public_access_block.site']);
    expect(policy.bucket).toBe('${aws_s3_bucket.site.id}');
    // One statement: GetObject on the bucket's objects, nothing on the bucket itself.
    expect(JSON.parse(policy.policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicReadGetObject',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: '${aws_s3_bucket.site.arn}/*',
        },
      ],
    });
  });

  it('adds the website\'s origin (http://<website endpoint>) to the allowed origins, except when "*" allows all', async () => {
    const d = await doc(spec());
    expect(locals(d)).toMatchObject({
      website_origin: WEBSITE_ORIGIN,
      allowed_origins:
        '${contains(var.allowed_origins, "*") ? ["*"] : distinct(concat(var.allowed_origins, [local.website_origin]))}',
    });
  });

  it('uses the effective list (with the website origin) everywhere an origin is checked', async () => {
    const d = await doc(spec());
    expect(locals(d).cors_origins).toBe('${local.allowed_origins}'); // VTL lists, gateway responses, trigger
    const env = functionEnvironment(d);
    expect(env.ALLOWED_ORIGINS).toBe('${join(" ", local.allowed_origins)}');
    expect((d.output as Record<string, Body>).allowed_origins!.value).toBe('${local.allowed_origins}');
    expect((d.output as Record<string, Body>).website_origin!.value).toBe('${local.website_origin}');
    for (const api of ['http', 'function-url'] as const) {
      const other = await doc(
        spec({ api, routes: [{ path: '/orders', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
      );
      const cors =
        api === 'http'
          ? resource(other, 'aws_apigatewayv2_api', 'api').cors_configuration
          : resource(other, 'aws_lambda_function_url', 'handler').cors;
      expect((cors as Body).allow_origins, api).toBe('${local.allowed_origins}');
      expect(locals(other).allowed_origins, api).toContain('local.website_origin');
    }
  });
});

describe('CorsLambda', () => {
  it('passes the CORS contract to the code: ALLOWED_ORIGINS and its siblings', async () => {
    const d = await doc(
      spec({
        cors: {
          allowCredentials: true,
          allowHeaders: ['Content-Type', 'X-Api-Key'],
          exposeHeaders: ['X-Request-Id', 'ETag'],
          enforceOrigin: true,
        },
      }),
    );
    expect(functionEnvironment(d)).toEqual({
      ALLOWED_ORIGINS: '${join(" ", local.allowed_origins)}',
      ALLOW_CREDENTIALS: 'true',
      ALLOW_HEADERS: 'Content-Type,X-Api-Key',
      CORS_MODE: 'lambda',
      ENFORCE_ORIGIN: 'true',
      EXPOSE_HEADERS: 'X-Request-Id,ETag',
    });
    const open = functionEnvironment(await doc(spec()));
    expect(open).toMatchObject({ ALLOW_CREDENTIALS: 'false', ENFORCE_ORIGIN: 'false' });
  });

  it.each([
    ['nodejs22.x', 'index.handler'],
    ['nodejs24.x', 'index.handler'],
    ['python3.12', 'handler.handler'],
    ['python3.13', 'handler.handler'],
  ])('runs %s with handler %s, zipped from lambda/ with a fixed file mode', async (runtime, handler) => {
    const d = await doc(spec({ lambda: { runtime, memorySize: 512, timeout: 20 } }));
    expect(resource(d, 'aws_lambda_function', 'handler')).toMatchObject({
      function_name: '${var.name_prefix}',
      handler,
      runtime,
      memory_size: '${var.memory_size}',
      timeout: '${var.timeout}',
      role: '${aws_iam_role.lambda.arn}',
      filename: '${data.archive_file.lambda.output_path}',
      source_code_hash: '${data.archive_file.lambda.output_base64sha256}',
      depends_on: [
        'aws_cloudwatch_log_group.lambda',
        'aws_iam_role_policy_attachment.lambda_logs',
        'aws_iam_role_policy_attachment.lambda_vpc',
      ],
    });
    const variables = d.variable as Record<string, Body>;
    expect(variables.memory_size).toMatchObject({ type: 'number', default: 512 });
    expect(variables.timeout).toMatchObject({ type: 'number', default: 20 });
    expect((d.data as Record<string, Record<string, Body>>).archive_file!.lambda).toEqual({
      type: 'zip',
      source_dir: '${path.module}/lambda',
      output_path: '${path.root}/.terraform/cors-gen/${var.name_prefix}.zip',
      excludes: [...ARCHIVE_EXCLUDES],
      output_file_mode: '0644',
    });
  });

  it('runs under a role that Lambda alone can assume, with AWSLambdaBasicExecutionRole and by default nothing else', async () => {
    const d = await doc(spec());
    const role = resource(d, 'aws_iam_role', 'lambda');
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role).not.toHaveProperty('inline_policy');
    expect(role).not.toHaveProperty('managed_policy_arns');
    // The one unconditional attachment; the others exist only when the caller's inputs (empty by default) ask.
    const attachments = resources(d, 'aws_iam_role_policy_attachment');
    expect(attachments.lambda_logs).toEqual({
      role: '${aws_iam_role.lambda.name}',
      policy_arn:
        'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    });
    expect(attachments.lambda_extra).toMatchObject({ count: '${length(var.policy_arns)}' });
    expect(attachments.lambda_vpc!.count).toMatch(/var\.vpc_subnet_ids/);
    expect(resource(d, 'aws_iam_role_policy', 'lambda_extra').count).toBe('${var.attach_policy_json ? 1 : 0}');
    const variables = d.variable as Record<string, Body>;
    expect(variables.policy_arns!.default).toEqual([]);
    expect(variables.policy_json!.default).toBeNull();
    expect(variables.vpc_subnet_ids!.default).toEqual([]);
    const iamTypes = Object.keys(d.resource as Body).filter((t) => t.startsWith('aws_iam_'));
    expect(iamTypes.sort()).toEqual(['aws_iam_role', 'aws_iam_role_policy', 'aws_iam_role_policy_attachment']);
  });

  it('creates its log group, with retention, before the function', async () => {
    const d = await doc(spec());
    expect(resource(d, 'aws_cloudwatch_log_group', 'lambda')).toEqual({
      name: '/aws/lambda/${var.name_prefix}',
      retention_in_days: '${var.log_retention_days}',
      tags: '${var.tags}',
    });
    expect((d.variable as Record<string, Body>).log_retention_days).toMatchObject({ type: 'number', default: 14 });
  });
});
