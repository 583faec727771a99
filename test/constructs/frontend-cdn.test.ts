import { describe, expect, it } from 'vitest';
import type { SpecIssue } from '../../src/spec/issue.js';
import { parseSpecText } from '../../src/spec/parse.js';
import { validateSpec } from '../../src/spec/validate.js';
import { checkApplyRules } from '../../src/synth/apply-rules.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { CACHING_OPTIMIZED_POLICY_ID } from '../../src/constructs/frontend-cdn.js';
import { clone, doc, locals, resource, resources, spec, synth, type Body } from '../support/synth.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const CDN = spec({ frontend: { cdn: true } });
const CDN_FULL = spec({
  api: 'http',
  cors: { allowCredentials: true, allowOrigins: ['https://app.example.com'] },
  frontend: { cdn: true, aliases: ['www.shop.example.com', 'shop.example.com'], certificateArn: CERT, spa: true },
});

const outputs = (d: Body) => d.output as Record<string, { description: string; value: unknown }>;
const variables = (d: Body) => d.variable as Record<string, Body>;
const policyOf = (d: TerraformDocument) =>
  JSON.parse(resource(d, 'aws_s3_bucket_policy', 'site').policy as string) as {
    Statement: Array<Record<string, unknown>>;
  };

describe('frontend.cdn: a private bucket behind CloudFront with origin access control', () => {
  it('keeps the bucket private: no website, BucketOwnerEnforced, all four public access blocks on', async () => {
    const d = await doc(CDN);
    expect(resources(d, 'aws_s3_bucket_website_configuration')).toEqual({});
    expect(resource(d, 'aws_s3_bucket_ownership_controls', 'site').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
    const block = resource(d, 'aws_s3_bucket_public_access_block', 'site');
    for (const flag of ['block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets'])
      expect(block[flag], flag).toBe(true);
    // The same address as the website bucket: turning the CDN on keeps the uploaded site.
    expect(resource(d, 'aws_s3_bucket', 'site').bucket_prefix).toContain('-site-');
  });

  it('lets only cloudfront.amazonaws.com read objects, and only for this distribution', async () => {
    const d = await doc(CDN);
    const { Statement } = policyOf(d);
    expect(Statement).toEqual([
      {
        Sid: 'AllowCloudFrontServicePrincipalReadOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: '${aws_s3_bucket.site.arn}/*',
        Condition: { StringEquals: { 'AWS:SourceArn': '${aws_cloudfront_distribution.site.arn}' } },
      },
    ]);
  });

  it('signs every request to S3 with SigV4 and serves https only, with the managed CachingOptimized policy', async () => {
    const d = await doc(CDN);
    expect(resource(d, 'aws_cloudfront_origin_access_control', 'site')).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    const dist = resource(d, 'aws_cloudfront_distribution', 'site');
    expect(dist).toMatchObject({
      enabled: true,
      default_root_object: 'index.html',
      aliases: '${var.site_aliases}',
      price_class: '${var.site_price_class}',
    });
    expect(dist.origin).toEqual([
      {
        domain_name: '${aws_s3_bucket.site.bucket_regional_domain_name}',
        origin_access_control_id: '${aws_cloudfront_origin_access_control.site.id}',
        origin_id: 'site-bucket',
      },
    ]);
    expect(dist.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: 'redirect-to-https',
      cache_policy_id: CACHING_OPTIMIZED_POLICY_ID,
    });
    expect(CACHING_OPTIMIZED_POLICY_ID).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
    // Without a certificate: CloudFront's own; with one: SNI and TLSv1.2_2021.
    expect(dist.viewer_certificate).toEqual({
      acm_certificate_arn: '${var.site_certificate_arn}',
      cloudfront_default_certificate: '${var.site_certificate_arn == null}',
      minimum_protocol_version: '${var.site_certificate_arn == null ? null : "TLSv1.2_2021"}',
      ssl_support_method: '${var.site_certificate_arn == null ? null : "sni-only"}',
    });
    expect(dist.custom_error_response).toBeUndefined();
  });

  it('answers deep links of a single-page app with index.html and 200 (403 and 404)', async () => {
    const d = await doc(CDN_FULL);
    expect(resource(d, 'aws_cloudfront_distribution', 'site').custom_error_response).toEqual(
      [403, 404].map((code) => ({
        error_caching_min_ttl: 0,
        error_code: code,
        response_code: 200,
        response_page_path: '/index.html',
      })),
    );
  });

  it('takes aliases, certificate and price class as inputs with the spec as default', async () => {
    const d = await doc(CDN_FULL);
    const v = variables(d);
    expect(v['site_aliases']!.default).toEqual(['www.shop.example.com', 'shop.example.com']);
    expect(v['site_certificate_arn']!.default).toBe(CERT);
    expect(v['site_price_class']!.default).toBe('PriceClass_All');
    for (const name of ['site_aliases', 'site_certificate_arn', 'site_price_class']) {
      expect(v[name]!.description, name).toBeTruthy();
      expect(v[name]!.validation, name).toBeTruthy();
    }
    expect(variables(await doc(CDN))['site_certificate_arn']!.default).toBeNull();
  });

  it("joins every https origin of the distribution to the allow list, instead of the website's", async () => {
    const d = await doc(CDN_FULL);
    expect(locals(d).site_origins).toBe(
      '${concat([for a in var.site_aliases : "https://${a}"], ["https://${aws_cloudfront_distribution.site.domain_name}"])}',
    );
    expect(locals(d).allowed_origins).toBe(
      '${contains(var.allowed_origins, "*") ? ["*"] : distinct(concat(var.allowed_origins, local.site_origins))}',
    );
    expect(locals(d).website_origin).toBeUndefined();
    // Every allow list reads the local: the Lambda's environment and the HTTP API's cors_configuration.
    const text = JSON.stringify(d);
    expect(text).not.toContain('website_endpoint');
    const api = resource(d, 'aws_apigatewayv2_api', 'api');
    expect(JSON.stringify(api.cors_configuration)).toContain('local.allowed_origins');
  });

  it('outputs the distribution and site origins; the website outputs stay, null', async () => {
    const o = outputs(await doc(CDN_FULL));
    expect(o['cdn_distribution_id']!.value).toBe('${aws_cloudfront_distribution.site.id}');
    expect(o['cdn_domain_name']!.value).toBe('${aws_cloudfront_distribution.site.domain_name}');
    expect(o['site_origins']!.value).toBe('${local.site_origins}');
    expect(o['site_url']!.value).toBe('${local.site_origins[0]}');
    for (const name of ['website_url', 'website_origin']) {
      expect([null, '${null}'], name).toContainEqual(o[name]!.value);
      expect(o[name]!.description, name).toContain('CloudFront');
    }
    expect(o['website_bucket']!.value).toBe('${aws_s3_bucket.site.bucket}');
  });

  it('writes nested blocks as HCL blocks', async () => {
    const main = (await synth(CDN_FULL)).generated.get('main.tf')!;
    for (const b of ['origin {', 'default_cache_behavior {', 'viewer_certificate {', 'geo_restriction {', 'rule {'])
      expect(main, b).toContain(b);
    expect(main).toContain('custom_error_response {');
  });
});

describe('cdn-bucket-private: breaking the private bucket fails the apply rules', () => {
  const broken = async (edit: (d: TerraformDocument) => void) => {
    const d = clone(await doc(CDN));
    edit(d);
    return checkApplyRules(d).filter((v) => v.rule === 'cdn-bucket-private');
  };
  const setPolicy = (d: TerraformDocument, edit: (st: Record<string, unknown>) => void) => {
    const p = policyOf(d);
    edit(p.Statement[0]!);
    resource(d, 'aws_s3_bucket_policy', 'site').policy = JSON.stringify(p);
  };

  it('reports a public access block turned off', async () => {
    const v = await broken((d) => {
      resource(d, 'aws_s3_bucket_public_access_block', 'site').restrict_public_buckets = false;
    });
    expect(v.map((x) => x.address)).toEqual(['aws_s3_bucket.site']);
  });

  it('reports a policy open to everyone', async () => {
    const v = await broken((d) => setPolicy(d, (st) => (st['Principal'] = '*')));
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('"*"');
  });

  it('reports a policy scoped to another distribution, or to none', async () => {
    const other = await broken((d) =>
      setPolicy(d, (st) => {
        st['Condition'] = { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/EOTHER' } };
      }),
    );
    expect(other.map((x) => x.address)).toEqual(['aws_s3_bucket_policy.site']);
    const none = await broken((d) => setPolicy(d, (st) => delete st['Condition']));
    expect(none.map((x) => x.address)).toEqual(['aws_s3_bucket_policy.site']);
  });

  it('reports ACLs left enabled and a website endpoint next to the distribution', async () => {
    const v = await broken((d) => {
      (resource(d, 'aws_s3_bucket_ownership_controls', 'site').rule as Body).object_ownership = 'BucketOwnerPreferred';
      (d.resource as Record<string, Record<string, Body>>)['aws_s3_bucket_website_configuration'] = {
        site: { bucket: '${aws_s3_bucket.site.id}', index_document: [{ suffix: 'index.html' }] },
      };
    });
    expect(v.map((x) => x.address).sort()).toEqual(['aws_s3_bucket.site', 'aws_s3_bucket_website_configuration.site']);
  });
});

describe('frontend.cdn in the spec', () => {
  const validate = (frontend: string) => {
    const text = `version: 1\nname: shop\napi: http\ncors:\n  allowOrigins: ["https://app.example.com"]\nroutes:\n  - path: /items\n    methods: [GET]\nfrontend:\n${frontend}`;
    const parsed = parseSpecText(text, 'cors-gen.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return validateSpec(parsed.parsed.data, { file: 'cors-gen.yaml', parsed: parsed.parsed });
  };
  const errors = (frontend: string): SpecIssue[] => {
    const r = validate(frontend);
    return r.ok ? [] : [...r.errors];
  };

  it('implies a frontend and reads aliases, certificate and spa into the model', () => {
    const r = validate(`  cdn: true\n  aliases: [www.example.com]\n  certificateArn: ${CERT}\n  spa: true\n`);
    expect(r.ok && r.model.frontend).toEqual({
      enabled: true,
      indexDocument: 'index.html',
      cdn: { aliases: ['www.example.com'], certificateArn: CERT, spa: true },
    });
  });

  it('requires a certificate with aliases, naming the path and the fix', () => {
    const [e] = errors('  cdn: true\n  aliases: [www.example.com]\n');
    expect(e).toMatchObject({ code: 'frontend-alias-certificate', path: 'frontend.aliases', line: 11 });
    expect(e!.fix).toContain('frontend.certificateArn');
  });

  it('refuses the distribution keys without cdn, and cdn with enabled: false', () => {
    expect(errors('  enabled: true\n  spa: true\n')).toMatchObject([
      {
        code: 'frontend-cdn-only',
        path: 'frontend.spa',
        fix: 'add "cdn: true" under frontend, or remove frontend.spa',
      },
    ]);
    expect(errors('  enabled: false\n  cdn: true\n')).toMatchObject([
      { code: 'frontend-cdn-disabled', path: 'frontend.enabled' },
    ]);
  });

  it('refuses a certificate outside us-east-1 and an alias with a scheme', () => {
    const cert = errors(
      `  cdn: true\n  aliases: [www.example.com]\n  certificateArn: ${CERT.replace('us-east-1', 'eu-west-1')}\n`,
    );
    expect(cert.map((e) => e.path)).toEqual(['frontend.certificateArn']);
    expect(cert[0]!.message).toContain('us-east-1');
    const alias = errors(`  cdn: true\n  certificateArn: ${CERT}\n  aliases: ["https://www.example.com"]\n`);
    expect(alias.map((e) => e.path)).toEqual(['frontend.aliases[0]']);
  });
});

describe('frontend.aliases count against the Lambda environment', () => {
  it('refuses origins that fit alone but not with the aliases the distribution adds', () => {
    const origins = Array.from({ length: 80 }, (_, i) => `https://app-${String(i).padStart(3, '0')}.example.com`);
    const base = {
      version: 1,
      name: 'shop',
      api: 'http',
      cors: { allowOrigins: origins },
      routes: [{ path: '/a', methods: ['GET'] }],
    };
    expect(validateSpec({ ...base, frontend: { cdn: true } }).ok).toBe(true);
    const aliases = Array.from({ length: 60 }, (_, i) => `www-${String(i).padStart(3, '0')}.shop.example.com`);
    const r = validateSpec({ ...base, frontend: { cdn: true, aliases, certificateArn: CERT } });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toContain('origins-too-large');
  });
});
