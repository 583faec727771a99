import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The package's own folder. Both `src/` (tests) and `dist/` (the published CLI) sit one level below it, so
 * `templates/`, `schema/` and `package.json` are found the same way from either.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The code that runs outside cors-gen (the Lambda CORS wrappers, the preview's Node worker and Python runner), as
 * files: `src/runtime/` from source, `dist/runtime/` (copied there by scripts/build.mjs) from the bundle, both
 * beside this file.
 */
export const RUNTIME_DIR = fileURLToPath(new URL('./runtime/', import.meta.url));

let cachedVersion: string | undefined;

export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}
