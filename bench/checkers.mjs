// The cost of the module checks that run inside every `generate` (security invariants and apply rules on the
// synthesized document, indexed once), measured in-process at a given number of routes: the checks are a few
// milliseconds inside a process of seconds, too small to see in whole-process times.
//
//   node bench/checkers.mjs [routes]   -> one JSON line: { routes, resources, synthesizeMs, checkMs, runs }
//
// src/ is bundled with esbuild (as `npm run build` does) into a temporary file, so this runs with node alone.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, generatedSpec } from './specs.mjs';

const routes = Number(process.argv[2] ?? 1000);
const RUNS = 7;
// Inside the repository, so that the bundle's imports of node_modules resolve; removed at the end.
const dir = mkdtempSync(path.join(ROOT, 'bench', '.checkers-'));
try {
  const entry = path.join(dir, 'entry.mjs');
  await build({
    stdin: {
      contents: [
        "export { validateSpec } from './src/spec/validate.ts';",
        "export { synthesizeModule } from './src/synth/synthesize.ts';",
        "export { checkModule } from './src/synth/postconditions.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: entry,
    logLevel: 'error',
  });
  const { validateSpec, synthesizeModule, checkModule } = await import(pathToFileURL(entry).href);
  const validated = validateSpec(generatedSpec(routes));
  if (!validated.ok) throw new Error(`the generated spec of ${routes} routes is invalid`);
  let started = performance.now();
  const document = synthesizeModule(validated.model);
  const synthesizeMs = performance.now() - started;
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    started = performance.now();
    const violations = checkModule(document);
    samples.push(performance.now() - started);
    if (violations.length > 0)
      throw new Error(`the module of ${routes} routes breaks ${violations[0].rule} at ${violations[0].address}`);
  }
  samples.sort((a, b) => a - b);
  const resources = Object.values(document.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  process.stdout.write(
    `${JSON.stringify({ routes, resources, synthesizeMs, checkMs: samples[(RUNS - 1) / 2], runs: RUNS })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
