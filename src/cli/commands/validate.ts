import type { Command } from 'commander';
import path from 'node:path';
import type { LoadResult } from '../../spec/load.js';
import type { CorsModel } from '../../spec/model.js';
import { SpecFileError } from '../../spec/spec-file-error.js';
import { action, type CliContext } from '../context.js';
import { paint, printIssues, printJson, type Output } from '../output.js';
import { printReport, reportOption, specFindings, type ReportFormat } from '../../report/index.js';

interface ValidateFlags {
  spec?: string;
  json?: boolean;
  report?: ReportFormat;
}

/** One file's outcome: its report, or why it could not be read. */
type Outcome =
  { readonly result: LoadResult } | { readonly unreadable: { readonly file: string; readonly message: string } };

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'Check specs: errors name the file, the line, the path inside the spec and the fix; warnings never fail. The report goes to stdout.',
    )
    .argument(
      '[files...]',
      'the specs to check, e.g. as pre-commit passes them (default: --spec, else cors-gen.yaml, else cors-gen.json)',
    )
    .option('-s, --spec <file>', 'the spec (default: cors-gen.yaml, else cors-gen.json)')
    .option(
      '--json',
      'print one JSON document { ok, file, errors, warnings } on stdout ({ ok, files: [...] } for several files)',
    )
    .addOption(reportOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 every spec is valid, 1 a spec is invalid, 2 a file cannot be read or a usage error.',
    )
    .action(
      action(ctx, async (files: string[], flags: ValidateFlags) => {
        // Loaded here, not at start-up: the other commands never pay for the parser and zod.
        const { loadSpec, resolveSpecFile } = await import('../../spec/load.js');
        const targets: (string | undefined)[] = [
          ...new Set([...(flags.spec !== undefined ? [flags.spec] : []), ...files]),
        ];
        if (targets.length === 0) targets.push(undefined);
        const outcomes: Outcome[] = [];
        for (const target of targets) {
          try {
            outcomes.push({ result: await loadSpec(resolveSpecFile(target)) });
          } catch (e) {
            if (!(e instanceof SpecFileError)) throw e;
            outcomes.push({
              unreadable: { file: path.relative(process.cwd(), path.resolve(e.file)) || '.', message: e.message },
            });
          }
        }

        if (flags.json) {
          const docs = outcomes.map(jsonOf);
          printJson(ctx.output, docs.length === 1 ? docs[0]! : { ok: docs.every((d) => d.ok), files: docs });
        } else {
          // The report is the result, on stdout; with --report (SARIF, annotations) on stdout, the text goes to stderr.
          const o = ctx.output;
          const text: Output = flags.report ? { ...o, out: (t) => o.err(t) } : o;
          for (const outcome of outcomes) {
            if ('unreadable' in outcome) o.err(`cors-gen: ${outcome.unreadable.message}`);
            else report(text, outcome.result);
          }
          if (flags.report) {
            const results = outcomes.flatMap((x) => ('result' in x ? [x.result] : []));
            printReport(
              o,
              flags.report,
              results.flatMap((r) => specFindings([...(r.ok ? [] : r.errors), ...r.warnings], r.file)),
            );
          }
        }
        if (outcomes.some((o) => 'unreadable' in o)) return 'external';
        return outcomes.every((o) => 'result' in o && o.result.ok) ? 'ok' : 'invalid';
      }),
    );
}

function jsonOf(outcome: Outcome) {
  if ('unreadable' in outcome) {
    // A script still gets the file's entry; the exit code (2) says it was unreadable.
    const { file, message } = outcome.unreadable;
    return {
      ok: false,
      file,
      errors: [{ severity: 'error', code: 'unreadable', path: '', message, file }],
      warnings: [],
    };
  }
  const r = outcome.result;
  return { ok: r.ok, file: r.file, errors: r.ok ? [] : r.errors, warnings: r.warnings };
}

function report(o: Output, result: LoadResult): void {
  printIssues(o, result.ok ? [] : result.errors, result.warnings, { stream: 'out', text: result.text });
  if (!result.ok) {
    // validate never writes, so "nothing was written" (generate's wording) would only puzzle.
    o.out(
      `${result.file}: invalid, ${result.errors.length} error(s)` +
        (result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : ''),
    );
    return;
  }
  const m = result.model;
  o.out(
    `${paint(o, 'green', 'ok')} ${result.file}: ${m.name} (${m.api}), ${m.routes.length} route(s), ${originSummary(m)}` +
      (result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : ''),
  );
}

/**
 * `3 origin(s): 1 in cors.allowOrigins, 2 in stages.dev`: every list the module is configured with, counted, and
 * the S3 website's origin, which the module allows too although no list names it.
 */
function originSummary(m: CorsModel): string {
  const total = m.cors.allowOrigins.length + m.stages.reduce((n, s) => n + s.allowOrigins.length, 0);
  const website = m.frontend.cdn
    ? " plus the CloudFront distribution's"
    : m.frontend.enabled
      ? " plus the S3 website's"
      : '';
  if (m.stages.length === 0) return `${total} origin(s)${website}`;
  return `${total} origin(s): ${[`${m.cors.allowOrigins.length} in cors.allowOrigins`, ...m.stages.map((s) => `${s.allowOrigins.length} in stages.${s.name}`)].join(', ')}${website}`;
}
