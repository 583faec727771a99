import { describe, expect, it } from 'vitest';
import { doc, locals, resource, resources, spec, type Body } from '../support/synth.js';

const API = '${aws_api_gateway_rest_api.api.id}';
const header = (h: string) => `method.response.header.${h}`;

type Doc = Awaited<ReturnType<typeof doc>>;
/** The OpenAPI document the REST API's body encodes (`local.openapi`). */
const openapi = (d: Doc) => (d.locals as Record<string, Body>).openapi!;
const paths = (d: Doc) => openapi(d).paths as Record<string, Record<string, Body>>;
const integrationOf = (op: Body) => op['x-amazon-apigateway-integration'] as Body;
/** The preflight's integration response on a path. */
const preflight = (d: Doc, path = '/orders') =>
  (integrationOf(paths(d)[path]!.options!).responses as Record<string, Body>).default!;
const gateway = (d: Doc) => openapi(d)['x-amazon-apigateway-gateway-responses'] as Record<string, Body>;
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'];

describe('CorsRestApi: one OpenAPI document in the body', () => {
  it('defines the API by its body, imported in overwrite mode, and declares no per-resource API Gateway resources', async () => {
    const d = await doc(spec());
    expect(resource(d, 'aws_api_gateway_rest_api', 'api')).toEqual({
      body: '${jsonencode(local.openapi)}',
      name: '${var.name_prefix}',
      put_rest_api_mode: 'overwrite',
      tags: '${var.tags}',
    });
    for (const type of [
      'aws_api_gateway_resource',
      'aws_api_gateway_method',
      'aws_api_gateway_method_response',
      'aws_api_gateway_integration',
      'aws_api_gateway_integration_response',
      'aws_api_gateway_gateway_response',
    ])
      expect(resources(d, type), type).toEqual({});
    expect(openapi(d)).toMatchObject({ openapi: '3.0.1', info: { title: '${var.name_prefix}', version: '1' } });
  });

  it('has a path item for every route and every parent path, parents first, sharing common prefixes', async () => {
    const d = await doc(
      spec({
        routes: [
          { path: '/orders/{orderId}/items', methods: ['GET'] },
          { path: '/orders', methods: ['POST'] },
          { path: '/orders/{orderId}/notes', methods: ['GET'] },
        ],
      }),
    );
    expect(Object.keys(paths(d))).toEqual([
      '/orders',
      '/orders/{orderId}',
      '/orders/{orderId}/items',
      '/orders/{orderId}/notes',
    ]);
    // A parent without routes answers only the preflight.
    expect(Object.keys(paths(d)['/orders/{orderId}']!)).toEqual(['parameters', 'options']);
  });

  it('declares every path parameter, a greedy {proxy+} by its name as API Gateway exports it', async () => {
    const d = await doc(spec());
    const param = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
    expect(paths(d)['/files/{proxy+}']!.parameters).toEqual([param('proxy')]);
    expect(paths(d)['/orders/{orderId}/items']!.parameters).toEqual([param('orderId')]);
    expect(paths(d)['/orders']!.parameters).toBeUndefined();
  });

  it('serves the root route on "/" and adds no root path item when no route is "/"', async () => {
    expect(Object.keys(paths(await doc(spec()))['/']!).sort()).toEqual(['get', 'options']);
    const d = await doc(spec({ routes: [{ path: '/orders', methods: ['GET'] }] }));
    expect(Object.keys(paths(d))).toEqual(['/orders']);
  });

  it('keeps literal path text literal for Terraform', async () => {
    const d = await doc(
      spec({
        routes: [
          { path: '/a-b', methods: ['GET'] },
          { path: '/a_b', methods: ['GET'] },
        ],
      }),
    );
    expect(Object.keys(paths(d))).toEqual(['/a-b', '/a_b']);
  });
});

