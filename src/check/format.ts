/**
 * The two presentations of a report: the `--json` document and readable text. Colour is the caller's decision,
 * passed in as `style`. Both print bytes a server chose (header values, redirect targets): control characters
 * among them are escaped, so that a hostile answer cannot move the cursor, retitle the window or hide lines
 * (C0, DEL and C1, whose U+009B is a one-character CSI, ECMA-48 section 5.3).
 */
import { stringifyJson } from '../json-text.js';
import type { CheckReport, ProbeRecord } from './check-endpoint.js';
import type { Evidence } from './exchange.js';
import type { Finding, Severity } from './findings.js';
import { terminalText } from '../terminal-text.js';

export interface ReportJson {
  /** True exactly when `check` exits 0. */
  readonly ok: boolean;
  /** Whether the origin can use the endpoint (the browser hands the response to script). */
  readonly originAllowed: boolean;
  readonly url: string;
  readonly origin: string;
  readonly findings: readonly Required<
    Pick<Finding, 'code' | 'severity' | 'message' | 'fix' | 'evidence' | 'consequences'>
  >[];
  readonly probes: readonly ProbeRecord[];
}

export function reportJson(report: CheckReport): ReportJson {
  return {
    ok: report.ok,
    originAllowed: report.originAllowed,
    url: report.url,
    origin: report.origin,
    findings: report.findings.map(({ code, severity, message, fix, evidence, consequences }) => ({
      code,
      severity,
      message,
      fix,
      evidence,
      consequences: consequences ?? [],
    })),
    probes: report.probes,
  };
}

/**
 * The `--json` document as text, after `head` (the CLI's `schemaVersion`), with every control character escaped.
 */
export function formatJson(report: CheckReport, head: object = {}): string {
  return stringifyJson({ ...head, ...reportJson(report) }, 2);
}

/** Every string in the report made visible, before any line break or colour is added. */
function escapeAll<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map(escapeAll) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terminalText(k), escapeAll(v)])) as T;
  return value;
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
  for (const [name, value] of shown)
    for (const v of Array.isArray(value) ? value : [value]) lines.push(style('dim', `    < ${name}: ${v}`));
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function probeLine(p: ProbeRecord, width: number, style: Style): string {
  const verdict =
    p.verdict === 'not-an-error'
      ? style('yellow', 'not an error')
      : p.probe.startsWith('scan:')
        ? p.verdict === 'passed'
          ? style('red', `readable from ${p.origin}`)
          : style('green', `refused ${p.origin}`)
        : p.verdict === 'passed'
          ? style('green', 'ok')
          : style(p.probe.startsWith('error-probe') ? 'yellow' : 'red', 'blocked');
  return `  ${p.probe.padEnd(width)}  ${p.request} -> ${p.status}  ${verdict}`;
}

export function formatReport(unsafe: CheckReport, style: Style = plain): string {
  const report = escapeAll(unsafe);
  const out: string[] = [];
  out.push(
    `${style('bold', `${report.method} ${report.url}`)} from ${report.origin}${report.credentials ? ' (credentials: include)' : ''}`,
  );
  // With a scan, its dozens of probes are counted, not listed (--json lists them); alone, the reflection probe is shown.
  const listed = report.probes.filter((p) => !p.probe.startsWith('scan:') || report.scanned === 1);
  const width = Math.max(...listed.map((p) => p.probe.length), 4);
  for (const p of listed) out.push(probeLine(p, width, style));
  if (report.scanned > 1) out.push(`  ${'scan'.padEnd(width)}  ${plural(report.scanned, 'crafted origin')}`);

  for (const f of report.findings) {
    out.push('');
    out.push(`${style(SEVERITY_STYLE[f.severity], f.severity.padEnd(7))} ${style('bold', f.code)}`);
    out.push(`  ${f.message}`);
    const consequences = f.consequences ?? [];
    if (consequences.length > 0) {
      out.push(`  ${style('dim', 'which also causes (fixed with it):')}`);
      for (const c of consequences) out.push(`    - ${c.code}: ${c.message}`);
    }
    out.push(`  ${style('bold', 'fix:')} ${f.fix}`);
    for (const e of f.evidence.slice(0, 3)) out.push(...formatEvidence(e, style));
    if (f.evidence.length > 3) out.push(style('dim', `  ... and ${f.evidence.length - 3} more (see --json)`));
  }

  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const tally = [
    count('error') > 0 ? plural(count('error'), 'error') : '',
    count('warning') > 0 ? plural(count('warning'), 'warning') : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const what = `${report.method} ${report.url}`;
  out.push('');
  if (!report.originAllowed)
    out.push(`${style('red', 'blocked')}: ${report.origin} cannot use ${what}${tally ? ` (${tally})` : ''}`);
  // The frontend works, but so would an attacker's page: that fails the check too.
  else if (!report.ok)
    out.push(
      `${style('red', 'exposed')}: ${report.origin} can use ${what}, but so can origins that should not (${tally} above)`,
    );
  else
    out.push(
      `${style('green', 'ok')}: ${report.origin} can use ${what}${count('warning') > 0 ? ` (${plural(count('warning'), 'warning')})` : ''}`,
    );
  return out.join('\n');
}
