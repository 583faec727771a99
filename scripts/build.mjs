#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild.
//
//   dist/cli/bin.js
//       The `bin` (src/cli/bin.ts): loads dist/cli.cjs with its compiled code kept between runs (Node's compile
//       cache on Node 22.1+, V8's code cache through vm.Script on Node 20: src/cli/code-cache.ts).
//   dist/cli.cjs
//       The CLI (src/cli/main.ts), one CommonJS file, since only a script's code can be cached on Node 20. Its
//       imports of cdktf, constructs and the provider classes go to dist/cdktf-vendor.cjs
//       (src/synth/cdktf-vendor.ts), so commands other than `generate` neither run nor compile them.
//   dist/cdktf-vendor.cjs
//       cdktf, constructs and the ~20 provider classes cors-gen uses, bundled in (so the package does not depend on
//       the 390 MB @cdktf/provider-aws), each module run on first use.
//   dist/index.js, dist/cdktf-app.js, dist/write-json-schema.js, dist/chunk-*.js
//       The library (ES modules, self-contained like the CLI), with everything CDKTF needs in a chunk that only
//       `generate` imports. The Handlebars templates are precompiled (only the Handlebars runtime is bundled).
//       Every file is one level below the package root, which is how src/paths.ts finds templates/, schema/ and
//       package.json.
//   dist/constructs.js
//       `cors-gen/constructs` for CDKTF users: the constructs with cdktf, constructs and @cdktf/* left as imports,
//       so they join the user's own CDKTF (one construct tree, one token system). Those are optional peer
//       dependencies.
//   dist/THIRD-PARTY-LICENSES.txt
//       The licenses of the bundled packages.
//   dist/runtime/
//       A copy of src/runtime/: the code that runs outside cors-gen (the Lambda CORS wrappers `generate` copies
//       into every module, the preview's Node worker and Python runner), found beside the bundle by src/paths.ts.
//
// The new dist/ is built beside the old one and swapped in whole. `npm run build:types` writes the .d.ts files
// (tsc); `npm pack` runs both.
import { chmod, cp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const TEMPLATES = path.join(ROOT, 'templates');
const RUNTIME = path.join(ROOT, 'src', 'runtime');
/** Must equal COMPILE_OPTIONS in src/render/templates.ts (test/perf/bundle.test.ts compares the outputs). */
const COMPILE_OPTIONS = { noEscape: true, strict: true };

/** Node built-ins required from bundled CommonJS code need a real `require` in an ES module. */
const REQUIRE_SHIM =
  "import { createRequire as __corsGenCreateRequire } from 'node:module';\nconst require = __corsGenCreateRequire(import.meta.url);";

/** The source of src/render/precompiled-templates.ts in the bundle: every template, precompiled. */
async function precompiledTemplatesModule() {
  const Handlebars = require('handlebars');
  const files = (await readdir(TEMPLATES, { recursive: true }))
    .filter((f) => f.endsWith('.hbs'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
  const entries = await Promise.all(
    files.map(
      async (f) =>
        `  ${JSON.stringify(f)}: ${Handlebars.precompile(await readFile(path.join(TEMPLATES, f), 'utf8'), COMPILE_OPTIONS)}`,
    ),
  );
  return `export const PRECOMPILED = {\n${entries.join(',\n')}\n};\n`;
}

const templatesPlugin = {
  name: 'cors-gen-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]render[\\/]precompiled-templates\.ts$/ }, async () => ({
      contents: await precompiledTemplatesModule(),
      loader: 'js',
      watchDirs: [TEMPLATES],
    }));
    // Precompiled templates need only the runtime (a tenth of the full Handlebars, and no compiler to load).
    b.onResolve({ filter: /^handlebars$/ }, () => ({ path: require.resolve('handlebars/runtime') }));
  },
};

/**
 * Changes to the bundled copies of dependencies (never to a user's own: `cors-gen/constructs` imports theirs):
 * - cdktf's barrel loads `archiver` (and ~1 MB of streams, globbing and zip code) for TerraformAsset, which zips
 *   folders at `app.synth()`. cors-gen never creates an asset (the Lambda zip is the provider's `archive_file` data
 *   source), so the bundle gets a stand-in that fails loudly if that ever changes.
 * - Every token cdktf creates (each `${aws_x.y.id}` reference) records a complete stack trace, formatted, for
 *   error messages: 40% of the time of a 1000-route synthesis, growing with the depth of the construct tree. The
 *   bundle records none; an error then lacks the "created at" stack, nothing else changes (the traces never reach
 *   the document).
 */
