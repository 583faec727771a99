/**
 * Every construct that `cors-gen/constructs` exports, built the way a CDKTF user builds it: in their own
 * `TerraformStack` with an AWS provider, synthesized with cdktf's `Testing.synth` (the unit-test helper the CDKTF
 * documentation recommends, https://developer.hashicorp.com/terraform/cdktf/test/unit-tests). The other construct
 * tests go through `cors-gen generate`; these prove the public classes work on their own.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  CorsFunctionUrl,
  CorsHttpApi,
  CorsLambda,
  CorsModuleStack,
  CorsRestApi,
  FrontendBucket,
  type CorsRestApiCors,
  type CorsRestApiRoute,
} from '../../src/constructs/index.js';
import { modelOf, spec } from '../support/synth.js';

type Json = Record<string, any>;

const CORS: CorsRestApiCors = {
  allowOrigins: ['https://app.example.com'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type'],
  exposeHeaders: ['x-request-id'],
  allowCredentials: true,
  maxAge: 600,
};
const ROUTES: CorsRestApiRoute[] = [
  { path: '/orders', segments: [{ kind: 'literal', value: 'orders' }], methods: ['GET', 'POST'] },
];

/** A user's stack: the AWS provider and the Lambda every API construct fronts. */
function userStack() {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'user');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const lambda = new CorsLambda(stack, 'fn', {
    functionName: 'orders',
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    memorySize: 256,
    timeout: 10,
    environment: { CORS_ALLOWED_ORIGINS: 'https://app.example.com' },
    logRetentionDays: 14,
  });
  return { stack, lambda };
}

const synth = (stack: TerraformStack): Json => JSON.parse(Testing.synth(stack)) as Json;
const only = (doc: Json, type: string): Json => {
  const all = Object.values((doc.resource?.[type] ?? {}) as Record<string, Json>);
  expect(all, type).toHaveLength(1);
  return all[0]!;
};

