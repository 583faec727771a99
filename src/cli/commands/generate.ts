import type { Command } from 'commander';
import { Option } from 'commander';
import path from 'node:path';
import { action, type CliContext } from '../main.js';
import { EXIT } from '../errors.js';
import { paint, printIssues, printJson } from '../output.js';
import { generateFindings, printReport, reportOption, type ReportFormat } from '../../report/index.js';

interface GenerateFlags {
  spec?: string;
  out: string;
  format: 'hcl' | 'json';
  check?: boolean;
  force?: boolean;
  json?: boolean;
  report?: ReportFormat;
}

/** An unwritable output folder is an environment problem, like an unreadable file (exit 2); the rest exit 1. */
function failure(reason: string | undefined): number {
  return reason === 'write-failed' ? EXIT.usage : EXIT.failed;
}

export function registerGenerate(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description('Validate the spec and write the Terraform module to <out>/<name>/ (atomically; hand edits are never overwritten silently).')
    .option('-s, --spec <file>', 'the spec (default: cors-gen.yaml, else cors-gen.json)')
    .option('-o, --out <dir>', 'folder that receives <name>/', 'generated')
    .addOption(new Option('--format <format>', 'hcl (*.tf) or json (*.tf.json)').choices(['hcl', 'json']).default('hcl'))
    .option('--check', 'write nothing; exit 1 and list the files that differ (for CI)')
    .option('-f, --force', 'overwrite generated files that were edited by hand')
    .option('--json', 'print one JSON document on stdout')
    .addOption(reportOption())
    .action(
      action(ctx, async (flags: GenerateFlags) => {
        const { generate } = await import('../../commands/generate.js');
        const result = await generate({ spec: flags.spec, out: flags.out, format: flags.format, check: flags.check, force: flags.force });
        const o = ctx.output;
        if (flags.report) printReport(o, flags.report, generateFindings(result));
        if (!('dir' in result)) {
          if (flags.json) printJson(o, { ok: false, reason: 'invalid', file: result.file, errors: result.errors, warnings: result.warnings });
          else {
            printIssues(o, result.errors, result.warnings);
            o.err(`${result.file}: ${result.errors.length} error(s); nothing was written`);
          }
          return EXIT.failed;
        }
        const files = [
          ...result.changes.map((c) => ({ path: path.join(result.dir, c.path), change: c.kind, ...('reason' in c ? { reason: c.reason } : {}) })),
          ...result.userFiles.map((p) => ({ path: path.join(result.dir, p), change: flags.check ? 'missing' : 'create' })),
        ];
        if (flags.json) {
          printJson(o, { ok: result.ok, ...(result.reason ? { reason: result.reason } : {}), dir: result.dir, check: !!flags.check, files, warnings: result.warnings, ...(result.message ? { message: result.message } : {}) });
          return result.ok ? EXIT.ok : failure(result.reason);
        }
        printIssues(o, [], result.warnings);
        if (result.reason === 'edited' || result.reason === 'locked' || result.reason === 'write-failed') {
          o.err(`${paint(o, 'red', 'error')} ${result.message}`);
          if (result.reason !== 'write-failed') o.err('Nothing was written.');
          return failure(result.reason);
        }
        if (flags.check) {
          if (result.ok) {
            o.err(`${paint(o, 'green', 'ok')} ${result.dir} is up to date`);
            return EXIT.ok;
          }
          o.err(`${paint(o, 'red', 'stale')} ${result.dir} differs from what ${'`cors-gen generate`'} would write:`);
          for (const f of files) o.err(`  ${f.change.padEnd(7)} ${f.path}`);
          o.err('Run "cors-gen generate" and commit the result.');
          return EXIT.failed;
        }
        if (files.length === 0) o.err(`${paint(o, 'green', 'ok')} ${result.dir} is up to date; nothing written`);
        else {
          for (const f of files) o.err(`  ${f.change.padEnd(7)} ${f.path}`);
          o.err(`${paint(o, 'green', 'wrote')} ${result.dir} (${result.model.api}, ${result.model.routes.length} route(s)). Next: terraform -chdir=${result.dir} init && terraform -chdir=${result.dir} apply`);
        }
        return EXIT.ok;
      }),
    );
}
