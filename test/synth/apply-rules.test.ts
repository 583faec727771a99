import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { APPLY_RULES, checkApplyRules } from '../../src/synth/apply-rules.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { clone, doc, spec, type Body, type SpecInput } from '../support/synth.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Modules across targets, origin kinds, credentials, runtimes and stages. Each must pass every rule. */
const MATRIX: Record<string, SpecInput> = {
  'rest, several origins, frontend': spec(),
  'rest, one origin, credentials': spec({
    cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true },
  }),
  'rest, "*"': spec({ cors: { allowOrigins: ['*'] } }),
  'rest, wildcard and exact': spec({
    cors: { allowOrigins: ['https://*.example.com', 'http://localhost:3000'], allowCredentials: true },
  }),
  'rest, root only, python': spec({
    routes: [{ path: '/', methods: ['GET', 'POST', 'DELETE'] }],
    lambda: { runtime: 'python3.13' },
  }),
  'rest, deep proxy, stages': spec({
    routes: [{ path: '/a/b/c/{proxy+}', methods: ['GET', 'HEAD', 'PATCH'] }],
    stages: { dev: { allowOrigins: ['http://localhost:5173'] } },
  }),
  'http, credentials': spec({ api: 'http', cors: { allowCredentials: true } }),
  'http, "https://*"': spec({ api: 'http', cors: { allowOrigins: ['https://*'] } }),
  'function-url': spec({
    api: 'function-url',
    routes: [{ path: '/', methods: ['GET', 'POST'] }],
    cors: { allowMethods: ['GET', 'POST'], maxAge: 86400 },
  }),
};

describe('checkApplyRules: the modules cors-gen writes', () => {
  it.each(Object.entries(MATRIX))('finds nothing to reject in %s', async (_name, input) => {
    // doc() runs the checker on every module the tests synthesize; this states it for the matrix.
    expect(checkApplyRules(await doc(input))).toEqual([]);
  });

  it.each(['orders-api', 'catalog-http', 'webhook-url'])(
    'finds nothing to reject in the bundled example %s',
    async (name) => {
      const loaded = await loadSpec(path.join(ROOT, 'examples', name, 'cors-gen.yaml'), ROOT);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      const files = await buildModuleFiles(loaded.model, {
        format: 'hcl',
        specFile: 'cors-gen.yaml',
        specText: loaded.text,
        version: '0.0.0-test',
      });
      expect(checkApplyRules(files.document)).toEqual([]);
    },
  );

  it('is pure: the same document gives the same answer and is left untouched', async () => {
    const d = await doc(spec());
    const before = JSON.stringify(d);
    const broken = clone(d);
    delete (broken.resource as Record<string, Body>).aws_api_gateway_integration;
    expect(checkApplyRules(broken)).toEqual(checkApplyRules(clone(broken)));
    expect(JSON.stringify(d)).toBe(before);
  });
});

type Resources = Record<string, Record<string, Body>>;
interface Breakage {
  readonly name: string;
  readonly from: 'rest' | 'restCredentials' | 'http' | 'url';
  readonly rule: string;
  readonly address: string;
  break(d: TerraformDocument, r: Resources): void;
}

const trigger = (r: Resources) => r.aws_api_gateway_deployment!.api!.triggers as Record<string, string>;

