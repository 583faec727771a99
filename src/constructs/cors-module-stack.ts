import path from 'node:path';
import type { Construct } from 'constructs';
import { Fn, ref, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import type { IResolvable } from 'cdktf';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { routeAuth, type CorsModel } from '../spec/model.js';
import { ApiDomain } from './api-domain.js';
import { AuthorizerInputs } from './authorizers.js';
import { CorsFunctionUrl } from './cors-function-url.js';
import { CorsHttpApi } from './cors-http-api.js';
import { CorsLambda } from './cors-lambda.js';
import { CorsRestApi } from './cors-rest-api.js';
import { CorsWrapperLayer } from './cors-wrapper-layer.js';
import { FrontendBucket } from './frontend-bucket.js';
import { FrontendCdn } from './frontend-cdn.js';
import { lambdaInputs } from './lambda-inputs.js';
import { originValidations } from './origin-validation.js';
import { escapeTemplate, stringLiteral } from './terraform-literal.js';

export interface CorsModuleStackProps {
  readonly model: CorsModel;
  /** `index.handler` or `handler.handler`, matching the code in `lambda/`. */
  readonly lambdaHandler: string;
  /**
   * The Lambda's environment, given the effective origin list as a CDKTF token list. Values are literal text
   * (escaped for Terraform by CorsLambda); tokens in them stay references.
   */
  readonly lambdaEnvironment: (allowedOrigins: string[]) => Record<string, string>;
  /**
   * REST: addresses of per-resource objects an older generated module declared, forgotten with `removed` blocks
   * (see CorsRestApiProps.retiredAddresses). @default []
   */
  readonly retiredAddresses?: readonly string[];
  /**
   * With `lambda.source`: the user's code folder relative to the module folder ("/"-separated), the default of
   * the `lambda_source_dir` input. @default the layout `cors-gen generate` writes from the spec's folder,
   * `generated/<name>/` beside the spec: "../../" + lambda.source
   */
  readonly lambdaSourceDir?: string;
}

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * The whole module: inputs, the API with its Lambda and frontend bucket, outputs. The provider constructs exist
 * only because CDKTF derives `required_providers` from them; `synth/clean-document.ts` removes their `provider`
 * blocks, since a module must leave provider configuration to its caller.
 */
export class CorsModuleStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: CorsModuleStackProps) {
    super(scope, id);
    const { model } = props;
    new AwsProvider(this, 'aws', {});
    new ArchiveProvider(this, 'archive', {});

