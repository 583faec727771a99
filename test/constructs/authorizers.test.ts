/**
 * Authorizers through `cors-gen generate`'s synthesis: each type on the API kinds that have it, as module inputs,
 * in the REST API's OpenAPI body or as aws_apigatewayv2_authorizer, with their Lambda permissions; the
 * preflight stays open and every gateway response an authorizer can produce carries the CORS headers.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CorsHttpApi,
  CorsLambda,
  CorsRestApi,
  lambdaAuthorizerUri,
  type ResolvedAuthorizer,
} from '../../src/constructs/index.js';
import { checkApplyRules } from '../../src/synth/apply-rules.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { checkSecurityInvariants } from '../../src/synth/security-invariants.js';
import { modelOf, validSpec, withAuthorizers } from '../support/reliability-specs.js';
import { clone, doc, resource, resources, spec, synth, type Body } from '../support/synth.js';

const POOL = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123';
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:partner-auth';

const REST = spec({
  cors: {
    allowHeaders: ['Content-Type', 'Authorization', 'X-Tenant', 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token'],
  },
  authorizers: {
    users: { type: 'cognito', userPoolArns: [POOL] },
    partner: {
      type: 'lambda',
      functionArn: FN,
      kind: 'request',
      identitySource: ['Authorization', 'X-Tenant'],
      resultTtl: 0,
    },
    legacy: { type: 'lambda', functionArn: FN },
  },
  auth: 'users',
  routes: [
    { path: '/', methods: ['GET'], auth: 'none' },
    { path: '/orders', methods: ['GET', 'POST'], apiKeyRequired: true },
    { path: '/orders/{orderId}/items', methods: ['GET'], auth: 'partner' },
    { path: '/files/{proxy+}', methods: ['GET', 'PUT'], auth: 'iam' },
    { path: '/legacy', methods: ['GET'], auth: 'legacy' },
  ],
});

type Doc = Awaited<ReturnType<typeof doc>>;
const openapi = (d: Doc) => (d.locals as Record<string, Body>).openapi!;
const op = (d: Doc, path: string, method: string) =>
  ((openapi(d).paths as Record<string, Record<string, Body>>)[path]! as Record<string, Body>)[method]!;
const variables = (d: Doc) => d.variable as Record<string, Body>;

describe('REST API authorizers (OpenAPI security schemes)', () => {
  it('declares each scheme with API Gateway extensions, reading ARNs from inputs', async () => {
    const d = await doc(REST);
    const schemes = (openapi(d).components as Body).securitySchemes as Record<string, Body>;
    expect(Object.keys(schemes)).toEqual(['legacy', 'partner', 'users', 'sigv4', 'api_key']);
    expect(schemes.users).toEqual({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': {
        type: 'cognito_user_pools',
        providerARNs: '${var.authorizer_users_user_pool_arns}',
      },
    });
    const uri =
      'arn:${regex("^arn:([^:]+):lambda:([^:]+):", var.authorizer_partner_function_arn)[0]}:apigateway:${regex("^arn:([^:]+):lambda:([^:]+):", var.authorizer_partner_function_arn)[1]}:lambda:path/2015-03-31/functions/${var.authorizer_partner_function_arn}/invocations';
    expect(schemes.partner).toEqual({
      type: 'apiKey',
      name: 'Unused',
      in: 'header',
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': {
        type: 'request',
        authorizerUri: uri,
        authorizerResultTtlInSeconds: 0,
        identitySource: 'method.request.header.Authorization, method.request.header.X-Tenant',
      },
    });
    expect(schemes.legacy).toMatchObject({
      name: 'Authorization',
      'x-amazon-apigateway-authorizer': { type: 'token', authorizerResultTtlInSeconds: 300 },
    });
    expect(schemes.sigv4).toEqual({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    expect(schemes.api_key).toEqual({ type: 'apiKey', name: 'x-api-key', in: 'header' });
    expect(openapi(d)['x-amazon-apigateway-api-key-source']).toBe('HEADER');
    // Never a document-level requirement: it would apply to OPTIONS.
    expect(openapi(d).security).toBeUndefined();
  });

  it("puts each route's requirement on its real methods and none on any OPTIONS", async () => {
    const d = await doc(REST);
    expect(op(d, '/orders', 'get').security).toEqual([{ users: [], api_key: [] }]);
    expect(op(d, '/orders', 'post').security).toEqual([{ users: [], api_key: [] }]);
    expect(op(d, '/orders/{orderId}/items', 'get').security).toEqual([{ partner: [] }]);
    expect(op(d, '/files/{proxy+}', 'put').security).toEqual([{ sigv4: [] }]);
    expect(op(d, '/', 'get').security).toBeUndefined();
    for (const [path, item] of Object.entries(openapi(d).paths as Record<string, Body>))
      expect((item.options as Body).security, path).toBeUndefined();
  });

  it('defines the gateway responses an authorizer or API key produces, with the CORS headers of DEFAULT_4XX', async () => {
    const d = await doc(spec({ ...REST, cors: { ...REST.cors, allowCredentials: true } }));
    const responses = openapi(d)['x-amazon-apigateway-gateway-responses'] as Record<string, Body>;
    expect(Object.keys(responses)).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'UNAUTHORIZED',
      'ACCESS_DENIED',
      'MISSING_AUTHENTICATION_TOKEN',
      'EXPIRED_TOKEN',
      'INVALID_API_KEY',
      'THROTTLED',
    ]);
    for (const type of Object.keys(responses)) {
      expect(responses[type], type).toEqual(responses.DEFAULT_4XX);
      expect(responses[type]!.statusCode, type).toBeUndefined();
    }
    expect(Object.keys(responses.UNAUTHORIZED!.responseParameters as Body)).toEqual([
      'gatewayresponse.header.Access-Control-Allow-Origin',
      'gatewayresponse.header.Vary',
      'gatewayresponse.header.Access-Control-Allow-Credentials',
      'gatewayresponse.header.Access-Control-Expose-Headers',
    ]);
  });

  it('leaves a module without authorizers as it was: no schemes, no extra gateway responses', async () => {
    const d = await doc(spec());
    expect(openapi(d).components).toBeUndefined();
    expect(Object.keys(openapi(d)['x-amazon-apigateway-gateway-responses'] as Body)).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ]);
    expect(Object.keys(variables(d)).filter((v) => v.startsWith('authorizer_'))).toEqual([]);
  });

  it('makes every ARN an input with the spec value as default and a validation', async () => {
    const d = await doc(REST);
    expect(variables(d).authorizer_users_user_pool_arns).toMatchObject({ type: 'list(string)', default: [POOL] });
    expect(variables(d).authorizer_partner_function_arn).toMatchObject({ type: 'string', default: FN });
    const validation = (variables(d).authorizer_partner_function_arn!.validation as Body[])[0]!;
    expect(validation.condition).toBe(
      '${can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,128})?$", var.authorizer_partner_function_arn))}',
    );
    expect(String(variables(d).authorizer_users_user_pool_arns!.description)).toMatch(/Cognito user pools/);
  });

  it("writes a stage's own authorizer values into its tfvars, as the inputs that hold them", async () => {
    const files = await synth({
      ...REST,
      stages: {
        dev: {
          allowOrigins: ['http://localhost:3000'],
          authorizers: {
            users: { userPoolArns: ['arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1'] },
            partner: { functionArn: 'arn:aws:lambda:eu-west-1:210987654321:function:dev-auth' },
          },
        },
      },
    } as typeof REST);
    const tfvars = files.generated.get('stages/dev.tfvars')!;
    expect(tfvars).toContain(
      'authorizer_partner_function_arn = "arn:aws:lambda:eu-west-1:210987654321:function:dev-auth"\n',
    );
    expect(tfvars).toContain(
      'authorizer_users_user_pool_arns = ["arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1"]',
    );
  });

  it("lets only this API's authorizers invoke a Lambda authorizer, once per authorizer", async () => {
    const d = await doc(REST);
    expect(resource(d, 'aws_lambda_permission', 'authorizer_partner')).toEqual({
      action: 'lambda:InvokeFunction',
      function_name: '${var.authorizer_partner_function_arn}',
      principal: 'apigateway.amazonaws.com',
      source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/authorizers/*',
      statement_id: '${var.name_prefix}-auth-partner',
    });
    expect(Object.keys(resources(d, 'aws_lambda_permission')).sort()).toEqual([
      'api',
      'authorizer_legacy',
      'authorizer_partner',
    ]);
    expect(checkSecurityInvariants(d)).toEqual([]);
  });

  it("reports an authorizer permission widened beyond this API's authorizers", async () => {
    const d = clone(await doc(REST));
    resource(d, 'aws_lambda_permission', 'authorizer_partner').source_arn =
      '${aws_api_gateway_rest_api.api.execution_arn}/*/*';
    expect(checkSecurityInvariants(d)).toContainEqual(
      expect.objectContaining({
        code: 'lambda-permission-authorizer',
        address: 'aws_lambda_permission.authorizer_partner',
      }),
    );
    resource(d, 'aws_lambda_permission', 'authorizer_partner').source_arn = undefined;
    expect(checkSecurityInvariants(d).map((v) => v.code)).toContain('lambda-permission-authorizer');
  });
});