const BREAKAGES: Breakage[] = [
  {
    name: 'a method response no longer declares a header its integration response maps',
    from: 'rest',
    rule: 'response-header-declared',
    address: 'aws_api_gateway_integration_response.orders_options',
    break: (_d, r) =>
      void delete (r.aws_api_gateway_method_response!.orders_options!.response_parameters as Body)[
        'method.response.header.Vary'
      ],
  },
  {
    name: 'DEFAULT_4XX sets a status_code',
    from: 'rest',
    rule: 'gateway-response-default-status',
    address: 'aws_api_gateway_gateway_response.default_4xx',
    break: (_d, r) => void (r.aws_api_gateway_gateway_response!.default_4xx!.status_code = '400'),
  },
  {
    name: 'DEFAULT_5XX sets a status_code',
    from: 'rest',
    rule: 'gateway-response-default-status',
    address: 'aws_api_gateway_gateway_response.default_5xx',
    break: (_d, r) => void (r.aws_api_gateway_gateway_response!.default_5xx!.status_code = '500'),
  },
  {
    name: 'a method is dropped from the deployment trigger',
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) =>
      void (trigger(r).redeployment = trigger(r).redeployment!.replace('aws_api_gateway_method.orders_get, ', '')),
  },
  {
    name: 'a gateway response is dropped from the deployment trigger',
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) =>
      void (trigger(r).redeployment = trigger(r).redeployment!.replace(
        'aws_api_gateway_gateway_response.default_5xx, ',
        '',
      )),
  },
  {
    name: "the trigger hashes an integration response's id only",
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) =>
      void (trigger(r).redeployment = trigger(r).redeployment!.replace(
        'aws_api_gateway_integration_response.orders_options,',
        'aws_api_gateway_integration_response.orders_options.id,',
      )),
  },
  {
    name: 'the origin list is dropped from the trigger',
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) => void (trigger(r).redeployment = trigger(r).redeployment!.replace('local.cors_origins, ', '')),
  },
  {
    name: 'a method loses its integration',
    from: 'rest',
    rule: 'method-has-integration',
    address: 'aws_api_gateway_method.orders_get',
    break: (_d, r) => void delete r.aws_api_gateway_integration!.orders_get,
  },
  {
    name: 'an integration names its method by value, not by reference',
    from: 'rest',
    rule: 'integration-after-method',
    address: 'aws_api_gateway_integration.orders_get',
    break: (_d, r) => void (r.aws_api_gateway_integration!.orders_get!.http_method = 'GET'),
  },
  {
    name: 'a proxy integration calls Lambda with GET',
    from: 'rest',
    rule: 'proxy-integration-post',
    address: 'aws_api_gateway_integration.orders_get',
    break: (_d, r) => void (r.aws_api_gateway_integration!.orders_get!.integration_http_method = 'GET'),
  },
  {
    name: 'an integration response loses its depends_on',
    from: 'rest',
    rule: 'integration-response-after-integration',
    address: 'aws_api_gateway_integration_response.orders_options',
    break: (_d, r) => void delete r.aws_api_gateway_integration_response!.orders_options!.depends_on,
  },
  {
    name: 'an integration response writes its status code instead of referring to the method response',
    from: 'rest',
    rule: 'integration-response-after-method-response',
    address: 'aws_api_gateway_integration_response.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_integration_response!.orders_options!.status_code = '204'),
  },
  {
    name: 'an integration response selects a status no method response declares',
    from: 'rest',
    rule: 'integration-response-after-method-response',
    address: 'aws_api_gateway_integration_response.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_integration_response!.orders_options!.status_code = '200'),
  },
  {
    name: 'a static header value is not quoted',
    from: 'rest',
    rule: 'mapping-expression-valid',
    address: 'aws_api_gateway_integration_response.orders_options',
    break: (_d, r) =>
      void ((r.aws_api_gateway_integration_response!.orders_options!.response_parameters as Body)[
        'method.response.header.Vary'
      ] = 'Origin'),
  },
  {
    name: 'a gateway response maps a header from the integration (not available there)',
    from: 'rest',
    rule: 'mapping-expression-valid',
    address: 'aws_api_gateway_gateway_response.default_4xx',
    break: (_d, r) =>
      void ((r.aws_api_gateway_gateway_response!.default_4xx!.response_parameters as Body)[
        'gatewayresponse.header.Vary'
      ] = 'integration.response.header.Vary'),
  },
  {
    name: 'a MOCK integration sets request templates without passthrough_behavior',
    from: 'rest',
    rule: 'request-templates-passthrough',
    address: 'aws_api_gateway_integration.orders_options',
    break: (_d, r) => void delete r.aws_api_gateway_integration!.orders_options!.passthrough_behavior,
  },
  {
    name: 'a MOCK integration has no request template',
    from: 'rest',
    rule: 'mock-default-response',
    address: 'aws_api_gateway_integration.orders_options',
    break: (_d, r) =>
      void (r.aws_api_gateway_integration!.orders_options!.request_templates = { 'application/json': '{}' }),
  },
  {
    name: "a MOCK integration's only response has a selection pattern",
    from: 'rest',
    rule: 'mock-default-response',
    address: 'aws_api_gateway_integration.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_integration_response!.orders_options!.selection_pattern = '2\\d{2}'),
  },
  {
    name: 'a resource loses its OPTIONS method',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: 'aws_api_gateway_resource.orders',
    break: (_d, r) => {
      for (const type of [
        'aws_api_gateway_method',
        'aws_api_gateway_integration',
        'aws_api_gateway_method_response',
        'aws_api_gateway_integration_response',
      ])
        delete r[type]!.orders_options;
      trigger(r).redeployment = trigger(r).redeployment!.replace(/aws_api_gateway_\w+\.orders_options, /g, '');
    },
  },
  {
    name: 'the routed root loses its OPTIONS method',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: 'aws_api_gateway_rest_api.api (root resource)',
    break: (_d, r) => void (r.aws_api_gateway_method!.root_options!.http_method = 'HEAD'),
  },
  {
    name: 'the preflight requires authorization',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: 'aws_api_gateway_method.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_method!.orders_options!.authorization = 'AWS_IAM'),
  },
  {
    name: 'the preflight requires an API key',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: 'aws_api_gateway_method.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_method!.orders_options!.api_key_required = true),
  },
  {
    name: 'the preflight goes to the Lambda',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: 'aws_api_gateway_integration.orders_options',
    break: (_d, r) => void (r.aws_api_gateway_integration!.orders_options!.type = 'AWS_PROXY'),
  },
  {
    name: 'the deployment loses create_before_destroy',
    from: 'rest',
    rule: 'deployment-create-before-destroy',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) => void delete r.aws_api_gateway_deployment!.api!.lifecycle,
  },
  {
    name: 'the deployment names a stage (removed in provider v6)',
    from: 'rest',
    rule: 'deployment-v6-arguments',
    address: 'aws_api_gateway_deployment.api',
    break: (_d, r) => void (r.aws_api_gateway_deployment!.api!.stage_name = 'prod'),
  },
  {
    name: 'no stage publishes the deployment',
    from: 'rest',
    rule: 'deployment-v6-arguments',
    address: 'aws_api_gateway_deployment.api',
    break: (d, r) => {
      delete r.aws_api_gateway_stage;
      (d.output as Record<string, Body>).api_url!.value = null;
    },
  },
  {
    name: 'the bucket policy no longer waits for the public access block',
    from: 'rest',
    rule: 'bucket-policy-after-public-access-block',
    address: 'aws_s3_bucket_policy.site',
    break: (_d, r) => void delete r.aws_s3_bucket_policy!.site!.depends_on,
  },
  {
    name: 'the public access block still blocks public policies',
    from: 'rest',
    rule: 'bucket-policy-after-public-access-block',
    address: 'aws_s3_bucket_public_access_block.site',
    break: (_d, r) => void (r.aws_s3_bucket_public_access_block!.site!.block_public_policy = true),
  },
  {
    name: 'the Lambda permission is open to every API',
    from: 'rest',
    rule: 'permission-scoped',
    address: 'aws_lambda_permission.api',
    break: (_d, r) => void (r.aws_lambda_permission!.api!.source_arn = 'arn:aws:execute-api:*:*:*'),
  },
  {
    name: 'the Lambda permission has no source ARN',
    from: 'http',
    rule: 'permission-scoped',
    address: 'aws_lambda_permission.api',
    break: (_d, r) => void delete r.aws_lambda_permission!.api!.source_arn,
  },
  {
    name: 'the Function URL grants InvokeFunction to everyone, not only through the URL',
    from: 'url',
    rule: 'permission-scoped',
    address: 'aws_lambda_permission.function_url_invoke',
    break: (_d, r) => void delete r.aws_lambda_permission!.function_url_invoke!.invoked_via_function_url,
  },
  {
    name: 'a provider block is configured',
    from: 'rest',
    rule: 'no-provider-block',
    address: 'provider.aws',
    break: (d) => void (d.provider = { aws: { region: 'us-east-1' } }),
  },
  {
    name: 'a backend is declared',
    from: 'rest',
    rule: 'no-backend',
    address: 'terraform.backend',
    break: (d) => void ((d.terraform as Body).backend = { local: { path: '/abs/terraform.tfstate' } }),
  },
  {
    name: 'the provider source is CDKTF\'s ambiguous "aws"',
    from: 'rest',
    rule: 'provider-source-namespaced',
    address: 'terraform.required_providers.aws',
    break: (d) => void (((d.terraform as Body).required_providers as Record<string, Body>).aws!.source = 'aws'),
  },
  {
    name: 'the provider version is pinned exactly',
    from: 'rest',
    rule: 'provider-source-namespaced',
    address: 'terraform.required_providers.aws',
    break: (d) => void (((d.terraform as Body).required_providers as Record<string, Body>).aws!.version = '6.25.0'),
  },
  {
    name: 'invoked_via_function_url with a provider floor below 6.28',
    from: 'url',
    rule: 'provider-version-covers-arguments',
    address: 'aws_lambda_permission.function_url_invoke',
    break: (d) => void (((d.terraform as Body).required_providers as Record<string, Body>).aws!.version = '>= 6.0'),
  },
  {
    name: 'an expression refers to a local the module does not declare',
    from: 'rest',
    rule: 'references-resolve',
    address: 'aws_lambda_function.handler',
    break: (_d, r) =>
      void (((r.aws_lambda_function!.handler!.environment as Body).variables as Body).ALLOWED_ORIGINS =
        '${join(" ", local.allowed_origin)}'),
  },
  {
    name: 'depends_on names a resource the module does not declare',
    from: 'rest',
    rule: 'references-resolve',
    address: 'aws_s3_bucket_policy.site',
    break: (_d, r) => void (r.aws_s3_bucket_policy!.site!.depends_on = ['aws_s3_bucket_public_access_block.website']),
  },
  {
    name: "the HTTP API integration keeps Terraform's default payload format 1.0",
    from: 'http',
    rule: 'http-integration-proxy',
    address: 'aws_apigatewayv2_integration.lambda',
    break: (_d, r) => void (r.aws_apigatewayv2_integration!.lambda!.payload_format_version = '1.0'),
  },
  {
    name: 'the HTTP API integration calls Lambda with GET',
    from: 'http',
    rule: 'http-integration-proxy',
    address: 'aws_apigatewayv2_integration.lambda',
    break: (_d, r) => void (r.aws_apigatewayv2_integration!.lambda!.integration_method = 'GET'),
  },
  {
    name: 'the $default stage does not deploy automatically',
    from: 'http',
    rule: 'http-default-stage',
    address: 'aws_apigatewayv2_stage.default',
    break: (_d, r) => void (r.aws_apigatewayv2_stage!.default!.auto_deploy = false),
  },
  {
    name: 'the HTTP API has a named stage instead of $default',
    from: 'http',
    rule: 'http-default-stage',
    address: 'aws_apigatewayv2_api.api',
    break: (_d, r) => void (r.aws_apigatewayv2_stage!.default!.name = 'prod'),
  },
  {
    name: 'a route targets no integration',
    from: 'http',
    rule: 'http-route-has-integration',
    address: 'aws_apigatewayv2_route.orders_get',
    break: (_d, r) => void (r.aws_apigatewayv2_route!.orders_get!.target = 'integrations/abc123'),
  },
  {
    name: 'the HTTP API allows "*" with credentials',
    from: 'http',
    rule: 'service-cors-limits',
    address: 'aws_apigatewayv2_api.api',
    break: (_d, r) => {
      const cors = r.aws_apigatewayv2_api!.api!.cors_configuration as Body;
      cors.allow_credentials = true;
      cors.allow_origins = ['*'];
    },
  },
  {
    name: 'the Function URL lists seven methods',
    from: 'url',
    rule: 'service-cors-limits',
    address: 'aws_lambda_function_url.handler',
    break: (_d, r) =>
      void ((r.aws_lambda_function_url!.handler!.cors as Body).allow_methods = [
        'GET',
        'HEAD',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'OPTIONS',
      ]),
  },
  {
    name: 'the Function URL caches preflights longer than a day',
    from: 'url',
    rule: 'service-cors-limits',
    address: 'aws_lambda_function_url.handler',
    break: (_d, r) => void ((r.aws_lambda_function_url!.handler!.cors as Body).max_age = 86401),
  },
  {
    name: 'the Lambda behind an HTTP API adds CORS headers itself',
    from: 'http',
    rule: 'lambda-cors-mode',
    address: 'aws_lambda_function.handler',
    break: (_d, r) =>
      void (((r.aws_lambda_function!.handler!.environment as Body).variables as Body).CORS_MODE = 'lambda'),
  },
  {
    name: 'the Lambda behind a REST proxy leaves CORS to a service that does not add it',
    from: 'rest',
    rule: 'lambda-cors-mode',
    address: 'aws_lambda_function.handler',
    break: (_d, r) =>
      void (((r.aws_lambda_function!.handler!.environment as Body).variables as Body).CORS_MODE = 'service'),
  },
];