    const allowedOrigins = new TerraformVariable(this, 'allowed_origins', {
      type: 'list(string)',
      description:
        'Origins allowed to call the API ("scheme://host[:port]", "*" alone' +
        (model.api === 'rest'
          ? ', or one-label wildcards like "https://*.example.com"'
          : model.api === 'http'
            ? ', "https://*" or "http://*"'
            : '') +
        ').' +
        (model.frontend.cdn
          ? " The CloudFront distribution's https origins (site_origins) are added automatically."
          : model.frontend.enabled
            ? " The frontend bucket's website origin is added automatically."
            : ''),
      default: [...model.cors.allowOrigins],
      validation: originValidations('var.allowed_origins', model.api, model.cors.allowCredentials),
    });
    const namePrefix = new TerraformVariable(this, 'name_prefix', {
      type: 'string',
      description:
        'Names the API, the Lambda function and its log group, and prefixes the role and bucket names (which get a unique suffix). Give each deployment in one account and region its own (the stage files do).',
      default: model.name,
      // At most 56 (function names allow 64), as before; the role and the bucket take a truncated prefix plus a
      // unique suffix, so they never collide across regions.
      validation: [
        {
          condition: '${can(regex("^[a-z][a-z0-9-]{1,55}$", var.name_prefix))}',
          errorMessage:
            'name_prefix must be 2-56 characters: a lowercase letter, then lowercase letters, digits or "-".',
        },
      ],
    });
    const tags = new TerraformVariable(this, 'tags', {
      type: 'map(string)',
      description: 'Tags for every resource that takes them.',
      default: {},
    });
    const logRetention = new TerraformVariable(this, 'log_retention_days', {
      type: 'number',
      description: "Days CloudWatch keeps the Lambda's logs.",
      default: 14,
      validation: [
        {
          condition: `\${contains([${LOG_RETENTION_DAYS.join(', ')}], var.log_retention_days)}`,
          errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(', ')}.`,
        },
      ],
    });
    const stageName =
      model.api === 'rest'
        ? new TerraformVariable(this, 'stage_name', {
            type: 'string',
            description: 'The REST API stage the deployment is published to; part of api_url.',
            default: model.stage,
            validation: [
              {
                condition: '${can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))}',
                errorMessage: 'stage_name must be 1-128 letters, digits, "-" or "_".',
              },
            ],
          })
        : undefined;
    // Declared with or without a frontend, like the website outputs, so callers keep working when it is toggled.
    const forceDestroy = new TerraformVariable(this, 'force_destroy', {
      type: 'bool',
      description: model.frontend.enabled
        ? 'Let terraform destroy delete the site bucket with its objects. With false, S3 refuses to delete a non-empty bucket (BucketNotEmpty): empty it first.'
        : 'Has no effect: this module has no frontend (frontend.enabled is false in the spec).',
      default: false,
    });
    const tagsValue = tags.value as Record<string, string>;

    const cdn = model.frontend.cdn
      ? frontendCdn(this, model, namePrefix.value, forceDestroy.booleanValue, tagsValue)
      : undefined;
    const frontend =
      model.frontend.enabled && !cdn
        ? new FrontendBucket(this, 'frontend', {
            bucketPrefix: `${namePrefix.value}-site-`,
            indexDocument: model.frontend.indexDocument,
            forceDestroy: forceDestroy.booleanValue,
            tags: tagsValue,
          })
        : undefined;

    // The effective list: the variable plus the website's own origin ("*" stays alone).
    if (frontend)
      new TerraformLocal(this, 'website_origin', frontend.websiteOrigin).overrideLogicalId('website_origin');
    const effectiveOrigins = new TerraformLocal(
      this,
      'local-allowed_origins',
      frontend
        ? '${contains(var.allowed_origins, "*") ? ["*"] : distinct(concat(var.allowed_origins, [local.website_origin]))}'
        : cdn
          ? '${contains(var.allowed_origins, "*") ? ["*"] : distinct(concat(var.allowed_origins, local.site_origins))}'
          : allowedOrigins.listValue,
    );
    effectiveOrigins.overrideLogicalId('allowed_origins');
    const originsExpr = '${local.allowed_origins}';

    const lambdaEnvironment = props.lambdaEnvironment(effectiveOrigins.asList);
    const inputs = lambdaInputs(this, model.lambda, Object.keys(lambdaEnvironment));
    const userCode = model.lambda.source
      ? userCodeInputs(this, model, namePrefix.value, props.lambdaSourceDir)
      : undefined;
    const lambda = new CorsLambda(this, 'lambda', {
      functionName: namePrefix.value,
      ...(userCode ? { sourceDir: userCode.sourceDir } : {}),
      handler: props.lambdaHandler,
      runtime: model.lambda.runtime,
      environment: lambdaEnvironment,
      ...inputs,
      logRetentionDays: logRetention.value,
      tags: tagsValue,
    });

    // The function's layers, the one place where they are listed: the CORS wrapper's first (the function's handler
    // lives in it), then those of the `layers` input.
    if (userCode)
      lambda.function.layers = Token.asList(
        Fn.concat([[userCode.layer.layer.arn], Token.asList(ref(inputs.layers, this))]),
      );

    const cors = { ...model.cors, allowOrigins: originsExpr };
    // Authorizers: their ARNs and issuers are inputs; each route says what guards its methods.
    const authorizers = model.auth
      ? new AuthorizerInputs(this, 'authorizers', { authorizers: model.auth.authorizers }).authorizers
      : [];
    const routes = model.routes.map((r) => ({ ...r, ...(model.auth ? { auth: routeAuth(model, r.path) } : {}) }));
    let apiUrl: string;
    // A custom domain: only when the spec sets one (top-level or for a stage), so other modules keep their inputs.
    const wantsDomain = model.api !== 'function-url' && (model.domain || model.stages.some((s) => s.domain));
    let domain: ApiDomain | undefined;
    // Outputs for composition (a custom domain, a WAF, a policy on a table): those of this API kind only. An
    // output of another kind would be null, which a caller finds at apply time in some resource's argument;
    // an absent one, Terraform reports at plan ("Unsupported attribute"), and a kind change replaces the API anyway.
    const kindOutputs: Array<[string, unknown, string]> = [];
    if (model.api === 'rest') {
      const api = new CorsRestApi(this, 'rest', {
        name: namePrefix.value,
        stageName: stageName!.value,
        routes,
        authorizers,
        cors,
        handler: lambda.function,
        tags: tagsValue,
        retiredAddresses: props.retiredAddresses,
        openapi: model.openapi,
      });
      apiUrl = api.stage.invokeUrl;
      if (wantsDomain)
        domain = new ApiDomain(this, 'domain', {
          api: 'rest',
          apiId: api.api.id,
          stage: api.stage.stageName,
          defaults: model.domain,
          tags: tagsValue,
        });
      kindOutputs.push(
        [
          'rest_api_id',
          api.api.id,
          'ID of the REST API (aws_api_gateway_base_path_mapping, aws_api_gateway_usage_plan, ...).',
        ],
        ['rest_api_root_resource_id', api.api.rootResourceId, 'ID of the REST API\'s root resource ("/").'],
        [
          'rest_api_execution_arn',
          api.api.executionArn,
          'Execution ARN of the REST API, the prefix of the source_arn of Lambda permissions and of IAM execute-api policies.',
        ],
        ['stage_name', api.stage.stageName, 'Name of the REST API stage the module deploys.'],
        ['stage_arn', api.stage.arn, 'ARN of the stage, e.g. for aws_wafv2_web_acl_association.'],
      );
    } else if (model.api === 'http') {
      const api = new CorsHttpApi(this, 'http', {
        name: namePrefix.value,
        routes,
        authorizers,
        cors,
        handler: lambda.function,
        tags: tagsValue,
      });
      apiUrl = api.api.apiEndpoint;
      if (wantsDomain)
        domain = new ApiDomain(this, 'domain', {
          api: 'http',
          apiId: api.api.id,
          stage: api.stage.id,
          defaults: model.domain,
          tags: tagsValue,
        });
      kindOutputs.push(
        ['http_api_id', api.api.id, 'ID of the HTTP API (aws_apigatewayv2_api_mapping, aws_apigatewayv2_route, ...).'],
        [
          'http_api_endpoint',
          api.api.apiEndpoint,
          'Default endpoint of the HTTP API (https://{api-id}.execute-api.{region}.amazonaws.com).',
        ],
        [
          'http_api_execution_arn',
          api.api.executionArn,
          'Execution ARN of the HTTP API, the prefix of the source_arn of Lambda permissions and of IAM execute-api policies.',
        ],
      );
    } else {
      const url = new CorsFunctionUrl(this, 'function-url', {
        cors,
        handler: lambda.function,
        authorizationType: model.auth?.default === 'iam' ? 'AWS_IAM' : 'NONE',
      });
      apiUrl = Fn.trimsuffix(url.url.functionUrl, '/');
      kindOutputs.push([
        'function_url',
        url.url.functionUrl,
        'The Function URL as Lambda returns it, with its trailing slash.',
      ]);
    }

    const output = (id: string, value: unknown, description: string) => {
      // An output may not share a construct id with a variable (allowed_origins), hence the prefix + override.
      const o = new TerraformOutput(this, `output-${id}`, { value, description });
      o.overrideLogicalId(id);
    };
    if (domain) apiUrl = Fn.conditional(ref(domain.on, this), ref(domain.url, this), apiUrl);
    output(
      'api_url',
      apiUrl,
      domain
        ? 'Base URL of the API, without a trailing slash; append a route path. https://<domain_name> when a custom domain is set.'
        : 'Base URL of the API, without a trailing slash; append a route path.',
    );
    if (domain)
      output(
        'domain_target',
        Fn.conditional(ref(domain.on, this), ref(domain.target, this), ref('null', this)),
        'Regional host name of the custom domain, for a CNAME or alias record when domain_zone_id is null (null without a domain).',
      );
    // Without a frontend the website outputs stay (callers may reference them) but are always null.
    const noFrontend = cdn
      ? 'Always null: the site is served by CloudFront (frontend.cdn in the spec), not by an S3 website; see site_origins.'
      : 'Always null: this module has no frontend (frontend.enabled is false in the spec).';
    output(
      'website_url',
      frontend ? '${local.website_origin}' : '${null}',
      frontend ? 'URL of the S3 website hosting the frontend (null without a frontend).' : noFrontend,
    );
    output(
      'website_origin',
      frontend ? '${local.website_origin}' : '${null}',
      frontend ? 'The Origin browsers send from the S3 website; allowed automatically.' : noFrontend,
    );
    output(
      'website_bucket',
      frontend ? frontend.bucket.bucket : cdn ? cdn.bucket.bucket : '${null}',
      frontend || cdn ? 'Bucket to upload the frontend to (null without a frontend).' : noFrontend,
    );
    if (cdn) {
      output('cdn_distribution_id', cdn.distribution.id, 'ID of the CloudFront distribution (for invalidations).');
      output('cdn_domain_name', cdn.distribution.domainName, "The distribution's *.cloudfront.net domain name.");
      output(
        'site_url',
        '${local.site_origins[0]}',
        'URL of the site: https:// and the first alias, else the distribution domain.',
      );
      output(
        'site_origins',
        '${local.site_origins}',
        'The Origins browsers send from the site (every alias, then the distribution domain); allowed automatically.',
      );
    }
    output('function_name', lambda.function.functionName, 'The Lambda function serving every route.');
    output(
      'allowed_origins',
      originsExpr,
      frontend
        ? 'The effective allowed origins: allowed_origins plus the website origin.'
        : cdn
          ? "The effective allowed origins: allowed_origins plus the distribution's origins (site_origins)."
          : 'The effective allowed origins (allowed_origins).',
    );
    output('function_arn', lambda.function.arn, 'ARN of the Lambda function.');
    output(
      'function_invoke_arn',
      lambda.function.invokeArn,
      "ARN API Gateway uses to invoke the function (an integration's uri).",
    );
    output(
      'role_name',
      lambda.role.name,
      "Name of the function's IAM role: attach more policies to it from outside (aws_iam_role_policy_attachment).",
    );
    output('role_arn', lambda.role.arn, "ARN of the function's IAM role.");
    for (const [id, value, description] of kindOutputs) output(id, value, description);
  }
}

/**
 * With `frontend.cdn`: the inputs of the CloudFront frontend (aliases, certificate, price class, defaults from the
 * spec), the frontend itself, and `local.site_origins`, the Origins browsers send from it: `https://` and each
 * alias, then the distribution's domain.
 */
function frontendCdn(
  stack: TerraformStack,
  model: CorsModel,
  namePrefix: string,
  forceDestroy: IResolvable,
  tags: Record<string, string>,
): FrontendCdn {
  const spec = model.frontend.cdn!;
  new TerraformVariable(stack, 'site_aliases', {
    type: 'list(string)',
    description:
      'Host names (CNAMEs) the CloudFront distribution answers to, e.g. ["www.example.com"]; each https://<alias> is allowed. Needs site_certificate_arn. Point their DNS at cdn_domain_name.',
    default: [...spec.aliases],
    validation: [
      {
        condition:
          '${alltrue([for a in var.site_aliases : can(regex("^([*][.])?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z][a-z0-9-]{0,61}[a-z0-9]$", a))])}',
        errorMessage: 'site_aliases must be lowercase host names such as "www.example.com" (no scheme, port or path).',
      },
    ],
  });
  const certificate = new TerraformVariable(stack, 'site_certificate_arn', {
    type: 'string',
    description:
      'ARN of the ACM certificate, in us-east-1 (CloudFront takes certificates from there only), covering every alias; null for the *.cloudfront.net certificate (no aliases).',
    validation: [
      {
        condition:
          '${var.site_certificate_arn == null || can(regex("^arn:aws:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]{1,64}$", var.site_certificate_arn))}',
        errorMessage:
          'site_certificate_arn must be null or an ACM certificate ARN in us-east-1 ("arn:aws:acm:us-east-1:<account>:certificate/<id>").',
      },
    ],
  });
  // CDKTF cannot take null as a default: set it on the synthesized block.
  certificate.addOverride('default', spec.certificateArn ?? null);
  new TerraformVariable(stack, 'site_price_class', {
    type: 'string',
    description:
      'Edge locations serving the site: PriceClass_All, PriceClass_200 or PriceClass_100 (https://aws.amazon.com/cloudfront/pricing/).',
    default: 'PriceClass_All',
    validation: [
      {
        condition: '${contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.site_price_class)}',
        errorMessage: 'site_price_class must be PriceClass_All, PriceClass_200 or PriceClass_100.',
      },
    ],
  });
  const cdn = new FrontendCdn(stack, 'frontend-cdn', {
    bucketPrefix: `${namePrefix}-site-`,
    name: `${namePrefix}-site`,
    indexDocument: model.frontend.indexDocument,
    aliases: '${var.site_aliases}',
    certificateArn: '${var.site_certificate_arn}',
    priceClass: '${var.site_price_class}',
    spa: spec.spa,
    forceDestroy,
    tags,
  });
  new TerraformLocal(
    stack,
    'site_origins',
    '${concat([for a in var.site_aliases : "https://${a}"], ["https://${aws_cloudfront_distribution.site.domain_name}"])}',
  ).overrideLogicalId('site_origins');
  return cdn;
}

/**
 * With `lambda.source`: the `lambda_source_dir` input (the folder zipped as the function's code) and the layer
 * that carries the CORS wrapper. A variable's default must be a literal
 * (https://developer.hashicorp.com/terraform/language/values/variables#default-values), so the spec's folder is
 * the fallback of a local, written from `path.module`: the same on every machine, and right wherever the module is
 * called from.
 */
function userCodeInputs(
  stack: TerraformStack,
  model: CorsModel,
  namePrefix: string,
  relativeDir: string | undefined,
): { sourceDir: string; layer: CorsWrapperLayer } {
  const dir = relativeDir ?? path.posix.normalize(`../../${model.lambda.source!.dir}`);
  // The folder's name is data: escaped as a string literal, so `%{`, `${`, quotes or backslashes in it stay text.
  const fallback = `"\${path.module}/${stringLiteral(dir).slice(1)}`;
  const variable = new TerraformVariable(stack, 'lambda_source_dir', {
    type: 'string',
    description: `Folder of your handler code (lambda.source), zipped as it is to be the function's code. null: path.module/${escapeTemplate(dir)}, the spec's folder seen from this module. A relative path is taken from where Terraform runs: from a calling module write it from path.module or path.root.`,
    validation: [
      {
        condition: '${var.lambda_source_dir == null || can(regex("[^[:space:]]", var.lambda_source_dir))}',
        errorMessage: "lambda_source_dir must be null (the spec's lambda.source) or the path of a folder.",
      },
    ],
  });
  // CDKTF cannot take null as a default (it drops undefined and fails on null): set it on the synthesized block.
  variable.addOverride('default', null);
  const sourceDir = new TerraformLocal(
    stack,
    'local-lambda_source_dir',
    `\${var.lambda_source_dir != null ? var.lambda_source_dir : ${fallback}}`,
  );
  sourceDir.overrideLogicalId('lambda_source_dir');
  const layer = new CorsWrapperLayer(stack, 'wrapper-layer', {
    layerName: `${namePrefix}-cors`,
    zipName: `${namePrefix}-cors-layer`,
    runtime: model.lambda.runtime,
  });
  return { sourceDir: '${local.lambda_source_dir}', layer };
}
