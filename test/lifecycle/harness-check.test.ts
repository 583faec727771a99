/**
 * The harness checked against a module it must pass: the per-resource REST module rewritten into the OpenAPI
 * body shape (contract-module.ts). The same steps that fail on the per-resource module (a removed route stays
 * live, a renamed path parameter cannot apply) pass here, and a state applied from the frozen per-resource module
 * upgrades to it in one apply, so those failures are the module's and not the harness's.
 *
 * Found on the way: with Terraform 1.11, `removed { lifecycle { destroy = false } }` for the per-resource
 * objects cannot apply in the same run that updates the REST API and replaces the `create_before_destroy`
 * deployment that depended on them ("Error: Cycle: ... (forget)"); Terraform orders the forget like a destroy of
 * a dependent, before its dependency's update and after the deposed deployment. Related reports:
 * github.com/hashicorp/terraform/issues/36154, /issues/24947.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOpenApiModule } from './contract-module.js';
import { Account, failureText, generateModule, restMismatches, terraformMissing, Workspace } from './harness.js';
import { stepSpecs } from './specs.js';

const missing = terraformMissing();
const TIMEOUT = 120_000;
const STEPS = ['first-apply', 'add-route', 'remove-route', 'credentials-off', 'rename-param'];
const V0 = fileURLToPath(new URL('../fixtures/lifecycle/v0/first-apply', import.meta.url));

describe.skipIf(missing !== undefined)(
  `the harness on an OpenAPI-body REST module${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cors-gen-harness-check-'));
    const steps = stepSpecs().filter((s) => STEPS.includes(s.step.label));
    const modules = new Map<string, string>();
    let account: Account;
    let ws: Workspace;

    beforeAll(async () => {
      for (const { step, spec } of steps) {
        const dir = path.join(root, 'openapi', step.label);
        await toOpenApiModule(await generateModule(spec, root, step.label), dir);
        modules.set(step.label, dir);
      }
      account = await new Account().start();
      ws = new Workspace(account, 'prod');
    }, TIMEOUT);

    afterAll(async () => {
      await account?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    it('the rewritten module holds the API in the body and no per-resource API Gateway resource', () => {
      const main = readFileSync(path.join(modules.get('first-apply')!, 'main.tf.json'), 'utf8');
      expect(main).toContain('"put_rest_api_mode": "overwrite"');
      expect(main).not.toMatch(/"aws_api_gateway_method"\s*:/);
    });

    for (const { step, spec } of steps) {
      it(
        `${step.title}: passes`,
        async () => {
          const applied = await ws.apply(modules.get(step.label)!);
          expect(applied.code, failureText(applied.output)).toBe(0);
          const mismatches = restMismatches(account, ws, spec);
          expect(mismatches, mismatches.join('\n')).toEqual([]);
          const again = await ws.plan(modules.get(step.label)!);
          expect(again.code, failureText(again.output)).toBe(0);
        },
        TIMEOUT,
      );
    }

    it(
      'a state applied from the frozen per-resource module upgrades in one apply when Terraform destroys the per-resource objects',
      async () => {
        const upgrade = await new Account().start();
        try {
          const prod = new Workspace(upgrade, 'prod');
          expect((await prod.apply(V0)).code).toBe(0);
          const dir = path.join(root, 'openapi-orphans');
          await toOpenApiModule(await generateModule(steps[0]!.spec, root, 'orphans'), dir, false);
          const applied = await prod.apply(dir);
          expect(applied.code, failureText(applied.output)).toBe(0);
          const mismatches = restMismatches(upgrade, prod, steps[0]!.spec);
          expect(mismatches, mismatches.join('\n')).toEqual([]);
          const again = await prod.plan(dir);
          expect(again.code, failureText(again.output)).toBe(0);
          // The orphans' deletes ran after the body was put and deployed; the next change puts the whole body again
          // before it deploys, so the stage keeps serving the spec.
          const next = steps.find((s) => s.step.label === 'add-route')!;
          const nextDir = path.join(root, 'openapi-orphans-next');
          await toOpenApiModule(await generateModule(next.spec, root, 'orphans-next'), nextDir, false);
          const nextApplied = await prod.apply(nextDir);
          expect(nextApplied.code, failureText(nextApplied.output)).toBe(0);
          const nextMismatches = restMismatches(upgrade, prod, next.spec);
          expect(nextMismatches, nextMismatches.join('\n')).toEqual([]);
        } finally {
          await upgrade.stop();
        }
      },
      TIMEOUT,
    );

    it(
      'forgetting the per-resource objects with removed { destroy = false } is a Terraform graph cycle (the deposed deployment depended on them)',
      async () => {
        const upgrade = await new Account().start();
        try {
          const prod = new Workspace(upgrade, 'prod');
          expect((await prod.apply(V0)).code).toBe(0);
          const applied = await prod.apply(modules.get('first-apply')!);
          expect(applied.code).not.toBe(0);
          expect(applied.output).toMatch(/Error: Cycle: .*\(forget\)/);
        } finally {
          await upgrade.stop();
        }
      },
      TIMEOUT,
    );

    it(
      "the cycle is Terraform's own: four plain terraform_data resources reproduce it",
      async () => {
        const account = await new Account().start();
        try {
          const ws = new Workspace(account, 'repro');
          const write = (main: string): void => writeFileSync(path.join(ws.dir, 'main.tf'), main);
          const stage = 'resource "terraform_data" "stage" { input = terraform_data.deployment.id }\n';
          const cbd = 'lifecycle {\n    create_before_destroy = true\n  }';
          write(
            'resource "terraform_data" "api" { input = "v1" }\n' +
              'resource "terraform_data" "method" { triggers_replace = terraform_data.api.id }\n' +
              `resource "terraform_data" "deployment" {\n  triggers_replace = sha1(jsonencode([terraform_data.method]))\n  ${cbd}\n}\n` +
              stage,
          );
          expect((await ws.terraform(['init', '-input=false', '-no-color'])).code).toBe(0);
          expect((await ws.terraform(['apply', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
          write(
            'resource "terraform_data" "api" { input = "v2" }\n' +
              `resource "terraform_data" "deployment" {\n  triggers_replace = sha1(terraform_data.api.output)\n  ${cbd}\n}\n` +
              stage +
              'removed {\n  from = terraform_data.method\n  lifecycle {\n    destroy = false\n  }\n}\n',
          );
          const applied = await ws.terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
          expect(applied.output).toMatch(/Error: Cycle: .*terraform_data\.method \(forget\)/);
        } finally {
          await account.stop();
        }
      },
      TIMEOUT,
    );
  },
);
