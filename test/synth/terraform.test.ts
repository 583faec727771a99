/**
 * The generated module checked by Terraform itself, without providers (none can be downloaded here): `terraform
 * fmt -check` on the HCL, and `terraform console` on a provider-free copy (the variables with their validation
 * blocks, the locals with the website origin as a literal, and probes holding the generated expressions) to
 * evaluate what API Gateway and Lambda would receive.
 *
 * Terraform calls are few and batched: one console call evaluates every probe of a module at once.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render as renderVtl } from 'velocityjs';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import type { ModuleFiles } from '../../src/synth/module-files.js';
import { validateSpec } from '../../src/spec/validate.js';
import { resource, spec, synth, type Body, type SpecInput } from '../support/synth.js';

const TERRAFORM = findOnPath('terraform');
const WEBSITE = 'http://shop-site-20260101.s3-website-us-east-1.amazonaws.com';

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const file of process.platform === 'win32' ? [`${name}.exe`] : [name]) {
      const candidate = path.join(dir, file);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

// terraform cannot be installed from the registries these machines reach (npm, Debian), so where it is absent
// these checks are skipped (and say so); the machines this project runs on, CI included, have it.
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-terraform-'));
  // An empty CLI configuration: no "Unable to open CLI configuration file" warning, no credentials, no mirrors.
  writeFileSync(path.join(tmp, 'cli.tfrc'), '');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function terraform(args: readonly string[], cwd: string, input?: string) {
  const r = spawnSync(TERRAFORM!, args, {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: path.join(tmp, 'cli.tfrc'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_INPUT: '0',
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, text: `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ') };
}

function writeFiles(dir: string, files: ModuleFiles): void {
  for (const [rel, text] of [...files.generated, ...files.userOwned]) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

const MODULES = {
  example: spec({
    name: 'orders-api',
    cors: {
      allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
      allowCredentials: true,
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    },
    stages: { dev: { allowOrigins: ['http://localhost:3000', 'https://app.example.com'] } },
  }),
  wildcard: spec({
    cors: { allowOrigins: ['https://app.example.com', 'https://*.example.org'] },
    lambda: { runtime: 'python3.13' },
    // Long enough that the formatter breaks the list over several lines.
    stages: {
      qa_long: {
        allowOrigins: [
          'https://qa-one.example.com',
          'https://qa-two.example.com',
          'https://qa-three.example.com',
          'http://localhost:3000',
        ],
      },
    },
  }),
  any: spec({ cors: { allowOrigins: ['*'] } }),
  http: spec({ api: 'http', cors: { allowOrigins: ['https://shop.example.com'], allowCredentials: true } }),
  url: spec({
    api: 'function-url',
    routes: [{ path: '/', methods: ['GET', 'POST'] }],
    cors: { allowOrigins: ['https://dash.example.com'], allowMethods: ['GET', 'POST'] },
  }),
} satisfies Record<string, SpecInput>;

/** Origin lists whose verdict must be the same from the variable's validation blocks and the spec validator. */
const CANDIDATES: Record<string, string[]> = {
  exact: ['https://app.example.com', 'https://admin.example.com'],
  port: ['https://app.example.com:8443'],
  localhost: ['http://localhost:3000'],
  ipv6: ['http://[::1]:8080'],
  punycode: ['https://xn--bcher-kva.example'],
  wildcard: ['https://*.example.com'],
  scheme_wildcard: ['https://*'],
  any: ['*'],
  any_mixed: ['*', 'https://app.example.com'],
  trailing_slash: ['https://app.example.com/'],
  path: ['https://app.example.com/app'],
  uppercase: ['https://App.example.com'],
  null: ['null'],
  no_scheme: ['app.example.com'],
  ftp: ['ftp://app.example.com'],
  two_wildcards: ['https://*.*.example.com'],
  default_https_port: ['https://app.example.com:443'],
  default_http_port: ['http://localhost:80'],
  port_zero: ['https://app.example.com:0'],
  port_too_big: ['https://app.example.com:65536'],
  port_leading_zero: ['https://app.example.com:08080'],
  space: [' https://app.example.com'],
};

/** Origin lists the REST expressions are evaluated on, as if `local.cors_origins` held them. */
const SCENARIOS: Record<string, string[]> = {
  one: ['https://app.example.com'],
  several: ['https://app.example.com', 'https://admin.example.com'],
  wildcard_only: ['https://*.example.org'],
  mixed: ['https://app.example.com', 'https://*.example.org'],
  any: ['*'],
};

const INVOKE_ARN =
  'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:x/invocations';

const unwrap = (s: string) => (s.startsWith('${') && s.endsWith('}') ? s.slice(2, -1) : s);