describe('exported constructs, built directly in a user stack', () => {
  it('CorsLambda: a function, its role with the basic execution policy only, and a log group with retention', () => {
    const { stack } = userStack();
    const doc = synth(stack);
    expect(doc.provider.aws).toEqual([expect.objectContaining({ region: 'eu-west-1' })]);
    const fn = only(doc, 'aws_lambda_function');
    expect(fn).toMatchObject({
      function_name: 'orders',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      memory_size: 256,
      timeout: 10,
    });
    expect(fn.environment.variables).toEqual({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' });
    expect(only(doc, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/lambda/orders', retention_in_days: 14 });
    expect(only(doc, 'aws_iam_role')).toMatchObject({
      name_prefix: '${substr("orders-", 0, 38)}',
      lifecycle: { create_before_destroy: true },
    });
    expect(only(doc, 'aws_iam_role')).not.toHaveProperty('name');
    expect(only(doc, 'aws_iam_role_policy_attachment').policy_arn).toMatch(
      /:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/,
    );
    expect(Object.keys(doc.data.archive_file)).toHaveLength(1);
  });

  it('CorsRestApi: a REST API whose preflight and gateway responses carry the CORS settings', () => {
    const { stack, lambda } = userStack();
    new CorsRestApi(stack, 'api', {
      name: 'orders',
      stageName: 'prod',
      routes: ROUTES,
      cors: CORS,
      handler: lambda.function,
    });
    const doc = synth(stack);
    expect(only(doc, 'aws_api_gateway_rest_api').name).toBe('orders');
    expect(only(doc, 'aws_api_gateway_stage').stage_name).toBe('prod');
    // The whole definition is one OpenAPI document in the body, encoded from a local.
    expect(only(doc, 'aws_api_gateway_rest_api')).toMatchObject({
      body: '${jsonencode(local.openapi)}',
      put_rest_api_mode: 'overwrite',
    });
    expect(doc.resource.aws_api_gateway_method).toBeUndefined();
    const openapi = doc.locals.openapi;
    expect(Object.keys(openapi.paths)).toEqual(['/orders']);
    expect(Object.keys(openapi.paths['/orders']).sort()).toEqual(['get', 'options', 'post']);
    const text = JSON.stringify(openapi);
    expect(text).toContain('x-request-id');
    expect(text).toContain('content-type');
    expect(Object.keys(openapi['x-amazon-apigateway-gateway-responses'])).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    expect(only(doc, 'aws_api_gateway_deployment').triggers).toEqual({
      redeployment: '${sha1(aws_api_gateway_rest_api.api.body)}',
    });
    expect(Object.keys(doc.resource.aws_lambda_permission ?? {})).toHaveLength(1);
  });

  it('CorsHttpApi: an HTTP API with the service-level CORS configuration', () => {
    const { stack, lambda } = userStack();
    new CorsHttpApi(stack, 'api', { name: 'orders', routes: ROUTES, cors: CORS, handler: lambda.function });
    const doc = synth(stack);
    const api = only(doc, 'aws_apigatewayv2_api');
    expect(api).toMatchObject({ name: 'orders', protocol_type: 'HTTP' });
    expect(api.cors_configuration).toMatchObject({
      allow_methods: ['GET', 'POST'],
      allow_credentials: true,
      max_age: 600,
    });
    expect(JSON.stringify(api.cors_configuration.allow_origins)).toContain('https://app.example.com');
    const routes = Object.values(doc.resource.aws_apigatewayv2_route as Record<string, Json>).map((r) => r.route_key);
    expect(routes.sort()).toEqual(['GET /orders', 'POST /orders']);
    expect(Object.keys(doc.resource.aws_apigatewayv2_stage)).toHaveLength(1);
  });

  it("CorsFunctionUrl: a Function URL with the CORS configuration on the user's function", () => {
    const { stack, lambda } = userStack();
    new CorsFunctionUrl(stack, 'url', { cors: CORS, handler: lambda.function });
    const doc = synth(stack);
    const url = only(doc, 'aws_lambda_function_url');
    expect(url.function_name).toMatch(/aws_lambda_function\..+\.function_name/);
    expect(url.cors).toMatchObject({ allow_methods: ['GET', 'POST'], allow_credentials: true, max_age: 600 });
    expect(JSON.stringify(url.cors.allow_origins)).toContain('https://app.example.com');
  });

  it("FrontendBucket: a website bucket and an origin for the API's allow-list", () => {
    const { stack } = userStack();
    const site = new FrontendBucket(stack, 'site', { bucketPrefix: 'orders-site-', indexDocument: 'home.html' });
    const doc = synth(stack);
    // Cut to the 37 characters the AWS provider accepts for bucket_prefix (63 minus its 26-character suffix).
    expect(only(doc, 'aws_s3_bucket').bucket_prefix).toBe('${substr("orders-site-", 0, 37)}');
    expect(only(doc, 'aws_s3_bucket_website_configuration').index_document).toEqual({ suffix: 'home.html' });
    expect(typeof site.websiteOrigin).toBe('string');
    expect(site.websiteOrigin).toContain('http://');
  });

  it('CorsModuleStack: a whole module from a model, in a user app next to their own stack', () => {
    const app = Testing.app();
    const stack = new CorsModuleStack(app, 'module', {
      model: modelOf(spec()),
      lambdaHandler: 'index.handler',
      lambdaEnvironment: () => ({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' }),
    });
    const doc = synth(stack);
    expect(only(doc, 'aws_api_gateway_rest_api').name).toBe('${var.name_prefix}');
    expect(doc.variable.name_prefix.default).toBe('shop');
    expect(only(doc, 'aws_lambda_function').environment.variables).toBe(
      '${merge(var.environment_variables, local.cors_environment)}',
    );
    expect(doc.locals.cors_environment).toEqual({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' });
    expect(Object.keys(doc.variable)).toContain('allowed_origins');
    expect(Object.keys(doc.resource.aws_s3_bucket ?? {})).toHaveLength(1);
    // Provider blocks without configuration (no region, no credentials): a module's caller configures them.
    expect(doc.provider).toEqual({ archive: [{}], aws: [{}] });
  });
});
