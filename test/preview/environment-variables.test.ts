/**
 * The preview runs the function with the environment Terraform would give it: `environment_variables` from the
 * defaults (the spec's `lambda.environment`), a stage's .tfvars or `--var`, merged under the CORS variables as
 * Terraform's `merge` does. And it refuses, as `terraform plan` would, what the inputs' validations and the
 * function's precondition refuse, and what it cannot emulate (layers).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError, PreviewSetupError } from '../../src/preview/errors.js';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { generateModules, send, type GeneratedModules } from '../support/preview.js';

const SPEC = `version: 1
name: env-api
api: http
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /env
    methods: [GET]
frontend:
  enabled: true
stages:
  dev:
    allowOrigins: [https://dev.example.com]
lambda:
  environment:
    GREETING: from-spec
`;

/** The user's code: answers with the variables it reads. */
const APP = `export async function handle() {
  const { GREETING = null, ALLOWED_ORIGINS = null, CORS_MODE = null } = process.env;
  return { statusCode: 200, body: JSON.stringify({ GREETING, ALLOWED_ORIGINS, CORS_MODE }) };
}
`;

let scratch: string;
let modules: GeneratedModules;
const previews: Preview[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-env-'));
  writeFileSync(path.join(scratch, 'cors-gen.yaml'), SPEC);
  modules = await generateModules([{ name: 'env-api', spec: path.join(scratch, 'cors-gen.yaml') }]);
  writeFileSync(path.join(modules.dirs.get('env-api')!, 'lambda/app.mjs'), APP);
}, 60_000);

afterAll(async () => {
  await Promise.all(previews.map((p) => p.close()));
  modules.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

async function serve(options: { stage?: string; vars?: string[]; module?: string } = {}) {
  const p = await startPreview({ module: options.module ?? modules.dirs.get('env-api')!, log: () => {}, ...options });
  previews.push(p);
  return p;
}

async function environment(p: Preview): Promise<Record<string, string | null>> {
  const reply = await send(`${p.api}/env`);
  expect(reply.status, reply.body).toBe(200);
  return JSON.parse(reply.body) as Record<string, string | null>;
}

describe("the function's environment in the preview", () => {
  it("gives the handler the spec's lambda.environment (the input's default), next to the CORS variables", async () => {
    const env = await environment(await serve());
    expect(env.GREETING).toBe('from-spec');
    expect(env.CORS_MODE).toBe('service');
    expect(env.ALLOWED_ORIGINS).toMatch(/^https:\/\/app\.example\.com http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('takes environment_variables from --var, which wins over the default and the stage', async () => {
    const env = await environment(await serve({ vars: ['environment_variables={ GREETING = "from-var" }'] }));
    expect(env.GREETING).toBe('from-var');
  });

  it("takes environment_variables from a stage's .tfvars", async () => {
    const dir = modules.copy('env-api');
    appendFileSync(path.join(dir, 'stages/dev.tfvars'), 'environment_variables = { GREETING = "from-stage" }\n');
    const env = await environment(await serve({ module: dir, stage: 'dev' }));
    expect(env.GREETING).toBe('from-stage');
    expect(env.ALLOWED_ORIGINS).toMatch(/^https:\/\/dev\.example\.com /);
  });

  it('lets the CORS variables win over the same name, as merge() does, even in a module without the validation', async () => {
    const dir = modules.copy('env-api');
    const file = path.join(dir, 'variables.tf');
    // Drop the validation that refuses the CORS names, to see what the merge alone does.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/!contains\(\["ALLOWED_ORIGINS"[^\]]*\], k\)/, 'true'));
    const env = await environment(
      await serve({ module: dir, vars: ['environment_variables={ CORS_MODE = "lambda", GREETING = "x" }'] }),
    );
    expect(env).toMatchObject({ GREETING: 'x', CORS_MODE: 'service' });
  });

  it("refuses a CORS variable in environment_variables with the module's message, naming them", async () => {
    const error = await serve({ vars: ['environment_variables={ ALLOWED_ORIGINS = "*" }'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as Error).message).toMatch(
      /invalid value for var\.environment_variables: environment_variables must not set ALLOWED_ORIGINS, ALLOW_CREDENTIALS/,
    );
  });

  it('refuses layers, whose code it cannot fetch, saying how to run without them', async () => {
    const error = await serve({ vars: ['layers=["arn:aws:lambda:eu-west-1:123456789012:layer:deps:3"]'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleError);
    expect((error as ModuleError).message).toMatch(
      /layer "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3" is not built by this module/,
    );
    expect((error as ModuleError).fix).toMatch(/-var 'layers=\[\]'/);
  });

  it("checks the function's precondition: subnets without security groups are refused", async () => {
    const error = await serve({ vars: ['vpc_subnet_ids=["subnet-0123456789abcdef0"]'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /precondition failed: vpc_subnet_ids and vpc_security_group_ids go together/,
    );
  });

  it("checks the function's precondition: an environment above Lambda's 4 KB is refused", async () => {
    const big = 'x'.repeat(4100);
    const error = await serve({ vars: [`environment_variables={ BIG = "${big}" }`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /precondition failed: The function's environment .* exceeds Lambda's 4096 bytes/,
    );
  });

  it("checks the function's precondition: a policy_json without attach_policy_json is refused", async () => {
    // A string input's -var value is the text itself, as with terraform -var.
    const policy = 'policy_json={"Version":"2012-10-17","Statement":[]}';
    const error = await serve({ vars: [policy, 'attach_policy_json=false'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/precondition failed: policy_json is set but attach_policy_json is false/);
    expect((await serve({ vars: [policy, 'attach_policy_json=true'] })).api).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('counts the environment in bytes, as Lambda does: 2,100 two-byte characters are refused', async () => {
    const error = await serve({ vars: [`environment_variables={ BIG = "${'é'.repeat(2100)}" }`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/precondition failed: The function's environment .* exceeds/);
  });

  it("serves a function in a VPC, warning that it runs with this machine's network", async () => {
    const p = await serve({
      vars: ['vpc_subnet_ids=["subnet-0123456789abcdef0"]', 'vpc_security_group_ids=["sg-0123456789abcdef0"]'],
    });
    expect(p.warnings.join('\n')).toMatch(/runs in a VPC on AWS; the preview runs it with this machine's network/);
    expect((await environment(p)).GREETING).toBe('from-spec');
  });

  it('refuses a --var for a variable the module does not declare, or without a value', async () => {
    for (const flag of ['nope=1', 'GREETING']) {
      const error = await serve({ vars: [flag] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, flag).toBeInstanceOf(PreviewSetupError);
    }
  });
});
