/**
 * `--report sarif|github` for `validate`, `generate --check` and `check`: pure renderers over one finding type,
 * and the mappings from each command's own findings to it. The report is the command's result, so it goes to
 * stdout; the command's human text then goes to stderr.
 */
import { Option } from 'commander';
import path from 'node:path';
import type { GenerateResult } from '../synth/generate.js';
import type { SpecIssue } from '../spec/issue.js';
import { packageVersion } from '../paths.js';
import { REPORT_FORMATS, type ReportFinding, type ReportFormat } from './finding.js';
import { renderGithub } from './github.js';
import { renderSarif } from './sarif.js';

export { REPORT_FORMATS, type ReportFinding, type ReportFormat, type ReportTool } from './finding.js';
export { escapeData, escapeProperty, renderGithub } from './github.js';
export { renderSarif, toSarif } from './sarif.js';

export const TOOL = { name: 'cors-gen', informationUri: 'https://www.npmjs.com/package/cors-gen' } as const;

/** The `--report` flag, the same on every command that has findings. */
export function reportOption(): Option {
  return new Option(
    '--report <format>',
    'print the findings on stdout as SARIF 2.1.0 or GitHub Actions annotations (human text goes to stderr)',
  )
    .choices(REPORT_FORMATS)
    .conflicts('json');
}

export function renderReport(format: ReportFormat, findings: readonly ReportFinding[]): string {
  return format === 'sarif' ? renderSarif(findings, { ...TOOL, version: packageVersion() }) : renderGithub(findings);
}

/** Prints the report on stdout; GitHub annotations for no findings are no lines at all. */
export function printReport(
  output: { out(text: string): void },
  format: ReportFormat,
  findings: readonly ReportFinding[],
): void {
  const text = renderReport(format, findings);
  if (text !== '') output.out(text);
}

/** Spec errors and warnings, at their file, line and column (`path` leads the message, as in the text output). */
export function specFindings(issues: readonly SpecIssue[], file?: string): ReportFinding[] {
  return issues.map((i) => ({
    code: i.code,
    severity: i.severity,
    message: i.path ? `${i.path}: ${i.message}` : i.message,
    fix: i.fix,
    artifact: i.file ?? file,
    line: i.line,
    column: i.column,
  }));
}

/** The files `generate --check` found out of date, each at the file itself. */
function driftFindings(files: readonly { path: string; change: string; reason?: string }[]): ReportFinding[] {
  return files.map((f) => ({
    code: 'stale',
    severity: 'error',
    message: `${f.path} differs from what "cors-gen generate" would write (${f.change}${f.reason ? `: ${f.reason}` : ''})`,
    fix: 'run "cors-gen generate" and commit the result',
    artifact: f.path,
  }));
}

/** Live findings, each at the URL that was checked. */
export function liveFindings(
  url: string,
  findings: readonly { code: string; severity: 'error' | 'warning' | 'info'; message: string; fix?: string }[],
): ReportFinding[] {
  return findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, fix: f.fix, artifact: url }));
}

/**
 * What `generate` (with or without `--check`) reports: the spec's errors and warnings, each file that differs
 * (`--check`), and why nothing was written (a hand-edited file, a lock, the file system), at the module.
 */
export function generateFindings(result: GenerateResult): ReportFinding[] {
  if (!('dir' in result)) return specFindings([...result.errors, ...result.warnings], result.file);
  const findings = specFindings(result.warnings);
  if (result.reason === 'stale') {
    findings.push(
      ...driftFindings([
        ...result.changes.map((c) => ({
          path: path.join(result.dir, c.path),
          change: c.kind,
          ...('reason' in c ? { reason: c.reason } : {}),
        })),
        ...result.userFiles.map((p) => ({ path: path.join(result.dir, p), change: 'missing' })),
      ]),
    );
  } else if (result.reason) {
    findings.push({
      code: result.reason,
      severity: 'error',
      message: result.message ?? `${result.dir}: ${result.reason}`,
      artifact: result.dir,
    });
  }
  return findings;
}
