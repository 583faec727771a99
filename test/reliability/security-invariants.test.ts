/**
 * The security invariants of every generated module, checked by
 * `checkSecurityInvariants` on the committed examples (their `.tf` files read back with hcl2json), on the same
 * examples synthesized from their specs, and on random valid specs. Every code the checker knows is also
 * provoked once by breaking a clean document, so a checker that reports nothing cannot pass.
 * An HTTP API with credentials once let `allowed_origins` hold "https://*" (every https site, with credentials);
 * the spec validator and the variable's validation now refuse it, and these tests hold every module to zero
 * violations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { CorsModel } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { checkSecurityInvariants, SECURITY_INVARIANTS, type Violation } from '../../src/synth/security-invariants.js';
import { synthesizeModule } from '../../src/synth/synthesize.js';
import { readModule as readTerraform, type ModuleDocument } from '../../src/terraform/document.js';
import { recordFigures, Tally } from '../support/reliability-report.js';
import { modelOf, validSpec } from '../support/reliability-specs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = readdirSync(path.join(ROOT, 'examples')).sort();

const codesOf = (vs: readonly Violation[]) => vs.map((v) => ({ code: v.code, address: v.address }));
const modules = new Tally();
const checked = new Tally();

function check(doc: TerraformDocument | ModuleDocument, source: string): Violation[] {
  modules.add(source);
  for (const code of Object.keys(SECURITY_INVARIANTS)) checked.add(code);
  return checkSecurityInvariants(doc);
}

function exampleModel(name: string): CorsModel {
  const r = validateSpec(YAML.parse(readFileSync(path.join(ROOT, 'examples', name, 'cors-gen.yaml'), 'utf8')));
  if (!r.ok) throw new Error(`${name} is not valid`);
  return r.model;
}

/** A module folder's `.tf` files, read back through the module reader. */
async function readModule(files: ReadonlyMap<string, string> | string): Promise<ModuleDocument> {
  const entries: Array<[string, string]> =
    typeof files === 'string'
      ? readdirSync(files)
          .filter((f) => f.endsWith('.tf'))
          .map((f) => [f, readFileSync(path.join(files, f), 'utf8')])
      : [...files].filter(([f]) => f.endsWith('.tf'));
  return readTerraform(entries);
}

afterAll(() => {
  recordFigures('security-invariants', {
    'modules checked': Object.values(modules.toObject()).reduce((a, b) => a + b, 0),
    'modules by source': modules.toObject(),
    'invariant codes': Object.keys(SECURITY_INVARIANTS).length,
    'invariant checks run': Object.values(checked.toObject()).reduce((a, b) => a + b, 0),
  });
});

describe('the committed example modules', () => {
  it.each(EXAMPLES)('%s: generated/ and a fresh synthesis keep every invariant', async (name) => {
    const model = exampleModel(name);
    const committed = check(await readModule(path.join(ROOT, 'generated', name)), 'committed .tf (hcl2json)');
    const fresh = check(synthesizeModule(model), 'examples synthesized');
    expect(codesOf(committed)).toEqual([]);
    expect(codesOf(fresh)).toEqual([]);
  });
});

describe('random valid specs', () => {
  it('every synthesized module keeps the invariants', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const model = modelOf(spec);
        const violations = check(synthesizeModule(model), 'random specs (JSON)');
        expect(codesOf(violations), JSON.stringify(spec)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('the HCL files written for them, read back, keep the invariants too', async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, async (spec) => {
        const model = modelOf(spec);
        const files = await buildModuleFiles(model, {
          format: 'hcl',
          specFile: 'cors-gen.yaml',
          specText: '',
          version: '0.0.0-test',
        });
        const violations = check(await readModule(files.generated), 'random specs (HCL)');
        expect(codesOf(violations), JSON.stringify(spec)).toEqual([]);
      }),
      { numRuns: 6 },
    );
  });
});

// ---- the checker can fail ---------------------------------------------------------------------------------------

type Doc = Record<string, any>;

const orders = () => structuredClone(synthesizeModule(exampleModel('orders-api'))) as Doc;
const catalog = () => structuredClone(synthesizeModule(exampleModel('catalog-http'))) as Doc;
const webhook = () => structuredClone(synthesizeModule(exampleModel('webhook-url'))) as Doc;
const first = (o: Record<string, Doc>) => Object.values(o)[0]!;
/** The REST API's OpenAPI document (the local its body encodes). */
const openapi = (d: Doc) => d.locals.openapi;
/** The first path's preflight integration response. */
const preflight = (d: Doc) =>
  first(openapi(d).paths).options['x-amazon-apigateway-integration'].responses.default as Doc;
