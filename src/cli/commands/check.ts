import type { Command } from 'commander';
import { action, type CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { JSON_SCHEMA_VERSION, paint } from '../output.js';
import { liveFindings, printReport, reportOption, type ReportFormat } from '../../report/index.js';

interface CheckFlags {
  origin: string;
  method?: string;
  header?: string[];
  credentials?: boolean;
  scan?: boolean;
  showSecrets?: boolean;
  json?: boolean;
  report?: ReportFormat;
  timeout?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The range (1 to MAX_TIMEOUT_MS) is checkEndpoint's to enforce; here only the form. */
function parseTimeout(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--timeout "${raw}" must be a number of milliseconds from 1 to ${max}`);
  return Number(raw);
}

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'Test a live endpoint the way a browser would: preflight, request and an error path, judged by the Fetch standard; --scan adds misconfiguration probes.',
    )
    .argument('<url>', 'the endpoint, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/users')
    .requiredOption('-o, --origin <origin>', 'the frontend origin, e.g. https://app.example.com')
    .option('-m, --method <method>', 'the method the frontend uses (default: GET)')
    .option('-H, --header <header>', 'a header the frontend sets, "Name: value" or just "Name" (repeatable)', collect)
    .option('--credentials', "the frontend sends credentials: 'include' (cookies, HTTP auth)")
    .option(
      '--scan',
      'probe with all the crafted origins of the misconfigurations Corsy and CORScanner detect (without it, only one: an origin nobody allows)',
    )
    .option(
      '--show-secrets',
      'show Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and X-Amz-Security-Token values in the evidence (redacted by default)',
    )
    .option('--json', 'print one JSON document { ok, originAllowed, url, origin, findings, probes } on stdout')
    .addOption(reportOption())
    .option('--timeout <ms>', 'deadline per request in milliseconds, 1 to 600000 (default: 10000)')
    .addHelpText(
      'after',
      '\nExit codes: 0 the origin can use the endpoint and no crafted origin can read it with credentials, 1 otherwise, 2 usage or network error (DNS, TLS, refused, timeout).',
    )
    .action(
      action(ctx, async (url: string, flags: CheckFlags) => {
        // Loaded here so that no other command pays for it, and check never loads CDKTF.
        const { checkEndpoint, CheckError, formatJson, formatReport, progressLine, terminalText, MAX_TIMEOUT_MS } =
          await import('../../check/index.js');
        const timeoutMs = parseTimeout(flags.timeout, MAX_TIMEOUT_MS);
        const progress =
          ctx.output.isTTY && !flags.json ? progressLine(process.stderr, process.stderr.columns || 80) : undefined;
        let report;
        try {
          report = await checkEndpoint({
            url,
            origin: flags.origin,
            method: flags.method,
            headers: flags.header,
            credentials: flags.credentials,
            scan: flags.scan,
            showSecrets: flags.showSecrets,
            timeoutMs,
            onProgress: progress ? (e) => progress.update(e) : undefined,
          });
        } catch (e) {
          // Network messages can quote what a server sent (a certificate's names): escaped like the report.
          if (e instanceof CheckError) e.message = terminalText(e.message);
          throw e;
        } finally {
          progress?.done();
        }
        if (flags.json) ctx.output.out(formatJson(report, { schemaVersion: JSON_SCHEMA_VERSION }));
        else {
          const text = formatReport(report, (style, t) => paint(ctx.output, style, t));
          // With --report, the report is the result on stdout and the explanation moves to stderr.
          if (flags.report) printReport(ctx.output, flags.report, liveFindings(report.url, report.findings));
          if (flags.report) ctx.output.err(text);
          else ctx.output.out(text);
        }
        return report.ok ? 'ok' : 'invalid';
      }),
    );
}
