import { describe, expect, it } from 'vitest';
import { doc, functionEnvironment, resource, resources, spec, type Body } from '../support/synth.js';

const routes = [
  { path: '/', methods: ['GET'] },
  { path: '/products/{productId}', methods: ['GET', 'DELETE'] },
  { path: '/files/{proxy+}', methods: ['GET'] },
];
const httpSpec = spec({
  api: 'http',
  routes,
  cors: {
    allowOrigins: ['https://shop.example.com'],
    allowMethods: ['GET', 'DELETE'],
    allowCredentials: true,
    maxAge: 300,
  },
});
const urlSpec = spec({
  api: 'function-url',
  routes: [{ path: '/', methods: ['GET', 'POST'] }],
  cors: { allowOrigins: ['https://dash.example.com'], allowMethods: ['GET', 'POST'], maxAge: 86400 },
});

const restTypes = (d: Body) => Object.keys(d.resource as Body).filter((t) => t.startsWith('aws_api_gateway_'));

describe('CorsHttpApi', () => {
  it("configures CORS on the service (which answers preflights and ignores the Lambda's headers)", async () => {
    const d = await doc(httpSpec);
    expect(resource(d, 'aws_apigatewayv2_api', 'api')).toMatchObject({
      name: '${var.name_prefix}',
      protocol_type: 'HTTP',
      cors_configuration: {
        allow_origins: '${local.allowed_origins}',
        allow_methods: ['GET', 'DELETE'],
        allow_headers: ['Content-Type', 'Authorization'],
        expose_headers: ['X-Request-Id'],
        allow_credentials: true,
        max_age: 300,
      },
    });
    expect(restTypes(d)).toEqual([]);
    expect(functionEnvironment(d).CORS_MODE).toBe('service');
  });

  it('routes every method of every path, "/" and {proxy+} included, to one Lambda integration with payload 2.0 and POST', async () => {
    const d = await doc(httpSpec);
    expect(resources(d, 'aws_apigatewayv2_integration')).toEqual({
      lambda: {
        api_id: '${aws_apigatewayv2_api.api.id}',
        integration_type: 'AWS_PROXY',
        integration_uri: '${aws_lambda_function.handler.invoke_arn}',
        integration_method: 'POST',
        payload_format_version: '2.0',
      },
    });
    const keys = Object.values(resources(d, 'aws_apigatewayv2_route')).map((r) => r.route_key);
    expect(keys.sort()).toEqual([
      'DELETE /products/{productId}',
      'GET /',
      'GET /files/{proxy+}',
      'GET /products/{productId}',
    ]);
    for (const r of Object.values(resources(d, 'aws_apigatewayv2_route')))
      expect(r.target).toBe('integrations/${aws_apigatewayv2_integration.lambda.id}');
  });

  it('deploys every change through the $default stage and lets only this API invoke the Lambda', async () => {
    const d = await doc(httpSpec);
    expect(resources(d, 'aws_apigatewayv2_stage')).toEqual({
      default: { api_id: '${aws_apigatewayv2_api.api.id}', name: '$default', auto_deploy: true, tags: '${var.tags}' },
    });
    expect(resource(d, 'aws_lambda_permission', 'api')).toMatchObject({
      principal: 'apigateway.amazonaws.com',
      source_arn: '${aws_apigatewayv2_api.api.execution_arn}/*/*',
    });
    expect((d.variable as Body).stage_name).toBeUndefined(); // no stage to name: $default
  });
});

describe('CorsFunctionUrl', () => {
  it('serves a public URL whose CORS the service owns, within its limits', async () => {
    const d = await doc(urlSpec);
    const url = resource(d, 'aws_lambda_function_url', 'handler');
    expect(url).toMatchObject({
      function_name: '${aws_lambda_function.handler.function_name}',
      authorization_type: 'NONE',
    });
    const cors = url.cors as Body;
    expect(cors).toMatchObject({
      allow_origins: '${local.allowed_origins}',
      allow_methods: ['GET', 'POST'],
      max_age: 86400,
      allow_credentials: false,
    });
    expect((cors.allow_methods as string[]).length).toBeLessThanOrEqual(6);
    expect(restTypes(d)).toEqual([]);
    expect(functionEnvironment(d).CORS_MODE).toBe('service');
  });

  it('grants the two permissions public URLs need since October 2025, both limited to the URL', async () => {
    const d = await doc(urlSpec);
    const perms = Object.values(resources(d, 'aws_lambda_permission'));
    expect(perms).toHaveLength(2);
    expect(perms).toContainEqual(
      expect.objectContaining({ action: 'lambda:InvokeFunctionUrl', principal: '*', function_url_auth_type: 'NONE' }),
    );
    expect(perms).toContainEqual(
      expect.objectContaining({ action: 'lambda:InvokeFunction', principal: '*', invoked_via_function_url: true }),
    );
    // invoked_via_function_url exists from AWS provider 6.28: the module must not admit older providers.
    expect((d.terraform as { required_providers: Record<string, Body> }).required_providers.aws!.version).toBe(
      '>= 6.28',
    );
  });
});
