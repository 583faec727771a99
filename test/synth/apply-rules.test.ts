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

  it.each(['orders-api', 'catalog-http', 'webhook-url', 'notes-node', 'notes-python'])(
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
    delete (broken.locals as Record<string, Body>).openapi!.paths;
    expect(checkApplyRules(broken)).toEqual(checkApplyRules(clone(broken)));
    expect(JSON.stringify(d)).toBe(before);
  });
});

type Resources = Record<string, Record<string, Body>>;
interface Breakage {
  readonly name: string;
  readonly from: 'rest' | 'restCredentials' | 'restAuth' | 'http' | 'url' | 'cdn';
  readonly rule: string;
  readonly address: string;
  break(d: TerraformDocument, r: Resources): void;
}

const trigger = (r: Resources) => r.aws_api_gateway_deployment!.openapi!.triggers as Record<string, string>;
/** The REST API's OpenAPI document (the local its body encodes). */
const openapi = (d: TerraformDocument) => (d.locals as Record<string, Body>).openapi!;
const item = (d: TerraformDocument, p: string) => (openapi(d).paths as Record<string, Record<string, Body>>)[p]!;
const integration = (d: TerraformDocument, p: string, method: string) =>
  item(d, p)[method]!['x-amazon-apigateway-integration'] as Body;
const preflightResponse = (d: TerraformDocument) =>
  (integration(d, '/orders', 'options').responses as Record<string, Body>).default!;
const gatewayResponse = (d: TerraformDocument, type: string) =>
  (openapi(d)['x-amazon-apigateway-gateway-responses'] as Record<string, Body>)[type]!;
const AT = (p: string, method?: string) =>
  `aws_api_gateway_rest_api.api body paths[${JSON.stringify(p)}]${method ? `.${method}` : ''}`;
const GATEWAY = (type: string) => `aws_api_gateway_rest_api.api body x-amazon-apigateway-gateway-responses.${type}`;