const SOURCES: Record<Breakage['from'], SpecInput> = {
  rest: spec(),
  restCredentials: spec({ cors: { allowCredentials: true } }),
  http: spec({ api: 'http' }),
  url: spec({ api: 'function-url', routes: [{ path: '/', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
};

describe('checkApplyRules: documents broken on purpose', () => {
  it.each(BREAKAGES.map((b) => [b.name, b] as const))('fires when %s', async (_name, b) => {
    const d = clone(await doc(SOURCES[b.from]));
    b.break(d, d.resource as Resources);
    const violations = checkApplyRules(d);
    expect(violations).toContainEqual(expect.objectContaining({ rule: b.rule, address: b.address }));
    for (const v of violations) expect(v.message).toMatch(/\S/);
  });

  it('has a breakage that fires every rule it documents', () => {
    expect(new Set(BREAKAGES.map((b) => b.rule))).toEqual(new Set(APPLY_RULES.map((r) => r.id)));
    for (const r of APPLY_RULES) expect(r.description, r.id).toMatch(/\S/);
  });

  it('names the header a method response fails to declare', async () => {
    const d = clone(await doc(SOURCES.restCredentials));
    delete (d.resource as Resources).aws_api_gateway_method_response!.orders_options!.response_parameters;
    const [v] = checkApplyRules(d).filter((x) => x.rule === 'response-header-declared');
    expect(v!.message).toMatch(
      /maps method\.response\.header\.Access-Control-Allow-Origin, which aws_api_gateway_method_response\.orders_options does not declare/,
    );
  });
});