describe('HTTP API authorizers (aws_apigatewayv2_authorizer)', () => {
  const HTTP = spec({
    api: 'http',
    cors: { allowHeaders: ['Content-Type', 'Authorization', 'X-Tenant', 'X-Amz-Date', 'X-Amz-Security-Token'] },
    authorizers: {
      oidc: { type: 'jwt', issuer: 'https://issuer.example.com/pool', audience: ['web', 'mobile'] },
      tenant: { type: 'lambda', functionArn: FN, identitySource: ['X-Tenant'], resultTtl: 60 },
    },
    auth: 'oidc',
    routes: [
      { path: '/', methods: ['GET'], auth: 'none' },
      { path: '/orders', methods: ['GET', 'POST'] },
      { path: '/orders/{orderId}/items', methods: ['GET'], auth: 'tenant' },
      { path: '/files/{proxy+}', methods: ['GET'], auth: 'iam' },
    ],
  });

  it('creates a JWT authorizer and a REQUEST Lambda authorizer with payload 2.0, from inputs', async () => {
    const d = await doc(HTTP);
    expect(resource(d, 'aws_apigatewayv2_authorizer', 'oidc')).toEqual({
      api_id: '${aws_apigatewayv2_api.api.id}',
      name: 'oidc',
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
      jwt_configuration: { issuer: '${var.authorizer_oidc_issuer}', audience: '${var.authorizer_oidc_audience}' },
    });
    expect(resource(d, 'aws_apigatewayv2_authorizer', 'tenant')).toMatchObject({
      authorizer_type: 'REQUEST',
      authorizer_payload_format_version: '2.0',
      authorizer_result_ttl_in_seconds: 60,
      identity_sources: ['$request.header.X-Tenant'],
    });
    expect(variables(d).authorizer_oidc_audience).toMatchObject({ type: 'list(string)', default: ['web', 'mobile'] });
    expect(resource(d, 'aws_lambda_permission', 'authorizer_tenant').source_arn).toBe(
      '${aws_apigatewayv2_api.api.execution_arn}/authorizers/*',
    );
  });

  it("guards each route with its authorizer's type, and adds no OPTIONS route", async () => {
    const d = await doc(HTTP);
    const routes = resources(d, 'aws_apigatewayv2_route');
    expect(routes.orders_get).toMatchObject({
      authorization_type: 'JWT',
      authorizer_id: '${aws_apigatewayv2_authorizer.oidc.id}',
    });
    expect(routes.orders_var_orderid_items_get).toMatchObject({
      authorization_type: 'CUSTOM',
      authorizer_id: '${aws_apigatewayv2_authorizer.tenant.id}',
    });
    expect(routes.files_greedy_proxy_get).toMatchObject({ authorization_type: 'AWS_IAM' });
    expect(routes.files_greedy_proxy_get!.authorizer_id).toBeUndefined();
    expect(routes.root_get!.authorization_type).toBeUndefined();
    // The service answers preflights before any route; an OPTIONS/ANY route would send them to the authorizer.
    expect(Object.values(routes).map((r) => String(r.route_key).split(' ')[0])).not.toContain('OPTIONS');
    expect(Object.values(routes).map((r) => String(r.route_key).split(' ')[0])).not.toContain('ANY');
  });
});

