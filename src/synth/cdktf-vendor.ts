/**
 * CDKTF, constructs and the provider classes, as the CLI loads them: from `dist/cdktf-vendor.cjs`, a bundle of its
 * own that only `generate` runs, loaded with its compiled code kept between runs (../cli/code-cache.ts).
 * scripts/build.mjs points every import of those packages in the CLI bundle here; the library and
 * `cors-gen/constructs` import the packages themselves.
 */
import path from 'node:path';
import { requireBundle } from '../cli/code-cache.js';
import { PACKAGE_ROOT } from '../paths.js';

let vendor: { readonly modules: Readonly<Record<string, () => unknown>> } | undefined;

/** The exports of one vendored module (`cdktf`, `@cdktf/provider-aws/lib/s3-bucket/index.js`, ...). */
export function vendorModule(id: string): unknown {
  vendor ??= requireBundle(path.join(PACKAGE_ROOT, 'dist', 'cdktf-vendor.cjs')) as NonNullable<typeof vendor>;
  const load = vendor.modules[id];
  if (load === undefined)
    throw new Error(`cors-gen: ${id} is not in dist/cdktf-vendor.cjs; rebuild with "npm run build"`);
  return load();
}