describe('CorsRestApi: the preflight', () => {
  it('answers OPTIONS on every path, parents without routes and the routed root included, with no security requirement', async () => {
    const d = await doc(spec());
    expect(Object.keys(paths(d))).toContain('/orders/{orderId}'); // a parent only
    for (const [p, item] of Object.entries(paths(d))) {
      expect(item.options, p).toBeDefined();
      expect(item.options!.security, p).toBeUndefined();
    }
  });

  it('answers through a mock integration: statusCode 200 in, 204 out with the mapped headers', async () => {
    const d = await doc(spec());
    const integration = integrationOf(paths(d)['/orders']!.options!);
    expect(integration).toMatchObject({
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'when_no_match',
      contentHandling: 'CONVERT_TO_TEXT',
    });
    expect(Object.keys(integration.responses as Body)).toEqual(['default']);
    expect(preflight(d).statusCode).toBe('204');
    expect(Object.keys(paths(d)['/orders']!.options!.responses as Body)).toEqual(['204']);
  });

  it.each([
    ['without credentials', {}],
    ['with credentials', { allowCredentials: true }],
    ['without allowed or exposed headers', { allowHeaders: [], exposeHeaders: [] }],
    ['with "*"', { allowOrigins: ['*'], allowHeaders: ['X-Custom'] }],
  ])('declares in the method response every header the integration response maps (%s)', async (_name, cors) => {
    const d = await doc(spec({ cors }));
    for (const [p, item] of Object.entries(paths(d))) {
      const declared = ((item.options!.responses as Record<string, Body>)['204']!.headers ?? {}) as Body;
      const mapped = Object.keys(preflight(d, p).responseParameters as Body).map((k) =>
        k.replace('method.response.header.', ''),
      );
      expect(Object.keys(declared).sort(), p).toEqual(mapped.sort());
      for (const h of Object.values(declared)) expect(h).toEqual({ schema: { type: 'string' } });
    }
  });

  it('sends Allow-Methods, Allow-Headers and Max-Age as quoted static values, and Allow-Credentials only with credentials', async () => {
    const open = preflight(await doc(spec())).responseParameters as Body;
    expect(open).toMatchObject({
      [header('Access-Control-Allow-Methods')]: "'GET,POST,PUT'",
      [header('Access-Control-Allow-Headers')]: "'Content-Type,Authorization'",
      [header('Access-Control-Max-Age')]: "'600'",
      [header('Vary')]: "'Origin'",
    });
    expect(open[header('Access-Control-Allow-Credentials')]).toBeUndefined();
    expect(open[header('Access-Control-Expose-Headers')]).toBeUndefined(); // actual responses only

    const creds = preflight(await doc(spec({ cors: { allowCredentials: true, maxAge: 0, allowHeaders: [] } })))
      .responseParameters as Body;
    expect(creds[header('Access-Control-Allow-Credentials')]).toBe("'true'");
    expect(creds[header('Access-Control-Max-Age')]).toBe("'0'"); // 0 is kept: it disables the preflight cache
    expect(creds[header('Access-Control-Allow-Headers')]).toBeUndefined();
  });

  it('starts from a static Allow-Origin computed from the effective origins: "*", else the first exact origin', async () => {
    const d = await doc(spec());
    const value = (preflight(d).responseParameters as Body)[header('Access-Control-Allow-Origin')];
    expect(value).toBe('\'${local.cors_any_origin ? "*" : try(local.cors_exact_origins[0], local.cors_origins[0])}\'');
    expect(locals(d)).toMatchObject({
      cors_origins: '${local.allowed_origins}',
      cors_any_origin: '${contains(local.cors_origins, "*")}',
      cors_exact_origins: '${[for o in local.cors_origins : o if !strcontains(o, "*")]}',
    });
  });

  it('overrides Allow-Origin once, at the end of a VTL template that reads both spellings of Origin', async () => {
    const d = await doc(spec());
    for (const p of Object.keys(paths(d))) {
      const vtl = (preflight(d, p).responseTemplates as Body)['application/json'] as string;
      expect(vtl, p).toContain('$input.params().header.get("Origin")');
      expect(vtl, p).toContain('$input.params().header.get("origin")');
      expect(vtl.match(/responseOverride/g), p).toHaveLength(1);
      const lines = vtl.trimEnd().split('\n');
      expect(lines.at(-1), p).toBe(
        '#if($match != "")#set($context.responseOverride.header.Access-Control-Allow-Origin = $match)#end',
      );
    }
  });

  it('compares exact origins as a list literal and wildcards as anchored patterns, never the request origin as a regex', async () => {
    const d = await doc(spec({ cors: { allowOrigins: ['https://app.example.com', 'https://*.example.org'] } }));
    const vtl = (preflight(d).responseTemplates as Body)['application/json'] as string;
    // The only Terraform interpolations: the two lists, as JSON (a valid VTL list literal).
    expect(vtl.match(/\$\{[^}]*\}/g)).toEqual([
      '${jsonencode(local.cors_exact_origins)}',
      '${jsonencode(local.cors_origin_patterns)}',
    ]);
    expect(vtl).toContain('#if($allowed.contains($lower))');
    expect(vtl).toContain('#foreach($pattern in $patterns)#if($lower.matches($pattern))');
    expect(vtl).not.toMatch(/\.matches\(\$(origin|lower)\)/);
    // Patterns: "." escaped as "[.]", "*" as exactly one DNS label; "*" alone never becomes a pattern.
    expect(locals(d).cors_origin_patterns).toBe(
      '${[for o in local.cors_origins : replace(replace(o, ".", "[.]"), "*", "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") if strcontains(o, "*") && o != "*"]}',
    );
    expect(vtl).not.toContain('\\'); // no backslash to lose between HCL, JSON and VTL
  });

  it('sends Vary: Origin on every preflight and on the gateway responses', async () => {
    const d = await doc(spec());
    for (const p of Object.keys(paths(d)))
      expect((preflight(d, p).responseParameters as Body)[header('Vary')]).toBe("'Origin'");
    for (const g of Object.values(gateway(d)))
      expect((g.responseParameters as Body)['gatewayresponse.header.Vary']).toBe("'Origin'");
  });
});

