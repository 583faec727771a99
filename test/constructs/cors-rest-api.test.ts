import { describe, expect, it } from 'vitest';
import { doc, locals, resource, resources, spec, type Body } from '../support/synth.js';

const API = '${aws_api_gateway_rest_api.api.id}';
const ROOT = '${aws_api_gateway_rest_api.api.root_resource_id}';

const methodsOf = (d: Awaited<ReturnType<typeof doc>>) => resources(d, 'aws_api_gateway_method');
const header = (h: string) => `method.response.header.${h}`;

describe('CorsRestApi: one resource per path segment', () => {
  it('creates a resource for every segment of nested paths, parents first, sharing common prefixes', async () => {
    const d = await doc(
      spec({
        routes: [
          { path: '/orders/{orderId}/items', methods: ['GET'] },
          { path: '/orders', methods: ['POST'] },
          { path: '/orders/{orderId}/notes', methods: ['GET'] },
        ],
      }),
    );
    const r = resources(d, 'aws_api_gateway_resource');
    expect(Object.keys(r)).toEqual([
      'orders',
      'orders_var_orderid',
      'orders_var_orderid_items',
      'orders_var_orderid_notes',
    ]);
    expect(r.orders).toMatchObject({ parent_id: ROOT, path_part: 'orders', rest_api_id: API });
    expect(r.orders_var_orderid).toMatchObject({
      parent_id: '${aws_api_gateway_resource.orders.id}',
      path_part: '{orderId}',
    });
    expect(r.orders_var_orderid_items).toMatchObject({
      parent_id: '${aws_api_gateway_resource.orders_var_orderid.id}',
      path_part: 'items',
    });
    expect(r.orders_var_orderid_notes).toMatchObject({
      parent_id: '${aws_api_gateway_resource.orders_var_orderid.id}',
      path_part: 'notes',
    });
  });

  it('keeps {param} and a final {proxy+} as API Gateway path parts', async () => {
    const d = await doc(spec());
    expect(resource(d, 'aws_api_gateway_resource', 'files_greedy_proxy')).toMatchObject({
      parent_id: '${aws_api_gateway_resource.files.id}',
      path_part: '{proxy+}',
    });
    expect(resource(d, 'aws_api_gateway_resource', 'orders_var_orderid')).toMatchObject({ path_part: '{orderId}' });
  });

  it('serves the root route on the API\'s own root resource and creates no resource for "/"', async () => {
    const d = await doc(spec());
    const root = Object.values(methodsOf(d)).filter((m) => m.resource_id === ROOT);
    expect(root.map((m) => m.http_method).sort()).toEqual(['GET', 'OPTIONS']);
    expect(
      Object.values(resources(d, 'aws_api_gateway_resource')).some((r) => r.path_part === '' || r.path_part === '/'),
    ).toBe(false);
  });

  it('adds no OPTIONS method on the root when no route is "/"', async () => {
    const d = await doc(spec({ routes: [{ path: '/orders', methods: ['GET'] }] }));
    expect(Object.values(methodsOf(d)).filter((m) => m.resource_id === ROOT)).toEqual([]);
  });

  it('gives paths that fold to the same name distinct addresses that do not depend on route order', async () => {
    const routes = [
      { path: '/a-b', methods: ['GET'] },
      { path: '/a_b', methods: ['GET'] },
    ];
    const one = Object.entries(resources(await doc(spec({ routes })), 'aws_api_gateway_resource'));
    const other = Object.entries(
      resources(await doc(spec({ routes: [...routes].reverse() })), 'aws_api_gateway_resource'),
    );
    expect(one).toHaveLength(2);
    expect(new Set(one.map(([name]) => name)).size).toBe(2);
    const byPath = (entries: Array<[string, Body]>) =>
      Object.fromEntries(entries.map(([name, r]) => [r.path_part, name]));
    expect(byPath(other)).toEqual(byPath(one));
  });
});

