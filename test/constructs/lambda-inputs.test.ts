/**
 * The module's inputs for the user's backend (environment, permissions, sizing, layers, VPC) and its outputs for
 * composition: each declared with a description, a type and a validation, its default taken from the spec, and
 * wired into the function and its role only as far as the caller asks.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CorsLambda } from '../../src/constructs/index.js';
import { checkSecurityInvariants } from '../../src/synth/security-invariants.js';
import { evaluate } from '../../src/terraform/expression/evaluate.js';
import type { HclValue } from '../../src/terraform/expression/ast.js';
import { parseTemplate } from '../../src/terraform/expression/parse.js';
import { doc, functionEnvironment, resource, resources, spec, type Body, type SpecInput } from '../support/synth.js';

type Json = Record<string, any>;

const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:*:table/orders' }],
};
/** A spec that sets every `lambda` key the inputs take their defaults from. */
export const ALL_INPUTS: SpecInput = spec({
  lambda: {
    memorySize: 1024,
    timeout: 25,
    environment: { TABLE_NAME: 'orders', LOG_LEVEL: 'info' },
    policyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess'],
    policy: POLICY,
    layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:deps:3'],
    vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  },
});

const INPUTS = [
  'environment_variables',
  'policy_arns',
  'policy_json',
  'memory_size',
  'timeout',
  'layers',
  'vpc_subnet_ids',
  'vpc_security_group_ids',
];

const variables = (d: Body) => d.variable as Record<string, Json>;

/** The error messages of the validations `value` fails, evaluated by the module reader's evaluator. */
function refusals(d: Body, name: string, value: HclValue): string[] {
  const scope = {
    resolve(root: string, attrs: readonly string[]) {
      if (root === 'var' && attrs[0] === name) return { value, consumed: 1 };
      throw new Error(`the validation of ${name} reads ${root}.${attrs.join('.')}`);
    },
  };
  return (variables(d)[name]!.validation as Json[])
    .filter((v) => evaluate(parseTemplate(v.condition as string), scope) !== true)
    .map((v) => v.error_message as string);
}