const gatewayResponse = (d: Doc, type: string) => openapi(d)['x-amazon-apigateway-gateway-responses'][type] as Doc;
const ACAO = 'method.response.header.Access-Control-Allow-Origin';

/** Ways to break a clean module, each with the code the checker must report. */
const BREAKS: Array<[string, string, () => Doc]> = [
  [
    'an inline role policy',
    'iam-extra-resource',
    () => {
      const d = orders();
      d.resource.aws_iam_role_policy = {
        extra: {
          role: '${aws_iam_role.lambda.name}',
          policy: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        },
      };
      return d;
    },
  ],
  [
    'a policy document data source',
    'iam-extra-resource',
    () => {
      const d = orders();
      d.data.aws_iam_policy_document = { x: { statement: [{ actions: ['s3:*'] }] } };
      return d;
    },
  ],
  [
    'an inline_policy block on the role',
    'iam-inline-policy',
    () => {
      const d = orders();
      d.resource.aws_iam_role.lambda.inline_policy = [{ name: 'x', policy: '{}' }];
      return d;
    },
  ],
  [
    'AdministratorAccess attached',
    'iam-policy-not-basic',
    () => {
      const d = orders();
      d.resource.aws_iam_role_policy_attachment.lambda_logs.policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess';
      return d;
    },
  ],
  [
    'a role any AWS account can assume',
    'iam-trust-policy',
    () => {
      const d = orders();
      d.resource.aws_iam_role.lambda.assume_role_policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
      });
      return d;
    },
  ],
  [
    'a function running as another role',
    'lambda-role-foreign',
    () => {
      const d = orders();
      d.resource.aws_lambda_function.handler.role = 'arn:aws:iam::123456789012:role/admin';
      return d;
    },
  ],
  [
    's3:* in the bucket policy',
    's3-policy-grant',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_policy.site.policy = d.resource.aws_s3_bucket_policy.site.policy.replace(
        '"s3:GetObject"',
        '"s3:*"',
      );
      return d;
    },
  ],
  [
    'the bucket itself as a policy resource',
    's3-policy-grant',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_policy.site.policy = d.resource.aws_s3_bucket_policy.site.policy.replace(
        '.arn}/*',
        '.arn}',
      );
      return d;
    },
  ],
  [
    'an extra PutObject statement',
    's3-policy-grant',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_policy.site.policy = JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: '${aws_s3_bucket.site.arn}/*',
          },
        ],
      });
      return d;
    },
  ],
  [
    's3:* in a bucket policy written with jsonencode()',
    's3-policy-grant',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_policy.site.policy =
        '${jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = ["s3:GetObject", "s3:*"], Resource = "${aws_s3_bucket.site.arn}/*" }] })}';
      return d;
    },
  ],
  [
    'a policy built from a function call',
    's3-policy-unreadable',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_policy.site.policy = '${data.aws_iam_policy_document_x.json}';
      return d;
    },
  ],
  [
    'public ACLs allowed',
    's3-public-acl',
    () => {
      const d = orders();
      d.resource.aws_s3_bucket_public_access_block.site.block_public_acls = false;
      return d;
    },
  ],
  [
    'an invoke permission for every API in the account',
    'lambda-permission-unscoped',
    () => {
      const d = orders();
      d.resource.aws_lambda_permission.api.source_arn = 'arn:aws:execute-api:*:*:*';
      return d;
    },
  ],
  [
    'an invoke permission without source_arn',
    'lambda-permission-unscoped',
    () => {
      const d = orders();
      delete d.resource.aws_lambda_permission.api.source_arn;
      return d;
    },
  ],
  [
    'a public invoke permission not limited to the Function URL',
    'lambda-permission-unscoped',
    () => {
      const d = webhook();
      delete d.resource.aws_lambda_permission.function_url_invoke.invoked_via_function_url;
      return d;
    },
  ],
  [
    'a permission for a function outside the module',
    'lambda-permission-foreign-function',
    () => {
      const d = orders();
      d.resource.aws_lambda_permission.api.function_name = 'someone-elses-function';
      return d;
    },
  ],
  [
    "a Lambda authorizer's permission widened to every method of the API",
    'lambda-permission-authorizer',
    () => {
      const d = orders();
      d.resource.aws_lambda_permission.authorizer_partner.source_arn =
        '${aws_api_gateway_rest_api.api.execution_arn}/*/*';
      return d;
    },
  ],
  [
    "Allow-Origin '*' with credentials on the preflight",
    'cors-star-with-credentials',
    () => {
      const d = orders();
      preflight(d).responseParameters[ACAO] = "'*'";
      return d;
    },
  ],
  [
    'credentials with no validation against "*"',
    'cors-star-with-credentials',
    () => {
      const d = orders();
      d.variable.allowed_origins.validation = d.variable.allowed_origins.validation.filter(
        (v: Doc) => !/^\$\{!contains\(var\.allowed_origins, "\*"\)\}$/.test(v.condition),
      );
      return d;
    },
  ],
  [
    'allow_origins ["*"] with credentials (HTTP API)',
    'cors-star-with-credentials',
    () => {
      const d = catalog();
      d.resource.aws_apigatewayv2_api.api.cors_configuration.allow_origins = ['*'];
      return d;
    },
  ],
  [
    'allow_origins ["*"] with credentials (Function URL)',
    'cors-star-with-credentials',
    () => {
      const d = webhook();
      Object.assign(d.resource.aws_lambda_function_url.handler.cors, { allow_origins: ['*'], allow_credentials: true });
      return d;
    },
  ],
  [
    'allow_origins ["https://*"] with credentials',
    'cors-any-origin-with-credentials',
    () => {
      const d = catalog();
      d.resource.aws_apigatewayv2_api.api.cors_configuration.allow_origins = ['https://*'];
      return d;
    },
  ],
  [
    'no Vary on the preflight',
    'cors-missing-vary',
    () => {
      const d = orders();
      delete preflight(d).responseParameters['method.response.header.Vary'];
      return d;
    },
  ],
  [
    'Vary mapped but not declared',
    'cors-missing-vary',
    () => {
      const d = orders();
      for (const item of Object.values(openapi(d).paths) as Doc[]) delete item.options.responses['204'].headers.Vary;
      return d;
    },
  ],
  [
    'no Vary on a gateway response',
    'cors-missing-vary',
    () => {
      const d = orders();
      delete gatewayResponse(d, 'DEFAULT_4XX').responseParameters['gatewayresponse.header.Vary'];
      return d;
    },
  ],
  [
    'a gateway response echoing the Origin with credentials',
    'gateway-reflects-with-credentials',
    () => {
      const d = orders();
      gatewayResponse(d, 'DEFAULT_5XX').responseParameters['gatewayresponse.header.Access-Control-Allow-Origin'] =
        'method.request.header.origin';
      return d;
    },
  ],
  [
    'the raw Origin used as a regex (aws-cdk#26623)',
    'vtl-origin-as-regex',
    () => {
      const d = orders();
      const t = preflight(d).responseTemplates;
      t['application/json'] = t['application/json'].replace(
        '#if($allowed.contains($lower))',
        '#if($allowed.contains($lower) || "https://app.example.com".matches($origin))',
      );
      return d;
    },
  ],
  [
    'a validation that accepts regex metacharacters',
    'origin-validation-weak',
    () => {
      const d = orders();
      for (const v of d.variable.allowed_origins.validation as Doc[])
        v.condition = v.condition.replace('^https?://([a-z0-9]', '^https?://(.*|[a-z0-9]');
      return d;
    },
  ],
  [
    'no origin validation at all',
    'origin-validation-weak',
    () => {
      const d = orders();
      d.variable.allowed_origins.validation = [];
      return d;
    },
  ],
  [
    'ALLOWED_ORIGINS=* with credentials',
    'lambda-env-star-with-credentials',
    () => {
      const d = orders();
      d.locals.cors_environment.ALLOWED_ORIGINS = '*';
      return d;
    },
  ],
];