describe('CorsRestApi: the preflight', () => {
  it('answers OPTIONS on every resource, parents without routes and the routed root included, without authorization or API key', async () => {
    const d = await doc(spec());
    const targets = [
      ROOT,
      ...Object.keys(resources(d, 'aws_api_gateway_resource')).map((name) => `\${aws_api_gateway_resource.${name}.id}`),
    ];
    expect(targets).toContain('${aws_api_gateway_resource.orders_var_orderid.id}'); // a parent only
    const options = Object.values(methodsOf(d)).filter((m) => m.http_method === 'OPTIONS');
    expect(options.map((m) => m.resource_id).sort()).toEqual([...targets].sort());
    for (const m of options)
      expect(m).toMatchObject({ authorization: 'NONE', api_key_required: false, rest_api_id: API });
  });

  it('answers through a MOCK integration: statusCode 200 in, 204 out with the mapped headers', async () => {
    const d = await doc(spec());
    const integration = resource(d, 'aws_api_gateway_integration', 'orders_options');
    expect(integration).toMatchObject({
      type: 'MOCK',
      http_method: '${aws_api_gateway_method.orders_options.http_method}',
      request_templates: { 'application/json': '{"statusCode": 200}' },
      passthrough_behavior: 'WHEN_NO_MATCH',
      content_handling: 'CONVERT_TO_TEXT',
    });
    expect(resource(d, 'aws_api_gateway_method_response', 'orders_options').status_code).toBe('204');
    const response = resource(d, 'aws_api_gateway_integration_response', 'orders_options');
    expect(response.status_code).toBe('${aws_api_gateway_method_response.orders_options.status_code}');
    expect(response.selection_pattern).toBeUndefined();
    expect(response.depends_on).toEqual(['aws_api_gateway_integration.orders_options']);
  });

  it.each([
    ['without credentials', {}],
    ['with credentials', { allowCredentials: true }],
    ['without allowed or exposed headers', { allowHeaders: [], exposeHeaders: [] }],
    ['with "*"', { allowOrigins: ['*'], allowHeaders: ['X-Custom'] }],
  ])('declares in the method response every header the integration response maps (%s)', async (_name, cors) => {
    const d = await doc(spec({ cors }));
    const integrationResponses = resources(d, 'aws_api_gateway_integration_response');
    expect(Object.keys(integrationResponses).length).toBeGreaterThan(0);
    for (const [name, r] of Object.entries(integrationResponses)) {
      const declared = resource(d, 'aws_api_gateway_method_response', name).response_parameters as Body;
      expect(Object.keys(declared).sort()).toEqual(Object.keys(r.response_parameters as Body).sort());
      expect(Object.values(declared).every((v) => v === true)).toBe(true);
    }
  });

  it('sends Allow-Methods, Allow-Headers and Max-Age as quoted static values, and Allow-Credentials only with credentials', async () => {
    const open = resource(await doc(spec()), 'aws_api_gateway_integration_response', 'orders_options')
      .response_parameters as Body;
    expect(open).toMatchObject({
      [header('Access-Control-Allow-Methods')]: "'GET,POST,PUT'",
      [header('Access-Control-Allow-Headers')]: "'Content-Type,Authorization'",
      [header('Access-Control-Max-Age')]: "'600'",
      [header('Vary')]: "'Origin'",
    });
    expect(open[header('Access-Control-Allow-Credentials')]).toBeUndefined();
    expect(open[header('Access-Control-Expose-Headers')]).toBeUndefined(); // actual responses only

    const creds = resource(
      await doc(spec({ cors: { allowCredentials: true, maxAge: 0, allowHeaders: [] } })),
      'aws_api_gateway_integration_response',
      'orders_options',
    ).response_parameters as Body;
    expect(creds[header('Access-Control-Allow-Credentials')]).toBe("'true'");
    expect(creds[header('Access-Control-Max-Age')]).toBe("'0'"); // 0 is kept: it disables the preflight cache
    expect(creds[header('Access-Control-Allow-Headers')]).toBeUndefined();
  });

  it('starts from a static Allow-Origin computed from the effective origins: "*", else the first exact origin', async () => {
    const d = await doc(spec());
    const value = (resource(d, 'aws_api_gateway_integration_response', 'orders_options').response_parameters as Body)[
      header('Access-Control-Allow-Origin')
    ];
    expect(value).toBe('\'${local.cors_any_origin ? "*" : try(local.cors_exact_origins[0], local.cors_origins[0])}\'');
    expect(locals(d)).toMatchObject({
      cors_origins: '${local.allowed_origins}',
      cors_any_origin: '${contains(local.cors_origins, "*")}',
      cors_exact_origins: '${[for o in local.cors_origins : o if !strcontains(o, "*")]}',
    });
  });

  it('overrides Allow-Origin once, at the end of a VTL template that reads both spellings of Origin', async () => {
    const d = await doc(spec());
    for (const [name, r] of Object.entries(resources(d, 'aws_api_gateway_integration_response'))) {
      const vtl = (r.response_templates as Body)['application/json'] as string;
      expect(vtl, name).toContain('$input.params().header.get("Origin")');
      expect(vtl, name).toContain('$input.params().header.get("origin")');
      expect(vtl.match(/responseOverride/g), name).toHaveLength(1);
      const lines = vtl.trimEnd().split('\n');
      expect(lines.at(-1), name).toBe(
        '#if($match != "")#set($context.responseOverride.header.Access-Control-Allow-Origin = $match)#end',
      );
    }
  });

  it('compares exact origins as a list literal and wildcards as anchored patterns, never the request origin as a regex', async () => {
    const d = await doc(spec({ cors: { allowOrigins: ['https://app.example.com', 'https://*.example.org'] } }));
    const vtl = (resource(d, 'aws_api_gateway_integration_response', 'orders_options').response_templates as Body)[
      'application/json'
    ] as string;
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
    for (const r of Object.values(resources(d, 'aws_api_gateway_integration_response')))
      expect((r.response_parameters as Body)[header('Vary')]).toBe("'Origin'");
    for (const g of Object.values(resources(d, 'aws_api_gateway_gateway_response')))
      expect((g.response_parameters as Body)['gatewayresponse.header.Vary']).toBe("'Origin'");
  });
});

