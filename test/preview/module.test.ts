import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError, PreviewSetupError } from '../../src/preview/errors.js';
import { loadModule } from '../../src/preview/module/load.js';
import { loadStageValues, ModuleResolver } from '../../src/preview/module/resolve.js';
import { REPO, generateModules, type GeneratedModules } from '../support/preview.js';

const ENV = { apiOrigin: 'http://127.0.0.1:4000', siteHost: '127.0.0.1:5000' };
const ORDERS = path.join(REPO, 'generated/orders-api');
const WEBHOOK = path.join(REPO, 'generated/webhook-url');

async function resolver(dir: string, stage?: string): Promise<ModuleResolver> {
  const doc = await loadModule(dir);
  return new ModuleResolver(doc, ENV, stage ? await loadStageValues(doc, stage) : new Map());
}

/** A module folder with the given files. */
function moduleWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-module-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  scratch.push(dir);
  return dir;
}
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('reading the generated module', () => {
  let json: GeneratedModules;
  let hclModules: GeneratedModules;
  beforeAll(async () => {
    const specs = [{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }];
    json = await generateModules(specs, 'json');
    hclModules = await generateModules(specs);
  });
  afterAll(() => {
    json.cleanup();
    hclModules.cleanup();
  });

  it('evaluates the HCL and the JSON form of the same module to the same values', async () => {
    const hcl = await resolver(hclModules.dirs.get('orders-api')!);
    const fromJson = await resolver(json.dirs.get('orders-api')!);
    const probes: [string, string][] = [
      // The OpenAPI document with its VTL, header values and gateway responses, as one string.
      ['aws_api_gateway_rest_api.api', 'body'],
      ['aws_api_gateway_deployment.openapi', 'triggers'],
      ['aws_lambda_function.handler', 'invoke_arn'],
    ];
    for (const [address, attr] of probes)
      expect(fromJson.attribute(address, attr), `${address}.${attr}`).toEqual(hcl.attribute(address, attr));
    expect(fromJson.nested('aws_lambda_function.handler', 'environment')).toEqual(
      hcl.nested('aws_lambda_function.handler', 'environment'),
    );
  });

  it('serves the JSON form of the module like the HCL form', async () => {
    const { startPreview } = await import('../../src/preview/index.js');
    const { send, header } = await import('../support/preview.js');
    const p = await startPreview({ module: json.dirs.get('orders-api')! });
    try {
      const site = p.site.replace(/\/$/, '');
      const r = await send(`${p.api}/orders`, {
        method: 'OPTIONS',
        headers: { Origin: site, 'Access-Control-Request-Method': 'POST' },
      });
      expect(r.status).toBe(204);
      expect(header(r, 'access-control-allow-origin')).toBe(site);
    } finally {
      await p.close();
    }
  });

  it('points the website endpoint at the site server, so the site origin is allowed', async () => {
    const r = await resolver(ORDERS);
    expect(r.local('website_origin')).toBe('http://127.0.0.1:5000');
    expect(r.local('allowed_origins')).toEqual([
      'https://app.example.com',
      'https://admin.example.com',
      'http://127.0.0.1:5000',
    ]);
    expect(r.nested('aws_lambda_function.handler', 'environment')?.['variables']).toMatchObject({
      ALLOWED_ORIGINS: 'https://app.example.com https://admin.example.com http://127.0.0.1:5000',
    });
  });

  it('takes variable values from stages/<stage>.tfvars', async () => {
    const r = await resolver(ORDERS, 'dev');
    expect(r.variable('stage_name')).toBe('dev');
    expect(r.local('cors_exact_origins')).toEqual([
      'http://localhost:3000',
      'https://app.example.com',
      'http://127.0.0.1:5000',
    ]);
    expect(r.attribute('aws_api_gateway_stage.api', 'invoke_url')).toBe('http://127.0.0.1:4000/dev');
  });

  it('names the stages there are when --stage names one that is not', async () => {
    const doc = await loadModule(ORDERS);
    await expect(loadStageValues(doc, 'qa')).rejects.toThrow(PreviewSetupError);
    await expect(loadStageValues(doc, 'qa')).rejects.toMatchObject({
      code: 'unknown-stage',
      message: '--stage "qa": the module has no such stage; its stages are dev',
      fix: 'use --stage dev, or add stages.qa.allowOrigins to the spec and run "cors-gen generate"',
    });
  });

  it('says a module without stages has none, and that --stage can be left out', async () => {
    const doc = await loadModule(WEBHOOK);
    await expect(loadStageValues(doc, 'staging')).rejects.toMatchObject({
      message:
        '--stage "staging": the module has no stages (no stages/*.tfvars); without --stage the preview serves its defaults',
      fix: 'leave --stage out, or add stages.staging.allowOrigins to the spec and run "cors-gen generate"',
    });
  });

  it("runs the variables' validation blocks and fails with the module's own message", async () => {
    const doc = await loadModule(ORDERS);
    const r = new ModuleResolver(doc, ENV, new Map([['allowed_origins', ['https://App.example.com/']]]));
    expect(() => r.validateVariables()).toThrow(ModuleError);
    expect(() => r.validateVariables()).toThrow(/var\.allowed_origins.*written as browsers send them/);
  });

  it('refuses "*" with credentials through the module\'s validation', async () => {
    const r = new ModuleResolver(await loadModule(ORDERS), ENV, new Map([['allowed_origins', ['*']]]));
    expect(() => r.validateVariables()).toThrow(/cannot be used because this API allows credentials/);
  });

  it('parses every expression of the module without complaint', async () => {
    const r = await resolver(ORDERS);
    expect(() => r.checkSyntax()).not.toThrow();
  });
});

