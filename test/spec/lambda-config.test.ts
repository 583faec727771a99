/**
 * `lambda.environment`, `policyArns`, `policy`, `layers` and `vpc` in the spec: what `validate` refuses, in the
 * user's words, before Terraform or Lambda would.
 */
import { describe, expect, it } from 'vitest';
import { corsEnvironment } from '../../src/render/lambda-code.js';
import { CORS_ENV_NAMES, LAMBDA_MAX_LAYERS } from '../../src/spec/lambda-config.js';
import { API_KINDS } from '../../src/spec/model.js';
import { validateSpec, type ValidationResult } from '../../src/spec/validate.js';
import { modelOf, spec, type SpecInput } from '../support/synth.js';

const withLambda = (lambda: SpecInput['lambda'], over: SpecInput = {}) => spec({ ...over, lambda });
const errors = (r: ValidationResult) => (r.ok ? [] : r.errors);
const only = (input: SpecInput) => {
  const list = errors(validateSpec(input));
  expect(list, JSON.stringify(list)).toHaveLength(1);
  return list[0]!;
};

describe('lambda.environment', () => {
  it('names the same CORS variables as the code receives, on every target', () => {
    for (const api of API_KINDS) {
      const model = modelOf(spec({ api, routes: [{ path: '/a', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }));
      expect(Object.keys(corsEnvironment(model, ['https://a.example'])).sort(), api).toEqual(
        CORS_ENV_NAMES.filter((n) => n !== 'CORS_GEN_HANDLER'),
      );
      const own = { ...model, lambda: { ...model.lambda, source: { dir: 'backend', handler: 'app.handler' } } };
      expect(Object.keys(corsEnvironment(own, ['https://a.example'])).sort(), api).toEqual([...CORS_ENV_NAMES]);
    }
  });

  it('becomes the model sorted by name', () => {
    expect(modelOf(withLambda({ environment: { ZED: '1', ALPHA: '2' } })).lambda.environment).toEqual({
      ALPHA: '2',
      ZED: '1',
    });
  });

  it('refuses a CORS variable, which the module sets and which would win anyway', () => {
    const e = only(withLambda({ environment: { ALLOWED_ORIGINS: '*' } }));
    expect(e).toMatchObject({ code: 'environment-cors-variable', path: 'lambda.environment.ALLOWED_ORIGINS' });
    expect(e.message).toBe(
      'ALLOWED_ORIGINS is set by the module from the cors settings, and its value always wins over this one',
    );
    expect(e.fix).toBe('remove it; list origins in cors.allowOrigins');
    expect(only(withLambda({ environment: { CORS_MODE: 'lambda' } })).fix).toBe(
      'remove it; change the cors settings instead',
    );
  });

  it('refuses a name Lambda reserves', () => {
    const e = only(withLambda({ environment: { AWS_REGION: 'eu-west-1' } }));
    expect(e).toMatchObject({ code: 'environment-reserved', path: 'lambda.environment.AWS_REGION' });
    expect(e.message).toMatch(/reserved: Lambda sets it in every execution environment/);
    expect(e.fix).toBe('give the variable another name');
  });

  it('refuses a name Lambda does not accept', () => {
    const e = only(withLambda({ environment: { 'my-var': 'x' } }));
    expect(e.path).toBe('lambda.environment.my-var');
    expect(e.message).toMatch(/not an environment variable name/);
  });

  it('refuses an environment above 4 KB, counting the CORS variables with the longest origin list', () => {
    const big = 'x'.repeat(1700);
    // Fits alone, with the spec's two origins.
    expect(validateSpec(withLambda({ environment: { A1: big, A2: big } })).ok).toBe(true);
    // Tipped over by a stage with more origins: reported once, at lambda.environment, naming that stage.
    const origins = Array.from({ length: 20 }, (_, i) => `https://tenant-${i}.example.com`);
    const e = only(withLambda({ environment: { A1: big, A2: big } }, { stages: { dev: { allowOrigins: origins } } }));
    expect(e).toMatchObject({ code: 'environment-too-large', path: 'lambda.environment' });
    expect(e.message).toMatch(
      /^2 variables \(3404 bytes\) plus the CORS variables with the 20 origins of stage "dev" need about \d+ bytes of Lambda environment; Lambda allows 4096 bytes in all$/,
    );
    expect(e.fix).toMatch(/SSM Parameter Store/);
  });

  it('counts bytes, not characters', () => {
    const e = only(withLambda({ environment: { A1: 'é'.repeat(1000), A2: 'é'.repeat(1000) } }));
    expect(e.code).toBe('environment-too-large');
  });
});

describe('function settings under a stage', () => {
  it('say where a stage sets them: the module input in a .tfvars of its own', () => {
    const r = validateSpec(
      spec({ stages: { dev: { allowOrigins: ['http://localhost:5173'], environment: { X: '1' } } } as never }),
    );
    expect(errors(r)).toEqual([
      expect.objectContaining({
        code: 'unknown-key',
        path: 'stages.dev.environment',
        fix: 'a stage sets origins, authorizers and its domain here; set the module input environment_variables in a .tfvars of your own passed after stages/dev.tfvars (preview: --var environment_variables=...), or lambda.environment for every stage',
      }),
    ]);
  });
});

describe('lambda.policyArns, policy, layers and vpc', () => {
  it('become the model: ARNs without duplicates, the policy as JSON text, ids as listed', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    const m = modelOf(
      withLambda({
        policyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/A'],
        policy,
        layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:x:1'],
        vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
      }),
    ).lambda;
    expect(m.policyArns).toEqual(['arn:aws:iam::aws:policy/A']);
    expect(JSON.parse(m.policyJson!)).toEqual(policy);
    expect(m.layers).toEqual(['arn:aws:lambda:eu-west-1:123456789012:layer:x:1']);
    expect(m.vpc).toEqual({ subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] });
  });

  it.each([
    [{ policyArns: ['AmazonDynamoDBReadOnlyAccess'] }, 'lambda.policyArns[0]', /not an IAM policy ARN/],
    [{ policy: { Statement: [] } }, 'lambda.policy.Statement', /at least one statement/],
    [{ policy: {} }, 'lambda.policy.Statement', /^is required$/],
    [{ policy: { Statement: 5 } }, 'lambda.policy.Statement', /^5 is a number; expected a list or a mapping$/],
    [
      { policy: { Statement: [{ Effect: 'allow', Action: 's3:GetObject', Resource: '*' }] } },
      'lambda.policy.Statement[0].Effect',
      /"allow" is not one of Allow, Deny/,
    ],
    [
      { policy: { Statement: { Effect: 'Allow', Action: 's3:GetObject' } } },
      'lambda.policy.Statement.Resource',
      /needs exactly one of Resource and NotResource/,
    ],
    [
      { policy: { Statement: [{ Effect: 'Allow', Resource: '*' }] } },
      'lambda.policy.Statement[0].Action',
      /needs exactly one of Action and NotAction/,
    ],
    [
      { policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] } },
      'lambda.policy.Statement[0].Principal',
      /identity-based: .* a Principal belongs only in a resource-based policy/,
    ],
    [{ layers: ['my-layer'] }, 'lambda.layers[0]', /not a layer version ARN/],
    [
      {
        layers: Array.from(
          { length: LAMBDA_MAX_LAYERS + 1 },
          (_, i) => `arn:aws:lambda:eu-west-1:123456789012:layer:l${i}:1`,
        ),
      },
      'lambda.layers',
      new RegExp(`${LAMBDA_MAX_LAYERS}`),
    ],
    [
      { vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: [] } },
      'lambda.vpc.securityGroupIds',
      /at least one/,
    ],
    [{ vpc: { subnetIds: ['subnet-0123456789abcdef0'] } }, 'lambda.vpc.securityGroupIds', /./],
    [
      { vpc: { subnetIds: ['vpc-123'], securityGroupIds: ['sg-0123456789abcdef0'] } },
      'lambda.vpc.subnetIds[0]',
      /not a subnet id/,
    ],
  ] as const)('refuses %j at %s', (lambda, path, message) => {
    const e = errors(validateSpec(withLambda(lambda as SpecInput['lambda']))).find((x) => x.path.startsWith(path));
    expect(e, JSON.stringify(errors(validateSpec(withLambda(lambda as SpecInput['lambda']))))).toBeDefined();
    expect(e!.message).toMatch(message);
  });
});

