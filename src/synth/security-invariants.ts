import {
  asBody,
  asList,
  moduleDocument,
  moduleEnvironment,
  one,
  reference,
  type ModuleDocument,
  type RawBody as Body,
} from '../terraform/document.js';
import { evaluate, type Scope } from '../terraform/expression/evaluate.js';
import { parseTemplate } from '../terraform/expression/parse.js';
import type { TerraformDocument } from './clean-document.js';
import { declaredHeaders, integrationResponses, restBodies } from './rest-body.js';

/**
 * Security invariants of a generated module, checked on its Terraform document (the synthesized JSON, or the
 * module's files read back through `src/terraform/document.ts`). Pure; reads only the document.
 *
 * What is checked, each with a stable code:
 * - `iam-extra-resource`, `iam-inline-policy`, `iam-policy-not-basic`, `iam-trust-policy`, `lambda-role-foreign`:
 *   the Lambda's role trusts only lambda.amazonaws.com and has AWSLambdaBasicExecutionRole (attached at most
 *   once) plus only the policies the module's inputs name (an attachment or inline policy built from `var.*`
 *   alone), and AWSLambdaVPCAccessExecutionRole only counted on the VPC inputs: least privilege is what the spec
 *   and the caller ask for, nothing cors-gen chooses by itself.
 * - `s3-policy-grant`, `s3-policy-unreadable`, `s3-public-acl`: the bucket policy only allows `s3:GetObject` on
 *   `<this bucket's arn>/*`, and no ACL makes anything public.
 * - `lambda-permission-unscoped`, `lambda-permission-foreign-function`: every invoke permission is for this
 *   module's function and is scoped to this module's API (`source_arn` under its `execution_arn`) or is the
 *   Function URL pair (`function_url_auth_type = "NONE"`, or `invoked_via_function_url`).
 * - `lambda-permission-authorizer`: a permission for a Lambda authorizer (the function named by an
 *   `authorizer_<name>_function_arn` input) lets API Gateway invoke it only as an authorizer of this module's API
 *   (`source_arn = <execution_arn>/authorizers/*`).
 * - `cors-star-with-credentials`: no literal `*` Allow-Origin together with Allow-Credentials `true`, in method
 *   integration responses, gateway responses and service CORS blocks; where the value comes from the origin
 *   list, a variable validation must forbid `*` whenever credentials are allowed.
 * - `cors-any-origin-with-credentials`: no scheme-wide origin (`https://*`, `http://*`), which admits every site,
 *   in a list used with credentials, by default or through what the variable's validation accepts.
 * - `cors-missing-vary`: `Vary: Origin` is sent (and declared in the method response) wherever Allow-Origin is
 *   not a literal `*`.
 * - `gateway-reflects-with-credentials`: gateway responses never echo the request's Origin
 *   (`method.request.header.origin`) together with credentials.
 * - `vtl-origin-as-regex`: the preflight template never uses request data as a regular expression.
 * - `origin-validation-weak`: the variable's validation rejects values that are not origins (regex
 *   metacharacters, paths, `null`), which the preflight template's patterns rely on.
 * - `lambda-env-star-with-credentials`: the Lambda is not told `ALLOW_CREDENTIALS=true` with a literal `*`.
 */
export interface Violation {
  /** Stable code (see above). */
  readonly code: string;
  /** Terraform address: `aws_iam_role.lambda`, `var.allowed_origins`, ... */
  readonly address: string;
  readonly message: string;
}

