/**
 * The two presentations of a report: the `--json` document (DESIGN.md section 7: exactly ok, url, origin and
 * findings) and readable text. Colour is the caller's decision, passed in as `style`.
 */
import type { CheckReport } from './check-endpoint.js';
import type { Evidence } from './exchange.js';
import type { Finding, Severity } from './findings.js';

export interface ReportJson {
  readonly ok: boolean;
  readonly url: string;
  readonly origin: string;
  readonly findings: readonly Pick<Finding, 'code' | 'severity' | 'message' | 'fix' | 'evidence'>[];
}

export function reportJson(report: CheckReport): ReportJson {
  return {
    ok: report.ok,
    url: report.url,
    origin: report.origin,
    findings: report.findings.map(({ code, severity, message, fix, evidence }) => ({ code, severity, message, fix, evidence })),
  };
}

export type Style = (style: 'red' | 'yellow' | 'green' | 'dim' | 'bold', text: string) => string;

const plain: Style = (_s, text) => text;

const SEVERITY_STYLE: Record<Severity, 'red' | 'yellow' | 'dim'> = { error: 'red', warning: 'yellow', info: 'dim' };

/** Of the evidence headers, those worth showing in text; `--json` carries them all. */
function isTelling(name: string): boolean {
  return name.startsWith('access-control-') || ['vary', 'location', 'x-amzn-errortype'].includes(name);
}

function formatEvidence(e: Evidence, style: Style): string[] {
  const lines = [`  ${style('dim', 'evidence:')} ${e.request.method} ${e.request.url} -> ${e.response.status}`];
  for (const [name, value] of Object.entries(e.request.headers)) lines.push(style('dim', `    > ${name}: ${value}`));
  const shown = Object.entries(e.response.headers).filter(([name]) => isTelling(name));
  if (shown.length === 0) lines.push(style('dim', '    < (no Access-Control-* headers)'));
  for (const [name, value] of shown) for (const v of Array.isArray(value) ? value : [value]) lines.push(style('dim', `    < ${name}: ${v}`));
  return lines;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatReport(report: CheckReport, style: Style = plain): string {
  const out: string[] = [];
  out.push(`${style('bold', `${report.method} ${report.url}`)} from ${report.origin}${report.credentials ? ' (credentials: include)' : ''}`);
  const width = Math.max(...report.trace.map((t) => t.probe.length), 4);
  for (const t of report.trace) {
    const verdict = t.passed ? style('green', 'ok') : style(t.probe === 'error-probe' ? 'yellow' : 'red', 'blocked');
    out.push(`  ${t.probe.padEnd(width)}  ${t.method} ${pathOf(t.url)} -> ${t.status}  ${verdict}`);
  }
  if (report.scanned > 0) out.push(`  ${'scan'.padEnd(width)}  ${plural(report.scanned, 'crafted origin')}`);

  for (const f of report.findings) {
    out.push('');
    out.push(`${style(SEVERITY_STYLE[f.severity], f.severity.padEnd(7))} ${style('bold', f.code)}`);
    out.push(`  ${f.message}`);
    out.push(`  ${style('bold', 'fix:')} ${f.fix}`);
    for (const e of f.evidence.slice(0, 3)) out.push(...formatEvidence(e, style));
    if (f.evidence.length > 3) out.push(style('dim', `  ... and ${f.evidence.length - 3} more (see --json)`));
  }

  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const tally = [count('error') > 0 ? plural(count('error'), 'error') : '', count('warning') > 0 ? plural(count('warning'), 'warning') : ''].filter(Boolean).join(' and ');
  out.push('');
  if (!report.ok) out.push(`${style('red', 'blocked')}: ${report.origin} cannot use ${report.method} ${report.url}${tally ? ` (${tally})` : ''}`);
  // With --scan, errors can coexist with a usable endpoint: the frontend works, but so would an attacker's page.
  else if (count('error') > 0) out.push(`${style('green', 'ok')}: ${report.origin} can use ${report.method} ${report.url}, but see the ${tally} above`);
  else out.push(`${style('green', 'ok')}: ${report.origin} can use ${report.method} ${report.url}${count('warning') > 0 ? ` (${plural(count('warning'), 'warning')})` : ''}`);
  return out.join('\n');
}
