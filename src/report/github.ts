import { fullMessage, isUrl, type ReportFinding } from './finding.js';

/**
 * GitHub Actions workflow commands (`::error file=x,line=1,col=2,title=code::message`): the runner turns each
 * line of a step's stdout into an annotation on that line of the pull request.
 * https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
 */
const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/**
 * Escaping as actions/toolkit does it (`escapeData` and `escapeProperty` in packages/core/src/command.ts,
 * https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts): `%`, CR and LF everywhere, and `:`
 * and `,` inside properties, which the runner would otherwise read as the end of the properties or of a value.
 * A spec value quoted in a message can then never start a second command on its own line.
 */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Control characters other than CR and LF (escaped above) would reach the log as they are, e.g. ANSI escapes
 * from a spec value; they are shown as `\uXXXX`, as the text output does.
 */
function visible(s: string): string {
  return s.replace(
    /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function annotation(f: ReportFinding): string {
  const props: [string, string][] = [];
  // An annotation attaches to a file of the repository; a URL is named in the message instead.
  const file = f.artifact && !isUrl(f.artifact) ? f.artifact.split('\\').join('/') : undefined;
  if (file) {
    props.push(['file', file]);
    if (f.line !== undefined) props.push(['line', String(f.line)]);
    if (f.line !== undefined && f.column !== undefined) props.push(['col', String(f.column)]);
  }
  props.push(['title', f.code]);
  const message = f.artifact && !file ? `${f.artifact}: ${fullMessage(f)}` : fullMessage(f);
  return `::${COMMAND[f.severity]} ${props.map(([k, v]) => `${k}=${escapeProperty(visible(v))}`).join(',')}::${escapeData(visible(message))}`;
}

/** One workflow command per finding, one per line. */
export function renderGithub(findings: readonly ReportFinding[]): string {
  return findings.map((f) => `${annotation(f)}\n`).join('');
}