/** Every code the checker can report, with the invariant it protects. */
export const SECURITY_INVARIANTS: Readonly<Record<string, string>> = {
  'iam-extra-resource':
    "only aws_iam_role, aws_iam_role_policy_attachment and an inline policy from the module's inputs",
  'iam-inline-policy': 'the role has no inline_policy or managed_policy_arns of its own',
  'iam-policy-not-basic':
    "the attached policies are AWSLambdaBasicExecutionRole (once), those the module's inputs name, and AWSLambdaVPCAccessExecutionRole only with a VPC",
  'iam-trust-policy': 'the role trusts only lambda.amazonaws.com (sts:AssumeRole)',
  'lambda-role-foreign': "the function's role is this module's role",
  's3-policy-grant': "the bucket policy allows only s3:GetObject on this bucket's objects",
  's3-policy-unreadable': 'the bucket policy can be read (fail closed)',
  's3-public-acl': 'no ACL makes the bucket or its objects public',
  'lambda-permission-unscoped': "every Lambda permission is scoped to this module's API or Function URL",
  'lambda-permission-foreign-function': "every Lambda permission is for this module's function",
  'lambda-permission-authorizer':
    "a permission for a Lambda authorizer (a module input) lets only this module's API authorizers invoke it",
  'cors-star-with-credentials': 'no Access-Control-Allow-Origin * with credentials',
  'cors-any-origin-with-credentials': 'no scheme-wide origin (https://*) with credentials',
  'cors-missing-vary': 'Vary: Origin wherever Access-Control-Allow-Origin is not a literal *',
  'gateway-reflects-with-credentials': 'gateway responses never echo the Origin with credentials',
  'vtl-origin-as-regex': 'the preflight template never uses request data as a regular expression',
  'origin-validation-weak': 'the origin variable rejects values that are not origins',
  'lambda-env-star-with-credentials': 'the Lambda is never configured with * and credentials',
};

/** `resource.<type>` (or `data.<type>`) as [name, body] pairs. */
function resources(doc: ModuleDocument, type: string, kind: 'resource' | 'data' = 'resource'): Array<[string, Body]> {
  const blocks = kind === 'resource' ? doc.ofType(type) : [...doc.data.values()].filter((d) => d.type === type);
  return blocks.map((b) => [b.name, b.body]);
}

function types(doc: ModuleDocument, kind: 'resource' | 'data'): string[] {
  return [...new Set([...(kind === 'resource' ? doc.resources : doc.data).values()].map((b) => b.type))];
}

function variable(doc: ModuleDocument, name: string): Body | undefined {
  return doc.variables.get(name)?.body;
}

/** A response_parameters value for a header (names compare case-insensitively), or undefined. */
function header(params: Body, prefix: string, name: string): unknown {
  const wanted = `${prefix}${name}`.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

const isTrue = (v: unknown) => v === true || v === 'true';
/** A static API Gateway header value: `'text'`. */
const literal = (v: unknown) => (typeof v === 'string' && /^'[^']*'$/.test(v) ? v.slice(1, -1) : undefined);
const isExpression = (v: unknown) => typeof v === 'string' && v.includes('${');
const varyHasOrigin = (v: unknown) => typeof v === 'string' && /(^|[',\s])origin([',\s]|$)/i.test(v);

const BASIC_EXECUTION =
  /^arn:(\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}|aws|aws-cn|aws-us-gov):iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/;
const VPC_ACCESS =
  /^arn:(\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}|aws|aws-cn|aws-us-gov):iam::aws:policy\/service-role\/AWSLambdaVPCAccessExecutionRole$/;
const ALLOWED_IAM = new Set(['aws_iam_role', 'aws_iam_role_policy_attachment']);

/** Values the origin variable must refuse: they would turn the preflight's patterns into other regexes. */
const NOT_ORIGINS = [
  'null',
  'https://(.*)',
  'https://.*',
  'https://a.example.com|.*',
  'https://a.example.com/',
  'https://a.example.com/.*',
  'https://a+.example.com',
  'https://a.example.com$',
  'https://[a-z]+.example.com',
  'https://*.*.example.com',
  'https://*example.com',
  'https://a.example.com\n',
  'https://a\\.example.com',
  'https://a?.example.com',
  'https://{a}.example.com',
  'https://a.example.com#',
  'javascript://a.example.com',
  ' https://a.example.com',
];

