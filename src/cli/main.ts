import { Command, CommanderError } from 'commander';
import { packageVersion } from '../paths.js';
import { CorsGenError, EXIT_CODE } from '../errors.js';
import type { CliContext } from './context.js';
import { printJson, processOutput, type Output } from './output.js';
import { registerInit } from './commands/init.js';
import { registerValidate } from './commands/validate.js';
import { registerGenerate } from './commands/generate.js';
import { registerCheck } from './commands/check.js';
import { registerPreview } from './commands/preview.js';
import { registerSchema } from './commands/schema.js';

/**
 * Builds the program. Each command lives in `commands/<name>.ts`, parses its flags and prints; the work itself
 * is a plain async function loaded lazily, so `validate` and `init` never load CDKTF.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cors-gen')
    .description('Declarative CORS for AWS APIs: spec in, Terraform module out, checked in a real browser.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.output.out(s), writeErr: (s) => ctx.output.err(s) })
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExit codes: 0 success, 1 invalid input or failed check, 2 usage error, unreadable file or network failure.\nNO_COLOR disables colour.',
  );
  for (const register of [
    registerInit,
    registerValidate,
    registerGenerate,
    registerCheck,
    registerPreview,
    registerSchema,
  ])
    register(program, ctx);
  program.commands.forEach((c) =>
    c.exitOverride().configureOutput({ writeOut: (s) => ctx.output.out(s), writeErr: (s) => ctx.output.err(s) }),
  );
  // Which command runs, and whether it runs with --json, decide how a failure is reported (see `run`).
  program.hook('preSubcommand', (_program, sub) => {
    ctx.command = sub;
  });
  program.hook('preAction', (_program, command) => {
    ctx.json = command.opts().json === true;
  });
  return program;
}

export async function run(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  const ctx: CliContext = { output };
  const program = buildProgram(ctx);
  // --json promises one document on stdout, failures included: an error that stops a command becomes the one
  // envelope { ok: false, error: { code, message, fix? } }.
  const failed = (kind: keyof typeof EXIT_CODE, error: { code: string; message: string; fix?: string }): number => {
    if (wantsJson(ctx, argv)) printJson(output, { ok: false, error }, true);
    return EXIT_CODE[kind];
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.outcome === undefined || ctx.outcome === 'ok' ? 0 : EXIT_CODE[ctx.outcome];
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; they are successes to the user when commander says so
      // (exitCode 0). `cors-gen` alone shows the help as an error (exitCode 1): a usage error, exit 2.
      if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(e.code) && e.exitCode === 0)
        return 0;
      // Commander has already printed its message (and its "Did you mean" hint) on stderr.
      const command = ctx.command ? `cors-gen ${ctx.command.name()}` : 'cors-gen';
      return failed('usage', {
        code: e.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
        message: e.message.replace(/^error: /, '').replace(/\n/g, ' '),
        fix: `run "${command} --help" for usage`,
      });
    }
    if (e instanceof CorsGenError && e.kind !== 'internal') {
      output.err(`cors-gen: ${e.message}${e.fix !== undefined ? `\n  fix: ${e.fix}` : ''}`);
      return failed(e.kind, { code: e.code, message: e.message, ...(e.fix !== undefined ? { fix: e.fix } : {}) });
    }
    // Anything else, and an error of kind `internal`, is a bug: the stack goes to stderr, to be reported.
    const bug = `a bug in cors-gen ${packageVersion()}; please report it with the command you ran`;
    output.err(`cors-gen: internal error: ${(e as Error).stack ?? String(e)}\nThis is ${bug}.`);
    return failed('internal', {
      code: e instanceof CorsGenError ? e.code : 'internal',
      message: e instanceof Error ? e.message : String(e),
      fix: `this is ${bug}`,
    });
  }
}

/**
 * Whether the failed command was run with --json. Known once its options are parsed; a parse error (unknown
 * option, missing argument, bad choice) happens before that, so then the answer comes from the arguments: the
 * chosen command (if any) takes --json and it appears among the options (before a "--" that ends them).
 */
function wantsJson(ctx: CliContext, argv: readonly string[]): boolean {
  if (ctx.json !== undefined) return ctx.json;
  // No command chosen (`cors-gen frobnicate --json`): the caller still asked for JSON.
  if (ctx.command && !ctx.command.options.some((o) => o.long === '--json')) return false;
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** The process entry: the one place that ends the process with a code. */
export async function main(argv: readonly string[]): Promise<void> {
  const code = await run(argv);
  process.exitCode = code;
}
