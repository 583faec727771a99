/**
 * Runs the real `hashicorp/aws` provider (from a local plugin directory, no registry) on generated modules,
 * offline: one root configuration with a `module` block per module, a test-only provider block with fake keys and
 * every endpoint on a closed local port, `archive_file` replaced by a local (the archive provider is not in the
 * plugin directory), then `terraform init`, `validate` and `plan -refresh=false`.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const TERRAFORM = '/usr/local/bin/terraform';
export const PLUGIN_DIR = '/opt/tf-plugins';
/** The provider release the plugin directory holds. */
export const PLUGIN_AWS_VERSION = '5.100.0';

/** Why the real-provider tests cannot run here, or undefined when they can. */
export function unavailable(): string | undefined {
  if (!existsSync(TERRAFORM)) return `no terraform binary at ${TERRAFORM}`;
  const aws = path.join(PLUGIN_DIR, 'registry.terraform.io/hashicorp/aws', PLUGIN_AWS_VERSION);
  if (!existsSync(aws)) return `no hashicorp/aws ${PLUGIN_AWS_VERSION} in ${PLUGIN_DIR}`;
  return undefined;
}

const run = promisify(execFile);

/** One `terraform` command in `dir`, with no network (no checkpoint call) and no user configuration. */
export async function terraform(
  dir: string,
  args: readonly string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cliConfig = path.join(dir, '.terraformrc');
  if (!existsSync(cliConfig)) writeFileSync(cliConfig, '');
  try {
    const running = run(TERRAFORM, [`-chdir=${dir}`, ...args], {
      maxBuffer: 512 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        TF_CLI_CONFIG_FILE: cliConfig,
        CHECKPOINT_DISABLE: '1',
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
      },
    });
    running.child.stdin?.end(stdin);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const ARCHIVE_DATA = /^data "archive_file" "([A-Za-z0-9_-]+)" \{\n[\s\S]*?^\}\n/gm;
const ARCHIVE_REQUIREMENT = /^ *archive = \{\n[\s\S]*?^ *\}\n/m;
/** The SHA-256 of no bytes, base64: a well-formed `source_code_hash`. */
const FAKE_HASH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

/**
 * A module's HCL with every `data "archive_file"` replaced by a local object carrying the two attributes the
 * module reads (`output_path`, `output_base64sha256`, both strings as the data source's), so `filename` and
 * `source_code_hash` still get a path and a hash of the right type. Returns how many it replaced.
 */
export function withoutArchive(mainTf: string): { text: string; replaced: number } {
  const names: string[] = [];
  let text = mainTf.replace(ARCHIVE_DATA, (_all, name: string) => {
    names.push(name);
    return [
      'locals {',
      `  archive_file_${name} = {`,
      `    output_path         = "\${path.module}/${name}.zip"`,
      `    output_base64sha256 = "${FAKE_HASH}"`,
      '  }',
      '}',
      '',
    ].join('\n');
  });
  for (const name of names) text = text.split(`data.archive_file.${name}.`).join(`local.archive_file_${name}.`);
  return { text, replaced: names.length };
}

/** Copies a generated module folder into `root/modules/<key>/`, ready for the plugin directory. */
export function addModule(root: string, key: string, from: string): void {
  const to = path.join(root, 'modules', key);
  cpSync(from, to, { recursive: true });
  stripArchive(to);
}

/** Replaces `archive_file` in a module folder and drops the archive provider from its requirements. */
export function stripArchive(dir: string): void {
  const main = path.join(dir, 'main.tf');
  const { text, replaced } = withoutArchive(readFileSync(main, 'utf8'));
  if (replaced === 0) throw new Error(`${main} declares no data "archive_file"; the test expects one`);
  writeFileSync(main, text);
  const versions = path.join(dir, 'versions.tf');
  writeFileSync(versions, readFileSync(versions, 'utf8').replace(ARCHIVE_REQUIREMENT, ''));
}

/** Writes files (relative path -> text) as a module folder. */
export function writeModule(dir: string, files: Iterable<[string, string]>): void {
  for (const [rel, text] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

/** The root configuration: one `module` block per folder under `root/modules`, in name order. */
export function writeRoot(root: string): string[] {
  const keys = readdirSync(path.join(root, 'modules')).sort();
  writeFileSync(
    path.join(root, 'main.tf'),
    [
      'terraform {',
      '  required_providers {',
      '    aws = { source = "hashicorp/aws" }',
      '  }',
      '}',
      '',
      ...keys.map((k) => `module "${k}" {\n  source = "./modules/${k}"\n}\n`),
    ].join('\n'),
  );
  return keys;
}

/**
 * The test-only provider configuration: fake keys, no credential, account or metadata lookups, one retry, and
 * every endpoint the provider knows (read from its own schema) on a port nothing listens on, so a stray API call
 * fails at once instead of leaving the machine.
 */
export async function writeOfflineProvider(root: string): Promise<ProviderSchema> {
  const schema = await terraform(root, ['providers', 'schema', '-json']);
  if (schema.code !== 0) throw new Error(`terraform providers schema failed:\n${schema.stderr}${schema.stdout}`);
  const aws = (JSON.parse(schema.stdout) as { provider_schemas: Record<string, ProviderSchema> }).provider_schemas[
    'registry.terraform.io/hashicorp/aws'
  ]!;
  const endpoints = Object.keys(aws.provider.block.block_types?.['endpoints']?.block.attributes ?? {}).sort();
  if (endpoints.length < 100) throw new Error(`the provider lists only ${endpoints.length} endpoints`);
  writeFileSync(
    path.join(root, 'test_provider.tf'),
    [
      'provider "aws" {',
      '  region                      = "us-east-1"',
      '  access_key                  = "AKIAIOSFODNN7EXAMPLE"',
      '  secret_key                  = "not-a-secret"',
      '  skip_credentials_validation = true',
      '  skip_requesting_account_id  = true',
      '  skip_metadata_api_check     = true',
      '  skip_region_validation      = true',
      '  max_retries                 = 1',
      '  endpoints {',
      ...endpoints.map((e) => `    ${e} = "http://127.0.0.1:1"`),
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return aws;
}

/** A block of the provider's schema (`terraform providers schema -json`). */
export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, { readonly type: unknown }>>;
  readonly block_types?: Readonly<Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>>;
}

export interface ProviderSchema {
  readonly provider: { readonly block: SchemaBlock };
  readonly resource_schemas: Readonly<Record<string, { readonly version: number; readonly block: SchemaBlock }>>;
  readonly data_source_schemas: Readonly<Record<string, { readonly version: number; readonly block: SchemaBlock }>>;
}

export interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string };
}

/** The diagnostics of a `-json` run (`validate -json` prints one document, `plan -json` a stream of lines). */
export function diagnostics(stdout: string): Diagnostic[] {
  try {
    return (JSON.parse(stdout) as { diagnostics?: Diagnostic[] }).diagnostics ?? [];
  } catch {
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type?: string; diagnostic?: Diagnostic })
      .flatMap((m) => (m.type === 'diagnostic' && m.diagnostic ? [m.diagnostic] : []));
  }
}

