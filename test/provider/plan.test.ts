/**
 * The real AWS provider in the loop: every example module whose provider floor admits the plugin directory's
 * release, and at least 50 random valid specs' modules (REST and HTTP API), planned together from one root
 * configuration with `hashicorp/aws` 5.100.0 from /opt/tf-plugins, offline. `terraform validate` and
 * `terraform plan -refresh=false` run the provider's own schema and value validation (argument names, types,
 * enums such as Lambda runtimes, ARN formats) without any API call; zero errors are allowed.
 *
 * The plan does not depend on the shape of the module: whatever the generator emits is planned.
 */
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { compareVersions, constraintMinimum, declaredBlocks } from '../../src/synth/provider-floors.js';
import { modelOf, validSpec, withAuthorizers } from '../support/reliability-specs.js';
import {
  addModule,
  PLUGIN_AWS_VERSION,
  unavailable,
  validateAndPlan,
  writeModule,
  writeRoot,
  type PlanJson,
} from './real-provider.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SEED = Number(process.env['CORS_GEN_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
const RANDOM_MODULES = 50;
/**
 * Data sources are read even with -refresh=false; these answer from the provider's own configuration (the
 * partition and region it was configured with) and never call AWS. `archive_file` is replaced in the copies.
 */
const LOCAL_DATA_SOURCES = new Set(['aws_partition', 'aws_region', 'archive_file']);

const skipped = unavailable();

const LAMBDA_INPUTS = {
  memorySize: 1024,
  timeout: 25,
  environment: { TABLE_NAME: 'orders', LOG_LEVEL: 'info' },
  policyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess', 'arn:aws:iam::123456789012:policy/team/orders'],
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: 'arn:aws:dynamodb:*:*:table/orders' }],
  },
  layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:deps:3'],
  vpc: {
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    securityGroupIds: ['sg-0123456789abcdef0'],
  },
};
/** Test-only specs, one per API kind the plugin release plans, with every `lambda` key that feeds an input and a custom domain. */
const ALL_INPUT_SPECS: Record<string, Record<string, unknown>> = Object.fromEntries(
  (['rest', 'http'] as const).map((api) => [
    `inputs_${api}`,
    {
      version: 1,
      name: `inputs-${api}`,
      api,
      cors: { allowOrigins: ['https://app.example.com'] },
      routes: [{ path: '/orders', methods: ['GET', 'POST'] }],
      lambda: LAMBDA_INPUTS,
      // The custom domain with its Route 53 alias: every domain resource of this API kind is planned.
      domain: {
        name: `api-${api}.example.com`,
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        zoneId: 'Z0123456789ABCDEFGHIJ',
      },
    },
  ]),
);
/** The CloudFront frontend: with aliases, certificate and single-page-app answers (HTTP), and bare (REST). */
const CDN_SPECS: Record<string, Record<string, unknown>> = {
  cdn_http: {
    version: 1,
    name: 'cdn-http',
    api: 'http',
    cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true },
    routes: [{ path: '/orders', methods: ['GET', 'POST'] }],
    frontend: {
      cdn: true,
      aliases: ['www.example.com', 'example.com'],
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
      spa: true,
    },
  },
  cdn_rest: {
    version: 1,
    name: 'cdn-rest',
    api: 'rest',
    cors: { allowOrigins: ['https://app.example.com'] },
    routes: [{ path: '/orders', methods: ['GET'] }],
    frontend: { cdn: true },
  },
};

/** Whether a `>= x.y[.z]` constraint admits `version`. */
function admits(constraint: string, version: string): boolean {
  const minimum = constraintMinimum(constraint);
  if (!minimum) throw new Error(`not a minimum version: ${constraint}`);
  return compareVersions(minimum, version) <= 0;
}

