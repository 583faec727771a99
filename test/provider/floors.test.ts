import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkApplyRules } from '../../src/synth/apply-rules.js';
import { REQUIRED_VERSION } from '../../src/synth/clean-document.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import {
  compareVersions,
  declaredBlocks,
  minimumTerraformVersion,
  minimumVersion,
  PROVIDER_FLOORS,
  TERRAFORM_FLOORS,
  type ProviderFloor,
} from '../../src/synth/provider-floors.js';
import { RUNTIMES } from '../../src/spec/model.js';
import { modelOf, validSpec } from '../support/reliability-specs.js';
import { clone, doc, spec, type Body } from '../support/synth.js';

const providers = (d: Body) => (d.terraform as { required_providers: Record<string, Body> }).required_providers;
const key = (f: ProviderFloor) => [f.provider, f.kind, f.type, f.argument ?? '', f.value ?? ''].join(' ');

describe('provider floors: one table, each entry sourced', () => {
  it('gives every entry a public source and a major.minor.patch version, once per feature', () => {
    for (const f of PROVIDER_FLOORS) {
      expect(f.source, key(f)).toMatch(/^https:\/\/github\.com\/hashicorp\/terraform-provider-(aws|archive)\//);
      expect(f.version, key(f)).toMatch(/^\d+\.\d+\.\d+$/);
      expect(f.type.startsWith(`${f.provider}_`), key(f)).toBe(true);
    }
    const keys = PROVIDER_FLOORS.map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every Terraform language floor a release source', () => {
    for (const f of TERRAFORM_FLOORS) {
      expect(f.source, f.feature).toMatch(
        /^https:\/\/github\.com\/hashicorp\/terraform\/releases\/tag\/v\d+\.\d+\.\d+$/,
      );
      expect(f.source.endsWith(f.version), f.feature).toBe(true);
    }
  });

  it('finds the Terraform language features a module uses (strcontains needs 1.5, removed blocks 1.7)', async () => {
    // A REST module always has removed blocks (the per-resource upgrade); without them, strcontains decides.
    const { removed, ...d } = await doc(spec());
    expect(removed).toBeDefined();
    expect(minimumTerraformVersion({ ...d, removed })).toBe('1.7.0');
    expect(minimumTerraformVersion(d)).toBe('1.5.0');
  });

  it('knows the floor of every runtime the spec offers', () => {
    for (const runtime of RUNTIMES)
      expect(
        PROVIDER_FLOORS.some((f) => f.argument === 'runtime' && f.value === runtime),
        runtime,
      ).toBe(true);
  });

  it('lets REST and HTTP modules with nodejs22.x accept the 5.x line (from 5.77)', async () => {
    for (const api of ['rest', 'http'] as const)
      expect(providers(await doc(spec({ api, lambda: { runtime: 'nodejs22.x' } }))).aws!.version).toBe('>= 5.77');
    expect(providers(await doc(spec({ api: 'http', lambda: { runtime: 'python3.12' } }))).aws!.version).toBe('>= 5.32');
  });

  it('rises to 6.19 with nodejs24.x', async () => {
    for (const api of ['rest', 'http'] as const)
      expect(providers(await doc(spec({ api, lambda: { runtime: 'nodejs24.x' } }))).aws!.version).toBe('>= 6.19');
  });

  it('rises to 6.28 with a Function URL, whatever the runtime', async () => {
    for (const runtime of ['nodejs22.x', 'nodejs24.x', 'python3.12'])
      expect(providers(await doc(spec({ api: 'function-url', routes: [], lambda: { runtime } }))).aws!.version).toBe(
        '>= 6.28',
      );
  });

  it('asks archive >= 2.5 for excludes (glob matching), and >= 2.2 for output_file_mode alone', async () => {
    const d = await doc(spec());
    expect(providers(d).archive).toEqual({ source: 'hashicorp/archive', version: '>= 2.5' });
    const withoutExcludes = clone(d) as { data: { archive_file: Record<string, Body> } };
    delete withoutExcludes.data.archive_file.lambda!.excludes;
    expect(minimumVersion(withoutExcludes, 'archive')).toBe('>= 2.2');
  });

  it.each([
    ['orders-api', '>= 5.77'],
    ['catalog-http', '>= 5.77'],
    ['webhook-url', '>= 6.28'],
  ])('writes the computed floor of the %s example into its versions.tf', (example, aws) => {
    const text = readFileSync(new URL(`../../generated/${example}/versions.tf`, import.meta.url), 'utf8');
    expect(text).toMatch(new RegExp(`source += "hashicorp/aws"\\n +version += "${aws}"`));
    expect(text).toMatch(/source += "hashicorp\/archive"\n +version += ">= 2\.5"/);
  });

  it('covers every resource and data type, runtime and Terraform feature that random valid specs generate', async () => {
    const seed = Number(process.env['CORS_GEN_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
    console.info(`provider floors: seed ${seed} (set CORS_GEN_RELIABILITY_SEED to replay)`);
    const specs = fc.sample(validSpec, { numRuns: 40, seed });
    for (const raw of specs) {
      const { document } = await buildModuleFiles(modelOf(raw), {
        format: 'json',
        specFile: 'cors-gen.yaml',
        specText: JSON.stringify(raw),
        version: '0.0.0-test',
      });
      const terraform = minimumTerraformVersion(document);
      if (terraform)
        expect(
          compareVersions(REQUIRED_VERSION.replace(/^>=\s*/, ''), terraform),
          `required_version ${REQUIRED_VERSION} admits Terraform older than ${terraform}, which this module needs for ${TERRAFORM_FLOORS.filter((f) => f.uses(document) && f.version === terraform).map((f) => f.feature)}`,
        ).toBeGreaterThanOrEqual(0);
      for (const block of declaredBlocks(document)) {
        const known = PROVIDER_FLOORS.some((f) => f.kind === block.kind && f.type === block.type && !f.argument);
        expect(known, `${block.kind}.${block.type} has no entry in PROVIDER_FLOORS (spec ${JSON.stringify(raw)})`).toBe(
          true,
        );
        if (block.type === 'aws_lambda_function')
          expect(PROVIDER_FLOORS.some((f) => f.argument === 'runtime' && f.value === block.body.runtime)).toBe(true);
      }
    }
  });

  it('reports a hand-lowered floor at the resource that needs more, naming the release and its source', async () => {
    const d = clone(await doc(spec({ api: 'http', lambda: { runtime: 'nodejs24.x' } })));
    providers(d).aws!.version = '>= 5.77';
    expect(checkApplyRules(d)).toEqual([
      {
        rule: 'provider-version-covers-arguments',
        address: 'aws_lambda_function.handler',
        message:
          'runtime = "nodejs24.x" exists only from aws provider 6.19.0 (https://github.com/hashicorp/terraform-provider-aws/pull/45024), but required_providers admits ">= 5.77"',
      },
    ]);
  });
});