/** The invariants on a module: a synthesized document, or one the module reader indexed. */
export function checkSecurityInvariants(module: TerraformDocument | ModuleDocument): Violation[] {
  const doc = moduleDocument(module);
  const violations: Violation[] = [];
  const add = (code: string, address: string, message: string) => violations.push({ code, address, message });

  checkIam(doc, add);
  checkBucket(doc, add);
  checkPermissions(doc, add);
  checkCors(doc, add);
  return violations;
}

type Add = (code: string, address: string, message: string) => void;

function checkIam(doc: ModuleDocument, add: Add): void {
  for (const kind of ['resource', 'data'] as const) {
    for (const type of types(doc, kind)) {
      if (type.startsWith('aws_iam_') && !(kind === 'resource' && ALLOWED_IAM.has(type))) {
        for (const [name, body] of resources(doc, type, kind)) {
          if (kind === 'resource' && type === 'aws_iam_role_policy' && fromInputs(doc, body['policy'], body)) continue;
          add(
            'iam-extra-resource',
            `${kind === 'data' ? 'data.' : ''}${type}.${name}`,
            `${type} is not allowed: the role may only have AWSLambdaBasicExecutionRole and the policies the module's inputs name`,
          );
        }
      }
    }
  }
  const roles = new Set(resources(doc, 'aws_iam_role').map(([n]) => n));
  for (const [name, role] of resources(doc, 'aws_iam_role')) {
    const address = `aws_iam_role.${name}`;
    for (const key of ['inline_policy', 'managed_policy_arns']) {
      if (role[key] !== undefined && !(Array.isArray(role[key]) && (role[key] as unknown[]).length === 0))
        add('iam-inline-policy', address, `${key} grants more than basic execution`);
    }
    let trust: unknown;
    try {
      trust = JSON.parse(String(role['assume_role_policy']));
    } catch {
      add(
        'iam-trust-policy',
        address,
        'assume_role_policy is not a literal JSON policy, so what it trusts cannot be checked',
      );
      continue;
    }
    const statements = asList((trust as Body | undefined)?.['Statement']);
    const ok =
      statements.length > 0 &&
      statements.every((s) => {
        const st = s as Body;
        const principal = st['Principal'] as Body | undefined;
        return (
          st['Effect'] === 'Allow' &&
          st['Action'] === 'sts:AssumeRole' &&
          principal !== undefined &&
          Object.keys(principal).join() === 'Service' &&
          asList(principal['Service']).every((p) => p === 'lambda.amazonaws.com') &&
          st['Condition'] === undefined
        );
      });
    if (!ok)
      add(
        'iam-trust-policy',
        address,
        `the role must trust only lambda.amazonaws.com with sts:AssumeRole, not ${JSON.stringify(trust)}`,
      );
  }
  const managed = { basic: [] as string[], vpc: [] as string[] };
  for (const [name, attachment] of resources(doc, 'aws_iam_role_policy_attachment')) {
    const address = `aws_iam_role_policy_attachment.${name}`;
    const arn = attachment['policy_arn'];
    const repeated = attachment['count'] !== undefined || attachment['for_each'] !== undefined;
    if (typeof arn === 'string' && BASIC_EXECUTION.test(arn) && !repeated) managed.basic.push(address);
    else if (typeof arn === 'string' && VPC_ACCESS.test(arn) && vpcOnly(doc, attachment)) managed.vpc.push(address);
    else if (!fromInputs(doc, arn, attachment)) {
      add(
        'iam-policy-not-basic',
        address,
        `policy_arn ${JSON.stringify(arn)} is neither AWSLambdaBasicExecutionRole, AWSLambdaVPCAccessExecutionRole counted only with the VPC inputs set, nor a policy the module's inputs name`,
      );
    }
    const ref = reference(attachment['role']);
    if (!ref || ref[0] !== 'aws_iam_role' || !roles.has(ref[1]))
      add('iam-policy-not-basic', address, `role ${JSON.stringify(attachment['role'])} is not this module's role`);
  }
  // Each of the two managed policies cors-gen may choose at most once.
  for (const [policy, addresses] of [
    ['AWSLambdaBasicExecutionRole', managed.basic],
    ['AWSLambdaVPCAccessExecutionRole', managed.vpc],
  ] as const)
    for (const address of addresses.slice(1))
      add('iam-policy-not-basic', address, `${policy} is attached more than once (also by ${addresses[0]})`);
  for (const [name, fn] of resources(doc, 'aws_lambda_function')) {
    const ref = reference(fn['role']);
    if (!ref || ref[0] !== 'aws_iam_role' || ref[2] !== 'arn' || !roles.has(ref[1]))
      add(
        'lambda-role-foreign',
        `aws_lambda_function.${name}`,
        `role ${JSON.stringify(fn['role'])} is not this module's role`,
      );
  }
}