const BREAKAGES: Breakage[] = [
  {
    name: 'the body is not the OpenAPI local',
    from: 'rest',
    rule: 'rest-body-document',
    address: 'aws_api_gateway_rest_api.api',
    break: (_d, r) => void (r.aws_api_gateway_rest_api!.api!.body = '${file("openapi.json")}'),
  },
  {
    name: 'the document is not OpenAPI 3.0',
    from: 'rest',
    rule: 'rest-body-document',
    address: 'aws_api_gateway_rest_api.api',
    break: (d) => void (openapi(d).openapi = '2.0'),
  },
  {
    name: 'the body is merged into the API instead of overwriting it',
    from: 'rest',
    rule: 'rest-body-document',
    address: 'aws_api_gateway_rest_api.api',
    break: (_d, r) => void (r.aws_api_gateway_rest_api!.api!.put_rest_api_mode = 'merge'),
  },
  {
    name: 'a per-resource method is declared beside the body',
    from: 'rest',
    rule: 'rest-body-document',
    address: 'aws_api_gateway_method.orders_get',
    break: (_d, r) =>
      void (r.aws_api_gateway_method = {
        orders_get: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          resource_id: '${aws_api_gateway_rest_api.api.root_resource_id}',
          http_method: 'GET',
          authorization: 'NONE',
        },
      }),
  },
  {
    name: 'a method response no longer declares a header its integration response maps',
    from: 'rest',
    rule: 'response-header-declared',
    address: AT('/orders', 'options'),
    break: (d) =>
      void delete ((item(d, '/orders').options!.responses as Record<string, Body>)['204']!.headers as Body).Vary,
  },
  {
    name: 'DEFAULT_5XX has no CORS headers',
    from: 'rest',
    rule: 'gateway-responses-cors',
    address: GATEWAY('DEFAULT_5XX'),
    break: (d) => void delete (openapi(d)['x-amazon-apigateway-gateway-responses'] as Body).DEFAULT_5XX,
  },
  {
    name: "an authorizer's UNAUTHORIZED response loses Access-Control-Allow-Origin",
    from: 'restAuth',
    rule: 'gateway-responses-cors',
    address: GATEWAY('UNAUTHORIZED'),
    break: (d) =>
      void delete (gatewayResponse(d, 'UNAUTHORIZED').responseParameters as Body)[
        'gatewayresponse.header.Access-Control-Allow-Origin'
      ],
  },
  {
    name: 'ACCESS_DENIED carries Allow-Origin but not the Vary of DEFAULT_4XX',
    from: 'restAuth',
    rule: 'gateway-responses-cors',
    address: GATEWAY('ACCESS_DENIED'),
    break: (d) =>
      void delete (gatewayResponse(d, 'ACCESS_DENIED').responseParameters as Body)['gatewayresponse.header.Vary'],
  },
  {
    name: 'a hand-added gateway response type has no CORS headers',
    from: 'rest',
    rule: 'gateway-responses-cors',
    address: GATEWAY('THROTTLED'),
    break: (d) =>
      void ((openapi(d)['x-amazon-apigateway-gateway-responses'] as Body).THROTTLED = {
        responseTemplates: { 'application/json': '{"message":"slow down"}' },
      }),
  },
  {
    name: 'DEFAULT_4XX sets a statusCode',
    from: 'rest',
    rule: 'gateway-response-default-status',
    address: GATEWAY('DEFAULT_4XX'),
    break: (d) => void (gatewayResponse(d, 'DEFAULT_4XX').statusCode = '400'),
  },
  {
    name: 'DEFAULT_5XX sets a statusCode',
    from: 'rest',
    rule: 'gateway-response-default-status',
    address: GATEWAY('DEFAULT_5XX'),
    break: (d) => void (gatewayResponse(d, 'DEFAULT_5XX').statusCode = '500'),
  },
  {
    name: 'the trigger no longer hashes the body',
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.openapi',
    break: (_d, r) => void (trigger(r).redeployment = '${sha1(aws_api_gateway_rest_api.api.name)}'),
  },
  {
    name: 'neither the body nor the trigger depends on the origin list',
    from: 'rest',
    rule: 'deployment-trigger-coverage',
    address: 'aws_api_gateway_deployment.openapi',
    break: (d) => {
      const locals = d.locals as Record<string, unknown>;
      for (const key of ['cors_origins', 'allowed_origins']) locals[key] = '${["https://app.example.com"]}';
    },
  },
  {
    name: 'an operation loses its integration',
    from: 'rest',
    rule: 'method-has-integration',
    address: AT('/orders', 'get'),
    break: (d) => void delete item(d, '/orders').get!['x-amazon-apigateway-integration'],
  },
  {
    name: 'a proxy integration calls Lambda with GET',
    from: 'rest',
    rule: 'proxy-integration-post',
    address: AT('/orders', 'get'),
    break: (d) => void (integration(d, '/orders', 'get').httpMethod = 'GET'),
  },
  {
    name: 'a static header value is not quoted',
    from: 'rest',
    rule: 'mapping-expression-valid',
    address: AT('/orders', 'options'),
    break: (d) => void ((preflightResponse(d).responseParameters as Body)['method.response.header.Vary'] = 'Origin'),
  },
  {
    name: 'a gateway response maps a header from the integration (not available there)',
    from: 'rest',
    rule: 'mapping-expression-valid',
    address: GATEWAY('DEFAULT_4XX'),
    break: (d) =>
      void ((gatewayResponse(d, 'DEFAULT_4XX').responseParameters as Body)['gatewayresponse.header.Vary'] =
        'integration.response.header.Vary'),
  },
  {
    name: 'a mock integration sets request templates without passthroughBehavior',
    from: 'rest',
    rule: 'request-templates-passthrough',
    address: AT('/orders', 'options'),
    break: (d) => void delete integration(d, '/orders', 'options').passthroughBehavior,
  },
  {
    name: 'a mock integration has no request template',
    from: 'rest',
    rule: 'mock-default-response',
    address: AT('/orders', 'options'),
    break: (d) => void (integration(d, '/orders', 'options').requestTemplates = { 'application/json': '{}' }),
  },
  {
    name: "a mock integration's only response has a selection pattern",
    from: 'rest',
    rule: 'mock-default-response',
    address: AT('/orders', 'options'),
    break: (d) => {
      const responses = integration(d, '/orders', 'options').responses as Record<string, Body>;
      integration(d, '/orders', 'options').responses = { '2\\d{2}': responses.default };
    },
  },
  {
    name: 'a path loses its OPTIONS operation',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/orders'),
    break: (d) => void delete item(d, '/orders').options,
  },
  {
    name: 'a parent path API Gateway creates has no path item',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/orders/{orderId}/items'),
    break: (d) => void delete (openapi(d).paths as Body)['/orders/{orderId}'],
  },
  {
    name: 'the routed root loses its OPTIONS operation',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/'),
    break: (d) => void delete item(d, '/').options,
  },
  {
    name: 'the preflight requires authorization',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/orders', 'options'),
    break: (d) => void (item(d, '/orders').options!.security = [{ sigv4: [] }]),
  },
  {
    name: 'the preflight requires an API key',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/orders', 'options'),
    break: (d) => void (item(d, '/orders').options!.security = [{ api_key: [] }]),
  },
  {
    name: 'the document requires the authorizer everywhere, OPTIONS included',
    from: 'restAuth',
    rule: 'preflight-on-every-resource',
    address: AT('/orders', 'options'),
    break: (d) => void (openapi(d).security = [{ users: [] }]),
  },
  {
    name: 'the preflight requires AWS_IAM through the older extension',
    from: 'restAuth',
    rule: 'preflight-on-every-resource',
    address: AT('/orders', 'options'),
    break: (d) => void (item(d, '/orders').options!['x-amazon-apigateway-auth'] = { type: 'AWS_IAM' }),
  },
  {
    name: 'the preflight goes to the Lambda',
    from: 'rest',
    rule: 'preflight-on-every-resource',
    address: AT('/orders', 'options'),
    break: (d) => void (integration(d, '/orders', 'options').type = 'aws_proxy'),
  },
  {
    name: 'a removed block names a resource the module still declares',
    from: 'rest',
    rule: 'removed-not-declared',
    address: 'removed aws_lambda_permission.api',
    break: (d) => void (d.removed as Body[]).push({ from: 'aws_lambda_permission.api', lifecycle: { destroy: false } }),
  },
  {
    name: 'a removed block would destroy what the body now owns',
    from: 'rest',
    rule: 'removed-not-declared',
    address: 'removed aws_api_gateway_method.orders_get',
    break: (d) => {
      const block = (d.removed as Body[]).find((b) => b.from === 'aws_api_gateway_method.orders_get')!;
      block.lifecycle = { destroy: true };
    },
  },
  {
    name: 'the deployment loses create_before_destroy',
    from: 'rest',
    rule: 'deployment-create-before-destroy',
    address: 'aws_api_gateway_deployment.openapi',
    break: (_d, r) => void delete r.aws_api_gateway_deployment!.openapi!.lifecycle,
  },
  {
    name: 'the deployment names a stage (removed in provider v6)',
    from: 'rest',
    rule: 'deployment-v6-arguments',
    address: 'aws_api_gateway_deployment.openapi',
    break: (_d, r) => void (r.aws_api_gateway_deployment!.openapi!.stage_name = 'prod'),
  },
  {
    name: 'no stage publishes the deployment',
    from: 'rest',
    rule: 'deployment-v6-arguments',
    address: 'aws_api_gateway_deployment.openapi',
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
    name: 'the CloudFront site bucket lets public policies through',
    from: 'cdn',
    rule: 'cdn-bucket-private',
    address: 'aws_s3_bucket.site',
    break: (_d, r) => void (r.aws_s3_bucket_public_access_block!.site!.block_public_policy = false),
  },
  {
    name: 'the CloudFront site bucket policy is not scoped to the distribution',
    from: 'cdn',
    rule: 'cdn-bucket-private',
    address: 'aws_s3_bucket_policy.site',
    break: (_d, r) =>
      void (r.aws_s3_bucket_policy!.site!.policy = (r.aws_s3_bucket_policy!.site!.policy as string).replace(
        '${aws_cloudfront_distribution.site.arn}',
        'arn:aws:cloudfront::123456789012:distribution/*',
      )),
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
      void ((r.aws_lambda_function!.handler!.environment as Body).variables =
        '${merge(var.environment_variables, local.cors_environments)}'),
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
    name: 'a guarded ANY route would take the preflights to its authorizer',
    from: 'http',
    rule: 'http-preflight-unguarded',
    address: 'aws_apigatewayv2_route.orders_get',
    break: (_d, r) => {
      r.aws_apigatewayv2_route!.orders_get!.route_key = 'ANY /orders';
      r.aws_apigatewayv2_route!.orders_get!.authorization_type = 'JWT';
    },
  },
  {
    name: 'a guarded $default route would take the preflights to its authorizer',
    from: 'http',
    rule: 'http-preflight-unguarded',
    address: 'aws_apigatewayv2_route.orders_get',
    break: (_d, r) => {
      r.aws_apigatewayv2_route!.orders_get!.route_key = '$default';
      r.aws_apigatewayv2_route!.orders_get!.authorization_type = 'CUSTOM';
    },
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
    name: 'a function in a VPC may be created before its role can create network interfaces',
    from: 'rest',
    rule: 'lambda-vpc-permissions',
    address: 'aws_lambda_function.handler',
    break: (_d, r) => {
      const fn = r.aws_lambda_function!.handler!;
      fn.depends_on = (fn.depends_on as string[]).filter((a) => a !== 'aws_iam_role_policy_attachment.lambda_vpc');
    },
  },
  {
    name: 'the Lambda behind an HTTP API adds CORS headers itself',
    from: 'http',
    rule: 'lambda-cors-mode',
    address: 'aws_lambda_function.handler',
    break: (d) => void ((d.locals as Record<string, Body>).cors_environment!.CORS_MODE = 'lambda'),
  },
  {
    name: 'the Lambda behind a REST proxy leaves CORS to a service that does not add it',
    from: 'rest',
    rule: 'lambda-cors-mode',
    address: 'aws_lambda_function.handler',
    break: (d) => void ((d.locals as Record<string, Body>).cors_environment!.CORS_MODE = 'service'),
  },
];

