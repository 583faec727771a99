/**
 * The role gets exactly AWSLambdaBasicExecutionRole plus what the module's inputs ask for (and the VPC policy only
 * with a VPC): the security checker accepts the generated module with every input set, and fails a module that
 * adds one more policy in any of the ways a module could.
 */
import { describe, expect, it } from 'vitest';
import { checkSecurityInvariants } from '../../src/synth/security-invariants.js';
import { clone, doc, spec } from '../support/synth.js';

type Doc = Record<string, any>;

const ALL = spec({
  lambda: {
    policyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess'],
    policy: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
    vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  },
});
const BASIC = 'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const VPC = 'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';

const codes = (d: Doc) => checkSecurityInvariants(d as never).map((v) => `${v.code} ${v.address}`);
const attach = (d: Doc, name: string, body: Doc) => {
  d.resource.aws_iam_role_policy_attachment[name] = { role: '${aws_iam_role.lambda.name}', ...body };
  return d;
};

describe("the role's policies", () => {
  it('pass with every input set: basic, the ARNs of policy_arns, policy_json, and the VPC policy counted on the VPC inputs', async () => {
    const d = await doc(ALL);
    expect(Object.keys((d as Doc).resource.aws_iam_role_policy_attachment).sort()).toEqual([
      'lambda_extra',
      'lambda_logs',
      'lambda_vpc',
    ]);
    expect(codes(d)).toEqual([]);
  });

  it.each([
    [
      'a literal managed policy',
      (d: Doc) => attach(d, 'admin', { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    ],
    ['the basic policy a second time', (d: Doc) => attach(d, 'logs_again', { policy_arn: BASIC })],
    ['the VPC policy without a VPC condition', (d: Doc) => attach(d, 'vpc_always', { policy_arn: VPC })],
    [
      'the VPC policy counted on another input',
      (d: Doc) => attach(d, 'vpc_other', { policy_arn: VPC, count: '${length(var.policy_arns) > 0 ? 1 : 0}' }),
    ],
    [
      'a for_each over literal ARNs',
      (d: Doc) =>
        attach(d, 'listed', {
          for_each: '${toset(["arn:aws:iam::aws:policy/AdministratorAccess"])}',
          policy_arn: '${each.value}',
        }),
    ],
    [
      'an inline policy of its own',
      (d: Doc) => {
        d.resource.aws_iam_role_policy.own = { role: '${aws_iam_role.lambda.id}', policy: '{"Statement":[]}' };
        return d;
      },
    ],
  ] as const)('fail when a module adds %s', async (_label, add) => {
    const d = add(clone(await doc(ALL)) as Doc);
    const found = codes(d);
    expect(found.length, found.join('\n')).toBeGreaterThan(0);
    expect(
      found.every((c) => /^iam-(policy-not-basic|extra-resource) /.test(c)),
      found.join('\n'),
    ).toBe(true);
  });
});