describe('the inputs for the function', () => {
  it('declares each with a description, a type and a validation, its default from the spec', async () => {
    const d = await doc(ALL_INPUTS);
    const v = variables(d);
    for (const name of INPUTS) {
      expect(v[name]!.description, name).toMatch(/^\S.{10,}$/);
      expect(v[name]!.type, name).toMatch(/^(string|number|list\(string\)|map\(string\))$/);
      expect((v[name]!.validation as Json[]).length, name).toBeGreaterThan(0);
      expect(refusals(d, name, v[name]!.default as HclValue), `${name}'s own default`).toEqual([]);
    }
    expect(v.environment_variables!.default).toEqual({ LOG_LEVEL: 'info', TABLE_NAME: 'orders' });
    expect(v.policy_arns!.default).toEqual(['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess']);
    expect(JSON.parse(v.policy_json!.default as string)).toEqual(POLICY);
    expect(v.memory_size!.default).toBe(1024);
    expect(v.timeout!.default).toBe(25);
    expect(v.layers!.default).toEqual(['arn:aws:lambda:eu-west-1:123456789012:layer:deps:3']);
    expect(v.vpc_subnet_ids!.default).toEqual(['subnet-0123456789abcdef0']);
    expect(v.vpc_security_group_ids!.default).toEqual(['sg-0123456789abcdef0']);
  });

  it('defaults to nothing extra without the spec keys: no variables, policies, layers or VPC', async () => {
    const v = variables(await doc(spec()));
    expect(v.environment_variables!.default).toEqual({});
    expect(v.policy_arns!.default).toEqual([]);
    expect(v.policy_json).toHaveProperty('default', null);
    expect(v.layers!.default).toEqual([]);
    expect([v.vpc_subnet_ids!.default, v.vpc_security_group_ids!.default]).toEqual([[], []]);
    expect([v.memory_size!.default, v.timeout!.default]).toEqual([256, 10]);
  });

  it('refuses the CORS variables in environment_variables, naming them, and the names Lambda reserves', async () => {
    const d = await doc(spec());
    const [cors] = refusals(d, 'environment_variables', { ALLOWED_ORIGINS: '*', TABLE: 'x' });
    expect(cors).toMatch(
      /must not set ALLOWED_ORIGINS, ALLOW_CREDENTIALS, ALLOW_HEADERS, CORS_GEN_HANDLER, CORS_MODE, ENFORCE_ORIGIN/,
    );
    expect(refusals(d, 'environment_variables', { ALLOW_CREDENTIALS: 'true' })).toHaveLength(1);
    expect(refusals(d, 'environment_variables', { AWS_REGION: 'x' })[0]).toMatch(/Lambda reserves them/);
    expect(refusals(d, 'environment_variables', { '1X': 'x' })[0]).toMatch(/each name must be a letter/);
    expect(refusals(d, 'environment_variables', { TABLE_NAME: 'orders', LOG_LEVEL: '' })).toEqual([]);
  });

  it.each([
    ['policy_arns', ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/team/x'], ['*']],
    ['policy_json', '{"Version":"2012-10-17","Statement":[]}', '{not json'],
    // `-var 'policy_json=null'` is the text "null" for a string input; the provider would refuse it at plan.
    ['policy_json', '{"Statement":[]}', 'null'],
    ['policy_json', '{"Statement":[]}', '[1]'],
    ['memory_size', 128, 64],
    ['memory_size', 10240, 128.5],
    ['timeout', 900, 901],
    ['layers', ['arn:aws:lambda:us-east-1:123456789012:layer:a:1'], ['arn:aws:lambda:us-east-1:123456789012:layer:a']],
    ['layers', [], Array.from({ length: 6 }, (_, i) => `arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1`)],
    ['vpc_subnet_ids', ['subnet-0123456789abcdef0'], ['subnet-xyz']],
    ['vpc_security_group_ids', ['sg-01234567'], Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`)],
  ] as const)('validates %s: accepts %j, refuses %j', async (name, good, bad) => {
    const d = await doc(spec());
    expect(refusals(d, name, good as HclValue)).toEqual([]);
    expect(refusals(d, name, bad as HclValue)).toHaveLength(1);
  });

  it('accepts policy_json null (no inline policy)', async () => {
    expect(refusals(await doc(spec()), 'policy_json', null)).toEqual([]);
  });

  it("merges the caller's environment under the CORS variables, which win", async () => {
    const d = await doc(ALL_INPUTS);
    const fn = resource(d, 'aws_lambda_function', 'handler');
    expect((fn.environment as Body).variables).toBe('${merge(var.environment_variables, local.cors_environment)}');
    expect(Object.keys(functionEnvironment(d)).sort()).toEqual([
      'ALLOWED_ORIGINS',
      'ALLOW_CREDENTIALS',
      'ALLOW_HEADERS',
      'CORS_MODE',
      'ENFORCE_ORIGIN',
      'EXPOSE_HEADERS',
    ]);
    expect(fn).toMatchObject({ memory_size: '${var.memory_size}', timeout: '${var.timeout}', layers: '${var.layers}' });
  });

  it('attaches one policy per ARN and the inline policy with attach_policy_json, counted so plan never needs the values', async () => {
    const d = await doc(ALL_INPUTS);
    expect(resources(d, 'aws_iam_role_policy_attachment').lambda_extra).toEqual({
      count: '${length(var.policy_arns)}',
      policy_arn: '${var.policy_arns[count.index]}',
      role: '${aws_iam_role.lambda.name}',
    });
    expect(resource(d, 'aws_iam_role_policy', 'lambda_extra')).toMatchObject({
      count: '${var.attach_policy_json ? 1 : 0}',
      name: '${var.name_prefix}-extra',
      policy: '${var.policy_json}',
      role: '${aws_iam_role.lambda.id}',
    });
    expect(variables(d).attach_policy_json!.default).toBe(true);
    expect(variables(await doc(spec())).attach_policy_json!.default).toBe(false);
  });

  it('puts the function in the VPC, with the VPC access policy attached first, only when both id lists are set', async () => {
    const d = await doc(ALL_INPUTS);
    const both = 'length(var.vpc_subnet_ids) > 0 && length(var.vpc_security_group_ids) > 0';
    const vpcPolicy = resources(d, 'aws_iam_role_policy_attachment').lambda_vpc!;
    expect(vpcPolicy).toEqual({
      count: `\${${both} ? 1 : 0}`,
      policy_arn:
        'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
      role: '${aws_iam_role.lambda.name}',
    });
    const fn = resource(d, 'aws_lambda_function', 'handler');
    expect(fn.dynamic).toEqual({
      vpc_config: {
        for_each: `\${${both} ? ["vpc"] : []}`,
        content: { subnet_ids: '${var.vpc_subnet_ids}', security_group_ids: '${var.vpc_security_group_ids}' },
      },
    });
    expect(fn.depends_on).toContain('aws_iam_role_policy_attachment.lambda_vpc');
    const precondition = ((fn.lifecycle as Json).precondition as Json[]).find((p) =>
      String(p.condition).includes('vpc'),
    );
    expect(precondition!.condition).toBe(
      '${(length(var.vpc_subnet_ids) == 0) == (length(var.vpc_security_group_ids) == 0)}',
    );
    expect(precondition!.error_message).toMatch(/set both .* or neither/);
  });

  it('refuses a policy_json given without attach_policy_json, which would be dropped without a word', async () => {
    const fn = resource(await doc(spec()), 'aws_lambda_function', 'handler');
    const precondition = ((fn.lifecycle as Json).precondition as Json[]).find((p) =>
      String(p.condition).includes('attach_policy_json'),
    );
    expect(precondition!.condition).toBe('${var.attach_policy_json || var.policy_json == null}');
    expect(precondition!.error_message).toMatch(/set attach_policy_json = true/);
  });

  it("refuses, before apply, an environment above Lambda's 4 KB that a caller passes", async () => {
    const fn = resource(await doc(spec()), 'aws_lambda_function', 'handler');
    const conditions = ((fn.lifecycle as Json).precondition as Json[]).map((p) => p.condition as string);
    expect(conditions).toContain(
      '${floor(length(replace(base64encode(join("", [for k, v in merge(var.environment_variables, local.cors_environment) : join("", [k, v])])), "=", "")) * 3 / 4) <= 4096}',
    );
  });

  it('passes the security checker with every input set', async () => {
    expect(checkSecurityInvariants(await doc(ALL_INPUTS))).toEqual([]);
  });
});

describe('the outputs for composition', () => {
  const common = ['function_arn', 'function_invoke_arn', 'role_name', 'role_arn'];
  it.each([
    [
      'rest',
      {
        rest_api_id: '${aws_api_gateway_rest_api.api.id}',
        rest_api_root_resource_id: '${aws_api_gateway_rest_api.api.root_resource_id}',
        rest_api_execution_arn: '${aws_api_gateway_rest_api.api.execution_arn}',
        stage_name: '${aws_api_gateway_stage.api.stage_name}',
        stage_arn: '${aws_api_gateway_stage.api.arn}',
      },
    ],
    [
      'http',
      {
        http_api_id: '${aws_apigatewayv2_api.api.id}',
        http_api_endpoint: '${aws_apigatewayv2_api.api.api_endpoint}',
        http_api_execution_arn: '${aws_apigatewayv2_api.api.execution_arn}',
      },
    ],
    ['function-url', { function_url: '${aws_lambda_function_url.handler.function_url}' }],
  ] as const)('%s: the role, the function and its own API, each described, none of another kind', async (api, own) => {
    const d = await doc(
      spec({ api, routes: [{ path: '/orders', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
    );
    const outputs = d.output as Record<string, Json>;
    expect(outputs.function_arn!.value).toBe('${aws_lambda_function.handler.arn}');
    expect(outputs.function_invoke_arn!.value).toBe('${aws_lambda_function.handler.invoke_arn}');
    expect(outputs.role_name!.value).toBe('${aws_iam_role.lambda.name}');
    expect(outputs.role_arn!.value).toBe('${aws_iam_role.lambda.arn}');
    for (const [name, value] of Object.entries(own)) expect(outputs[name]?.value, name).toBe(value);
    for (const name of [...common, ...Object.keys(own)]) expect(outputs[name]!.description, name).toMatch(/^\S.{10,}$/);
    const kinds = /^(rest_api_|stage_|http_api_|function_url$)/;
    expect(Object.keys(outputs).filter((n) => kinds.test(n) && !(n in own))).toEqual([]);
  });
});

describe('CorsLambda built directly', () => {
  it("takes the caller's Terraform expressions for the environment, policies, layers and VPC", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'user');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new CorsLambda(stack, 'fn', {
      functionName: 'orders',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      memorySize: 512,
      timeout: 10,
      environment: { ALLOWED_ORIGINS: 'https://app.example.com' },
      extraEnvironment: 'local.app_environment',
      policyArns: 'local.policies',
      policyJson: { document: 'local.policy', attach: 'local.attach' },
      layers: 'local.layers',
      vpc: { subnetIds: 'local.subnets', securityGroupIds: 'local.groups' },
      logRetentionDays: 14,
    });
    const d = JSON.parse(Testing.synth(stack)) as Json;
    const fn = Object.values(d.resource.aws_lambda_function as Json)[0] as Json;
    expect(fn.environment.variables).toBe('${merge(local.app_environment, local.cors_environment)}');
    expect(d.locals.cors_environment).toEqual({ ALLOWED_ORIGINS: 'https://app.example.com' });
    expect(fn.layers).toBe('${local.layers}');
    expect(fn.dynamic.vpc_config.content).toEqual({
      subnet_ids: '${local.subnets}',
      security_group_ids: '${local.groups}',
    });
    expect(d.resource.aws_iam_role_policy_attachment.lambda_extra.count).toBe('${length(local.policies)}');
    expect(d.resource.aws_iam_role_policy.lambda_extra.count).toBe('${local.attach ? 1 : 0}');
  });

  it('without them, has the literal CORS environment, the basic policy only, no layers and no VPC', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'user');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new CorsLambda(stack, 'fn', {
      functionName: 'orders',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      memorySize: 512,
      timeout: 10,
      environment: { ALLOWED_ORIGINS: 'https://app.example.com' },
      logRetentionDays: 14,
    });
    const d = JSON.parse(Testing.synth(stack)) as Json;
    const fn = Object.values(d.resource.aws_lambda_function as Json)[0] as Json;
    expect(fn.environment.variables).toEqual({ ALLOWED_ORIGINS: 'https://app.example.com' });
    expect(fn).not.toHaveProperty('layers');
    expect(fn).not.toHaveProperty('dynamic');
    expect(Object.keys(d.resource.aws_iam_role_policy_attachment)).toEqual(['lambda_logs']);
    expect(d.resource).not.toHaveProperty('aws_iam_role_policy');
  });
});
