/**
 * The two presentations of a sweep: the `--json` document and a table of route x method x origin. Both carry
 * bytes a server chose (header values in the reasons): control characters are escaped, as in `check <url>`.
 */
import { stringifyJson } from '../json-text.js';
import { terminalText } from '../terminal-text.js';
import type { Style } from './format.js';
import type { StepResult, SweepReport, SweepRow } from './sweep.js';

export function formatSweepJson(report: SweepReport, head: object = {}): string {
  return stringifyJson({ ...head, ...report }, 2);
}

const STEP_TEXT: Record<StepResult, string> = {
  readable: 'readable',
  blocked: 'blocked',
  'first-origin-only': 'first origin only',
  'not-an-error': 'no error',
  'unsafe-not-sent': 'not sent (unsafe)',
  'not-needed': '-',
};

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

const plain: Style = (_s, text) => text;

/**
 * The table lists every row of the allowed, added and foreign origins; the scan's look-alikes are counted, and
 * listed only when they fail (there are dozens of them).
 */
export function formatSweepReport(report: SweepReport, style: Style = plain): string {
  const t = terminalText;
  const shown = report.rows.filter((r) => r.role !== 'lookalike' || r.verdict === 'fail');
  const lookalikes = report.rows.filter((r) => r.role === 'lookalike');
  const head = ['ROUTE', 'METHOD', 'ORIGIN', 'AUTH', 'EXPECT', 'PREFLIGHT', 'REQUEST', 'ERROR', 'VERDICT'];
  const body = shown.map((r) => [
    t(r.route),
    r.method,
    `${t(r.origin)}${r.role === 'allowed' ? '' : ` (${r.role})`}`,
    t(r.auth),
    r.expect,
    STEP_TEXT[r.preflight],
    STEP_TEXT[r.request],
    STEP_TEXT[r.error],
    r.verdict,
  ]);
  const lines = table([head, ...body]).map((line, i) => {
    if (i === 0) return style('bold', line);
    const v = shown[i - 1]!.verdict;
    return v === 'pass' ? line : style(v === 'limit' ? 'yellow' : 'red', line);
  });
  const out = [
    `${style('bold', 'check')} ${t(report.url)}${report.stage ? ` (stage ${t(report.stage)})` : ''}`,
    ...lines,
  ];
  if (lookalikes.length > 0)
    out.push(
      style(
        'dim',
        `(${lookalikes.filter((r) => r.verdict === 'pass').length} of ${lookalikes.length} look-alike rows pass; --json lists them)`,
      ),
    );
  const fails = report.rows.filter((r) => r.verdict === 'fail');
  if (fails.length > 0) out.push('');
  for (const r of fails) out.push(`${style('red', 'fail')} ${describe(r)}: ${t(r.reason ?? '')}`);
  if (report.rows.some((r) => r.request === 'unsafe-not-sent'))
    out.push('', style('dim', 'POST, PUT, PATCH and DELETE: only their preflight was sent; --send-unsafe sends them.'));
  if (report.skippedOrigins.length > 0)
    out.push(
      style(
        'dim',
        `Not probed (patterns, no one origin stands for them): ${report.skippedOrigins.map(t).join(', ')}; add one with --origin.`,
      ),
    );
  const limits = report.rows.filter((r) => r.verdict === 'limit');
  if (limits.length > 0) out.push('', style('yellow', `limit: ${limits[0]!.reason ?? ''}`));
  const { rows, passed, limited, failed, requests } = report.summary;
  const tally = `${passed} pass${limited > 0 ? `, ${limited} at the module's documented limit` : ''}`;
  out.push('');
  out.push(
    failed === 0
      ? `${style('green', 'ok')}: ${rows} rows match the spec (${tally}; ${requests} requests)`
      : `${style('red', 'failed')}: ${failed} of ${rows} rows differ from the spec (${tally}; ${requests} requests)`,
  );
  return out.join('\n');
}

function describe(r: SweepRow): string {
  return `${r.method} ${terminalText(r.route)} from ${terminalText(r.origin)}`;
}

/** The failed rows as findings for `--report sarif|github`, at the API's URL. */
export function sweepFindings(
  report: SweepReport,
): { code: string; severity: 'error'; message: string; fix: string }[] {
  return report.rows
    .filter((r) => r.verdict === 'fail')
    .map((r) => ({
      code: r.expect === 'readable' ? 'sweep-blocked' : 'sweep-exposed',
      severity: 'error',
      message: `${describe(r)}: ${r.reason ?? ''}`,
      fix:
        r.expect === 'readable'
          ? 'apply the module generated from this spec (cors-gen generate, then terraform apply) so every route answers the preflight and adds the CORS headers to every answer, errors included'
          : "allow only the spec's origins: regenerate and apply the module instead of editing its origin lists by hand",
    }));
}
