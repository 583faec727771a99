/**
 * The replica of a generated module: the same addresses, references, ForceNew split and lifecycle, and, run with
 * Terraform, a first apply, an empty second plan and a destroy that leaves the modelled account empty, for every
 * committed example (REST, HTTP API, Function URL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { Account, failureText, terraformMissing, Workspace } from './harness.js';
import { buildReplica } from './replica.js';

const missing = terraformMissing();
const example = (name: string): string => fileURLToPath(new URL(`../../generated/${name}`, import.meta.url));
const EXAMPLES = ['orders-api', 'catalog-http', 'webhook-url', 'notes-node', 'notes-python'];
/** The frozen per-resource REST module: the most references and ForceNew arguments to model. */
const PER_RESOURCE = fileURLToPath(new URL('../fixtures/lifecycle/v0/first-apply', import.meta.url));
type Resource = {
  triggers_replace: Record<string, unknown>;
  input: Record<string, unknown>;
  depends_on?: string[];
  lifecycle?: unknown;
};
const resourcesOf = (config: Record<string, unknown>): Record<string, Resource> =>
  (config.resource as { terraform_data: Record<string, Resource> }).terraform_data;

/** A module with the CloudFront frontend (aliases, certificate, single-page app), generated into a scratch folder. */
let cdnRoot: string;
let cdnModule: string;
beforeAll(async () => {
  cdnRoot = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-replica-cdn-'));
  writeFileSync(
    path.join(cdnRoot, 'cors-gen.yaml'),
    'version: 1\nname: shop-cdn\napi: http\ncors:\n  allowOrigins: ["https://app.example.com"]\nroutes:\n  - path: /items\n    methods: [GET]\nfrontend:\n  cdn: true\n  aliases: [www.example.com]\n  certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666\n  spa: true\n',
  );
  const result = await generate({ cwd: cdnRoot });
  if (!('dir' in result) || !result.ok) throw new Error(`generate failed: ${JSON.stringify(result)}`);
  cdnModule = path.join(cdnRoot, 'generated', 'shop-cdn');
});
afterAll(() => rmSync(cdnRoot, { recursive: true, force: true }));

describe('the replica of a generated module', () => {
  it("models the CloudFront frontend's types with their ForceNew split", async () => {
    const { config } = await buildReplica(cdnModule, 'http://127.0.0.1:9');
    const r = resourcesOf(config);
    expect(Object.keys(r['aws_cloudfront_distribution__site']!.triggers_replace)).toEqual([]);
    expect(Object.keys(r['aws_cloudfront_origin_access_control__site']!.triggers_replace)).toEqual([]);
    expect(r['aws_s3_bucket_ownership_controls__site']!.triggers_replace).toEqual({
      bucket: expect.stringContaining('terraform_data.aws_s3_bucket__site'),
    });
  });

  it('names each resource after its address, puts ForceNew arguments in triggers_replace and keeps the references', async () => {
    const { config } = await buildReplica(PER_RESOURCE, 'http://127.0.0.1:9');
    const method = resourcesOf(config)['aws_api_gateway_method__orders_get']!;
    expect(method.triggers_replace).toEqual({
      http_method: 'GET',
      resource_id: '${terraform_data.aws_api_gateway_resource__orders.id}',
      rest_api_id: '${terraform_data.aws_api_gateway_rest_api__api.id}',
    });
    expect(method.input).toEqual({ authorization: 'NONE' });
    expect(method.depends_on).toContain('terraform_data.aws_api_gateway_resource__orders__apply');
    const deployment = resourcesOf(config)['aws_api_gateway_deployment__api']!;
    expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
    expect(JSON.stringify(deployment.triggers_replace)).toContain('terraform_data.aws_api_gateway_method__orders_get,');
    // An argument another resource reads is known at plan, as with the real provider: inlined, not read back.
    const response = resourcesOf(config)['aws_api_gateway_method_response__orders_options']!;
    expect(response.triggers_replace.http_method).toBe('OPTIONS');
    expect(response.depends_on).toContain('terraform_data.aws_api_gateway_method__orders_options');
  });

  it('models every resource type of every example (a type without a ForceNew list is refused)', async () => {
    for (const name of EXAMPLES) {
      const { addresses } = await buildReplica(example(name), 'http://127.0.0.1:9');
      expect(addresses.length).toBeGreaterThan(5);
    }
  });

  it('keeps deleting an object the module dropped: a removed block carries its destroy provisioner', async () => {
    const { config } = await buildReplica(example('orders-api'), 'http://127.0.0.1:9', [
      'terraform_data.aws_api_gateway_method__gone_delete',
    ]);
    expect(config.removed).toEqual([
      expect.objectContaining({
        from: 'terraform_data.aws_api_gateway_method__gone_delete',
        lifecycle: { destroy: true },
      }),
    ]);
    expect(JSON.stringify(config.removed)).toContain('address = \\"aws_api_gateway_method.gone_delete\\"');
  });
});

describe.skipIf(missing !== undefined)(`the replica with Terraform${missing ? ` (skipped: ${missing})` : ''}`, () => {
  for (const name of [...EXAMPLES, 'cdn']) {
    it(`${name}: applies, plans no changes, and destroys to an empty account`, async () => {
      const dir = name === 'cdn' ? cdnModule : example(name);
      const account = await new Account().start();
      try {
        const ws = new Workspace(account, name);
        const applied = await ws.apply(dir);
        expect(applied.code, failureText(applied.output)).toBe(0);
        const again = await ws.plan(dir);
        expect(again.code, failureText(again.output)).toBe(0);
        const destroyed = await ws.destroy(dir);
        expect(destroyed.code, failureText(destroyed.output)).toBe(0);
        expect(account.model.objects).toEqual({});
        expect(account.model.roles).toEqual({});
        expect(account.model.buckets).toEqual({});
      } finally {
        await account.stop();
      }
    }, 120_000);
  }
});