/** The module key a diagnostic is about (`module.<key>.` address or `modules/<key>/` file), if any. */
export function moduleOf(d: Diagnostic): string | undefined {
  return /^module\.([^.[]+)/.exec(d.address ?? '')?.[1] ?? /^modules\/([^/]+)\//.exec(d.range?.filename ?? '')?.[1];
}

export interface PlanJson {
  readonly resource_changes?: ReadonlyArray<{
    readonly address: string;
    readonly module_address?: string;
    readonly mode: string;
    readonly type: string;
    readonly change: { readonly actions: readonly string[] };
  }>;
  readonly prior_state?: {
    readonly values?: {
      readonly root_module?: {
        readonly child_modules?: ReadonlyArray<{
          readonly resources?: ReadonlyArray<{
            readonly mode: string;
            readonly type: string;
            readonly address: string;
          }>;
        }>;
      };
    };
  };
}

/**
 * `init` (plugin directory only), the offline provider, `validate` and `plan -refresh=false` of the root
 * configuration. Every error is returned as one line naming the module (and what it was generated from, via
 * `origin`) and the provider's own message; the plan is returned when there is none.
 */
export async function validateAndPlan(
  root: string,
  origin: ReadonlyMap<string, string>,
): Promise<{ failures: string[]; plan?: PlanJson; schema?: ProviderSchema }> {
  const failures: string[] = [];
  const report = (step: string, ds: readonly Diagnostic[]) => {
    for (const d of ds.filter((x) => x.severity === 'error')) {
      const key = moduleOf(d);
      const where = key ? `module ${key} (${origin.get(key) ?? 'unknown origin'})` : 'root configuration';
      failures.push(
        `${step}: ${where}: ${d.summary}${d.detail ? `: ${d.detail}` : ''}${d.address ? ` [${d.address}]` : ''}`,
      );
    }
  };
  const init = await terraform(root, ['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-no-color']);
  if (init.code !== 0) return { failures: [`init: ${init.stderr}${init.stdout}`] };
  const schema = await writeOfflineProvider(root);
  const validate = await terraform(root, ['validate', '-json', '-no-color']);
  report('validate', diagnostics(validate.stdout));
  if (validate.code !== 0 && failures.length === 0)
    failures.push(`validate: exit ${validate.code}: ${validate.stderr}`);
  if (failures.length > 0) return { failures };
  const planned = await terraform(root, ['plan', '-refresh=false', '-input=false', '-json', '-out=plan.bin']);
  report('plan', diagnostics(planned.stdout));
  if (planned.code !== 0 && failures.length === 0) failures.push(`plan: exit ${planned.code}: ${planned.stderr}`);
  if (failures.length > 0) return { failures };
  const shown = await terraform(root, ['show', '-json', 'plan.bin']);
  if (shown.code !== 0) return { failures: [`show: ${shown.stderr}`] };
  return { failures, plan: JSON.parse(shown.stdout) as PlanJson, schema };
}