const cdktfTrimPlugin = {
  name: 'cors-gen-cdktf-trim',
  setup(b) {
    b.onResolve({ filter: /^archiver$/ }, (args) =>
      /[\\/]node_modules[\\/]cdktf[\\/]/.test(args.importer)
        ? { path: 'archiver', namespace: 'cors-gen-stub' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'cors-gen-stub' }, () => ({
      contents:
        "module.exports = function archiver() { throw new Error('cors-gen: this build of cdktf has no archiver (TerraformAsset is not supported); see scripts/build.mjs'); };",
      loader: 'js',
    }));
    b.onLoad(
      {
        filter: /[\\/]node_modules[\\/](cdktf[\\/]lib[\\/]tokens|constructs[\\/]lib)[\\/]private[\\/]stack-trace\.js$/,
      },
      () => ({
        contents: 'exports.captureStackTrace = function captureStackTrace() { return []; };',
        loader: 'js',
      }),
    );
    // zod's 40-odd message locales are a third of zod; cors-gen writes its own messages and zod's default is English.
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** What the CLI bundle imports from CDKTF's packages, redirected to dist/cdktf-vendor.cjs. */
const VENDORED = /^(cdktf|constructs)$|^@cdktf\/provider-[a-z]+\//;
const VENDOR_LOADER = path.join(ROOT, 'src', 'synth', 'cdktf-vendor.ts');

/** In the CLI build: each import of a vendored module becomes `vendorModule(id)`; `ids` collects them. */
function vendorImportsPlugin(ids) {
  return {
    name: 'cors-gen-vendor-imports',
    setup(b) {
      b.onResolve({ filter: VENDORED }, (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
        ids.add(args.path);
        return { path: args.path, namespace: 'cors-gen-vendor' };
      });
      b.onLoad({ filter: /.*/, namespace: 'cors-gen-vendor' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(VENDOR_LOADER)}).vendorModule(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: ROOT,
      }));
    },
  };
}

async function main() {
  const started = Date.now();
  // Built beside dist/ and swapped in whole, so a CLI or test running from dist/ meanwhile never finds it empty.
  const out = path.join(ROOT, `.dist-build-${process.pid}`);
  await rm(out, { recursive: true, force: true });
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir: out,
    banner: { js: REQUIRE_SHIM },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  };
  try {
    const app = await build({
      ...common,
      entryPoints: {
        index: 'src/index.ts',
        'cdktf-app': 'src/cdktf-app.ts',
        'write-json-schema': 'src/spec/write-json-schema.ts',
      },
      splitting: true,
      chunkNames: 'chunk-[hash]',
      // hcl2json loads a WebAssembly file from its own folder: it stays a dependency.
      external: ['@cdktf/hcl2json'],
      plugins: [templatesPlugin, cdktfTrimPlugin],
    });
    const constructs = await build({
      ...common,
      entryPoints: { constructs: 'src/constructs/index.ts' },
      external: ['cdktf', 'constructs', '@cdktf/*'],
      plugins: [templatesPlugin],
    });
    const vendored = new Set();
    const cjs = {
      ...common,
      format: 'cjs',
      banner: {},
      // src/paths.ts finds the package from the bundle's own place.
      define: { 'import.meta.url': '__corsGenModuleUrl' },
      external: ['@cdktf/hcl2json'],
      // `import()` becomes `require()`: a script run from V8's code cache has no way to load ES modules.
      supported: { 'dynamic-import': false },
    };
    const cli = await build({
      ...cjs,
      entryPoints: { cli: 'src/cli/main.ts' },
      outExtension: { '.js': '.cjs' },
      banner: { js: "const __corsGenModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
      plugins: [templatesPlugin, vendorImportsPlugin(vendored)],
    });
    const vendor = await build({
      ...cjs,
      stdin: {
        contents: `exports.modules = {\n${[...vendored]
          .sort()
          .map((id) => `  ${JSON.stringify(id)}: () => require(${JSON.stringify(id)}),`)
          .join('\n')}\n};\n`,
        resolveDir: ROOT,
        sourcefile: 'cdktf-vendor.js',
      },
      outdir: undefined,
      outfile: path.join(out, 'cdktf-vendor.cjs'),
      plugins: [cdktfTrimPlugin],
    });
    const bin = path.join(out, 'cli', 'bin.js');
    await build({
      ...common,
      entryPoints: { 'cli/bin': 'src/cli/bin.ts' },
      banner: { js: '#!/usr/bin/env node' },
    });
    await chmod(bin, 0o755);
    await cp(RUNTIME, path.join(out, 'runtime'), {
      recursive: true,
      filter: (f) => !/\.(c|m)?ts$/.test(f) && !f.includes('__pycache__'),
    });
    await writeFile(
      path.join(out, 'THIRD-PARTY-LICENSES.txt'),
      await thirdPartyLicenses([app.metafile, constructs.metafile, cli.metafile, vendor.metafile]),
    );
    const old = `${out}-old`;
    await rename(DIST, old).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(out, DIST);
    await rm(old, { recursive: true, force: true });
    const bytes = [app, cli, vendor].flatMap((b) => Object.values(b.metafile.outputs)).reduce((n, o) => n + o.bytes, 0);
    process.stderr.write(`built dist/ (${(bytes / 1e6).toFixed(1)} MB of JavaScript) in ${Date.now() - started} ms\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The license text of every package whose code was bundled, so the notices travel with the code. */
async function thirdPartyLicenses(metafiles) {
  const packages = new Map();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) packages.set(m[1], path.join(ROOT, input.slice(0, m.index + m[0].length)));
    }
  }
  const sections = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    const licenseFile = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile
      ? await readFile(path.join(dir, licenseFile), 'utf8')
      : `License: ${pkg.license ?? 'see the package'}`;
    sections.push(
      `${name}@${pkg.version} (${pkg.license ?? 'unknown'})${pkg.repository ? ` ${typeof pkg.repository === 'string' ? pkg.repository : pkg.repository.url}` : ''}\n\n${text.trim()}\n`,
    );
  }
  return `cors-gen bundles the following packages into dist/. Their licenses follow.\n\n${sections.join(`\n${'-'.repeat(100)}\n\n`)}`;
}

await main();
