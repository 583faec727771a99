import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { action, type CliContext } from '../main.js';
import { EXIT, UsageError } from '../errors.js';
import { paint, printIssues, printJson } from '../output.js';

interface PreviewFlags {
  spec?: string;
  module?: string;
  stage?: string;
  apiPort?: number;
  sitePort?: number;
  foreignPort?: number;
  siteDir?: string;
  host: string;
  json?: boolean;
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port is a number from 0 (any free port) to 65535.');
  return Number(value);
}

export function registerPreview(program: Command, ctx: CliContext): void {
  program
    .command('preview')
    .description('Serve the generated module locally (API, its Lambda code, a site origin and a foreign origin) to see its CORS in a real browser.')
    .option('-s, --spec <file>', 'the spec; the module is generated/<name> (default: cors-gen.yaml, else cors-gen.json)')
    .option('-m, --module <dir>', 'the generated module folder (instead of --spec)')
    .option('--stage <stage>', 'use the variable values of stages/<stage>.tfvars')
    .option('--api-port <port>', 'port of the API (default: a free one)', port)
    .option('--site-port <port>', 'port of the site origin, the S3 website stand-in (default: a free one)', port)
    .option('--foreign-port <port>', 'port of the foreign origin (default: a free one)', port)
    .option('--site-dir <dir>', 'serve this folder (your frontend) instead of the demo page; the demo stays at /__preview/demo')
    .option('--host <address>', 'address to listen on; anything but loopback exposes your Lambda code to the network', '127.0.0.1')
    .option('--json', 'print one line {"api", "site", "foreignSite"} on stdout once listening')
    .addHelpText('after', '\nRuns until Ctrl+C (SIGINT) or SIGTERM, then exits 0. Exit 1: the module cannot be served (the reason names the file and address); 2: bad flags, unreadable folder or port in use.')
    .action(
      action(ctx, async (flags: PreviewFlags) => {
        // Listening from the start: a signal while the preview starts also ends it cleanly, once it has started.
        const stopped = untilSignal();
        try {
          return await serve(ctx, flags, stopped.promise);
        } finally {
          stopped.dispose();
        }
      }),
    );
}

/** Starts the preview, prints where it listens, and serves until `stopped`. */
async function serve(ctx: CliContext, flags: PreviewFlags, stopped: Promise<NodeJS.Signals>): Promise<number> {
  const o = ctx.output;
  const moduleDir = flags.module ?? (await moduleFromSpec(ctx, flags));
  if (typeof moduleDir === 'number') return moduleDir;
  if (flags.siteDir) {
    try {
      if (!statSync(flags.siteDir).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new UsageError(`--site-dir ${flags.siteDir}: not a folder`);
    }
  }
  // Loaded only here: the preview never loads CDKTF, and other commands never load the preview.
  const { startPreview, ModuleError, PreviewSetupError } = await import('../../preview/index.js');
  let preview: Awaited<ReturnType<typeof startPreview>>;
  try {
    preview = await startPreview({
      module: moduleDir,
      ...(flags.stage ? { stage: flags.stage } : {}),
      ...(flags.apiPort !== undefined ? { apiPort: flags.apiPort } : {}),
      ...(flags.sitePort !== undefined ? { sitePort: flags.sitePort } : {}),
      ...(flags.foreignPort !== undefined ? { foreignPort: flags.foreignPort } : {}),
      ...(flags.siteDir ? { siteDir: flags.siteDir } : {}),
      host: flags.host,
      log: (line) => o.err(line.startsWith('warning: ') ? `${paint(o, 'yellow', 'warning')} ${line.slice(9)}` : paint(o, 'dim', line)),
    });
  } catch (e) {
    if (e instanceof ModuleError || e instanceof PreviewSetupError) {
      const code = e instanceof ModuleError ? EXIT.failed : EXIT.usage;
      if (flags.json) printJson(o, { error: e.message }, true);
      o.err(`${paint(o, 'red', 'error')} ${e instanceof ModuleError ? `cannot serve ${moduleDir}: ` : ''}${e.message}`);
      return code;
    }
    throw e;
  }
  if (flags.json) printJson(o, { api: preview.api, site: preview.site, foreignSite: preview.foreignSite }, true);
  else {
    o.err(`${paint(o, 'green', 'serving')} ${moduleDir} (${preview.kind}${flags.stage ? `, stage ${flags.stage}` : ''})`);
    o.err(`  API           ${preview.api}`);
    o.err(`  site          ${preview.site}   the S3 website stand-in: an allowed origin`);
    o.err(`  foreign site  ${preview.foreignSite}   an origin nothing allows: shows what is blocked`);
    o.err('Open the site in a browser. Ctrl+C stops.');
  }
  const signal = await stopped;
  o.err(paint(o, 'dim', `${signal}: stopping`));
  await preview.close();
  return EXIT.ok;
}

/** generated/<name> of the spec, with a warning when the module was generated from another version of it. */
async function moduleFromSpec(ctx: CliContext, flags: PreviewFlags): Promise<string | number> {
  const { loadSpec, resolveSpecFile } = await import('../../spec/load.js');
  const loaded = await loadSpec(resolveSpecFile(flags.spec));
  if (!loaded.ok) {
    printIssues(ctx.output, loaded.errors, loaded.warnings);
    ctx.output.err(`${loaded.file}: ${loaded.errors.length} error(s); fix the spec, run "cors-gen generate", then preview`);
    if (flags.json) printJson(ctx.output, { error: `${loaded.file} is not a valid spec` }, true);
    return EXIT.failed;
  }
  const dir = path.join('generated', loaded.model.name);
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, '.cors-gen.json'), 'utf8')) as { spec?: { sha256?: string } };
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(loaded.text).digest('hex');
    if (manifest.spec?.sha256 && manifest.spec.sha256 !== hash) {
      ctx.output.err(`${paint(ctx.output, 'yellow', 'warning')} ${dir} was generated from another version of ${loaded.file}; run "cors-gen generate" to preview what the spec says now`);
    }
  } catch {
    // No manifest: the folder check in the preview says what is wrong.
  }
  return dir;
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
