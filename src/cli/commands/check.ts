import type { Command } from 'commander';
import { action, type CliContext } from '../main.js';
import { EXIT, UsageError } from '../errors.js';
import { paint, printJson } from '../output.js';
import { liveFindings, printReport, reportOption, type ReportFormat } from '../../report/index.js';

interface CheckFlags {
  origin: string;
  method?: string;
  header?: string[];
  credentials?: boolean;
  scan?: boolean;
  json?: boolean;
  report?: ReportFormat;
  timeout?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--timeout "${raw}" must be a positive number of milliseconds`);
  return Number(raw);
}

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('Test a live endpoint the way a browser would: preflight, request and an error path, judged by the Fetch standard; --scan adds misconfiguration probes.')
    .argument('<url>', 'the endpoint, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/users')
    .requiredOption('-o, --origin <origin>', 'the frontend origin, e.g. https://app.example.com')
    .option('-m, --method <method>', 'the method the frontend uses (default: GET)')
    .option('-H, --header <header>', 'a header the frontend sets, "Name: value" or just "Name" (repeatable)', collect)
    .option('--credentials', "the frontend sends credentials: 'include' (cookies, HTTP auth)")
    .option('--scan', 'also probe with crafted origins for the misconfigurations Corsy and CORScanner detect')
    .option('--json', 'print one JSON document { ok, url, origin, findings } on stdout')
    .addOption(reportOption())
    .option('--timeout <ms>', 'deadline per request in milliseconds (default: 10000)')
    .addHelpText('after', '\nExit codes: 0 the origin can use the endpoint, 1 it cannot, 2 usage or network error (DNS, TLS, refused, timeout).')
    .action(
      action(ctx, async (url: string, flags: CheckFlags) => {
        const timeoutMs = parseTimeout(flags.timeout);
        // Loaded here so that no other command pays for it, and check never loads CDKTF.
        const { checkEndpoint, CheckError, formatReport, reportJson, progressLine, SCAN_CODES } = await import('../../check/index.js');
        const progress = ctx.output.isTTY && !flags.json ? progressLine(process.stderr, process.stderr.columns || 80) : undefined;
        let report;
        try {
          report = await checkEndpoint({
            url,
            origin: flags.origin,
            method: flags.method,
            headers: flags.header,
            credentials: flags.credentials,
            scan: flags.scan,
            timeoutMs,
            onProgress: progress ? (e) => progress.update(e) : undefined,
          });
        } catch (e) {
          if (e instanceof CheckError) throw new UsageError(e.message);
          throw e;
        } finally {
          progress?.done();
        }
        if (flags.json) printJson(ctx.output, reportJson(report));
        else {
          const text = formatReport(report, (style, t) => paint(ctx.output, style, t));
          // With --report, the report is the result on stdout and the explanation moves to stderr.
          if (flags.report) printReport(ctx.output, flags.report, liveFindings(report.url, report.findings));
          if (flags.report) ctx.output.err(text);
          else ctx.output.out(text);
        }
        // A scan exists to fail CI on a dangerous configuration, even when the frontend's own origin works:
        // an error-severity scan finding exits 1 too (`ok` in the JSON still answers "can this origin use it").
        const dangerous = flags.scan && report.findings.some((f) => f.severity === 'error' && (SCAN_CODES as readonly string[]).includes(f.code));
        return report.ok && !dangerous ? EXIT.ok : EXIT.failed;
      }),
    );
}