describe('CorsRestApi: Lambda proxy methods', () => {
  it('proxies every method of every route to the Lambda with AWS_PROXY and POST', async () => {
    const input = spec();
    const d = await doc(input);
    const real = Object.entries(methodsOf(d)).filter(([, m]) => m.http_method !== 'OPTIONS');
    expect(real).toHaveLength(input.routes!.reduce((n, r) => n + r.methods.length, 0));
    for (const [name, m] of real) {
      expect(m.authorization).toBe('NONE');
      expect(resource(d, 'aws_api_gateway_integration', name)).toEqual({
        http_method: `\${aws_api_gateway_method.${name}.http_method}`,
        integration_http_method: 'POST',
        resource_id: m.resource_id,
        rest_api_id: API,
        type: 'AWS_PROXY',
        uri: '${aws_lambda_function.handler.invoke_arn}',
      });
    }
    expect(Object.keys(Object.fromEntries(real)).sort()).toEqual([
      'files_greedy_proxy_get',
      'files_greedy_proxy_put',
      'orders_get',
      'orders_post',
      'orders_var_orderid_items_get',
      'root_get',
    ]);
  });

  it('declares no method or integration responses for proxy methods (the Lambda answers as is)', async () => {
    const d = await doc(spec());
    const names = [
      ...Object.keys(resources(d, 'aws_api_gateway_method_response')),
      ...Object.keys(resources(d, 'aws_api_gateway_integration_response')),
    ];
    expect(names.every((n) => n.endsWith('_options'))).toBe(true);
  });
});

