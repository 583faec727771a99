/**
 * Version 2 of a module planned against version 1 "applied" (a state built from version 1's plan, see
 * state-from-plan.ts), with the real hashicorp/aws provider offline: the plan's per-resource actions are the
 * provider's own update-or-replace decisions (its ForceNew arguments), read with `terraform show -json`.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { modelOf, spec, type SpecInput } from '../support/synth.js';
import {
  PLUGIN_AWS_VERSION,
  stripArchive,
  terraform,
  unavailable,
  validateAndPlan,
  writeModule,
} from './real-provider.js';
import { writeStateFromPlan, type PlannedDocument } from './state-from-plan.js';

const skipped = unavailable();
/** REST and HTTP with the runtime 5.100 accepts; the frontend on, so every resource type takes part. */
const V1: Record<'rest' | 'http', SpecInput> = {
  rest: spec({ name: 'shop', lambda: { runtime: 'nodejs22.x' } }),
  http: spec({ name: 'shop', api: 'http', lambda: { runtime: 'nodejs22.x' } }),
};

async function files(input: SpecInput): Promise<{ files: Array<[string, string]>; doc: TerraformDocument }> {
  const m = await buildModuleFiles(modelOf(input), {
    format: 'hcl',
    specFile: 'cors-gen.yaml',
    specText: JSON.stringify(input),
    version: '0.0.0-test',
  });
  return { files: [...m.generated, ...m.userOwned], doc: m.document };
}

/** Replaces the module's `.tf` files in `dir` by those of `input` (the state and the provider file stay). */
async function useVersion(dir: string, input: SpecInput): Promise<TerraformDocument> {
  for (const f of readdirSync(dir)) if (f.endsWith('.tf') && f !== 'test_provider.tf') rmSync(path.join(dir, f));
  const { files: all, doc } = await files(input);
  writeModule(dir, all);
  stripArchive(dir);
  return doc;
}

/** `plan -refresh=false` against the state in `dir`: address -> actions, for every resource that changes. */
async function changes(dir: string): Promise<Record<string, string>> {
  const planned = await terraform(dir, ['plan', '-refresh=false', '-input=false', '-no-color', '-out=v2.bin']);
  if (planned.code !== 0) throw new Error(`plan failed:\n${planned.stderr}${planned.stdout}`);
  const shown = await terraform(dir, ['show', '-json', 'v2.bin']);
  const plan = JSON.parse(shown.stdout) as PlannedDocument;
  const out: Record<string, string> = {};
  for (const rc of plan.resource_changes ?? [])
    if (rc.mode === 'managed' && rc.change.actions.join() !== 'no-op') out[rc.address] = rc.change.actions.join();
  return out;
}

describe.skipIf(skipped !== undefined)(
  `hashicorp/aws ${PLUGIN_AWS_VERSION} decides what version 2 updates or replaces over version 1${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    const dirs: Partial<Record<'rest' | 'http', string>> = {};

    beforeAll(async () => {
      await Promise.all(
        (['rest', 'http'] as const).map(async (api) => {
          const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), `cors-gen-provider-v1-${api}-`)));
          dirs[api] = dir;
          const doc = await useVersion(dir, V1[api]);
          const { failures, plan, schema } = await validateAndPlan(dir, new Map([['', `version 1 (${api})`]]));
          if (!plan || !schema) throw new Error(`version 1 does not plan:\n${failures.join('\n')}`);
          await writeStateFromPlan(dir, plan as PlannedDocument, schema, doc);
        }),
      );
    }, 600_000);

    afterAll(() => {
      for (const dir of Object.values(dirs)) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each(['rest', 'http'] as const)(
      'sees no change when version 1 is planned again over its own state (%s): the state is faithful',
      async (api) => {
        await useVersion(dirs[api]!, V1[api]);
        expect(await changes(dirs[api]!)).toEqual({});
      },
      300_000,
    );

    it('updates the function in place, and replaces nothing, when only the runtime changes', async () => {
      await useVersion(dirs.rest!, { ...V1.rest, lambda: { runtime: 'python3.12' } });
      const c = await changes(dirs.rest!);
      expect(c['aws_lambda_function.handler']).toBe('update');
      expect(Object.entries(c).filter(([, a]) => a.includes('delete'))).toEqual([]);
    }, 300_000);

    it('replaces the function when its name changes: function_name forces a new function', async () => {
      await useVersion(dirs.http!, { ...V1.http, name: 'shop-two' });
      expect((await changes(dirs.http!))['aws_lambda_function.handler']).toMatch(/^(delete,create|create,delete)$/);
    }, 300_000);

    it('creates a new deployment before deleting the old one when a route is removed', async () => {
      const routes = V1.rest.routes!.filter((r) => r.path !== '/orders/{orderId}/items');
      await useVersion(dirs.rest!, { ...V1.rest, routes });
      expect((await changes(dirs.rest!))['aws_api_gateway_deployment.openapi']).toBe('create,delete');
    }, 300_000);
  },
);
