import { minimumVersion } from './provider-floors.js';

/** A Terraform JSON document (https://developer.hashicorp.com/terraform/language/syntax/json). */
export type TerraformDocument = Record<string, unknown>;

/**
 * What a reusable module may ask of its caller: a minimum version only (https://developer.hashicorp.com/terraform/language/expressions/version-constraints#best-practices). 1.7 for the `removed`
 * blocks with which REST modules forget the per-resource objects of older versions
 * (https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources).
 */
export const REQUIRED_VERSION = '>= 1.7.0';
/** Where each provider comes from; its minimum version is computed from what the module uses. */
export const REQUIRED_PROVIDERS = {
  aws: { source: 'hashicorp/aws' },
  archive: { source: 'hashicorp/archive' },
} as const;

/**
 * Turns CDKTF's stack document into a module document: no `//` metadata (it carries construct paths and
 * CDKTF's version), no `provider` block (modules must leave provider configuration to the caller), no backend
 * (the local one carries an absolute path), and `required_providers` with namespaced sources and minimum
 * versions instead of CDKTF's ambiguous `source = "aws"` and exact pin. Pure.
 */
export function cleanDocument(doc: TerraformDocument): TerraformDocument {
  const out = stripMetadata(doc) as TerraformDocument;
  delete out.provider;
  const terraform = { ...(out.terraform as Record<string, unknown> | undefined) };
  delete terraform.backend;
  const providers = Object.keys((terraform.required_providers as Record<string, unknown> | undefined) ?? {}).sort();
  const ordered: TerraformDocument = {
    terraform: {
      required_version: REQUIRED_VERSION,
      required_providers: Object.fromEntries(providers.map((p) => [p, requiredProvider(p, out)])),
    },
  };
  // A stable top-level order, whatever order CDKTF emitted: the split into files and readers rely on it.
  for (const key of ['variable', 'locals', 'data', 'resource', 'removed', 'output'])
    if (out[key] !== undefined) ordered[key] = out[key];
  if (ordered.variable)
    ordered.variable = mapValues(ordered.variable, (v) =>
      reorder(v, ['description', 'type', 'default'], ['validation'], (val) =>
        (val as object[]).map((b) => reorder(b, ['condition', 'error_message'], [])),
      ),
    );
  if (ordered.output) ordered.output = mapValues(ordered.output, (o) => reorder(o, ['description', 'value'], []));
  for (const kind of ['data', 'resource']) {
    if (ordered[kind])
      ordered[kind] = mapValues(ordered[kind], (instances) =>
        mapValues(instances, (r) => reorder(r, [], ['depends_on', 'lifecycle'])),
      );
  }
  return ordered;
}

/** Terraform's conventional argument order: `first` keys first, `last` keys last, the rest as they were. */
function reorder(
  value: unknown,
  first: readonly string[],
  last: readonly string[],
  mapLast?: (v: unknown) => unknown,
): Record<string, unknown> {
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of first) if (k in obj) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!first.includes(k) && !last.includes(k)) out[k] = v;
  for (const k of last) if (k in obj) out[k] = mapLast ? mapLast(obj[k]) : obj[k];
  return out;
}

function mapValues(value: unknown, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fn(v)]));
}

/**
 * `required_providers` entry of one provider: the lowest version that accepts everything the document uses
 * (provider-floors.ts), so modules without newer features also accept older provider lines.
 */
function requiredProvider(name: string, doc: TerraformDocument): { source: string; version: string } {
  if (name !== 'aws' && name !== 'archive')
    throw new Error(`no source and version floors are known for provider ${name}`);
  const version = minimumVersion(doc, name);
  if (version === undefined)
    throw new Error(
      `the module declares provider ${name} but uses nothing listed in PROVIDER_FLOORS; add its types there`,
    );
  return { source: REQUIRED_PROVIDERS[name].source, version };
}

function stripMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripMetadata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== '//')
        .map(([k, v]) => [k, stripMetadata(v)]),
    );
  }
  return value;
}