describe('CorsRestApi: gateway responses', () => {
  it('adds CORS headers to DEFAULT_4XX and DEFAULT_5XX without a status_code', async () => {
    const d = await doc(spec());
    const g = resources(d, 'aws_api_gateway_gateway_response');
    expect(Object.keys(g).sort()).toEqual(['default_4xx', 'default_5xx']);
    for (const [name, type] of [
      ['default_4xx', 'DEFAULT_4XX'],
      ['default_5xx', 'DEFAULT_5XX'],
    ] as const) {
      expect(g[name]).not.toHaveProperty('status_code');
      expect(g[name]).toMatchObject({
        response_type: type,
        rest_api_id: API,
        response_templates: { 'application/json': '{"message":$context.error.messageString}' },
      });
      expect(Object.keys(g[name]!.response_parameters as Body).sort()).toEqual(
        ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers', 'Vary'].map(
          (h) => `gatewayresponse.header.${h}`,
        ),
      );
    }
  });

  it("echoes the request's Origin for several origins without credentials, and never with credentials", async () => {
    const acao = async (allowCredentials: boolean) =>
      (
        resource(await doc(spec({ cors: { allowCredentials } })), 'aws_api_gateway_gateway_response', 'default_4xx')
          .response_parameters as Body
      )['gatewayresponse.header.Access-Control-Allow-Origin'] as string;
    expect(await acao(false)).toContain('"method.request.header.origin"');
    const withCredentials = await acao(true);
    expect(withCredentials).not.toContain('method.request.header');
    expect(withCredentials).toContain('try(local.cors_exact_origins[0], local.cors_origins[0])');
    const g = resource(
      await doc(spec({ cors: { allowCredentials: true } })),
      'aws_api_gateway_gateway_response',
      'default_5xx',
    ).response_parameters as Body;
    expect(g['gatewayresponse.header.Access-Control-Allow-Credentials']).toBe("'true'");
  });
});

describe('CorsRestApi: deployment and stage', () => {
  const triggerOf = async (input: Parameters<typeof spec>[0]) =>
    (resource(await doc(spec(input)), 'aws_api_gateway_deployment', 'api').triggers as Record<string, string>)
      .redeployment!;

  it('hashes every resource, method, integration, response and gateway response whole, plus the origin list', async () => {
    const d = await doc(spec());
    const trigger = (resource(d, 'aws_api_gateway_deployment', 'api').triggers as Record<string, string>).redeployment!;
    expect(trigger).toMatch(/^\$\{sha1\(jsonencode\(\[.*\]\)\)\}$/);
    const items = trigger.slice('${sha1(jsonencode(['.length, -']))}'.length).split(', ');
    const expected = [
      'aws_api_gateway_resource',
      'aws_api_gateway_method',
      'aws_api_gateway_integration',
      'aws_api_gateway_method_response',
      'aws_api_gateway_integration_response',
      'aws_api_gateway_gateway_response',
    ].flatMap((type) => Object.keys(resources(d, type)).map((name) => `${type}.${name}`));
    expect(expected.length).toBeGreaterThan(30);
    expect(items.filter((i) => i.startsWith('aws_')).sort()).toEqual([...expected].sort());
    expect(items).toContain('local.cors_origins');
    expect(items.at(-1)).toMatch(/^"[0-9a-f]{16}"$/);
  });

  it('changes the deployment trigger when one allowed origin changes', async () => {
    const before = await triggerOf({});
    const after = await triggerOf({
      cors: { allowOrigins: ['https://app.example.com', 'https://admin2.example.com'] },
    });
    expect(after).not.toBe(before);
    // Only the configuration hash differs in the text; the variable's value is hashed at apply time too.
    expect(after.replace(/"[0-9a-f]{16}"/, '')).toBe(before.replace(/"[0-9a-f]{16}"/, ''));
  });

  it.each([
    ['a header', { cors: { allowHeaders: ['Content-Type'] } }],
    ['max age', { cors: { maxAge: 60 } }],
    ['credentials', { cors: { allowCredentials: true } }],
    ['a route', { routes: [{ path: '/orders', methods: ['GET'] }] }],
  ])('changes the deployment trigger when %s changes', async (_name, input) => {
    expect(await triggerOf(input as Parameters<typeof spec>[0])).not.toBe(await triggerOf({}));
  });

  it('replaces the deployment before destroying the old one, and publishes it through a separate stage', async () => {
    const d = await doc(spec({ stage: 'v1' }));
    expect(resource(d, 'aws_api_gateway_deployment', 'api')).toMatchObject({
      rest_api_id: API,
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(d, 'aws_api_gateway_deployment', 'api')).not.toHaveProperty('stage_name');
    expect(resource(d, 'aws_api_gateway_stage', 'api')).toMatchObject({
      rest_api_id: API,
      deployment_id: '${aws_api_gateway_deployment.api.id}',
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
