/**
 * Why the REST module's upgrade from the per-resource form forgets the old deployment too, and deploys the body
 * from another address (`aws_api_gateway_deployment.openapi`): Terraform's own graph, reproduced with four plain
 * `terraform_data` resources. Forgetting objects (`removed { lifecycle { destroy = false } }`) in the run that
 * replaces a `create_before_destroy` resource that depended on them is a cycle in Terraform 1.11 ("Error: Cycle:
 * ... (forget)"; https://github.com/hashicorp/terraform/issues/36154); forgetting that resource as well, and
 * creating its successor at a new address, is not.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Account, terraformMissing, Workspace } from './harness.js';

const missing = terraformMissing();
const TIMEOUT = 120_000;
const CBD = 'lifecycle {\n    create_before_destroy = true\n  }';
const FORGET = (from: string): string => `removed {\n  from = ${from}\n  lifecycle {\n    destroy = false\n  }\n}\n`;
const V1 =
  'resource "terraform_data" "api" { input = "v1" }\n' +
  'resource "terraform_data" "method" { triggers_replace = terraform_data.api.id }\n' +
  `resource "terraform_data" "deployment" {\n  triggers_replace = sha1(jsonencode([terraform_data.method]))\n  ${CBD}\n}\n` +
  'resource "terraform_data" "stage" { input = terraform_data.deployment.id }\n';

async function upgrade(v2: string): Promise<{ code: number; output: string }> {
  const account = await new Account().start();
  try {
    const ws = new Workspace(account, 'graph');
    const write = (main: string): void => writeFileSync(path.join(ws.dir, 'main.tf'), main);
    write(V1);
    expect((await ws.terraform(['init', '-input=false', '-no-color'])).code).toBe(0);
    expect((await ws.terraform(['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
    write(v2);
    return await ws.terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
  } finally {
    await account.stop();
  }
}

describe.skipIf(missing !== undefined)(`the upgrade's graph${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it(
    'forgetting the objects a replaced create_before_destroy deployment depended on is a cycle',
    async () => {
      const applied = await upgrade(
        'resource "terraform_data" "api" { input = "v2" }\n' +
          `resource "terraform_data" "deployment" {\n  triggers_replace = sha1(terraform_data.api.output)\n  ${CBD}\n}\n` +
          'resource "terraform_data" "stage" { input = terraform_data.deployment.id }\n' +
          FORGET('terraform_data.method'),
      );
      expect(applied.code).not.toBe(0);
      expect(applied.output).toMatch(/Error: Cycle: .*terraform_data\.method \(forget\)/);
    },
    TIMEOUT,
  );

  it(
    'forgetting that deployment too, with its successor at another address, applies in one run',
    async () => {
      const applied = await upgrade(
        'resource "terraform_data" "api" { input = "v2" }\n' +
          `resource "terraform_data" "openapi" {\n  triggers_replace = sha1(terraform_data.api.output)\n  ${CBD}\n}\n` +
          'resource "terraform_data" "stage" { input = terraform_data.openapi.id }\n' +
          FORGET('terraform_data.method') +
          FORGET('terraform_data.deployment'),
      );
      expect(applied.code, applied.output).toBe(0);
      expect(applied.output).toMatch(/Resources: 1 added, 2 changed, 0 destroyed/);
    },
    TIMEOUT,
  );
});
