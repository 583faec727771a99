import { createHash } from 'node:crypto';
import type { PathSegment } from '../spec/model.js';

/**
 * Terraform addresses derived from routes. They become addresses in users' state, so they must never change
 * between cors-gen versions for the same route: `/users/{id}` -> `users_var_id`, `/` -> `root`.
 */
export function resourceSlug(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return 'root';
  return segments
    .map((s) =>
      s.kind === 'literal'
        ? s.value
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '_')
            .replace(/^_|_$/g, '') || 'x'
        : s.kind === 'param'
          ? `var_${s.name.toLowerCase()}`
          : `greedy_${s.name.toLowerCase()}`,
    )
    .join('_');
}

/**
 * Makes slugs unique: two paths that fold to the same slug (`/a-b` and `/a_b`) get a short hash of their
 * path appended, so neither depends on the order of the routes.
 */
export function uniqueSlugs(
  paths: ReadonlyArray<{ key: string; segments: readonly PathSegment[] }>,
): Map<string, string> {
  const bySlug = new Map<string, string[]>();
  for (const p of paths) {
    const slug = resourceSlug(p.segments);
    bySlug.set(slug, [...(bySlug.get(slug) ?? []), p.key]);
  }
  const out = new Map<string, string>();
  for (const [slug, keys] of bySlug) {
    for (const key of keys) {
      out.set(key, keys.length === 1 ? slug : `${slug}_${createHash('sha1').update(key).digest('hex').slice(0, 6)}`);
    }
  }
  return out;
}
