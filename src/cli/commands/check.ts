import type { Command } from 'commander';
import { action, type CliContext } from '../context.js';
import { InvalidInputError, UsageError } from '../../errors.js';
import { JSON_SCHEMA_VERSION, paint, printIssues } from '../output.js';
import { liveFindings, printReport, reportOption, type ReportFormat } from '../../report/index.js';

interface CheckFlags {
  origin?: string[];
  spec?: string;
  url?: string;
  stage?: string;
  param?: string[];
  sendUnsafe?: boolean;
  concurrency?: string;
  maxRequests?: string;
  totalTimeout?: string;
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

/** A whole number flag; its range is the sweep's to enforce. */
function parseCount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} "${raw}" must be a whole number`);
  return Number(raw);
}

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'Test a live endpoint the way a browser would: preflight, request and an error path, judged by the Fetch standard; --scan adds misconfiguration probes.',
    )
    .argument('[url]', 'the endpoint, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/users')
    .option(
      '-o, --origin <origin>',
      'the frontend origin, e.g. https://app.example.com; with --spec, an origin allowed only after apply (the website or CDN origin, repeatable)',
      collect,
    )
    .option('-s, --spec <file>', 'sweep every route x method x origin of this spec; needs --url')
    .option('--url <base>', "with --spec: the API's base URL, the module's api_url output")
    .option('--stage <name>', "with --spec: test this stage's allowed origins (default: cors.allowOrigins)")
    .option('--param <name=value>', `with --spec: a path parameter's value (repeatable; default: "sample")`, collect)
    .option(
      '--send-unsafe',
      'with --spec: also send POST, PUT, PATCH and DELETE requests (default: only their preflight)',
    )
    .option('--concurrency <n>', 'with --spec: requests in flight at once, 1 to 64 (default: 4)')
    .option('--max-requests <n>', 'with --spec: refuse a sweep that needs more requests than this (default: 300)')
    .option('--total-timeout <ms>', 'with --spec: deadline for the whole sweep in milliseconds (default: 120000)')
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
      '\nExit codes: 0 the origin can use the endpoint and no crafted origin can read it with credentials, 1 otherwise, 2 usage or network error (DNS, TLS, refused, timeout).' +
        '\n\nWith --spec --url: every route and method of the spec from every allowed origin (plus --origin ones, a foreign' +
        '\norigin and, with --scan, look-alikes): preflight, request and an error request. Allowed origins must read every' +
        '\nanswer; any other origin must be blocked. A guarded route (auth) refuses requests without credentials: a' +
        '\nreadable 401/403 passes. Exit 0 every row matches the spec, 1 one differs, 2 usage or network error.',
    )
    .action(
      action(ctx, async (url: string | undefined, flags: CheckFlags) => {
        if (flags.spec !== undefined || flags.url !== undefined) return sweep(ctx, url, flags);
        const origins = flags.origin ?? [];
        // Commander's own words for what it enforced before --spec made both optional.
        const command: Command = ctx.command ?? program;
        if (url === undefined) command.error("error: missing required argument 'url'");
        if (origins.length === 0) command.error("error: required option '-o, --origin <origin>' not specified");
        if (origins.length > 1)
          command.error(
            `error: give one --origin without --spec (got ${origins.length}), e.g. --origin https://app.example.com`,
          );
        // Loaded here so that no other command pays for it, and check never loads CDKTF.
        const { checkEndpoint, formatJson, formatReport, MAX_TIMEOUT_MS } = await import('../../check/index.js');
        const timeoutMs = parseTimeout(flags.timeout, MAX_TIMEOUT_MS);
        const report = await withProgress(ctx, flags.json, (onProgress) =>
          checkEndpoint({
            url,
            origin: origins[0]!,
            method: flags.method,
            headers: flags.header,
            credentials: flags.credentials,
            scan: flags.scan,
            showSecrets: flags.showSecrets,
            timeoutMs,
            onProgress,
          }),
        );
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

const SINGLE_ONLY = ['method', 'credentials'] as const;

/** `check --spec --url`: the sweep over every route. */
async function sweep(ctx: CliContext, url: string | undefined, flags: CheckFlags): Promise<'ok' | 'invalid'> {
  if (url !== undefined)
    throw new UsageError(`with --spec, give the API's base URL with --url, not as an argument ("${url}")`);
  const { spec, url: apiUrl } = flags;
  if (spec === undefined || apiUrl === undefined)
    throw new UsageError('--spec and --url go together: cors-gen check --spec cors-gen.yaml --url <api_url>');
  for (const flag of SINGLE_ONLY)
    if (flags[flag] !== undefined)
      throw new UsageError(
        `--${flag} is for one URL; with --spec the methods come from the routes and credentials from cors.allowCredentials`,
      );
  const { sweepApi, sweepFindings, formatSweepJson, formatSweepReport, MAX_TIMEOUT_MS } =
    await import('../../check/index.js');
  const bounds = {
    concurrency: parseCount(flags.concurrency, '--concurrency'),
    maxRequests: parseCount(flags.maxRequests, '--max-requests'),
    timeoutMs: parseTimeout(flags.timeout, MAX_TIMEOUT_MS),
    totalTimeoutMs: parseCount(flags.totalTimeout, '--total-timeout'),
  };
  const { loadSpec, resolveSpecFile } = await import('../../spec/load.js');
  const loaded = await loadSpec(resolveSpecFile(spec));
  if (!loaded.ok) {
    printIssues(ctx.output, loaded.errors, loaded.warnings, { text: loaded.text });
    throw new InvalidInputError(`${loaded.file}: ${loaded.errors.length} error(s)`, {
      code: 'invalid-spec',
      fix: 'fix the spec ("cors-gen validate" lists the errors), then check again',
    });
  }
  const report = await withProgress(ctx, flags.json, (onProgress) =>
    sweepApi({
      model: loaded.model,
      url: apiUrl,
      stage: flags.stage,
      origins: flags.origin,
      params: flags.param,
      headers: flags.header,
      scan: flags.scan,
      sendUnsafe: flags.sendUnsafe,
      showSecrets: flags.showSecrets,
      ...bounds,
      onProgress,
    }),
  );
  const text = flags.json ? '' : formatSweepReport(report, (style, t) => paint(ctx.output, style, t));
  if (flags.json) ctx.output.out(formatSweepJson(report, { schemaVersion: JSON_SCHEMA_VERSION }));
  else if (flags.report) {
    printReport(ctx.output, flags.report, liveFindings(report.url, sweepFindings(report)));
    ctx.output.err(text);
  } else ctx.output.out(text);
  return report.ok ? 'ok' : 'invalid';
}

type OnProgress = ((event: { done: number; total: number; probe: string }) => void) | undefined;

/** Runs a check or a sweep with a progress line on a terminal (not with --json). */
async function withProgress<T>(
  ctx: CliContext,
  json: boolean | undefined,
  run: (onProgress: OnProgress) => Promise<T>,
) {
  const { CheckError, progressLine, terminalText } = await import('../../check/index.js');
  const progress = ctx.output.isTTY && !json ? progressLine(process.stderr, process.stderr.columns || 80) : undefined;
  try {
    return await run(progress ? (e) => progress.update(e) : undefined);
  } catch (e) {
    // Network messages can quote what a server sent (a certificate's names): escaped like the report.
    if (e instanceof CheckError) e.message = terminalText(e.message);
    throw e;
  } finally {
    progress?.done();
  }
}
