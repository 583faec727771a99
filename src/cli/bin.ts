/**
 * The published entry point, `dist/cli/bin.js` (scripts/build.mjs adds the `#!`): starts the CLI bundled in
 * `dist/cli.cjs` with its compiled code kept between runs (see ./code-cache.ts).
 */
import { fileURLToPath } from 'node:url';
import { requireBundle, startNodeCompileCache } from './code-cache.js';
import type { main } from './main.js';

startNodeCompileCache();
const cli = requireBundle(fileURLToPath(new URL('../cli.cjs', import.meta.url))) as { main: typeof main };
await cli.main(process.argv.slice(2));