const SOURCES: Record<Breakage['from'], SpecInput> = {
  rest: spec(),
  restCredentials: spec({ cors: { allowCredentials: true } }),
  restAuth: spec({
    authorizers: {
      users: {
        type: 'cognito',
        userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
      },
    },
    auth: 'users',
  }),
  http: spec({ api: 'http' }),
  cdn: spec({ frontend: { cdn: true } }),
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

  it('finds nothing in a REST API whose methods use every kind of authorizer and API keys', async () => {
    // doc() runs the checker too; stated here for the authorizers.
    const d = await doc(
      spec({
        authorizers: {
          users: {
            type: 'cognito',
            userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
          },
          partner: {
            type: 'lambda',
            functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:auth',
            kind: 'request',
          },
        },
        auth: 'users',
        apiKeyRequired: true,
        routes: [
          { path: '/', methods: ['GET'], auth: 'none', apiKeyRequired: false },
          { path: '/orders', methods: ['GET', 'POST'], auth: 'partner' },
          { path: '/orders/{orderId}/items', methods: ['GET'], auth: 'iam' },
          { path: '/files/{proxy+}', methods: ['GET', 'PUT'] },
        ],
      }),
    );
    expect(checkApplyRules(d)).toEqual([]);
  });

  it('names the header a method response fails to declare', async () => {
    const d = clone(await doc(SOURCES.restCredentials));
    delete (item(d, '/orders').options!.responses as Record<string, Body>)['204']!.headers;
    const [v] = checkApplyRules(d).filter((x) => x.rule === 'response-header-declared');
    expect(v!.address).toBe(AT('/orders', 'options'));
    expect(v!.message).toMatch(
      /integration response default maps method\.response\.header\.Access-Control-Allow-Origin, which responses\["204"\]\.headers does not declare/,
    );
  });
});
