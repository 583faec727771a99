/**
 * A Terraform state "as if version 1 had been applied", built from version 1's plan, so that planning version 2
 * against it with `-refresh=false` shows the real provider's decisions (update in place or replace) without AWS.
 *
 * The plan knows every configured value except those computed at apply time (ids, ARNs, ...) and those derived
 * from them. The first get deterministic fakes of the schema's type (ARN-shaped when the name says ARN, because
 * the provider validates ARNs it is given); the second are evaluated by `terraform console` from the module's own
 * configured values against the state built so far, so that `role = aws_iam_role.lambda.arn` in the state equals the
 * role's fake ARN, as it would after a real apply. Two rounds settle values derived from derived values.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { terraform, type ProviderSchema, type SchemaBlock } from './real-provider.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = ReadonlyArray<string | number>;

export interface PlannedChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly change: { readonly actions: readonly string[]; readonly after?: Json; readonly after_unknown?: Json };
}

export interface PlannedDocument {
  readonly resource_changes?: readonly PlannedChange[];
  readonly prior_state?: {
    readonly values?: {
      readonly root_module?: {
        readonly resources?: ReadonlyArray<{ mode: string; type: string; name: string; values: Json }>;
      };
    };
  };
}

const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

function fake(type: unknown, address: string, attr: string): Json {
  if (type === 'string') {
    const slug = address.replace(/[^A-Za-z0-9-]/g, '-');
    return attr.endsWith('arn') ? `arn:aws:fake:us-east-1:123456789012:${slug}/${attr}` : `fake-${slug}-${attr}`;
  }
  if (type === 'number') return 0;
  if (type === 'bool') return false;
  if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set')) return [];
  if (Array.isArray(type) && type[0] === 'map') return {};
  return null;
}

interface Pending {
  readonly resource: number;
  readonly path: Path;
  /** The configured value, in Terraform JSON syntax (strings are templates). */
  readonly config: unknown;
}

/** One resource's state attributes; records the configured expressions whose value the plan did not know. */
function attributes(
  block: SchemaBlock,
  after: Json | undefined,
  unknown: Json | undefined,
  config: unknown,
  address: string,
  at: Path,
  pending: (path: Path, config: unknown) => void,
): Record<string, Json> {
  const a = (after ?? {}) as Record<string, Json>;
  const u = (unknown ?? {}) as Record<string, Json>;
  const c = (config ?? {}) as Record<string, unknown>;
  const out: Record<string, Json> = {};
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    const isUnknown = u[name] !== undefined && u[name] !== false && JSON.stringify(u[name]).includes('true');
    if (!isUnknown) out[name] = a[name] ?? null;
    else if (name in c) {
      out[name] = a[name] ?? null;
      pending([...at, name], c[name]);
    } else out[name] = u[name] === true ? fake(attr.type, address, name) : (a[name] ?? null);
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const list = nested.nesting_mode === 'list' || nested.nesting_mode === 'set';
    if (u[name] === true) {
      out[name] = list ? [] : null;
      continue;
    }
    const cfg = c[name];
    if (list) {
      out[name] = ((a[name] ?? []) as Json[]).map((el, i) =>
        attributes(
          nested.block,
          el,
          (u[name] as Json[] | undefined)?.[i],
          Array.isArray(cfg) ? cfg[i] : cfg,
          address,
          [...at, name, i],
          pending,
        ),
      );
    } else if (nested.nesting_mode === 'single' && a[name]) {
      out[name] = attributes(nested.block, a[name], u[name], cfg, address, [...at, name], pending);
    } else out[name] = a[name] ?? null;
  }
  return out;
}

function setAt(target: Record<string, Json>, at: Path, value: Json): void {
  let node: Json = target;
  for (const key of at.slice(0, -1)) node = (node as Record<string | number, Json>)[key]!;
  (node as Record<string | number, Json>)[at.at(-1)!] = value;
}

/**
 * Writes `dir/terraform.tfstate`: version 1 applied, as far as a plan can tell. `dir` is the root module that
 * was planned (its `main.tf` and the offline provider), `doc` the module's Terraform JSON document.
 */
export async function writeStateFromPlan(
  dir: string,
  plan: PlannedDocument,
  schema: ProviderSchema,
  doc: TerraformDocument,
): Promise<void> {
  const pending: Pending[] = [];
  const resources: Array<{ type: string; name: string; mode: string; version: number; attrs: Record<string, Json> }> =
    [];
  const configs = (doc.resource ?? {}) as Record<string, Record<string, unknown>>;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const s = schema.resource_schemas[rc.type];
    if (!s) throw new Error(`no schema for ${rc.type}`);
    const index = resources.length;
    const attrs = attributes(
      s.block,
      rc.change.after,
      rc.change.after_unknown,
      configs[rc.type]?.[rc.name],
      rc.address,
      [],
      (p, config) => pending.push({ resource: index, path: p, config }),
    );
    resources.push({ type: rc.type, name: rc.name, mode: 'managed', version: s.version, attrs });
  }
  for (const d of plan.prior_state?.values?.root_module?.resources ?? []) {
    if (d.mode !== 'data') continue;
    resources.push({
      type: d.type,
      name: d.name,
      mode: 'data',
      version: schema.data_source_schemas[d.type]?.version ?? 0,
      attrs: d.values as Record<string, Json>,
    });
  }
  const write = () =>
    writeFileSync(
      path.join(dir, 'terraform.tfstate'),
      JSON.stringify({
        version: 4,
        terraform_version: '1.5.0',
        serial: 1,
        lineage: '00000000-0000-4000-8000-000000000000',
        outputs: {},
        resources: resources.map((r) => ({
          mode: r.mode,
          type: r.type,
          name: r.name,
          provider: PROVIDER,
          instances: [{ schema_version: r.version, attributes: r.attrs, sensitive_attributes: [] }],
        })),
      }),
    );
  write();
  if (pending.length === 0) return;
  for (let round = 0; round < 2; round++) {
    // A value derived from another pending one (`sha1(aws_api_gateway_rest_api.api.body)` while the body is still
    // null) fails in the first round: then each is evaluated alone, and the failing ones wait for the next round.
    const values = await evaluate(
      dir,
      pending.map((p) => p.config),
    ).catch(async () => {
      // One at a time: each evaluation writes the same file in the root.
      const one: Array<Json | undefined> = [];
      for (const p of pending)
        one.push(
          await evaluate(dir, [p.config]).then(
            (v) => v[0],
            () => undefined,
          ),
        );
      return one;
    });
    pending.forEach((p, i) => {
      if (values[i] !== undefined) setAt(resources[p.resource]!.attrs, p.path, values[i]);
    });
    write();
  }
}

/**
 * Configured values (Terraform JSON syntax) evaluated against the root's state: written as one local in a
 * `.tf.json` file, so they are read exactly as the module's own JSON would be, and printed by `terraform console`.
 */
async function evaluate(dir: string, configs: readonly unknown[]): Promise<Json[]> {
  const file = path.join(dir, 'zz_cors_gen_eval.tf.json');
  writeFileSync(file, JSON.stringify({ locals: { cors_gen_eval: configs } }));
  try {
    const r = await terraform(dir, ['console'], 'jsonencode(local.cors_gen_eval)\n');
    if (r.code !== 0) throw new Error(`terraform console failed: ${r.stderr}`);
    // The value is the one line that is a JSON string; warnings (coloured) may come before it.
    const line = r.stdout
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .find((l) => l.startsWith('"'));
    if (line === undefined) throw new Error(`terraform console printed no value:\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(JSON.parse(line) as string) as Json[];
  } finally {
    rmSync(file);
  }
}
