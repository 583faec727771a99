/**
 * Day two of the bundled REST example with Terraform's real ordering: every change a user makes to the spec is
 * generated with today's generator and applied, on top of the previous state, to a replica of the module
 * (replica.ts) that drives a model of the AWS account (aws-model.mjs). After every apply the stage serves exactly
 * the spec, the apply did not fail, and a second plan shows no changes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHcl, readModule } from '../../src/terraform/document.js';
import {
  Account,
  computed,
  failureText,
  generateModule,
  restMismatches,
  servedRest,
  terraformMissing,
  Workspace,
  type Spec,
} from './harness.js';
import { moduleFiles } from './replica.js';
import { stepSpecs } from './specs.js';

const missing = terraformMissing();
const TIMEOUT = 120_000;

describe.skipIf(missing !== undefined)(`day two of the REST example${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cors-gen-day-two-'));
  const steps = stepSpecs();
  const modules = new Map<string, string>();
  let account: Account;
  let prod: Workspace;
  let last: { spec: Spec; dir: string };

  beforeAll(async () => {
    for (const { step, spec } of steps) modules.set(step.label, await generateModule(spec, root, step.label));
    account = await new Account().start();
    prod = new Workspace(account, 'prod');
  }, TIMEOUT);

  afterAll(async () => {
    await account?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  for (const { step, spec } of steps) {
    it(
      `${step.title}: one apply, the stage serves the spec, a second plan shows no changes`,
      async () => {
        const dir = modules.get(step.label)!;
        last = { spec, dir };
        const applied = await prod.apply(dir);
        expect(applied.code, failureText(applied.output)).toBe(0);
        const mismatches = restMismatches(account, prod, spec);
        expect(mismatches, mismatches.join('\n')).toEqual([]);
        const plan = await prod.plan(dir);
        expect(plan.code, failureText(plan.output)).toBe(0);
      },
      TIMEOUT,
    );
  }

  it(
    'a second stage next to the first (its own state, stages/dev.tfvars) serves its origins; the first is untouched',
    async () => {
      const before = servedRest(account, prod);
      const dev = new Workspace(account, 'dev');
      const applied = await dev.apply(last.dir, ['stages/dev.tfvars']);
      expect(applied.code, failureText(applied.output)).toBe(0);
      const tfvars = path.join(last.dir, 'stages', 'dev.tfvars');
      const origins = (await parseHcl(readFileSync(tfvars, 'utf8'), tfvars)).allowed_origins as string[];
      const mismatches = restMismatches(account, dev, last.spec, { origins });
      expect(mismatches, mismatches.join('\n')).toEqual([]);
      const again = await dev.plan(last.dir, ['stages/dev.tfvars']);
      expect(again.code, failureText(again.output)).toBe(0);
      expect(servedRest(account, prod)).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    'the same module in a second region of the same account applies (no account-global name collides)',
    async () => {
      const west = new Workspace(account, 'west', 'us-west-2');
      const applied = await west.apply(last.dir);
      expect(applied.code, failureText(applied.output)).toBe(0);
      expect(restMismatches(account, west, last.spec)).toEqual([]);
      const again = await west.plan(last.dir);
      expect(again.code, failureText(again.output)).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'destroy after the site was uploaded fails with BucketNotEmpty by default, and succeeds with force_destroy = true',
    async () => {
      const bucket = computed('bucket', prod.idOf('aws_s3_bucket.site')!);
      account.upload(bucket, ['index.html', 'app.js']);
      const refused = await prod.destroy(last.dir);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain('BucketNotEmpty: The bucket you tried to delete is not empty');
      expect(account.model.buckets[bucket]?.objects).toEqual(['index.html', 'app.js']);

      const doc = await readModule(moduleFiles(last.dir));
      expect(
        doc.variables.get('force_destroy')?.body.default,
        'the module has a force_destroy input, false by default',
      ).toBe(false);
      const forced = await prod.apply(last.dir, ['force_destroy=true']);
      expect(forced.code, failureText(forced.output)).toBe(0);
      const destroyed = await prod.destroy(last.dir, ['force_destroy=true']);
      expect(destroyed.code, failureText(destroyed.output)).toBe(0);
      expect(account.model.buckets[bucket]).toBeUndefined();
      expect(prod.stateAddresses()).toEqual([]);
    },
    TIMEOUT,
  );
});