describe('failing loudly on what the preview cannot evaluate', () => {
  const variables = 'variable "origins" {\n  type    = list(string)\n  default = ["https://a.example.com"]\n}\n';

  it('names the file, the address and the expression of an unsupported function', async () => {
    const dir = moduleWith({ 'main.tf': `${variables}locals {\n  upper = [for o in var.origins : upper(o)]\n}\n` });
    const r = await resolver(dir);
    let error: unknown;
    try {
      r.checkSyntax();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModuleError);
    const e = error as ModuleError;
    expect(e.location).toMatchObject({ file: 'main.tf', address: 'local.upper' });
    expect(e.location.expression).toContain('upper(o)');
    expect(e.message).toMatch(/main\.tf: local\.upper: function "upper" is not supported/);
  });

  it('refuses count and for_each on a resource', async () => {
    const dir = moduleWith({
      'main.tf': 'resource "aws_api_gateway_rest_api" "api" {\n  count = 2\n  name  = "x"\n}\n',
    });
    await expect(loadModule(dir)).rejects.toThrow(/"count" is not supported by the preview/);
  });

  it('refuses module blocks', async () => {
    const dir = moduleWith({ 'main.tf': 'module "x" {\n  source = "./x"\n}\n' });
    await expect(loadModule(dir)).rejects.toThrow(/"module" blocks are not supported/);
  });

  it('reports invalid HCL with the file name', async () => {
    const dir = moduleWith({ 'broken.tf': 'locals {\n  a = \n' });
    await expect(loadModule(dir)).rejects.toThrow(/broken\.tf: not valid HCL/);
  });

  it('reports a reference to something the module does not declare', async () => {
    const dir = moduleWith({ 'main.tf': `${variables}locals {\n  x = aws_s3_bucket.missing.arn\n}\n` });
    const r = await resolver(dir);
    expect(() => r.local('x')).toThrow(/aws_s3_bucket\.missing is referenced but not declared/);
  });

  it('reports a reference cycle', async () => {
    const dir = moduleWith({ 'main.tf': 'locals {\n  a = local.b\n  b = local.a\n}\n' });
    const r = await resolver(dir);
    expect(() => r.local('a')).toThrow(/reference cycle/);
  });

  it('reports an attribute AWS computes that the preview does not synthesize', async () => {
    const dir = moduleWith({
      'main.tf': 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\nlocals {\n  u = aws_sqs_queue.q.url\n}\n',
    });
    const r = await resolver(dir);
    expect(() => r.local('u')).toThrow(/does not know the attribute "url" of aws_sqs_queue/);
  });

  it('reports an evaluation error with its location (an index out of range outside try)', async () => {
    const dir = moduleWith({ 'main.tf': `${variables}locals {\n  second = var.origins[1]\n}\n` });
    const r = await resolver(dir);
    expect(() => r.local('second')).toThrow(/main\.tf: local\.second: index 1 is out of range/);
  });

  it('converts a tfvars value to the declared type', async () => {
    const dir = moduleWith({
      'main.tf': 'variable "n" {\n  type = number\n}\nvariable "s" {\n  type = string\n}\n',
      'stages/dev.tfvars': 'n = "5"\ns = 7\n',
    });
    const r = await resolver(dir, 'dev');
    expect(r.variable('n')).toBe(5);
    expect(r.variable('s')).toBe('7');
  });

  it('says which variable has no value', async () => {
    const dir = moduleWith({ 'main.tf': 'variable "needed" {\n  type = string\n}\n' });
    const r = await resolver(dir);
    expect(() => r.variable('needed')).toThrow(/var\.needed has no default/);
  });

  it('says the folder is not a module when it has no Terraform files', async () => {
    const dir = moduleWith({ 'README.md': '# nothing\n' });
    await expect(loadModule(dir)).rejects.toThrow(/no Terraform files/);
  });

  it('says a folder that does not exist does not exist (a usage problem)', async () => {
    await expect(loadModule(path.join(os.tmpdir(), 'cors-gen-no-such-module'))).rejects.toThrow(PreviewSetupError);
  });
});
