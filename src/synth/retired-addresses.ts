import { isLegacyAddress, LEGACY_TYPES } from '../constructs/rest-openapi.js';
import { asList, asBody, parseHcl, parseJson, type RawBody } from '../terraform/document.js';

/**
 * The per-resource REST addresses (`aws_api_gateway_method.orders_get`, ...) that the module in a folder declares
 * as resources or already forgets with `removed` blocks: carried into the next module's `removed` blocks, so a
 * state written by any older version upgrades in one apply, even when versions are skipped. The files are
 * treated as untrusted: only well-formed addresses of those types come out, and an unreadable file gives none
 * (the writer refuses a hand-edited module on its own).
 */
export async function retiredAddresses(read: (file: string) => Promise<string | undefined>): Promise<string[]> {
  const out = new Set<string>();
  for (const file of ['main.tf', 'main.tf.json']) {
    const text = await read(file);
    if (text === undefined) continue;
    let top: RawBody;
    try {
      top = file.endsWith('.json') ? parseJson(text, file) : await parseHcl(text, file);
    } catch {
      continue;
    }
    // Declared resources of the per-resource types only: the module's own deployment stays declared.
    for (const byType of asList(top.resource))
      for (const [type, byName] of Object.entries(asBody(byType)))
        if ((LEGACY_TYPES as readonly string[]).includes(type))
          for (const names of asList(byName)) for (const name of Object.keys(asBody(names))) out.add(`${type}.${name}`);
    for (const removed of asList(top.removed)) {
      const from = asBody(removed).from;
      // hcl2json writes the bare reference as an interpolation.
      if (typeof from === 'string') out.add(from.replace(/^\$\{(.*)\}$/, '$1'));
    }
  }
  return [...out].filter(isLegacyAddress).sort();
}

/**
 * The addresses a manifest of this version records (`retired`), well-formed ones only; undefined when it records
 * none, so that a module written by an older cors-gen is read instead.
 */
export function recordedRetired(manifest: Record<string, unknown> | undefined): string[] | undefined {
  const retired = manifest?.retired;
  if (!Array.isArray(retired)) return undefined;
  return retired.filter((a): a is string => typeof a === 'string' && isLegacyAddress(a)).sort();
}
