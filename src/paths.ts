import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The package's own folder. Both `src/` (tests) and `dist/` (the published CLI) sit one level below it, so
 * `templates/`, `schema/` and `package.json` are found the same way from either.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

let cachedVersion: string | undefined;

export function packageVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedVersion;
}
