/**
 * The per-resource REST module cors-gen generated before the API moved into an OpenAPI body, frozen in
 * test/fixtures/lifecycle/v0 with the specs that produced it. Terraform orders its day-two changes in ways API
 * Gateway punishes; these tests keep proving that the lifecycle harness sees both failures, and that a state
 * applied from it upgrades to today's generator in one apply.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Account,
  failureText,
  generateModule,
  restMismatches,
  terraformMissing,
  Workspace,
  type Spec,
} from './harness.js';
import { stepSpecs } from './specs.js';

const missing = terraformMissing();
const TIMEOUT = 120_000;
const V0 = fileURLToPath(new URL('../fixtures/lifecycle/v0/', import.meta.url));
const frozen = (label: string): { dir: string; spec: Spec } => ({
  dir: path.join(V0, label),
  spec: parse(readFileSync(path.join(V0, label, 'cors-gen.yaml'), 'utf8')) as Spec,
});

describe.skipIf(missing !== undefined)(
  `the frozen per-resource REST module${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let account: Account | undefined;
    afterEach(async () => {
      await account?.stop();
      account = undefined;
    });

    it(
      'keeps serving a removed route: the new deployment is created before the orphaned method is deleted, and the next plan shows no changes',
      async () => {
        account = await new Account().start();
        const ws = new Workspace(account, 'prod');
        const first = frozen('first-apply');
        const applied = await ws.apply(first.dir);
        expect(applied.code, failureText(applied.output)).toBe(0);
        expect(restMismatches(account, ws, first.spec)).toEqual([]);

        const removal = frozen('remove-route');
        const removed = await ws.apply(removal.dir);
        expect(removed.code, failureText(removed.output)).toBe(0);
        expect(restMismatches(account, ws, removal.spec)).toEqual(['stale DELETE /orders/{orderId}']);
        expect((await ws.plan(removal.dir)).code, 'Terraform sees nothing left to do').toBe(0);
      },
      TIMEOUT,
    );

    it(
      'cannot rename a path parameter: every apply creates {id} beside {orderId} and API Gateway refuses it',
      async () => {
        account = await new Account().start();
        const ws = new Workspace(account, 'prod');
        expect((await ws.apply(frozen('first-apply').dir)).code).toBe(0);
        const rename = frozen('rename-param');
        for (let attempt = 0; attempt < 2; attempt++) {
          const applied = await ws.apply(rename.dir);
          expect(applied.code).not.toBe(0);
          expect(applied.output.replace(/\s+/g, ' ')).toContain(
            'BadRequestException: A sibling ({orderId}) of this resource already has a variable path part -- only one is allowed',
          );
        }
      },
      TIMEOUT,
    );

    it(
      'replaces production when a second stage is applied into the same state (apply, then apply -var-file=stages/dev.tfvars)',
      async () => {
        account = await new Account().start();
        const ws = new Workspace(account, 'prod');
        const first = frozen('first-apply');
        expect((await ws.apply(first.dir)).code).toBe(0);
        const plan = await ws.plan(first.dir, ['stages/dev.tfvars']);
        expect(plan.code).toBe(2);
        const replaced = [...plan.output.matchAll(/# terraform_data\.(\w+) must be replaced/g)].map((m) => m[1]);
        for (const address of [
          'aws_lambda_function__handler',
          'aws_iam_role__lambda',
          'aws_cloudwatch_log_group__lambda',
          'aws_s3_bucket__site',
          'aws_api_gateway_stage__api',
        ])
          expect(replaced).toContain(address);
      },
      TIMEOUT,
    );

    it(
      "upgrades to today's generator in one apply, and the upgraded module then removes a route cleanly",
      async () => {
        account = await new Account().start();
        const ws = new Workspace(account, 'prod');
        expect((await ws.apply(frozen('first-apply').dir)).code).toBe(0);
        const root = mkdtempSync(path.join(tmpdir(), 'cors-gen-upgrade-'));
        try {
          const steps = stepSpecs();
          const first = steps.find((s) => s.step.label === 'first-apply')!.spec;
          const upgraded = await generateModule(first, root, 'upgrade');
          const applied = await ws.apply(upgraded);
          expect(applied.code, failureText(applied.output)).toBe(0);
          const afterUpgrade = restMismatches(account, ws, first);
          expect(afterUpgrade, afterUpgrade.join('\n')).toEqual([]);
          const again = await ws.plan(upgraded);
          expect(again.code, failureText(again.output)).toBe(0);

          const removal = frozen('remove-route').spec;
          const next = await generateModule(removal, root, 'upgrade-then-remove');
          const removed = await ws.apply(next);
          expect(removed.code, failureText(removed.output)).toBe(0);
          const afterRemoval = restMismatches(account, ws, removal);
          expect(afterRemoval, afterRemoval.join('\n')).toEqual([]);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
      TIMEOUT,
    );
  },
);
