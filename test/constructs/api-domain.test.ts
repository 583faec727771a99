/**
 * The custom API domain: off (no inputs, no resources) unless the spec asks; with a domain, the regional domain
 * name, its mapping to the stage, an alias record when a zone is given, and api_url on the domain. Every
 * module here also passes the apply-time rules (`doc()` runs them).
 */
import { describe, expect, it } from 'vitest';
import { doc, resource, resources, spec, synth, type Body, type DomainInput } from '../support/synth.js';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const DOMAIN: DomainInput = { name: 'api.example.com', certificateArn: CERT, zoneId: 'Z0123456789ABCDEFGHIJ' };
const variable = (d: Body, name: string) => (d.variable as Record<string, Body>)[name];
const output = (d: Body, name: string) => (d.output as Record<string, Body>)[name];
const DOMAIN_TYPES = [
  'aws_api_gateway_domain_name',
  'aws_api_gateway_base_path_mapping',
  'aws_apigatewayv2_domain_name',
  'aws_apigatewayv2_api_mapping',
  'aws_route53_record',
];

describe('custom API domain', () => {
  it.each(['rest', 'http', 'function-url'] as const)(
    'adds no input, resource or output unless the spec sets a domain (%s)',
    async (api) => {
      const d = await doc(spec({ api }));
      for (const name of ['domain_name', 'domain_certificate_arn', 'domain_zone_id'])
        expect(variable(d, name)).toBeUndefined();
      for (const type of DOMAIN_TYPES) expect(resources(d, type)).toEqual({});
      expect(output(d, 'domain_target')).toBeUndefined();
    },
  );

  it('REST: a REGIONAL domain name with the regional certificate and TLS 1.2, mapped to the stage, counted on domain_name', async () => {
    const d = await doc(spec({ domain: DOMAIN }));
    const on = '${var.domain_name != null ? 1 : 0}';
    expect(resource(d, 'aws_api_gateway_domain_name', 'api_domain')).toMatchObject({
      count: on,
      domain_name: '${var.domain_name}',
      regional_certificate_arn: '${var.domain_certificate_arn}',
      security_policy: 'TLS_1_2',
      endpoint_configuration: { types: ['REGIONAL'] },
      lifecycle: { precondition: [{ condition: '${var.domain_certificate_arn != null}' }] },
    });
    expect(resource(d, 'aws_api_gateway_domain_name', 'api_domain')).not.toHaveProperty('certificate_arn');
    expect(resource(d, 'aws_api_gateway_base_path_mapping', 'api_domain')).toEqual({
      count: on,
      api_id: '${aws_api_gateway_rest_api.api.id}',
      stage_name: '${aws_api_gateway_stage.api.stage_name}',
      domain_name: '${aws_api_gateway_domain_name.api_domain[0].domain_name}',
    });
    expect(resource(d, 'aws_route53_record', 'api_domain_a')).toEqual({
      count: '${var.domain_name != null && var.domain_zone_id != null ? 1 : 0}',
      zone_id: '${var.domain_zone_id}',
      name: '${var.domain_name}',
      type: 'A',
      alias: {
        name: '${aws_api_gateway_domain_name.api_domain[0].regional_domain_name}',
        zone_id: '${aws_api_gateway_domain_name.api_domain[0].regional_zone_id}',
        evaluate_target_health: false,
      },
    });
    expect(output(d, 'api_url')!.value).toBe(
      '${var.domain_name != null ? "https://${var.domain_name}" : aws_api_gateway_stage.api.invoke_url}',
    );
    expect(output(d, 'domain_target')!.value).toBe(
      '${var.domain_name != null ? aws_api_gateway_domain_name.api_domain[0].regional_domain_name : null}',
    );
  });

  it('HTTP API: a REGIONAL v2 domain name (TLS_1_2) mapped to $default, and its alias record', async () => {
    const d = await doc(spec({ api: 'http', domain: DOMAIN }));
    expect(resource(d, 'aws_apigatewayv2_domain_name', 'api_domain')).toMatchObject({
      count: '${var.domain_name != null ? 1 : 0}',
      domain_name: '${var.domain_name}',
      domain_name_configuration: {
        certificate_arn: '${var.domain_certificate_arn}',
        endpoint_type: 'REGIONAL',
        security_policy: 'TLS_1_2',
      },
    });
    expect(resource(d, 'aws_apigatewayv2_api_mapping', 'api_domain')).toEqual({
      count: '${var.domain_name != null ? 1 : 0}',
      api_id: '${aws_apigatewayv2_api.api.id}',
      stage: '${aws_apigatewayv2_stage.default.id}',
      domain_name: '${aws_apigatewayv2_domain_name.api_domain[0].id}',
    });
    expect(resource(d, 'aws_apigatewayv2_stage', 'default').name).toBe('$default');
    expect(resource(d, 'aws_route53_record', 'api_domain_a').alias).toEqual({
      name: '${aws_apigatewayv2_domain_name.api_domain[0].domain_name_configuration[0].target_domain_name}',
      zone_id: '${aws_apigatewayv2_domain_name.api_domain[0].domain_name_configuration[0].hosted_zone_id}',
      evaluate_target_health: false,
    });
    expect(output(d, 'api_url')!.value).toBe(
      '${var.domain_name != null ? "https://${var.domain_name}" : aws_apigatewayv2_api.api.api_endpoint}',
    );
  });

  it('takes the inputs from the spec, validated, with null for a missing zone id', async () => {
    const d = await doc(spec({ domain: { name: 'api.example.com', certificateArn: CERT } }));
    expect(variable(d, 'domain_name')).toMatchObject({ type: 'string', default: 'api.example.com' });
    expect(variable(d, 'domain_certificate_arn')).toMatchObject({ default: CERT });
    expect(variable(d, 'domain_zone_id')).toMatchObject({ default: null });
    for (const name of ['domain_name', 'domain_certificate_arn', 'domain_zone_id']) {
      expect(variable(d, name)!.description).toBeTruthy();
      expect((variable(d, name)!.validation as Body[])[0]!.condition).toContain(`var.${name} == null || can(regex(`);
    }
  });

  it("declares the inputs (null by default) when only a stage has a domain, and writes it to that stage's tfvars", async () => {
    const input = spec({
      stages: {
        dev: {
          allowOrigins: ['https://dev.example.com'],
          domain: { name: 'api.dev.example.com', certificateArn: CERT },
        },
        prod: { allowOrigins: ['https://app.example.com'] },
      },
    });
    const files = await synth(input);
    const d = files.document;
    expect(variable(d, 'domain_name')).toMatchObject({ default: null });
    const dev = files.generated.get('stages/dev.tfvars')!;
    expect(dev).toContain('domain_name            = "api.dev.example.com"');
    expect(dev).toContain(`domain_certificate_arn = "${CERT}"`);
    // The stage's own domain has no zone: the top-level zone must not be inherited for another name.
    expect(dev).toContain('domain_zone_id         = null');
    expect(files.generated.get('stages/prod.tfvars')).not.toContain('domain_');
  });

  it('writes the domain blocks as HCL blocks', async () => {
    const main = (await synth(spec({ api: 'http', domain: DOMAIN }))).generated.get('main.tf')!;
    expect(main).toMatch(/\n {2}domain_name_configuration \{\n/);
    expect(main).toMatch(/\n {2}alias \{\n/);
  });
});