/**
 * Whether a value is one expression built from the module's declared inputs alone (`${var.policy_json}`, or
 * `${each.value}` of a for_each/count that is itself built from inputs alone), with no string literal that could
 * name a policy: the caller, not cors-gen, decides what such a value grants.
 */
function fromInputs(doc: ModuleDocument, value: unknown, body: Body): boolean {
  if (typeof value !== 'string' || !/^\$\{[^"{}]*\}$/.test(value)) return false;
  const inner = value.slice(2, -1);
  let inputs = 0;
  for (const m of inner.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)(?:\s*\.\s*([A-Za-z_][\w-]*))?/g)) {
    const [, root, attr] = m;
    // A function name (`toset(...)`) or a literal keyword reads nothing.
    if (/^\s*\(/.test(inner.slice(m.index + m[0].length)) || /^(true|false|null)$/.test(m[0])) continue;
    if (root === 'var' && attr !== undefined && doc.variables.has(attr)) inputs++;
    else if (root === 'each' && fromInputs(doc, body['for_each'], {})) inputs++;
    else if (root === 'count' && fromInputs(doc, body['count'], {})) inputs++;
    else return false;
  }
  return inputs > 0;
}

/**
 * Whether an attachment exists only when the caller puts the function in a VPC: its `count` is built from the
 * module's VPC inputs alone (`length(var.vpc_subnet_ids) > 0 && ... ? 1 : 0`).
 */
function vpcOnly(doc: ModuleDocument, attachment: Body): boolean {
  const count = attachment['count'];
  if (attachment['for_each'] !== undefined || !fromInputs(doc, count, {})) return false;
  const vars = [...String(count).matchAll(/var\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]);
  return vars.length > 0 && vars.every((v) => v === 'vpc_subnet_ids' || v === 'vpc_security_group_ids');
}

function checkBucket(doc: ModuleDocument, add: Add): void {
  const buckets = new Set(resources(doc, 'aws_s3_bucket').map(([n]) => n));
  for (const [name] of resources(doc, 'aws_s3_bucket_acl'))
    add('s3-public-acl', `aws_s3_bucket_acl.${name}`, 'bucket ACLs are not used; the policy alone grants read access');
  for (const [name, block] of resources(doc, 'aws_s3_bucket_public_access_block')) {
    if (!isTrue(block['block_public_acls']) || !isTrue(block['ignore_public_acls']))
      add(
        's3-public-acl',
        `aws_s3_bucket_public_access_block.${name}`,
        'block_public_acls and ignore_public_acls must stay true',
      );
  }
  for (const [name, policy] of resources(doc, 'aws_s3_bucket_policy')) {
    const address = `aws_s3_bucket_policy.${name}`;
    const bucket = reference(policy['bucket']);
    if (!bucket || bucket[0] !== 'aws_s3_bucket' || !buckets.has(bucket[1])) {
      add('s3-policy-grant', address, `bucket ${JSON.stringify(policy['bucket'])} is not this module's bucket`);
      continue;
    }
    const parsed = readPolicy(policy['policy']);
    if (parsed === undefined) {
      add('s3-policy-unreadable', address, 'the policy is neither literal JSON nor jsonencode() of a literal object');
      continue;
    }
    const statements = asList((parsed as Body)['Statement']);
    if (statements.length === 0) add('s3-policy-unreadable', address, 'the policy has no statements');
    const objects = `\${aws_s3_bucket.${bucket[1]}.arn}/*`;
    for (const s of statements) {
      const st = (s ?? {}) as Body;
      if (st['Effect'] === 'Deny') continue;
      const problems: string[] = [];
      if (st['Effect'] !== 'Allow') problems.push(`Effect ${JSON.stringify(st['Effect'])}`);
      for (const k of ['NotAction', 'NotResource', 'NotPrincipal']) if (k in st) problems.push(k);
      const actions = asList(st['Action']);
      if (actions.length === 0 || actions.some((a) => a !== 's3:GetObject'))
        problems.push(`Action ${JSON.stringify(st['Action'])}`);
      const targets = asList(st['Resource']);
      if (targets.length === 0 || targets.some((r) => r !== objects))
        problems.push(`Resource ${JSON.stringify(st['Resource'])}`);
      if (problems.length > 0)
        add(
          's3-policy-grant',
          address,
          `a statement grants more than s3:GetObject on ${objects}: ${problems.join(', ')}`,
        );
    }
  }
}

/**
 * A bucket policy's value: literal JSON, or `${jsonencode(...)}` of an HCL value, read by the expression parser.
 * References evaluate to themselves (`${aws_s3_bucket.site.arn}`), so the Resource can be compared as text.
 */
function readPolicy(value: unknown): unknown {
  if (typeof value !== 'string') return value !== null && typeof value === 'object' ? value : undefined;
  try {
    const expr = parseTemplate(value);
    if (expr.kind === 'call' && expr.name === 'jsonencode' && expr.args.length === 1)
      return evaluate(expr.args[0]!, SYMBOLIC);
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A scope in which every reference is its own `${...}` text. */
const SYMBOLIC: Scope = {
  resolve: (root, attrs) => ({ value: `\${${[root, ...attrs].join('.')}}`, consumed: attrs.length }),
};

function checkPermissions(doc: ModuleDocument, add: Add): void {
  const functions = new Set(resources(doc, 'aws_lambda_function').map(([n]) => n));
  const apis = new Set([
    ...resources(doc, 'aws_api_gateway_rest_api').map(([n]) => `aws_api_gateway_rest_api.${n}`),
    ...resources(doc, 'aws_apigatewayv2_api').map(([n]) => `aws_apigatewayv2_api.${n}`),
  ]);
  // Function URLs by function, with their auth type.
  const urls = new Map<string, unknown>();
  for (const [, url] of resources(doc, 'aws_lambda_function_url')) {
    const ref = reference(url['function_name']);
    if (ref && ref[0] === 'aws_lambda_function') urls.set(ref[1], url['authorization_type']);
  }
  for (const [name, p] of resources(doc, 'aws_lambda_permission')) {
    const address = `aws_lambda_permission.${name}`;
    const fn = reference(p['function_name']);
    // A Lambda authorizer is the user's function, named by an input: API Gateway may invoke it, from this
    // module's API and only as an authorizer (`<execution_arn>/authorizers/<id>`,
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html).
    if (
      typeof p['function_name'] === 'string' &&
      /^\$\{var\.authorizer_[a-z0-9_]+_function_arn\}$/.test(p['function_name'])
    ) {
      const m =
        typeof p['source_arn'] === 'string'
          ? /^\$\{(aws_api_gateway_rest_api|aws_apigatewayv2_api)\.([A-Za-z0-9_-]+)\.execution_arn\}\/authorizers\/\*$/.exec(
              p['source_arn'],
            )
          : null;
      if (
        p['principal'] !== 'apigateway.amazonaws.com' ||
        p['action'] !== 'lambda:InvokeFunction' ||
        !m ||
        !apis.has(`${m[1]}.${m[2]}`)
      )
        add(
          'lambda-permission-authorizer',
          address,
          `${String(p['action'])} for ${String(p['principal'])} from ${String(p['source_arn'])} is not limited to this module's API authorizers (source_arn <execution_arn>/authorizers/*)`,
        );
      continue;
    }
    if (
      !fn ||
      fn[0] !== 'aws_lambda_function' ||
      !functions.has(fn[1]) ||
      (fn[2] !== 'function_name' && fn[2] !== 'arn')
    ) {
      add(
        'lambda-permission-foreign-function',
        address,
        `function_name ${JSON.stringify(p['function_name'])} is not this module's function`,
      );
      continue;
    }
    const action = p['action'];
    const principal = p['principal'];
    const source =
      typeof p['source_arn'] === 'string'
        ? /^\$\{(aws_api_gateway_rest_api|aws_apigatewayv2_api)\.([A-Za-z0-9_-]+)\.execution_arn\}\/[^${}]+$/.exec(
            p['source_arn'],
          )
        : null;
    const viaApi =
      principal === 'apigateway.amazonaws.com' &&
      action === 'lambda:InvokeFunction' &&
      source !== null &&
      apis.has(`${source[1]}.${source[2]}`);
    const urlAuth = urls.get(fn[1]);
    const viaUrl =
      principal === '*' &&
      urlAuth === 'NONE' &&
      p['source_arn'] === undefined &&
      ((action === 'lambda:InvokeFunctionUrl' && p['function_url_auth_type'] === 'NONE') ||
        (action === 'lambda:InvokeFunction' && isTrue(p['invoked_via_function_url'])));
    if (!viaApi && !viaUrl) {
      add(
        'lambda-permission-unscoped',
        address,
        `${String(action)} for ${String(principal)}${p['source_arn'] !== undefined ? ` from ${String(p['source_arn'])}` : ''} is not limited to this module's API (source_arn under its execution_arn) or to its Function URL`,
      );
    }
  }
}

/** Whether the document lets a browser send credentials anywhere. */
function credentialsAllowed(doc: ModuleDocument): boolean {
  for (const { params } of restResponses(doc))
    for (const [k, v] of Object.entries(params))
      if (/access-control-allow-credentials$/i.test(k) && String(v).includes('true')) return true;
  for (const [type, block] of [
    ['aws_apigatewayv2_api', 'cors_configuration'],
    ['aws_lambda_function_url', 'cors'],
  ] as const) {
    for (const [, r] of resources(doc, type)) if (isTrue(one(r[block])?.['allow_credentials'])) return true;
  }
  for (const [, fn] of resources(doc, 'aws_lambda_function')) {
    if (isTrue(moduleEnvironment(doc, fn)['ALLOW_CREDENTIALS'])) return true;
  }
  return false;
}

interface OriginRules {
  /** A validation condition that is exactly "the list does not contain *". */
  readonly forbidsStar: boolean;
  /** The regexes of the validation that says what each origin may look like. */
  readonly forms: RegExp[] | undefined;
}

function originRules(doc: ModuleDocument): OriginRules {
  const v = variable(doc, 'allowed_origins');
  const validations = asList(v?.['validation']).map((x) => one(x) ?? {});
  const conditions = validations.map((x) =>
    typeof x['condition'] === 'string' ? x['condition'].replace(/\s+/g, ' ') : '',
  );
  const forbidsStar = conditions.some((c) => /^\$\{ ?!contains\(var\.allowed_origins, ?"\*"\) ?\}$/.test(c));
  let forms: RegExp[] | undefined;
  for (const c of conditions) {
    if (!/^\$\{ ?alltrue\(\[ ?for o in var\.allowed_origins ?:/.test(c) || !c.includes('can(regex(')) continue;
    if (/!can\(regex/.test(c)) continue;
    const found: RegExp[] = [];
    for (const m of c.matchAll(/can\(regex\("((?:[^"\\]|\\.)*)", ?o\)\)/g)) {
      try {
        found.push(new RegExp(JSON.parse(`"${m[1]!}"`) as string));
      } catch {
        // An unreadable form counts as missing.
      }
    }
    if (found.length > 0) forms = found;
  }
  return { forbidsStar, forms };
}

/** The literal list an `allow_origins`, or the variable's default, or undefined for an expression. */
function literalList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((x) => typeof x === 'string') ? (value as string[]) : undefined;
}

function checkCors(doc: ModuleDocument, add: Add): void {
  const credentials = credentialsAllowed(doc);
  const rules = originRules(doc);
  const defaults = literalList(variable(doc, 'allowed_origins')?.['default']) ?? [];
  let needsStarRule = false;
  let listFromVariable = false;

  // The origin variable: what it accepts feeds every list below.
  if (variable(doc, 'allowed_origins')) {
    if (!rules.forms)
      add('origin-validation-weak', 'var.allowed_origins', 'no validation says what an origin may look like');
    else {
      for (const probe of NOT_ORIGINS) {
        if (rules.forms.some((f) => f.test(probe)))
          add(
            'origin-validation-weak',
            'var.allowed_origins',
            `the validation accepts ${JSON.stringify(probe)}, which is not an origin`,
          );
      }
    }
    if (credentials) {
      if (defaults.includes('*'))
        add('cors-star-with-credentials', 'var.allowed_origins', 'the default list is "*" and credentials are allowed');
      for (const o of defaults.filter((x) => /^https?:\/\/\*$/.test(x)))
        add(
          'cors-any-origin-with-credentials',
          'var.allowed_origins',
          `the default list holds ${JSON.stringify(o)}, every site of that scheme, and credentials are allowed`,
        );
      for (const o of ['https://*', 'http://*']) {
        if (rules.forms?.some((f) => f.test(o)))
          add(
            'cors-any-origin-with-credentials',
            'var.allowed_origins',
            `the validation accepts ${JSON.stringify(o)} (every site) although credentials are allowed`,
          );
      }
    }
  }

  // REST: the body's integration responses (the preflight) with their method responses, and gateway responses.
  for (const { where, params, templates, declared, gateway } of restResponses(doc)) {
    const prefix = gateway ? 'gatewayresponse.header.' : 'method.response.header.';
    const acao = header(params, prefix, 'Access-Control-Allow-Origin');
    const echo = templates.some((t) => /responseOverride\.header\.Access-Control-Allow-Origin/i.test(t));
    const acac = isTrue(literal(header(params, prefix, 'Access-Control-Allow-Credentials')));
    if (acao === undefined && !echo) continue;
    if (gateway && acac && /method\.request\.(header|multivalueheader)\./i.test(String(acao)))
      add(
        'gateway-reflects-with-credentials',
        where,
        'Access-Control-Allow-Origin echoes the request with Access-Control-Allow-Credentials true',
      );
    if (acac && literal(acao) === '*')
      add(
        'cors-star-with-credentials',
        where,
        "Access-Control-Allow-Origin '*' with Access-Control-Allow-Credentials 'true'",
      );
    if (acac && isExpression(acao) && /["']\*["']/.test(String(acao))) needsStarRule = true;
    if (isExpression(acao)) listFromVariable = true;
    if (literal(acao) !== '*' || echo) {
      if (!varyHasOrigin(literal(header(params, prefix, 'Vary')) ?? ''))
        add(
          'cors-missing-vary',
          where,
          'Access-Control-Allow-Origin depends on the request but no Vary: Origin is sent',
        );
      else if (declared && header(declared, '', 'Vary') === undefined)
        add(
          'cors-missing-vary',
          where,
          'Vary is mapped but not declared in the method response (API Gateway rejects the mapping)',
        );
    }
    for (const t of templates) {
      if (/\.matches\(\s*("?\$!?\{?(origin|lower|input|util|context|method|request)|\$input)/i.test(t))
        add('vtl-origin-as-regex', where, 'the template uses request data as a regular expression (.matches)');
    }
  }

  // HTTP API and Function URL: the service's CORS blocks.
  for (const [type, blockName] of [
    ['aws_apigatewayv2_api', 'cors_configuration'],
    ['aws_lambda_function_url', 'cors'],
  ] as const) {
    for (const [name, r] of resources(doc, type)) {
      const block = one(r[blockName]);
      if (!block || !isTrue(block['allow_credentials'])) continue;
      const address = `${type}.${name}`;
      const list = literalList(block['allow_origins']);
      if (list?.includes('*'))
        add('cors-star-with-credentials', address, 'allow_origins ["*"] with allow_credentials = true');
      for (const o of (list ?? []).filter((x) => /^https?:\/\/\*$/.test(x)))
        add(
          'cors-any-origin-with-credentials',
          address,
          `allow_origins holds ${JSON.stringify(o)} with allow_credentials = true`,
        );
      if (!list) {
        needsStarRule = true;
        listFromVariable = true;
      }
    }
  }

  // The Lambda's own view (REST: it answers with CORS headers itself).
  for (const [name, fn] of resources(doc, 'aws_lambda_function')) {
    const env = moduleEnvironment(doc, fn);
    if (!isTrue(env['ALLOW_CREDENTIALS'])) continue;
    if (env['ALLOWED_ORIGINS'] === '*')
      add(
        'lambda-env-star-with-credentials',
        `aws_lambda_function.${name}`,
        'ALLOWED_ORIGINS=* with ALLOW_CREDENTIALS=true',
      );
    if (isExpression(env['ALLOWED_ORIGINS'])) {
      needsStarRule = true;
      listFromVariable = true;
    }
  }

  if (credentials && needsStarRule && listFromVariable && !rules.forbidsStar) {
    add(
      'cors-star-with-credentials',
      'var.allowed_origins',
      'credentials are allowed but no validation forbids "*" in allowed_origins, from which Access-Control-Allow-Origin is computed',
    );
  }
}

/**
 * Every REST response that carries CORS headers: the integration responses in the APIs' bodies (with the headers
 * their method response declares) and the gateway responses.
 */
function restResponses(doc: ModuleDocument): readonly RestResponse[] {
  const cached = RESPONSES.get(doc);
  if (cached) return cached;
  const out: RestResponse[] = [];
  for (const rest of restBodies(doc)) {
    for (const p of rest.paths)
      for (const op of p.operations.values())
        for (const [key, r] of integrationResponses(op.integration))
          out.push({
            where: `${op.where} integration response ${key}`,
            params: asBody(r.responseParameters),
            templates: Object.values(asBody(r.responseTemplates)).map(String),
            declared: declaredHeaders(op.operation, r.statusCode),
            gateway: false,
          });
    for (const [type, r] of rest.gatewayResponses)
      out.push({
        where: `${rest.api.address} body x-amazon-apigateway-gateway-responses.${type}`,
        params: asBody(r.responseParameters),
        templates: [],
        gateway: true,
      });
  }
  RESPONSES.set(doc, out);
  return out;
}

interface RestResponse {
  /** Where it is, for messages. */
  readonly where: string;
  readonly params: Body;
  readonly templates: readonly string[];
  /** The headers the method response declares (integration responses only). */
  readonly declared?: Body;
  readonly gateway: boolean;
}

const RESPONSES = new WeakMap<ModuleDocument, readonly RestResponse[]>();