describe.skipIf(skipped !== undefined)(
  `the real hashicorp/aws ${PLUGIN_AWS_VERSION} validates and plans the generated modules${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    let root: string;
    /** Module key -> what it was generated from, for failure messages. */
    const origin = new Map<string, string>();
    let plan: PlanJson | undefined;
    const failures: string[] = [];

    beforeAll(async () => {
      root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cors-gen-provider-plan-')));
      console.info(
        `provider plan: seed ${SEED} (set CORS_GEN_RELIABILITY_SEED to replay), ${RANDOM_MODULES} random modules, work folder ${root}`,
      );
      for (const example of readdirSync(path.join(REPO, 'generated')).sort()) {
        const dir = path.join(REPO, 'generated', example);
        const aws = /source += "hashicorp\/aws"\n +version += "([^"]+)"/.exec(
          readFileSync(path.join(dir, 'versions.tf'), 'utf8'),
        )?.[1];
        if (!aws) throw new Error(`${dir}/versions.tf has no hashicorp/aws version`);
        if (!admits(aws, PLUGIN_AWS_VERSION)) continue;
        const key = `example_${example.replace(/-/g, '_')}`;
        addModule(root, key, dir);
        origin.set(key, `generated/${example}`);
      }
      // Every input of the function set from the spec (extra policies, inline policy, layers, VPC, environment).
      for (const [key, raw] of Object.entries({ ...ALL_INPUT_SPECS, ...CDN_SPECS })) {
        const files = await buildModuleFiles(modelOf(raw), {
          format: 'hcl',
          specFile: 'cors-gen.yaml',
          specText: JSON.stringify(raw),
          version: '0.0.0-test',
        });
        const staging = path.join(root, 'staging', key);
        writeModule(staging, [...files.generated, ...files.userOwned]);
        addModule(root, key, staging);
        origin.set(key, `every lambda input set: ${JSON.stringify(raw)}`);
      }
      let accepted = 0;
      const apis = new Set<string>();
      for (const [i, sampled] of fc.sample(validSpec, { numRuns: RANDOM_MODULES * 6, seed: SEED }).entries()) {
        if (accepted === RANDOM_MODULES) break;
        // Every other module with authorizers (each kind in turn), so their resources meet the provider too.
        const raw = i % 2 === 1 ? withAuthorizers(sampled, (i - 1) / 2) : sampled;
        const files = await buildModuleFiles(modelOf(raw), {
          format: 'hcl',
          specFile: 'cors-gen.yaml',
          specText: JSON.stringify(raw),
          version: '0.0.0-test',
        });
        const aws = (files.document.terraform as { required_providers: Record<string, { version: string }> })
          .required_providers.aws!.version;
        if (!admits(aws, PLUGIN_AWS_VERSION)) continue;
        const unexpected = declaredBlocks(files.document).filter(
          (b) => b.kind === 'data' && !LOCAL_DATA_SOURCES.has(b.type),
        );
        if (unexpected.length > 0)
          failures.push(
            `random spec ${i}: data sources that call AWS even on plan: ${unexpected.map((b) => b.type).join(', ')} (${JSON.stringify(raw)})`,
          );
        const key = `random_${String(i).padStart(3, '0')}`;
        const staging = path.join(root, 'staging', key);
        writeModule(staging, [...files.generated, ...files.userOwned]);
        addModule(root, key, staging);
        origin.set(key, `seed ${SEED}, sample ${i}: ${JSON.stringify(raw)}`);
        apis.add(String(raw['api']));
        accepted++;
      }
      rmSync(path.join(root, 'staging'), { recursive: true, force: true });
      if (accepted < RANDOM_MODULES) throw new Error(`only ${accepted} random specs admit ${PLUGIN_AWS_VERSION}`);
      if (!apis.has('rest') || !apis.has('http')) throw new Error(`the random modules cover only ${[...apis]}`);
      writeRoot(root);

      const result = await validateAndPlan(root, origin);
      failures.push(...result.failures);
      plan = result.plan;
    }, 900_000);

    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('accepts every module: validate and plan end without an error', () => {
      expect(failures, failures.join('\n\n')).toEqual([]);
      expect(plan?.resource_changes?.length ?? 0).toBeGreaterThan(0);
    });

    it('plans every module as a creation of all its resources', () => {
      const byModule = new Map<string, number>();
      for (const rc of plan?.resource_changes ?? []) {
        if (rc.mode !== 'managed') continue;
        expect(rc.change.actions, rc.address).toEqual(['create']);
        const key = /^module\.([^.]+)/.exec(rc.module_address ?? '')?.[1] ?? '';
        byModule.set(key, (byModule.get(key) ?? 0) + 1);
      }
      expect([...byModule.keys()].sort()).toEqual([...origin.keys()].sort());
    });

    it('reads no data source that calls AWS (a call would have failed the plan on 127.0.0.1:1)', () => {
      const read = (plan?.prior_state?.values?.root_module?.child_modules ?? [])
        .flatMap((m) => m.resources ?? [])
        .filter((r) => r.mode === 'data');
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((r) => !LOCAL_DATA_SOURCES.has(r.type)).map((r) => r.address)).toEqual([]);
    });

    it('plans the examples whose floor admits the plugin release, and only those stay out', () => {
      const planned = [...origin.values()].filter((o) => o.startsWith('generated/')).map((o) => o.slice(10));
      expect(planned).toEqual(expect.arrayContaining(['orders-api', 'catalog-http', 'notes-node', 'notes-python']));
      expect(planned).not.toContain('webhook-url');
    });

    it("fails naming the module and the provider's message when the provider rejects a module", async () => {
      // nodejs24.x is newer than 5.100's runtime list: the floor table puts it at 6.19, and the provider agrees.
      const bad = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cors-gen-provider-reject-')));
      try {
        addModule(bad, 'example_orders_api_nodejs24', path.join(REPO, 'generated', 'orders-api'));
        const main = path.join(bad, 'modules', 'example_orders_api_nodejs24', 'main.tf');
        writeFileSync(
          main,
          readFileSync(main, 'utf8').replace(/runtime( +)= "nodejs22\.x"/, 'runtime$1= "nodejs24.x"'),
        );
        writeRoot(bad);
        const { failures: rejected, plan: none } = await validateAndPlan(
          bad,
          new Map([['example_orders_api_nodejs24', 'generated/orders-api with runtime nodejs24.x']]),
        );
        expect(none).toBeUndefined();
        expect(rejected).toHaveLength(1);
        expect(rejected[0]).toMatch(
          /^validate: module example_orders_api_nodejs24 \(generated\/orders-api with runtime nodejs24\.x\): .*expected runtime to be one of .*got nodejs24\.x/s,
        );
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    }, 300_000);
  },
);