/**
 * A provider-free copy of a module: its variables file as generated, its locals (from the generated main file)
 * with the website origin as a literal, its stages, and `probe.tf.json` with `local.probe` = every generated
 * expression worth evaluating, base64-encoded JSON so the console's quoting never gets in the way.
 */
function providerFreeCopy(name: string, files: ModuleFiles, format: 'hcl' | 'json'): string {
  const dir = path.join(tmp, `console-${name}-${format}`);
  mkdirSync(dir, { recursive: true });
  const d = files.document;
  if (format === 'hcl') {
    writeFileSync(path.join(dir, 'variables.tf'), files.generated.get('variables.tf')!);
    const block = /^locals \{\n[\s\S]*?\n\}\n/m.exec(files.generated.get('main.tf')!)?.[0];
    if (!block) throw new Error('main.tf has no locals block');
    // The OpenAPI document names the Lambda's invoke ARN, which a provider-free copy does not have.
    const literal = block
      .replace(/^(\s*website_origin\s*=\s*).*$/m, `$1"${WEBSITE}"`)
      .replaceAll('aws_lambda_function.handler.invoke_arn', `"${INVOKE_ARN}"`);
    if (d.locals && 'website_origin' in (d.locals as Body)) expect(literal).not.toBe(block);
    writeFileSync(path.join(dir, 'locals.tf'), literal);
  } else {
    writeFileSync(path.join(dir, 'variables.tf.json'), files.generated.get('variables.tf.json')!);
    const localsOnly = (JSON.parse(files.generated.get('main.tf.json')!) as { locals: Body }).locals;
    if ('website_origin' in localsOnly) localsOnly.website_origin = WEBSITE;
    writeFileSync(
      path.join(dir, 'locals.tf.json'),
      JSON.stringify({ locals: localsOnly }, null, 2).replaceAll(
        '${aws_lambda_function.handler.invoke_arn}',
        INVOKE_ARN,
      ),
    );
  }
  for (const [rel, text] of files.generated) {
    if (!rel.startsWith('stages/')) continue;
    mkdirSync(path.join(dir, 'stages'), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  writeFileSync(path.join(dir, 'probe.tf.json'), JSON.stringify({ locals: probes(d) }, null, 2));
  return dir;
}

function probes(d: TerraformDocument): Body {
  const locals: Body = {};
  const probe: string[] = [];
  const add = (key: string, expression: unknown) => {
    locals[`probe_${key}`] = expression;
    probe.push(`${key} = local.probe_${key}`);
  };
  add('allowed', '${local.allowed_origins}');
  // What Terraform's merge of the caller's variables and the module's CORS ones gives the function.
  const env = String((resource(d, 'aws_lambda_function', 'handler').environment as Body).variables);
  add('lambda_allowed_origins', `\${${env.slice(2, -1)}["ALLOWED_ORIGINS"]}`);
  const rest = (d.resource as Record<string, unknown>).aws_api_gateway_rest_api !== undefined;
  if (rest) {
    const dl = d.locals as Record<string, string>;
    const openapi = (d.locals as Record<string, any>).openapi;
    const response = openapi.paths['/orders'].options['x-amazon-apigateway-integration'].responses.default as Body;
    const acao = (response.responseParameters as Body)['method.response.header.Access-Control-Allow-Origin'] as string;
    const vtl = (response.responseTemplates as Body)['application/json'] as string;
    const gateway = (openapi['x-amazon-apigateway-gateway-responses'].DEFAULT_4XX.responseParameters as Body)[
      'gatewayresponse.header.Access-Control-Allow-Origin'
    ] as string;
    for (const key of ['cors_any_origin', 'cors_exact_origins', 'cors_origin_patterns']) add(key, `\${local.${key}}`);
    add('preflight_acao', acao);
    add('gateway_acao', gateway);
    add('vtl', vtl);
    add('openapi', '${local.openapi}');
    // The trigger hashes the body, which is the OpenAPI local encoded: the origin list reaches it through there.
    const trigger = (resource(d, 'aws_api_gateway_deployment', 'openapi').triggers as Record<string, string>)
      .redeployment!;
    const body = resource(d, 'aws_api_gateway_rest_api', 'api').body as string;
    add('trigger', trigger.replace('aws_api_gateway_rest_api.api.body', unwrap(body)));
    // The same expressions on other origin lists.
    for (const [scenario, list] of Object.entries(SCENARIOS)) {
      const at = (s: string) => s.replaceAll('local.cors_', `local.sc_${scenario}_cors_`);
      locals[`sc_${scenario}_cors_origins`] = list;
      for (const key of ['cors_any_origin', 'cors_exact_origins', 'cors_origin_patterns'])
        locals[`sc_${scenario}_${key}`] = at(dl[key]!);
      add(`${scenario}_preflight_acao`, at(acao));
      add(`${scenario}_gateway_acao`, at(gateway));
      add(`${scenario}_vtl`, at(vtl));
    }
  }
  const conditions = (
    d.variable as Record<string, { validation: Array<{ condition: string }> }>
  ).allowed_origins!.validation.map((v) => unwrap(v.condition));
  for (const [name, list] of Object.entries(CANDIDATES)) {
    add(
      `valid_${name}`,
      `\${alltrue([${conditions.map((c) => c.replaceAll('var.allowed_origins', JSON.stringify(list))).join(', ')}])}`,
    );
  }
  locals.probe = `\${base64encode(jsonencode({ ${probe.join(', ')} }))}`;
  return locals;
}

/** Evaluates `local.probe` in the copy; fails on any error or warning Terraform prints. */
function evaluate(dir: string, args: readonly string[] = []): Record<string, unknown> {
  const r = terraform(['console', '-no-color', ...args], dir, 'local.probe\n');
  expect(r.stderr.trim(), r.text).toBe('');
  expect(r.code, r.text).toBe(0);
  const encoded = /"([A-Za-z0-9+/=]+)"/.exec(r.stdout)?.[1];
  if (!encoded) throw new Error(`no probe in console output: ${r.text}`);
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** The list literal a rendered VTL template assigns to `$name`, parsed as JSON (which a VTL list literal of strings is). */
function vtlList(vtl: string, name: string): unknown {
  const m = new RegExp(`^#set\\(\\$${name} = (\\[.*\\])\\)$`, 'm').exec(vtl);
  if (!m) throw new Error(`no #set($${name} = [...]) in ${vtl}`);
  return JSON.parse(m[1]!);
}

/**
 * Runs a rendered preflight template as API Gateway would, with the Java methods its VTL offers supplied
 * (`List.contains`, whole-string `String.matches`), and returns the Allow-Origin override it sets, if any.
 */
function runVtl(vtl: string, headers: Record<string, string>): string | undefined {
  const override: Record<string, string> = {};
  const context = {
    input: { params: () => ({ header: { get: (k: string) => headers[k] } }) },
    context: { responseOverride: { header: override } },
  };
  Object.defineProperty(String.prototype, 'matches', {
    value(this: string, p: string) {
      return new RegExp(`^(?:${p})$`).test(this);
    },
    configurable: true,
  });
  Object.defineProperty(Array.prototype, 'contains', {
    value(this: unknown[], x: unknown) {
      return this.includes(x);
    },
    configurable: true,
  });
  try {
    expect(renderVtl(vtl, context).trim()).toBe('');
  } finally {
    delete (String.prototype as { matches?: unknown }).matches;
    delete (Array.prototype as { contains?: unknown }).contains;
  }
  return override['Access-Control-Allow-Origin'];
}

describe.runIf(TERRAFORM !== undefined)(`terraform ${TERRAFORM ? '' : '(not on PATH: skipped)'}`, () => {
  const built: Record<string, ModuleFiles> = {};
  const values: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    for (const [name, input] of Object.entries(MODULES)) built[name] = await synth(input, 'hcl');
    built.wildcard_json = await synth(MODULES.wildcard, 'json');
  });

  it('finds the generated HCL and tfvars formatted as terraform fmt writes them', () => {
    const root = path.join(tmp, 'fmt');
    for (const [name, files] of Object.entries(built)) writeFiles(path.join(root, name), files);
    const r = terraform(['fmt', '-check', '-recursive', '-diff', '-no-color', root], tmp);
    expect(r.stdout, r.text).toBe('');
    expect(r.code, r.text).toBe(0);
    // The check can fail: a misaligned copy of variables.tf is reported.
    const bad = path.join(tmp, 'fmt-bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      path.join(bad, 'variables.tf'),
      built.example!.generated.get('variables.tf')!.replace('  type        = list(string)', '  type = list(string)'),
    );
    expect(terraform(['fmt', '-check', '-no-color', bad], tmp).code).not.toBe(0);
  });

  it("initializes a provider-free copy offline and evaluates every probe with the module's default variables", () => {
    for (const name of Object.keys(MODULES)) {
      const dir = providerFreeCopy(name, built[name]!, 'hcl');
      if (name === 'example') {
        const init = terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
        expect(init.code, init.text).toBe(0);
      }
      values[name] = evaluate(dir);
    }
    values.wildcard_json = evaluate(providerFreeCopy('wildcard_json', built.wildcard_json!, 'json'));
    expect(values.wildcard_json).toEqual(values.wildcard);
  });

  it("adds the website origin to the spec's origins, and passes the same list to the Lambda", () => {
    const e = values.example!;
    expect(e.allowed).toEqual(['https://app.example.com', 'https://admin.example.com', WEBSITE]);
    expect(e.lambda_allowed_origins).toBe(`https://app.example.com https://admin.example.com ${WEBSITE}`);
    expect(values.any!.allowed).toEqual(['*']); // "*" stays alone
    expect(values.http!.allowed).toEqual(['https://shop.example.com', WEBSITE]);
    expect(values.url!.lambda_allowed_origins).toBe(`https://dash.example.com ${WEBSITE}`);
  });

  it('evaluates the OpenAPI document as Terraform itself does into valid OpenAPI 3.0, HCL keys read as written', async () => {
    for (const name of ['example', 'wildcard', 'any'] as const) {
      const openapi = values[name]!.openapi as Record<string, any>;
      await expect(SwaggerParser.validate(structuredClone(openapi) as never), name).resolves.toBeTruthy();
      const options = openapi.paths['/orders'].options;
      // Header names and extension keys are bare identifiers with "-" in the HCL: they must stay keys, not subtractions.
      expect(Object.keys(options.responses['204'].headers)).toContain('Access-Control-Allow-Origin');
      expect(options['x-amazon-apigateway-integration'].type).toBe('mock');
      expect(options['x-amazon-apigateway-integration'].responses.default.responseParameters).toMatchObject({
        'method.response.header.Access-Control-Allow-Origin': values[name]!.preflight_acao,
      });
      expect(openapi.paths['/orders'].get['x-amazon-apigateway-integration'].uri).toBe(INVOKE_ARN);
    }
  });

  it('renders the preflight VTL with valid list literals of the effective origins and patterns', () => {
    const e = values.example!;
    expect(vtlList(e.vtl as string, 'allowed')).toEqual([
      'https://app.example.com',
      'https://admin.example.com',
      WEBSITE,
    ]);
    expect(vtlList(e.vtl as string, 'patterns')).toEqual([]);
    expect(e.vtl).not.toContain('${');
    const w = values.wildcard!;
    expect(vtlList(w.vtl as string, 'allowed')).toEqual(['https://app.example.com', WEBSITE]);
    expect(vtlList(w.vtl as string, 'patterns')).toEqual([
      'https://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.]example[.]org',
    ]);
    expect(vtlList(values.any!.vtl as string, 'allowed')).toEqual([]);
  });

  it('lets the rendered VTL echo exactly the allowed origins and one-label wildcard matches, under either header spelling', () => {
    const vtl = values.wildcard!.vtl as string;
    const allowed = (origin: string, header = 'Origin') => runVtl(vtl, { [header]: origin });
    expect(allowed('https://app.example.com')).toBe('https://app.example.com');
    expect(allowed('https://app.example.com', 'origin')).toBe('https://app.example.com');
    expect(allowed(WEBSITE)).toBe(WEBSITE);
    expect(allowed('https://shop.example.org')).toBe('https://shop.example.org');
    expect(allowed('https://SHOP.example.org')).toBe('https://SHOP.example.org'); // compared lowercased, echoed as sent
    for (const denied of [
      'https://evil.com',
      'https://a.b.example.org',
      'https://example.org',
      'https://shopexample.org',
      'https://shop.example.org.evil.com',
      'http://shop.example.org',
      'https://app.example.com.evil.com',
      'null',
      '',
    ]) {
      expect(allowed(denied), denied).toBeUndefined();
    }
    expect(runVtl(vtl, {})).toBeUndefined();
  });

  it('computes the static preflight Allow-Origin: "*", else the first exact origin', () => {
    const e = values.wildcard!;
    expect(e.one_preflight_acao).toBe("'https://app.example.com'");
    expect(e.several_preflight_acao).toBe("'https://app.example.com'");
    expect(e.mixed_preflight_acao).toBe("'https://app.example.com'");
    expect(e.any_preflight_acao).toBe("'*'");
    expect(e.preflight_acao).toBe("'https://app.example.com'");
    expect(values.any!.preflight_acao).toBe("'*'");
  });

  it("maps the gateway responses' Allow-Origin to a valid source for every origin list", () => {
    const open = values.wildcard!; // no credentials
    expect(open.one_gateway_acao).toBe("'https://app.example.com'");
    expect(open.several_gateway_acao).toBe('method.request.header.origin');
    expect(open.mixed_gateway_acao).toBe('method.request.header.origin');
    expect(open.wildcard_only_gateway_acao).toBe('method.request.header.origin');
    expect(open.any_gateway_acao).toBe("'*'");
    const creds = values.example!; // credentials: never echo an arbitrary origin
    expect(creds.one_gateway_acao).toBe("'https://app.example.com'");
    expect(creds.several_gateway_acao).toBe("'https://app.example.com'");
    expect(creds.mixed_gateway_acao).toBe("'https://app.example.com'");
    expect(creds.gateway_acao).toBe("'https://app.example.com'");
    for (const [key, value] of Object.entries({ ...open, ...creds })) {
      if (key.endsWith('gateway_acao')) expect(value, key).toMatch(/^('[^']+'|method\.request\.header\.origin)$/);
    }
  });

  it("evaluates each origin list the same way in the variable's validation blocks as the spec validator does", () => {
    for (const [name, input] of Object.entries(MODULES)) {
      for (const [candidate, list] of Object.entries(CANDIDATES)) {
        const viaSpec = validateSpec({ ...input, cors: { ...input.cors, allowOrigins: list } }).ok;
        expect(values[name]![`valid_${candidate}`], `${name}: ${JSON.stringify(list)}`).toBe(viaSpec);
      }
    }
    // Sanity: the matrix holds both verdicts for every target.
    for (const name of Object.keys(MODULES)) {
      const verdicts = Object.keys(CANDIDATES).map((c) => values[name]![`valid_${c}`]);
      expect(verdicts, name).toContain(true);
      expect(verdicts, name).toContain(false);
    }
  });

  it("accepts the stage's tfvars and changes the deployment trigger with the origin list", () => {
    const dir = path.join(tmp, 'console-example-hcl');
    const dev = evaluate(dir, ['-var-file=stages/dev.tfvars']);
    expect(dev.allowed).toEqual(['http://localhost:3000', 'https://app.example.com', WEBSITE]);
    expect(dev.trigger).toMatch(/^[0-9a-f]{40}$/);
    expect(dev.trigger).not.toBe(values.example!.trigger);
    const one = evaluate(dir, ['-var', 'allowed_origins=["https://app.example.com","https://admin2.example.com"]']);
    expect(one.trigger).not.toBe(values.example!.trigger);
    expect(one.trigger).not.toBe(dev.trigger);
  });

  it.each([
    ['a trailing slash', '["https://app.example.com/"]', 'written as browsers send them'],
    ['"*" with credentials', '["*"]', 'cannot be used because this API allows credentials'],
    ['"null"', '["null"]', 'must not contain "null"'],
    ['a default port', '["https://app.example.com:443"]', 'browsers omit the default port'],
    ['an empty list', '[]', 'must list at least one origin'],
  ])('rejects %s in allowed_origins at plan time, naming the rule', (_name, value, message) => {
    const r = terraform(
      ['console', '-no-color', '-var', `allowed_origins=${value}`],
      path.join(tmp, 'console-example-hcl'),
      '1\n',
    );
    expect(r.text).toContain('Error: Invalid value for variable');
    expect(r.text).toContain(message);
  });

  it("gives the function the caller's environment_variables under the CORS ones", () => {
    const e = evaluate(path.join(tmp, 'console-example-hcl'), ['-var', 'environment_variables={ TABLE = "orders" }']);
    expect(e.lambda_allowed_origins).toBe(values.example!.lambda_allowed_origins);
  });

  it.each([
    [
      'a CORS variable in environment_variables',
      'environment_variables={ ALLOWED_ORIGINS = "*" }',
      'must not set ALLOWED_ORIGINS',
    ],
    ['a reserved variable', 'environment_variables={ AWS_REGION = "x" }', 'Lambda reserves them'],
    ['a policy name instead of an ARN', 'policy_arns=["ReadOnlyAccess"]', 'each must be an IAM policy ARN'],
    ['policy_json that is not JSON', 'policy_json={', 'must be a JSON object'],
    ['policy_json that is JSON but no object', 'policy_json=[1]', 'must be a JSON object'],
    ['a memory size below 128', 'memory_size=64', 'from 128 to 10240'],
    [
      'six layers',
      `layers=[${Array.from({ length: 6 }, (_, i) => `"arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1"`).join(',')}]`,
      'Lambda allows 5 layers',
    ],
  ])("rejects %s at plan time, with the input's message", (_name, assignment, message) => {
    const r = terraform(['console', '-no-color', '-var', assignment], path.join(tmp, 'console-example-hcl'), '1\n');
    expect(r.text).toContain('Error: Invalid value for variable');
    expect(r.text).toContain(message);
  });
});
