import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { action, type CliContext, type Outcome } from '../context.js';
import { InvalidInputError, UsageError } from '../../errors.js';
import { paint, printIssues, printJson, type Output } from '../output.js';

interface PreviewFlags {
  spec?: string;
  module?: string;
  stage?: string;
  var?: string[];
  apiPort?: number;
  sitePort?: number;
  foreignPort?: number;
  siteDir?: string;
  siteCert?: string;
  siteKey?: string;
  host: string;
  json?: boolean;
  acceptToken?: string;
  apiKey?: string;
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('a port is a number from 0 (any free port) to 65535.');
  return Number(value);
}

export function registerPreview(program: Command, ctx: CliContext): void {
  program
    .command('preview')
    .description(
      'Serve the generated module locally (API, its Lambda code, a site origin and a foreign origin) to see its CORS in a real browser.',
    )
    .argument('[spec]', 'the spec, same as --spec')
    .option(
      '-s, --spec <file>',
      'the spec; the module is generated/<name> (default: cors-gen.yaml, else cors-gen.json)',
    )
    .option('-m, --module <dir>', 'the generated module folder (instead of a spec)')
    .option(
      '--stage <stage>',
      'use the variable values of stages/<stage>.tfvars (default: the defaults; without an S3 website, the only stage with a localhost origin)',
    )
    .option(
      '--var <name=value>',
      'set a module variable, as terraform -var does (repeatable; collections in HCL, e.g. \'environment_variables={ LOG_LEVEL = "debug" }\'); wins over --stage',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--api-port <port>', 'port of the API (default: a free one)', port)
    .option(
      '--site-port <port>',
      'port of the site origin: any free one for the S3 website or CloudFront stand-in; without a frontend, which allowed http://localhost:<port> origin to serve the page on',
      port,
    )
    .option('--foreign-port <port>', 'port of the foreign origin (default: a free one)', port)
    .option(
      '--site-dir <dir>',
      'serve this folder (your frontend) instead of the demo page; the demo stays at /__preview/demo',
    )
    .option(
      '--site-cert <file>',
      'with frontend.cdn: the PEM certificate for localhost the https site is served with (e.g. from "mkcert localhost 127.0.0.1", which browsers trust); with --site-key (default: a self-signed one made for the run)',
    )
    .option('--site-key <file>', 'the PEM private key of --site-cert')
    .option(
      '--host <address>',
      'address to listen on; anything but loopback exposes your Lambda code to the network',
      '127.0.0.1',
    )
    .option(
      '--accept-token <token>',
      'the token the emulated authorizers accept in Authorization (or the identity header), with or without "Bearer "; others are denied (default: preview-token, what the demo page sends)',
    )
    .option(
      '--api-key <key>',
      'the x-api-key value methods that require an API key accept (default: preview, what the demo page sends)',
    )
    .option(
      '--json',
      'print one line {"ok", "api", "site", "demoPage": false (when the site\'s port is in use), "foreignSite", "stage" (when a stage is used)} on stdout once listening, or {"ok": false, "error"}',
    )
    .addHelpText(
      'after',
      '\nWith frontend.cdn, the site stands in for the CloudFront distribution on https://localhost:<port> (its domain_name is localhost:<port>, so the module allows that origin); its aliases are not served. Without a frontend, the demo page is served on an allowed http://localhost:<port> or http://127.0.0.1:<port> origin of the stage.\nRuns until Ctrl+C (SIGINT) or SIGTERM, then exits 0. Exit 1: the module cannot be served or allows no local origin (the reason names the file and address, or the origin to add), or --site-cert/--site-key are not a certificate for localhost and its key; 2: bad flags, unreadable folder or file, or port in use.',
    )
    .action(
      action(ctx, async (spec: string | undefined, flags: PreviewFlags) => {
        // Listening from the start: a signal while the preview starts also ends it cleanly, once it has started.
        const stopped = untilSignal();
        try {
          return await serve(ctx, spec, flags, stopped.promise);
        } finally {
          stopped.dispose();
        }
      }),
    );
}

/** Starts the preview, prints where it listens, and serves until `stopped`. */
async function serve(
  ctx: CliContext,
  specArg: string | undefined,
  flags: PreviewFlags,
  stopped: Promise<NodeJS.Signals>,
): Promise<Outcome> {
  const o = ctx.output;
  if (specArg !== undefined && flags.spec !== undefined && path.resolve(specArg) !== path.resolve(flags.spec)) {
    throw new UsageError(`two specs given: ${specArg} and --spec ${flags.spec}`, { fix: 'give one' });
  }
  const specFile = specArg ?? flags.spec;
  if (flags.module !== undefined && specFile !== undefined) {
    throw new UsageError(`both a spec (${specFile}) and --module ${flags.module} given`, {
      fix: 'give the spec (its module is generated/<name>) or the module folder',
    });
  }
  if ((flags.siteCert === undefined) !== (flags.siteKey === undefined)) {
    throw new UsageError(
      flags.siteCert === undefined
        ? `--site-key ${flags.siteKey} without --site-cert`
        : `--site-cert ${flags.siteCert} without --site-key`,
      { code: 'site-cert-pair', fix: 'pass both --site-cert and --site-key (the certificate and its key), or neither' },
    );
  }
  const fromSpec = flags.module === undefined ? await moduleFromSpec(o, specFile) : { dir: flags.module };
  const moduleDir = fromSpec.dir;
  if (flags.siteDir) {
    let folder = false;
    try {
      folder = statSync(flags.siteDir).isDirectory();
    } catch {
      // reported below
    }
    if (!folder)
      throw new UsageError(`--site-dir ${flags.siteDir}: not a folder`, {
        fix: 'pass the folder that holds your built frontend (its index.html)',
      });
  }
  // Loaded only here: the preview never loads CDKTF, and other commands never load the preview.
  const { startPreview, ModuleError, terminalText } = await import('../../preview/index.js');
  let preview: Awaited<ReturnType<typeof startPreview>>;
  try {
    preview = await startPreview({
      module: moduleDir,
      ...(flags.stage !== undefined ? { stage: flags.stage } : {}),
      ...(flags.var !== undefined ? { vars: flags.var } : {}),
      ...(flags.apiPort !== undefined ? { apiPort: flags.apiPort } : {}),
      ...(flags.sitePort !== undefined ? { sitePort: flags.sitePort } : {}),
      ...(flags.foreignPort !== undefined ? { foreignPort: flags.foreignPort } : {}),
      ...(flags.siteDir ? { siteDir: flags.siteDir } : {}),
      ...(flags.siteCert !== undefined && flags.siteKey !== undefined
        ? { siteCertificate: { certFile: flags.siteCert, keyFile: flags.siteKey } }
        : {}),
      ...(flags.acceptToken !== undefined ? { acceptToken: flags.acceptToken } : {}),
      ...(flags.apiKey !== undefined ? { apiKey: flags.apiKey } : {}),
      ...('spec' in fromSpec ? { spec: fromSpec.spec } : {}),
      host: flags.host,
      // Warnings quote the module (addresses, values): escaped like its errors. The function's own output is
      // the module's code speaking, shown as it is.
      log: (line) =>
        o.err(
          line.startsWith('warning: ')
            ? `${paint(o, 'yellow', 'warning')} ${terminalText(line.slice(9))}`
            : paint(o, 'dim', line),
        ),
    });
  } catch (e) {
    // `main` prints every refusal, with the one --json envelope; this only says which module it was.
    if (e instanceof ModuleError && e.code === 'cannot-serve') e.message = `cannot serve ${moduleDir}: ${e.message}`;
    throw e;
  }
  const stage = preview.stage;
  if (preview.stageChosen)
    o.err(
      `no --stage given: using stage ${stage}, the only stage that allows a local origin (${preview.site.replace(/\/$/, '')}) to serve the demo page on`,
    );
  if (flags.json)
    printJson(
      o,
      {
        ok: true,
        api: preview.api,
        site: preview.site,
        ...(preview.demoPage ? {} : { demoPage: false }),
        foreignSite: preview.foreignSite,
        ...(stage !== undefined ? { stage } : {}),
      },
      true,
    );
  else {
    const by = stage === undefined ? 'the module' : `stage ${stage}`;
    const stands = preview.website
      ? 'the S3 website stand-in, '
      : preview.cdn
        ? 'the CloudFront distribution stand-in, '
        : '';
    const site = `${stands}${preview.siteAllowed ? `allowed by ${by}` : `NOT allowed by ${by} (see the warning above)`}`;
    o.err(
      `${paint(o, 'green', 'serving')} ${moduleDir} (${preview.kind}${stage !== undefined ? `, stage ${stage}` : ''})`,
    );
    o.err(`  API           ${preview.api}`);
    // No demo page: the allowed origin's port is taken, by the user's own dev server most often.
    if (preview.demoPage) o.err(`  site          ${preview.site}   ${site}`);
    else o.err(`  your page     ${preview.site}   ${site}, its port in use: no demo page`);
    o.err(
      `  foreign site  ${preview.foreignSite}   ${preview.foreignAllowed ? `allowed by ${by} too (it allows any origin, or a pattern matches)` : `not allowed by ${by}: shows what the browser blocks`}`,
    );
    if (preview.cdn?.aliases.length)
      o.err(
        `  aliases       ${preview.cdn.aliases.map((a) => terminalText(`https://${a}`)).join(', ')}   allowed, not served here (their DNS names the real distribution)`,
      );
    if (preview.cdn?.certificate === 'generated')
      o.err(
        `The site's certificate is self-signed, made for this run: the browser warns once (Advanced, then Proceed). A trusted one: "mkcert -install", "mkcert localhost 127.0.0.1", then preview with --site-cert localhost+1.pem --site-key localhost+1-key.pem.`,
      );
    if (preview.demoPage) o.err(`Open ${preview.site} in a browser. Ctrl+C stops.`);
    else o.err(`Your page on ${preview.site.replace(/\/$/, '')} can call ${preview.api}. Ctrl+C stops.`);
  }
  const signal = await stopped;
  o.err(paint(o, 'dim', `${signal}: stopping`));
  await preview.close();
  return 'ok';
}

/** `<out>/<name>` of the spec, with a warning when the module was generated from another version of it. */
async function moduleFromSpec(o: Output, specFile: string | undefined): Promise<{ dir: string; spec: string }> {
  const [{ loadSpec, resolveSpecFile }, { DEFAULT_OUT_DIR }] = await Promise.all([
    import('../../spec/load.js'),
    import('../../spec/spec-paths.js'),
  ]);
  const loaded = await loadSpec(resolveSpecFile(specFile));
  if (!loaded.ok) {
    printIssues(o, loaded.errors, loaded.warnings);
    throw new InvalidInputError(`${loaded.file}: ${loaded.errors.length} error(s)`, {
      code: 'invalid-spec',
      fix: 'fix the spec ("cors-gen validate" lists the errors), run "cors-gen generate", then preview',
    });
  }
  // validate and generate pass a lambda.source not built yet (CI, pre-commit hooks); the preview runs its code.
  const unbuilt = loaded.warnings.find((w) => w.code === 'lambda-source-missing');
  if (unbuilt !== undefined)
    throw new InvalidInputError(
      `${loaded.file}: lambda.source: ${JSON.stringify(loaded.model.lambda.source?.dir)} does not exist yet; the preview runs the code the function's zip will hold`,
      {
        code: 'lambda-source-missing',
        fix: 'build it (your build writes that folder), then run "cors-gen preview" again',
      },
    );
  const dir = path.join(DEFAULT_OUT_DIR, loaded.model.name);
  const recorded = recordedSpecHash(dir);
  if (recorded !== undefined) {
    const { createHash } = await import('node:crypto');
    if (recorded !== createHash('sha256').update(loaded.text).digest('hex')) {
      o.err(
        `${paint(o, 'yellow', 'warning')} ${dir} was generated from another version of ${loaded.file}; run "cors-gen generate" to preview what the spec says now`,
      );
    }
  }
  return { dir, spec: loaded.file };
}

/**
 * The spec hash the module's manifest records, when it has a well-formed one. The manifest is read here rather
 * than through the writer's reader, which would load CDKTF; like every file in the module, it is untrusted.
 */
function recordedSpecHash(dir: string): string | undefined {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(dir, '.cors-gen.json'), 'utf8'));
    const hash = (manifest as { spec?: { sha256?: unknown } } | null)?.spec?.sha256;
    return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
  } catch {
    // No manifest: the folder check in the preview says what is wrong.
    return undefined;
  }
}

/** The first SIGINT or SIGTERM; `dispose` removes the listeners. */
function untilSignal(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let stop: (signal: NodeJS.Signals) => void = () => {};
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    stop = (signal) => resolve(signal);
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    promise,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
