/**
 * The day-two changes a user makes to the bundled REST example, in order: each step's spec is the previous one
 * with one change, and each is applied on top of the previous step's state.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Spec } from './harness.js';

export const EXAMPLE = new URL('../../examples/orders-api/cors-gen.yaml', import.meta.url);

export function exampleSpec(): Spec {
  return parse(readFileSync(EXAMPLE, 'utf8')) as Spec;
}

export interface Step {
  readonly label: string;
  /** What the user does, as the test's name says it. */
  readonly title: string;
  readonly change: (spec: Spec) => void;
}

const routeAt = (spec: Spec, path: string): { path: string; methods: string[] } =>
  (spec.routes as Array<{ path: string; methods: string[] }>).find((r) => r.path === path)!;

export const STEPS: readonly Step[] = [
  { label: 'first-apply', title: 'first apply into an empty account', change: () => {} },
  {
    label: 'add-route',
    title: 'add a route',
    change: (s) => s.routes.push({ path: '/orders/{orderId}/refunds', methods: ['POST'] }),
  },
  {
    label: 'remove-route',
    title: 'remove a route (DELETE /orders/{orderId})',
    change: (s) => {
      routeAt(s, '/orders/{orderId}').methods = ['GET', 'PUT'];
    },
  },
  {
    label: 'change-origin',
    title: 'change an origin',
    change: (s) => {
      s.cors.allowOrigins = ['https://app.example.com', 'https://ops.example.com'];
    },
  },
  {
    label: 'add-origin',
    title: 'add an origin',
    change: (s) => s.cors.allowOrigins.push('https://partner.example.com'),
  },
  {
    label: 'remove-origin',
    title: 'remove an origin',
    change: (s) => {
      s.cors.allowOrigins = ['https://app.example.com', 'https://partner.example.com'];
    },
  },
  { label: 'credentials-off', title: 'turn credentials off', change: (s) => void (s.cors.allowCredentials = false) },
  { label: 'credentials-on', title: 'turn credentials back on', change: (s) => void (s.cors.allowCredentials = true) },
  { label: 'frontend-off', title: 'remove the frontend', change: (s) => void (s.frontend = { enabled: false }) },
  {
    label: 'frontend-on',
    title: 'add the frontend back',
    change: (s) => void (s.frontend = { enabled: true, indexDocument: 'index.html' }),
  },
  { label: 'runtime', title: 'change the Lambda runtime', change: (s) => void (s.lambda.runtime = 'nodejs24.x') },
  {
    label: 'extra-permissions',
    title: 'give the function two managed policies, an inline policy and a VPC',
    change: (s) =>
      void (s.lambda = {
        ...s.lambda,
        policyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess', 'arn:aws:iam::123456789012:policy/orders'],
        policy: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] },
        vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
      }),
  },
  {
    label: 'fewer-permissions',
    title: 'drop one managed policy, the inline policy and the VPC',
    change: (s) =>
      void (s.lambda = { runtime: s.lambda.runtime, policyArns: ['arn:aws:iam::123456789012:policy/orders'] }),
  },
  {
    label: 'rename-param',
    title: 'rename a path parameter ({orderId} -> {id})',
    change: (s) => {
      for (const r of s.routes as Array<{ path: string }>) r.path = r.path.replace('{orderId}', '{id}');
    },
  },
  {
    label: 'authorizer-removed',
    title: "remove the Lambda authorizer (its route falls back to the default's)",
    change: (s) => {
      delete (s.authorizers as Record<string, unknown>)['partner'];
      for (const r of s.routes as Array<{ auth?: string }>) if (r.auth === 'partner') delete r.auth;
    },
  },
  {
    label: 'authorizer-added',
    title: 'add a Lambda request authorizer with API keys to a route',
    change: (s) => {
      (s.authorizers as Record<string, unknown>)['partner'] = {
        type: 'lambda',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-partner-authorizer',
        kind: 'request',
        identitySource: ['Authorization'],
      };
      Object.assign(routeAt(s, '/orders/{id}/items'), { auth: 'partner', apiKeyRequired: true });
    },
  },
  {
    label: 'auth-off',
    title: 'remove every authorizer',
    change: (s) => {
      delete s.authorizers;
      delete s.auth;
      for (const stage of Object.values(s.stages as Record<string, { authorizers?: unknown }>))
        delete stage.authorizers;
      for (const r of s.routes as Array<{ auth?: string; apiKeyRequired?: boolean }>) {
        delete r.auth;
        delete r.apiKeyRequired;
      }
    },
  },
  {
    label: 'domain-added',
    title: 'put the API on a custom domain with a Route 53 alias',
    change: (s) =>
      void (s.domain = {
        name: 'api.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        zoneId: 'Z0123456789ABCDEFGHIJ',
      }),
  },
  { label: 'domain-removed', title: 'remove the custom domain', change: (s) => void delete s.domain },
];

/** The spec of every step, cumulative. */
export function stepSpecs(): Array<{ step: Step; spec: Spec }> {
  const spec = exampleSpec();
  return STEPS.map((step) => {
    step.change(spec);
    return { step, spec: structuredClone(spec) };
  });
}
