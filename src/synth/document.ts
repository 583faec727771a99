/**
 * Small readers for a Terraform JSON document, shared by the checkers (`apply-rules.ts`,
 * `security-invariants.ts`). A block may be written as an object or, as `@cdktf/hcl2json` reads `.tf` files
 * back, as a list of objects; these helpers accept both.
 */
export type Body = Record<string, unknown>;

/** `value` if it is an object (not a list), else an empty body. */
export function asBody(value: unknown): Body {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
}

/** One block body, whichever shape the document has (JSON object, or hcl2json's list of one), or undefined. */
export function one(value: unknown): Body | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined;
}

/** A list as itself, nothing (undefined or null) as `[]`, anything else as a list of one. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** Every body of a block written once or repeated, merged into one (later keys win). */
export function mergedBlocks(value: unknown): Body {
  return Object.assign({}, ...asList(value).map(asBody)) as Body;
}

/** `"${aws_x.name.attr}"` -> [type, name, attr] for a whole-string reference. */
export function reference(value: unknown): [string, string, string] | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
  return m ? [m[1]!, m[2]!, m[3]!] : undefined;
}