describe('Function URL auth', () => {
  it('is AWS_IAM with auth: iam, without the public grants', async () => {
    const d = await doc(
      spec({
        api: 'function-url',
        auth: 'iam',
        cors: { allowMethods: ['GET'], allowHeaders: ['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token'] },
        routes: [{ path: '/', methods: ['GET'] }],
      }),
    );
    expect(resource(d, 'aws_lambda_function_url', 'handler').authorization_type).toBe('AWS_IAM');
    expect(resources(d, 'aws_lambda_permission')).toEqual({});
  });
});

describe('random valid specs with authorizers', () => {
  it('synthesize modules that pass every apply rule and security invariant', async () => {
    const specs = fc.sample(validSpec, { numRuns: 30, seed: 20261205 }).map((s, i) => withAuthorizers(s, i));
    const guarded = specs.filter((s) => s['auth'] !== undefined);
    expect(guarded.length).toBeGreaterThanOrEqual(20);
    expect(new Set(guarded.map((s) => s['api']))).toEqual(new Set(['rest', 'http', 'function-url']));
    for (const spec of guarded) {
      const { document } = await buildModuleFiles(modelOf(spec), {
        format: 'json',
        specFile: 'cors-gen.yaml',
        specText: JSON.stringify(spec),
        version: '0.0.0-test',
      });
      expect(checkApplyRules(document), JSON.stringify(spec)).toEqual([]);
      expect(checkSecurityInvariants(document), JSON.stringify(spec)).toEqual([]);
    }
  }, 120_000);
});