describe('CorsRestApi: Lambda proxy methods', () => {
  it('proxies every method of every route to the Lambda with aws_proxy and POST', async () => {
    const input = spec();
    const d = await doc(input);
    const real = Object.entries(paths(d)).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([m, op]) => [`${m.toUpperCase()} ${p}`, op] as const),
    );
    expect(real.map(([name]) => name).sort()).toEqual([
      'GET /',
      'GET /files/{proxy+}',
      'GET /orders',
      'GET /orders/{orderId}/items',
      'POST /orders',
      'PUT /files/{proxy+}',
    ]);
    for (const [, op] of real) {
      expect(op.security).toBeUndefined();
      expect(integrationOf(op)).toEqual({
        type: 'aws_proxy',
        httpMethod: 'POST',
        uri: '${aws_lambda_function.handler.invoke_arn}',
        passthroughBehavior: 'when_no_match',
      });
      // No integration responses: the Lambda answers as is.
      expect(op.responses).toEqual({ default: { description: "The Lambda function's answer" } });
    }
  });
});

describe('CorsRestApi: gateway responses', () => {
  it('adds CORS headers to DEFAULT_4XX and DEFAULT_5XX without a statusCode', async () => {
    const g = gateway(await doc(spec()));
    expect(Object.keys(g)).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const response of Object.values(g)) {
      expect(response).not.toHaveProperty('statusCode');
      expect(response.responseTemplates).toEqual({ 'application/json': '{"message":$context.error.messageString}' });
      expect(Object.keys(response.responseParameters as Body).sort()).toEqual(
        ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers', 'Vary'].map(
          (h) => `gatewayresponse.header.${h}`,
        ),
      );
    }
  });

  it("echoes the request's Origin for several origins without credentials, and never with credentials", async () => {
    const params = async (allowCredentials: boolean, type: string) =>
      gateway(await doc(spec({ cors: { allowCredentials } })))[type]!.responseParameters as Record<string, string>;
    expect((await params(false, 'DEFAULT_4XX'))['gatewayresponse.header.Access-Control-Allow-Origin']).toContain(
      '"method.request.header.origin"',
    );
    const withCredentials = (await params(true, 'DEFAULT_4XX'))['gatewayresponse.header.Access-Control-Allow-Origin']!;
    expect(withCredentials).not.toContain('method.request.header');
    expect(withCredentials).toContain('try(local.cors_exact_origins[0], local.cors_origins[0])');
    expect((await params(true, 'DEFAULT_5XX'))['gatewayresponse.header.Access-Control-Allow-Credentials']).toBe(
      "'true'",
    );
  });
});

describe('CorsRestApi: deployment and stage', () => {
  it('hashes the body, so every change to the document (routes, headers, origins) makes a new deployment after it', async () => {
    const d = await doc(spec());
    expect(resource(d, 'aws_api_gateway_deployment', 'openapi').triggers).toEqual({
      redeployment: '${sha1(aws_api_gateway_rest_api.api.body)}',
    });
    // The origin list reaches the body through the locals the document is built from.
    expect(JSON.stringify(openapi(d))).toContain('local.cors_exact_origins');
  });

  it.each([
    ['a header', { cors: { allowHeaders: ['Content-Type'] } }],
    ['max age', { cors: { maxAge: 60 } }],
    ['credentials', { cors: { allowCredentials: true } }],
    ['a route', { routes: [{ path: '/orders', methods: ['GET'] }] }],
    ['a path parameter name', { routes: [{ path: '/orders/{id}/items', methods: ['GET'] }] }],
  ])('changes the document when %s changes', async (_name, input) => {
    const before = JSON.stringify(openapi(await doc(spec())));
    expect(JSON.stringify(openapi(await doc(spec(input as Parameters<typeof spec>[0]))))).not.toBe(before);
  });

  it('exposes the rendered document as an output, with how to save it', async () => {
    const d = await doc(spec());
    const output = (d.output as Record<string, Body>).openapi_document!;
    expect(output.value).toBe('${aws_api_gateway_rest_api.api.body}');
    expect(output.description).toContain('terraform output -raw openapi_document');
  });

  it('replaces the deployment before destroying the old one, and publishes it through a separate stage', async () => {
    const d = await doc(spec({ stage: 'v1' }));
    expect(resource(d, 'aws_api_gateway_deployment', 'openapi')).toMatchObject({
      rest_api_id: API,
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(d, 'aws_api_gateway_deployment', 'openapi')).not.toHaveProperty('stage_name');
    expect(resource(d, 'aws_api_gateway_stage', 'api')).toMatchObject({
      rest_api_id: API,
      deployment_id: '${aws_api_gateway_deployment.openapi.id}',
      stage_name: '${var.stage_name}',
    });
    expect((d.variable as Record<string, Body>).stage_name!.default).toBe('v1');
  });

  it('lets only this API invoke the Lambda (any stage, method and path of it)', async () => {
    const d = await doc(spec());
    expect(resources(d, 'aws_lambda_permission')).toEqual({
      api: {
        action: 'lambda:InvokeFunction',
        function_name: '${aws_lambda_function.handler.function_name}',
        principal: 'apigateway.amazonaws.com',
        source_arn: '${aws_api_gateway_rest_api.api.execution_arn}/*/*',
        statement_id: 'AllowInvokeFromThisRestApi',
      },
    });
  });
});
