import type { Command } from 'commander';
import path from 'node:path';
import type { LoadResult } from '../../spec/load.js';
import { SpecFileError } from '../../spec/spec-file-error.js';
import { action, type CliContext } from '../main.js';
import { EXIT } from '../errors.js';
import { paint, printIssues, printJson } from '../output.js';
import { printReport, reportOption, specFindings, type ReportFinding, type ReportFormat } from '../../report/index.js';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check a spec: errors name the file, the line, the path inside the spec and the fix; warnings never fail.')
    .argument('[files...]', 'spec files, as pre-commit passes them (default: --spec, else cors-gen.yaml, else cors-gen.json)')
    .option('-s, --spec <file>', 'the spec (default: cors-gen.yaml, else cors-gen.json)')
    .option('--json', 'print one JSON document { ok, file, errors, warnings } on stdout')
    .addOption(reportOption())
    .action(
      action(ctx, async function validate(files: string[], opts: { spec?: string; json?: boolean; report?: ReportFormat; into?: ReportFinding[] }): Promise<number> {
        // Several files: each is validated and reported in turn (one --report for all); the worst exit code wins.
        if (files.length > 1) {
          const into: ReportFinding[] = [];
          let worst: number = EXIT.ok;
          for (const f of files) worst = Math.max(worst, await validate([f], { ...opts, into }));
          if (opts.report) printReport(ctx.output, opts.report, into);
          return worst;
        }
        // Loaded here, not at start-up: the other commands never pay for the parser and zod.
        const { loadSpec, resolveSpecFile } = await import('../../spec/load.js');
        let result: LoadResult;
        try {
          result = await loadSpec(resolveSpecFile(files[0] ?? opts.spec));
        } catch (e) {
          // With --json a script still gets its one document on stdout; the exit code (2) says it was unreadable.
          if (!(e instanceof SpecFileError) || !opts.json) throw e;
          const file = path.relative(process.cwd(), path.resolve(e.file)) || '.';
          const error = { severity: 'error', code: 'unreadable', path: '', message: e.message, file };
          printJson(ctx.output, { ok: false, file, errors: [error], warnings: [] });
          return EXIT.usage;
        }
        const errors = result.ok ? [] : result.errors;
        const findings = specFindings([...errors, ...result.warnings], result.file);
        if (opts.into) opts.into.push(...findings);
        else if (opts.report) printReport(ctx.output, opts.report, findings);
        if (opts.json) {
          printJson(ctx.output, { ok: result.ok, file: result.file, errors, warnings: result.warnings });
        } else {
          printIssues(ctx.output, errors, result.warnings);
          if (result.ok) {
            const m = result.model;
            ctx.output.err(
              `${paint(ctx.output, 'green', 'ok')} ${result.file}: ${m.name} (${m.api}), ${m.routes.length} route(s), ${m.cors.allowOrigins.length} origin(s)` +
                (result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : ''),
            );
          } else {
            ctx.output.err(`${result.file}: ${errors.length} error(s); nothing was written`);
          }
        }
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );
}