describe('authorizers on the constructs, built directly in a user stack', () => {
  const cors = {
    allowOrigins: ['https://app.example.com'],
    allowMethods: ['GET'],
    allowHeaders: ['authorization'],
    exposeHeaders: [],
    allowCredentials: false,
    maxAge: 600,
  };
  const route = {
    path: '/orders',
    segments: [{ kind: 'literal' as const, value: 'orders' }],
    methods: ['GET' as const],
  };
  const partner: ResolvedAuthorizer = {
    name: 'partner',
    type: 'lambda',
    functionArn: FN,
    invokeUri: lambdaAuthorizerUri(FN),
    kind: 'token',
    identitySource: ['Authorization'],
    resultTtl: 300,
  };
  function stack() {
    const s = new TerraformStack(Testing.app(), 'user');
    new AwsProvider(s, 'aws', { region: 'eu-west-1' });
    const lambda = new CorsLambda(s, 'fn', {
      functionName: 'orders',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      memorySize: 256,
      timeout: 10,
      environment: {},
      logRetentionDays: 14,
    });
    return { s, lambda };
  }

  it('takes literal ARNs: the invocation URI is written out, the permission names the function', () => {
    expect(lambdaAuthorizerUri(FN)).toBe(
      `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FN}/invocations`,
    );
    expect(() => lambdaAuthorizerUri('partner-auth')).toThrow(/neither a Lambda function ARN nor an expression/);
    const { s, lambda } = stack();
    new CorsHttpApi(s, 'http', {
      name: 'orders',
      routes: [{ ...route, auth: { auth: 'partner', apiKeyRequired: false } }],
      cors,
      handler: lambda.function,
      authorizers: [partner],
    });
    const d = JSON.parse(Testing.synth(s)) as { resource: Record<string, Record<string, Body>> };
    expect(d.resource.aws_apigatewayv2_authorizer!.partner).toMatchObject({
      authorizer_type: 'REQUEST',
      authorizer_uri: lambdaAuthorizerUri(FN),
    });
    expect(d.resource.aws_apigatewayv2_route!.orders_get).toMatchObject({ authorization_type: 'CUSTOM' });
    expect(d.resource.aws_lambda_permission!.authorizer_partner).toMatchObject({ function_name: FN });
  });

  it('refuses a route naming an authorizer it was not given, and a JWT authorizer on a REST API', () => {
    const { s, lambda } = stack();
    const rest = (authorizers: ResolvedAuthorizer[]) =>
      new CorsRestApi(s, `rest-${authorizers.length}`, {
        name: 'orders',
        stageName: 'prod',
        routes: [{ ...route, auth: { auth: 'partner', apiKeyRequired: false } }],
        cors,
        handler: lambda.function,
        authorizers,
        idPrefix: `r${authorizers.length}_`,
      });
    expect(() => rest([])).toThrow('a route names the authorizer "partner", which is not among the authorizers');
    expect(() =>
      rest([{ name: 'partner', type: 'jwt', issuer: 'https://i.example.com', audience: '${var.a}' }]),
    ).toThrow(/REST APIs have no JWT authorizers/);
  });
});