describe('lambda.layers with lambda.source', () => {
  const arns = (n: number) =>
    Array.from({ length: n }, (_, i) => `arn:aws:lambda:eu-west-1:123456789012:layer:l${i}:1`);
  const own = (layers: string[]) => withLambda({ source: 'backend', handler: 'app.handler', layers });

  it("leaves one of Lambda's five layers to the CORS wrapper", () => {
    const e = errors(validateSpec(own(arns(LAMBDA_MAX_LAYERS))));
    expect(e.map((x) => [x.code, x.path])).toEqual([['lambda-too-many-layers', 'lambda.layers']]);
    expect(e[0]!.fix).toMatch(/at most 4 layers/);
    expect(errors(validateSpec(own(arns(LAMBDA_MAX_LAYERS - 1))))).toEqual([]);
  });
});

describe('lambda.environment values that look like secrets', () => {
  it('warns that they are committed with the module, and says where secrets belong', () => {
    const r = validateSpec(
      withLambda({ environment: { DB_PASSWORD: 'hunter2', TABLE_NAME: 'orders', API_TOKEN: '' } }),
    );
    expect(r.ok).toBe(true);
    const warned = r.warnings.filter((w) => w.code === 'environment-secret');
    expect(warned.map((w) => w.path)).toEqual(['lambda.environment.DB_PASSWORD']);
    expect(warned[0]!.fix).toMatch(/SSM Parameter Store or Secrets Manager/);
  });
});
