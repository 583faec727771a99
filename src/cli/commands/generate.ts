import type { Command } from 'commander';
import { Option } from 'commander';
import path from 'node:path';
import type { GenerateResult, OtherModule } from '../../synth/generate.js';
import type { FileChange } from '../../synth/write-module.js';
import { action, type CliContext, type Outcome } from '../context.js';
import { UsageError } from '../../errors.js';
import { paint, printIssues, printJson, type Output } from '../output.js';
import { generateFindings, printReport, reportOption, type ReportFormat } from '../../report/index.js';

interface GenerateFlags {
  spec?: string;
  out: string;
  format: 'hcl' | 'json';
  check?: boolean;
  diff?: boolean;
  force?: boolean;
  allowSymlinkedModule?: boolean;
  json?: boolean;
  report?: ReportFormat;
}

type Written = Exclude<GenerateResult, { reason: 'invalid' }>;

/** Unwritable or refused output (a link, a path outside the module) is the world's problem (exit 2); the rest exit 1. */
function failure(reason: string | undefined): Outcome {
  return reason === 'write-failed' || reason === 'unsafe' ? 'external' : 'invalid';
}

export function registerGenerate(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description(
      'Validate the spec and write the Terraform module to <out>/<name>/ (atomically; hand edits are never overwritten silently).',
    )
    .argument('[spec]', 'the spec (same as --spec)')
    .option('-s, --spec <file>', 'the spec (default: cors-gen.yaml, else cors-gen.json)')
    .option('-o, --out <dir>', 'folder that receives <name>/', 'generated')
    .addOption(
      new Option('--format <format>', 'hcl (*.tf) or json (*.tf.json)').choices(['hcl', 'json']).default('hcl'),
    )
    .option('--check', 'write nothing; exit 1 and list the files that differ, with how to fix each (for CI)')
    .option('--diff', 'write nothing; print a unified diff of what would change; exit 1 when there is one')
    .option('-f, --force', 'overwrite generated files that were edited by hand')
    .option('--allow-symlinked-module', 'write even when the module folder (or the output folder) is a symbolic link')
    .option('--json', 'print one JSON document on stdout')
    .addOption(reportOption())
    .action(
      action(ctx, async (positional: string | undefined, flags: GenerateFlags) => {
        if (
          positional !== undefined &&
          flags.spec !== undefined &&
          path.resolve(positional) !== path.resolve(flags.spec)
        ) {
          throw new UsageError(
            `two different specs were given: ${positional} and --spec ${flags.spec}; pass one of them`,
          );
        }
        const { generate } = await import('../../synth/generate.js');
        const result = await generate({
          spec: positional ?? flags.spec,
          out: flags.out,
          format: flags.format,
          check: flags.check,
          diff: flags.diff,
          force: flags.force,
          allowSymlinkedModule: flags.allowSymlinkedModule,
          onProgress: (message) => ctx.output.err(message),
        });
        if (flags.report) printReport(ctx.output, flags.report, generateFindings(result));
        // The SARIF or GitHub report owns stdout; the text report then goes to stderr, where a CI log shows it.
        const o: Output = flags.report ? { ...ctx.output, out: (t) => ctx.output.err(t) } : ctx.output;
        if (!('dir' in result)) {
          if (flags.json)
            printJson(ctx.output, {
              ok: false,
              reason: 'invalid',
              file: result.file,
              errors: result.errors,
              warnings: result.warnings,
            });
          else {
            printIssues(o, result.errors, result.warnings, { stream: 'out' });
            o.out(`${result.file}: ${result.errors.length} error(s); nothing was written`);
          }
          return 'invalid';
        }
        const checking = !!(flags.check || flags.diff);
        const files = [
          ...result.changes.map((c) => ({
            path: path.join(result.dir, c.path),
            change: c.kind,
            ...('reason' in c ? { reason: c.reason } : {}),
            ...(checking ? { fix: fixFor(c, result) } : {}),
          })),
          ...result.userFiles.map((p) => ({
            path: path.join(result.dir, p),
            change: checking ? 'missing' : 'create',
            ...(checking ? { fix: 'your code file is missing: `cors-gen generate` writes the starter again' } : {}),
          })),
        ];
        const code = result.ok ? 'ok' : failure(result.reason);
        if (flags.json) {
          printJson(ctx.output, {
            ok: result.ok,
            ...(result.reason ? { reason: result.reason } : {}),
            dir: result.dir,
            check: checking,
            files,
            otherModules: result.otherModules,
            version: result.version,
            ...(result.writtenBy ? { writtenBy: result.writtenBy } : {}),
            ...(result.diff !== undefined ? { diff: result.diff } : {}),
            warnings: result.warnings,
            ...(result.message ? { message: result.message } : {}),
          });
          return code;
        }
        printIssues(o, [], result.warnings, { stream: 'out' });
        for (const other of result.otherModules)
          o.out(`${paint(o, 'yellow', 'warning')} ${renamed(other, result.dir)}`);
        if (
          result.reason === 'edited' ||
          result.reason === 'locked' ||
          result.reason === 'unsafe' ||
          result.reason === 'write-failed'
        ) {
          o.err(`${paint(o, 'red', 'error')} ${result.message}`);
          if (result.reason === 'edited' || result.reason === 'locked') o.err('Nothing was written.');
          return code;
        }
        if (result.diff) o.out(result.diff.trimEnd());
        if (checking) {
          if (result.ok) {
            o.out(`${paint(o, 'green', 'ok')} ${result.dir} is up to date`);
            return 'ok';
          }
          printDrift(o, result, files);
          return 'invalid';
        }
        if (files.length === 0) o.out(`${paint(o, 'green', 'ok')} ${result.dir} is up to date; nothing written`);
        else {
          for (const f of files) o.out(`  ${f.change.padEnd(7)} ${f.path}`);
          o.out(
            `${paint(o, 'green', 'wrote')} ${result.dir} (${result.model.api}, ${result.model.routes.length} route(s)). Next: terraform -chdir=${result.dir} init && terraform -chdir=${result.dir} apply`,
          );
        }
        return 'ok';
      }),
    );
}

