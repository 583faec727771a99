import { createHash } from 'node:crypto';
import { displaySpecFile } from '../render/escape.js';
import { generatedHeader } from '../render/header.js';
import { renderLambdaCode } from '../render/lambda-code.js';
import { moduleReadme } from '../render/module-readme.js';
import { authorizerInput, type CorsModel, type StageAuthorizerValues, type StageModel } from '../spec/model.js';
import type { TerraformDocument } from './clean-document.js';
import { renderHcl, renderTfvars } from '../terraform/write.js';
import { templateLiteral } from '../constructs/terraform-literal.js';
import { assertModulePostconditions } from './postconditions.js';
import { synthesizeModule } from './synthesize.js';

export type OutputFormat = 'hcl' | 'json';

/** A module in memory: paths relative to the module folder, sorted, with their exact bytes. */
export interface ModuleFiles {
  /** Owned by cors-gen: rewritten on every generate, tracked by hash in the manifest. */
  readonly generated: ReadonlyMap<string, string>;
  /** Owned by the user: written once when missing, never overwritten. */
  readonly userOwned: ReadonlyMap<string, string>;
  /** The synthesized document (before splitting into files), checked by the module's postconditions. */
  readonly document: TerraformDocument;
}

export interface ModuleFilesOptions {
  readonly format: OutputFormat;
  /** The spec's path as users see it (relative), for headers. */
  readonly specFile: string;
  readonly specText: string;
  readonly version: string;
  /** REST: per-resource addresses the module being replaced declared (see SynthesisOptions). @default [] */
  readonly retiredAddresses?: readonly string[];
  /** With `lambda.source`: the user's folder relative to the module folder ("/"-separated). */
  readonly lambdaSourceDir?: string;
}

/** The manifest's name is said once, where the spec's CDKTF-free checks can read it too. */
export { MODULE_MANIFEST as MANIFEST_FILE } from '../spec/spec-paths.js';

/**
 * What Terraform writes into the module folder when it is run there as a root module: its working folder (with
 * the Lambda zip), local state (`terraform.tfstate`, its backups, the lock file `.terraform.tfstate.lock.info`
 * and `terraform.tfstate.d/<workspace>/`), and crash logs; as in github/gitignore's `Terraform.gitignore`. State
 * holds secrets in plain text (https://developer.hashicorp.com/terraform/language/state/sensitive-data).
 * `lambda.zip` is where earlier versions wrote the zip. `.terraform.lock.hcl` stays: HashiCorp advises
 * committing it.
 */
const GITIGNORE = ['.terraform/', '*.tfstate', '*.tfstate.*', 'crash.log', 'crash.*.log', 'lambda.zip'];

/** Which top-level keys of the document go to which file (terraform-aws-modules' layout). */
export const MODULE_SPLIT: ReadonlyArray<[string, readonly string[]]> = [
  ['versions', ['terraform']],
  ['variables', ['variable']],
  ['main', ['locals', 'data', 'resource', 'removed']],
  ['outputs', ['output']],
];

/**
 * CorsModel -> every file of `generated/<name>/`, in memory. Deterministic: same input, same bytes. Throws
 * ModulePostconditionError, before any file exists, when the synthesized module breaks a security invariant or
 * an apply rule.
 */
export async function buildModuleFiles(model: CorsModel, options: ModuleFilesOptions): Promise<ModuleFiles> {
  const document = synthesizeModule(model, {
    retiredAddresses: options.retiredAddresses,
    lambdaSourceDir: options.lambdaSourceDir,
  });
  assertModulePostconditions(model.name, document, ownIntegrations(model));
  const specFile = displaySpecFile(options.specFile);
  const header = generatedHeader(specFile);
  const comment = `# ${header}`;
  const generated = new Map<string, string>();

  for (const [name, keys] of MODULE_SPLIT) {
    const part = Object.fromEntries(keys.filter((k) => document[k] !== undefined).map((k) => [k, document[k]]));
    if (Object.keys(part).length === 0) continue;
    if (options.format === 'json') {
      generated.set(`${name}.tf.json`, `${JSON.stringify({ '//': header, ...part }, null, 2)}\n`);
    } else {
      generated.set(`${name}.tf`, `${comment}\n\n${renderHcl(part)}`);
    }
  }

  for (const stage of model.stages) {
    const values = {
      allowed_origins: stage.allowOrigins,
      name_prefix: stageNamePrefix(model.name, stage.name),
      ...(model.api === 'rest' ? { stage_name: stage.name } : {}),
      ...stageAuthorizerInputs(stage),
      ...(stage.domain && model.api !== 'function-url'
        ? {
            domain_name: stage.domain.name,
            domain_certificate_arn: stage.domain.certificateArn,
            domain_zone_id: stage.domain.zoneId,
          }
        : {}),
    };
    generated.set(
      `stages/${stage.name}.tfvars`,
      `${comment}\n# terraform apply -var-file=stages/${stage.name}.tfvars\n${renderTfvars(values)}`,
    );
  }

  const lambda = renderLambdaCode(model, { specFile, version: options.version });
  for (const [p, text] of Object.entries(lambda.generated)) generated.set(p, text);
  generated.set(
    'README.md',
    moduleReadme(model, { document, header, format: options.format, specFile, version: options.version }),
  );
  generated.set('.gitignore', `${comment}\n${GITIGNORE.join('\n')}\n`);

  return { generated: sorted(generated), userOwned: sorted(new Map(Object.entries(lambda.userOwned))), document };
}

/**
 * The name_prefix of a stage's deployment: `<name>-<stage>` when that is a valid name_prefix (at most 56
 * lowercase letters, digits and "-"). Otherwise (an "_" in the stage, or too long) a short hash of the stage
 * name keeps it distinct from every other stage's, so two stages never share a Lambda, role or API name.
 */
export function stageNamePrefix(name: string, stage: string): string {
  const plain = `${name}-${stage}`;
  if (/^[a-z][a-z0-9-]{1,55}$/.test(plain)) return plain;
  const hash = createHash('sha256').update(stage).digest('hex').slice(0, 6);
  return `${plain
    .replace(/_/g, '-')
    .slice(0, 56 - 7)
    .replace(/-+$/, '')}-${hash}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sorted(map: Map<string, string>): ReadonlyMap<string, string> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A stage's authorizer values as the inputs that hold them (`authorizer_<name>_<field>`). */
function stageAuthorizerInputs(stage: StageModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(stage.authorizers ?? {}))
    for (const [field, value] of Object.entries(values))
      out[authorizerInput(name, field as keyof StageAuthorizerValues)] = value;
  return out;
}

/** The body addresses of the methods an `openapi:` document integrates itself (see src/synth/rest-body.ts). */
function ownIntegrations(model: CorsModel): (address: string) => boolean {
  const paths = model.openapi?.document['paths'];
  const owned: string[] = [];
  if (paths !== null && typeof paths === 'object')
    for (const [path, item] of Object.entries(paths as Record<string, unknown>))
      if (item !== null && typeof item === 'object')
        for (const [key, op] of Object.entries(item as Record<string, unknown>))
          if (op !== null && typeof op === 'object' && 'x-amazon-apigateway-integration' in op)
            owned.push(` body paths[${JSON.stringify(templateLiteral(path))}].${key}`);
  return (address) => owned.some((suffix) => address.endsWith(suffix));
}
