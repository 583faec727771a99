import { describe, expect, it } from 'vitest';
import { doc, locals, resources, spec, synth, type Body } from '../support/synth.js';

type Variable = {
  description: string;
  type: string;
  default: unknown;
  validation?: Array<{ condition: string; error_message: string }>;
};
const variables = (d: Body) => d.variable as Record<string, Variable>;
const outputs = (d: Body) => d.output as Record<string, { description: string; value: unknown }>;

describe('CorsModuleStack: a module, not a root stack', () => {
  it.each(['rest', 'http', 'function-url'] as const)(
    'declares required providers by namespaced source and minimum version, and no provider or backend (%s)',
    async (api) => {
      const d = await doc(
        spec({ api, routes: [{ path: '/orders', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
      );
      // REST modules also carry `removed` blocks for the per-resource addresses of older versions.
      expect(Object.keys(d)).toEqual([
        'terraform',
        'variable',
        'locals',
        'data',
        'resource',
        ...(api === 'rest' ? ['removed'] : []),
        'output',
      ]);
      const terraform = d.terraform as {
        required_version: string;
        required_providers: Record<string, { source: string; version: string }>;
      };
      expect(Object.keys(terraform)).toEqual(['required_version', 'required_providers']);
      expect(terraform.required_version).toBe('>= 1.7.0');
      // The lowest releases that accept what the module uses (src/synth/provider-floors.ts).
      expect(terraform.required_providers.archive).toEqual({ source: 'hashicorp/archive', version: '>= 2.5' });
      expect(terraform.required_providers.aws).toEqual({
        source: 'hashicorp/aws',
        version: api === 'function-url' ? '>= 6.28' : '>= 5.77',
      });
      expect(JSON.stringify(d)).not.toContain('"//"');
    },
  );

  it('carries no absolute path, home folder or timestamp', async () => {
    const files = await synth(spec());
    const all = [...files.generated.values(), ...files.userOwned.values()].join('\n');
    for (const needle of [
      process.cwd(),
      '/home/',
      '/root/',
      '/tmp/',
      '\\Users\\',
      String(new Date().getFullYear()) + '-',
    ])
      expect(all).not.toContain(needle);
  });
});

describe('CorsModuleStack: inputs', () => {
  it("defaults allowed_origins to the spec's origins and validates it as the spec validator would", async () => {
    const d = await doc(spec());
    const v = variables(d).allowed_origins!;
    expect(v).toMatchObject({
      type: 'list(string)',
      default: ['https://app.example.com', 'https://admin.example.com'],
    });
    expect(v.description).toContain('website origin is added automatically');
    expect(v.validation!.map((x) => x.error_message)).toEqual([
      'allowed_origins must list at least one origin.',
      expect.stringContaining('one-label wildcards like "https://*.example.com"'),
      'allowed_origins: "*" allows every origin; list it alone or not at all.',
      'allowed_origins must not contain "null" (sandboxed and file: pages send it).',
      expect.stringContaining('default port'),
    ]);
  });

  it('adds the "*"-with-credentials rule only when the API allows credentials', async () => {
    const rule = (v: Variable) => v.validation!.some((x) => x.error_message.includes('allows credentials'));
    expect(rule(variables(await doc(spec({ cors: { allowCredentials: true } }))).allowed_origins!)).toBe(true);
    expect(rule(variables(await doc(spec())).allowed_origins!)).toBe(false);
  });

  it('admits the wildcard forms each target supports, and only those', async () => {
    const forms = async (api: 'rest' | 'http' | 'function-url') =>
      variables(
        await doc(
          spec({
            api,
            routes: [{ path: '/orders', methods: ['GET'] }],
            cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] },
          }),
        ),
      ).allowed_origins!.validation![1]!.condition;
    expect(await forms('rest')).toContain('^https?://[*][.]');
    expect(await forms('http')).not.toContain('[*][.]');
    expect(await forms('http')).toContain('^https?://[*]$');
    const url = await forms('function-url');
    expect(url).not.toContain('[*]');
  });

  it('names everything from name_prefix and publishes the REST stage named by stage_name', async () => {
    const d = await doc(spec({ name: 'shop-api', stage: 'live' }));
    expect(variables(d).name_prefix).toMatchObject({ type: 'string', default: 'shop-api' });
    expect(variables(d).stage_name).toMatchObject({ type: 'string', default: 'live' });
    expect(variables(d).tags).toMatchObject({ type: 'map(string)', default: {} });
    for (const [name, v] of Object.entries(variables(d))) expect(v.description, name).toMatch(/\S/);
  });
});

describe('CorsModuleStack: outputs', () => {
  it.each(['rest', 'http', 'function-url'] as const)(
    'exposes api_url, the website, the function and the effective origins, each described (%s)',
    async (api) => {
      const d = await doc(
        spec({ api, routes: [{ path: '/orders', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
      );
      const o = outputs(d);
      expect(Object.keys(o)).toEqual([
        ...(api === 'rest' ? ['openapi_document'] : []),
        'api_url',
        'website_url',
        'website_origin',
        'website_bucket',
        'function_name',
        'allowed_origins',
        'function_arn',
        'function_invoke_arn',
        'role_name',
        'role_arn',
        ...{
          rest: ['rest_api_id', 'rest_api_root_resource_id', 'rest_api_execution_arn', 'stage_name', 'stage_arn'],
          http: ['http_api_id', 'http_api_endpoint', 'http_api_execution_arn'],
          'function-url': ['function_url'],
        }[api],
      ]);
      for (const [name, v] of Object.entries(o)) expect(v.description, name).toMatch(/\S/);
      expect(o.api_url!.value).toBe(
        {
          rest: '${aws_api_gateway_stage.api.invoke_url}',
          http: '${aws_apigatewayv2_api.api.api_endpoint}',
          'function-url': '${trimsuffix(aws_lambda_function_url.handler.function_url, "/")}',
        }[api],
      );
      expect(o.function_name!.value).toBe('${aws_lambda_function.handler.function_name}');
      expect(o.website_bucket!.value).toBe('${aws_s3_bucket.site.bucket}');
    },
  );
});

describe('CorsModuleStack: without a frontend', () => {
  it('synthesizes, with the variable as the effective origin list and no bucket', async () => {
    const d = await doc(spec({ frontend: { enabled: false } }));
    expect(locals(d).allowed_origins).toBe('${var.allowed_origins}');
    expect(locals(d).website_origin).toBeUndefined();
    expect(Object.keys(d.resource as Body).filter((t) => t.startsWith('aws_s3_'))).toEqual([]);
    // A null output, written as JSON null or as the expression `${null}`.
    for (const name of ['website_url', 'website_origin', 'website_bucket'])
      expect([null, '${null}'], name).toContainEqual(outputs(d)[name]!.value);
  });
});

describe('stages', () => {
  it('never gives two stages the same name_prefix, even when "_" is folded or the name is cut', async () => {
    const name = 'a-service-name-that-is-thirty-nine-ch';
    const files = await synth(
      spec({
        name,
        stages: {
          qa_1: { allowOrigins: ['https://a.example.com'] },
          'qa-1': { allowOrigins: ['https://a.example.com'] },
          'stage-name-long-enough-to-be-cut-a': { allowOrigins: ['https://a.example.com'] },
          'stage-name-long-enough-to-be-cut-b': { allowOrigins: ['https://a.example.com'] },
        },
      }),
    );
    const prefixes = [...files.generated]
      .filter(([p]) => p.startsWith('stages/'))
      .map(([, text]) => /name_prefix\s+= "([^"]*)"/.exec(text)![1]!);
    expect(prefixes).toHaveLength(4);
    expect(new Set(prefixes).size).toBe(4);
    for (const p of prefixes) expect(p).toMatch(/^[a-z][a-z0-9-]{1,55}$/);
    expect(prefixes).toContain(`${name}-qa-1`);
  });

  it('writes one tfvars file per spec stage, whose name_prefix and stage_name are valid for the module', async () => {
    const files = await synth(
      spec({
        name: 'a-rather-long-service-name-for-tests',
        stages: {
          dev: { allowOrigins: ['http://localhost:3000'] },
          qa_eu: { allowOrigins: ['https://qa.example.com'] },
        },
      }),
    );
    expect([...files.generated.keys()].filter((p) => p.startsWith('stages/'))).toEqual([
      'stages/dev.tfvars',
      'stages/qa_eu.tfvars',
    ]);
    const qa = files.generated.get('stages/qa_eu.tfvars')!;
    expect(qa).toContain('allowed_origins = ["https://qa.example.com"]');
    expect(qa).toContain('stage_name      = "qa_eu"');
    const prefix = /name_prefix\s+= "([^"]*)"/.exec(qa)![1]!;
    const rule = (files.document.variable as Record<string, Variable>).name_prefix!.validation![0]!.condition;
    const pattern = /regex\("([^"]+)"/.exec(rule)![1]!;
    expect(prefix).toMatch(new RegExp(pattern));
    const devPrefix = /name_prefix\s+= "([^"]*)"/.exec(files.generated.get('stages/dev.tfvars')!)![1]!;
    expect(devPrefix).toBe('a-rather-long-service-name-for-tests-dev');
    expect(devPrefix).not.toBe(prefix);
    expect(resources(files.document, 'aws_api_gateway_stage').api!.stage_name).toBe('${var.stage_name}');
  });
});