/** The report of `--check`: every file that differs, why, and the one command (or edit) that fixes each. */
function printDrift(
  o: Output,
  result: Written,
  files: ReadonlyArray<{ path: string; change: string; fix?: string }>,
): void {
  if (files.length > 0) {
    o.out(`${paint(o, 'red', 'stale')} ${result.dir} differs from what \`cors-gen generate\` would write:`);
    for (const f of files) o.out(`  ${f.change.padEnd(7)} ${f.path}: ${f.fix}`);
  }
  if (result.writtenBy) {
    o.out(
      `The generator changed: cors-gen ${result.writtenBy.version} wrote ${result.dir}, this is cors-gen ${result.version}` +
        `${result.writtenBy.specChanged ? ' (and the spec changed too)' : ' (the spec did not change)'}.`,
    );
  }
  if (result.otherModules.length > 0)
    o.out(
      `${result.otherModules.length} other module folder(s) of the same spec (see the warning above): move your code out of them, then delete them.`,
    );
  if (files.length === 0) return;
  const edited = result.changes.some((c) => c.kind === 'edited');
  o.out(
    edited
      ? 'Move each hand edit you want to keep into the spec as shown, then run `cors-gen generate --force` (it overwrites the edited files) and commit the result.'
      : 'Run `cors-gen generate` and commit the result.',
  );
}

/** How to get out of the state one changed file is in. */
function fixFor(change: FileChange, result: Written): string {
  switch (change.kind) {
    case 'create':
      return 'missing: `cors-gen generate` writes it';
    case 'update':
      return 'out of date: `cors-gen generate` rewrites it';
    case 'delete':
      return /\.cors-gen-(new|old)$|^\.cors-gen\.(journal|lock)$/.test(change.path)
        ? 'left by an interrupted run: `cors-gen generate` cleans it up'
        : 'no longer generated: `cors-gen generate` deletes it';
    case 'edited': {
      if (change.reason.startsWith('not written'))
        return `${change.reason}: move it out of the module folder if you need it; \`cors-gen generate --force\` replaces it`;
      if (change.reason.includes('no longer generated'))
        return `${change.reason}: copy what you need, then \`cors-gen generate --force\` deletes it`;
      const source = specSource(change.path, result);
      return source
        ? `${change.reason}: move the change into ${source}, or discard it with \`cors-gen generate --force\``
        : `${change.reason}: no spec field produces it; \`cors-gen generate --force\` discards the edit`;
    }
  }
}

/** The part of the spec that produces a generated file, when a spec edit can change it. */
function specSource(file: string, result: Written): string | undefined {
  const stage = /^stages\/(.+)\.tfvars$/.exec(file);
  if (stage)
    return `the spec's \`stages.${stage[1]}\` (origins, authorizers, domain), or, for other inputs such as environment_variables, into a .tfvars of your own outside the module folder, passed after it with a second -var-file`;
  if (/^(main|variables|outputs)\.tf(\.json)?$/.test(file))
    return "the spec's `cors`, `routes`, `frontend` or `lambda` settings";
  if (file.startsWith('lambda/'))
    return `your own code in ${result.model.lambda.runtime.startsWith('python') ? 'lambda/app.py' : 'lambda/app.mjs'} (cors-gen never overwrites it)`;
  return undefined;
}

/** The warning for a module folder a rename left behind: what it is, where the user's code goes, what stays deployed. */
function renamed(other: OtherModule, dir: string): string {
  const moves = other.userFiles.map((p) => `${path.join(other.dir, p)} to ${path.join(dir, p)}`);
  return (
    `${other.dir} holds a module generated from the same spec under another name (the spec's \`name:\` changed?); this spec now writes ${dir}. ` +
    (moves.length > 0
      ? `Move your code across (${moves.join(', ')}, replacing the starter cors-gen wrote), then delete ${other.dir}. `
      : `Delete ${other.dir}. `) +
    "The old module's resources are still in whatever Terraform state applied it."
  );
}