describe('the checker reports every broken invariant', () => {
  it('has a breaking case for every code it knows', () => {
    expect(new Set(BREAKS.map(([, code]) => code))).toEqual(new Set(Object.keys(SECURITY_INVARIANTS)));
  });

  it.each(BREAKS)('%s -> %s', (_label, code, make) => {
    const violations = check(make(), 'broken on purpose');
    expect(violations.map((v) => v.code)).toContain(code);
    for (const v of violations) {
      expect(v.message.length).toBeGreaterThan(10);
      expect(v.address).toMatch(/^(var|data\.)?[a-z0-9_.]+/);
    }
  });

  // Least privilege is the basic execution policy plus what the module's inputs ask for: a caller-supplied list
  // of managed policies or an inline policy document stays valid; anything cors-gen itself would name does not.
  const withPolicyInputs = () => {
    const d = orders();
    d.variable.policy_arns = { type: 'list(string)', default: [] };
    d.variable.policy_json = { type: 'string', default: null };
    return d;
  };
  it('accepts extra policies that only the module inputs name (policy_arns, policy_json)', () => {
    const d = withPolicyInputs();
    d.resource.aws_iam_role_policy_attachment.extra = {
      for_each: '${toset(var.policy_arns)}',
      role: '${aws_iam_role.lambda.name}',
      policy_arn: '${each.value}',
    };
    d.resource.aws_iam_role_policy_attachment.first = {
      count: '${length(var.policy_arns) > 0 ? 1 : 0}',
      role: '${aws_iam_role.lambda.name}',
      policy_arn: '${var.policy_arns[count.index]}',
    };
    d.resource.aws_iam_role_policy = {
      extra: {
        count: '${var.policy_json == null ? 0 : 1}',
        role: '${aws_iam_role.lambda.name}',
        policy: '${var.policy_json}',
      },
    };
    expect(codesOf(check(d, 'policy inputs'))).toEqual([]);
  });

  it.each([
    [
      'a for_each over a literal ARN',
      'iam-policy-not-basic',
      (d: Doc) => {
        d.resource.aws_iam_role_policy_attachment.extra = {
          for_each: '${toset(["arn:aws:iam::aws:policy/AdministratorAccess"])}',
          role: '${aws_iam_role.lambda.name}',
          policy_arn: '${each.value}',
        };
      },
    ],
    [
      'an input mixed with a literal ARN',
      'iam-policy-not-basic',
      (d: Doc) => {
        d.resource.aws_iam_role_policy_attachment.extra = {
          role: '${aws_iam_role.lambda.name}',
          policy_arn: '${coalesce(var.policy_json, "arn:aws:iam::aws:policy/AdministratorAccess")}',
        };
      },
    ],
    [
      'an undeclared variable',
      'iam-policy-not-basic',
      (d: Doc) => {
        d.resource.aws_iam_role_policy_attachment.extra = {
          role: '${aws_iam_role.lambda.name}',
          policy_arn: '${var.admin_arn}',
        };
      },
    ],
    [
      'an inline policy from a local',
      'iam-extra-resource',
      (d: Doc) => {
        d.resource.aws_iam_role_policy = {
          extra: { role: '${aws_iam_role.lambda.name}', policy: '${local.cors_origins}' },
        };
      },
    ],
  ] as const)('refuses %s', (_label, code, breakIt) => {
    const d = withPolicyInputs();
    breakIt(d);
    expect(check(d, 'broken on purpose').map((v) => v.code)).toContain(code);
  });

  it('reads a bucket policy written with jsonencode() as it reads literal JSON', () => {
    const d = orders();
    d.resource.aws_s3_bucket_policy.site.policy =
      '${jsonencode({ "Version" = "2012-10-17", "Statement" = [{ "Sid" = "PublicReadGetObject", "Effect" = "Allow", "Principal" = "*", "Action" = "s3:GetObject", "Resource" = "${aws_s3_bucket.site.arn}/*" }] })}';
    expect(check(d, 'jsonencode() policy')).toEqual([]);
  });

  it('reads hcl2json documents the same way as JSON ones (blocks wrapped in lists)', async () => {
    const d = orders();
    d.resource.aws_lambda_permission.api.source_arn = 'arn:aws:execute-api:*:*:*';
    const files = new Map([
      [
        'main.tf',
        `resource "aws_lambda_permission" "api" {\n  action = "lambda:InvokeFunction"\n  function_name = aws_lambda_function.handler.function_name\n  principal = "apigateway.amazonaws.com"\n  source_arn = "arn:aws:execute-api:*:*:*"\n}\nresource "aws_lambda_function" "handler" {\n  role = aws_iam_role.lambda.arn\n}\nresource "aws_iam_role" "lambda" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }] })\n}\n`,
      ],
    ]);
    const violations = check(await readModule(files), 'broken on purpose');
    expect(violations.map((v) => v.code).sort()).toEqual(['iam-trust-policy', 'lambda-permission-unscoped']);
  });
});
