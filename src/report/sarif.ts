import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fullMessage, isUrl, type ReportFinding, type ReportTool } from './finding.js';

/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the format code scanning
 * uploads read (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF §3.27.10: `level` is one of none, note, warning, error. */
const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** `origin-trailing-slash` -> `Origin trailing slash`: the rule's title where code scanning lists rules. */
function describe(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A relative path as a SARIF relative URI reference (§3.4.3): forward slashes, each segment percent-encoded, so
 * a file named `a b#c.yaml` stays one path. URLs are kept as they are.
 */
function artifactUri(artifact: string): string {
  if (isUrl(artifact)) return artifact;
  // An absolute path (a spec or --out outside the working directory) has no place relative to the repository.
  if (path.isAbsolute(artifact)) return pathToFileURL(artifact).href;
  return artifact
    .split(/[\\/]/)
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function location(f: ReportFinding): object[] {
  if (!f.artifact) return [];
  const uri = artifactUri(f.artifact);
  if (isUrl(f.artifact)) return [{ physicalLocation: { artifactLocation: { uri } } }];
  // Code scanning places a result only with region.startLine (sarif-sdk rule GH1003,
  // https://github.com/microsoft/sarif-sdk/blob/main/src/Sarif.Multitool.Library/Rules/GH1003.ProvideRequiredRegionProperties.cs):
  // a finding about a whole file (a stale generated file) points at its first line.
  const region = {
    startLine: f.line ?? 1,
    ...(f.line !== undefined && f.column !== undefined ? { startColumn: f.column } : {}),
  };
  // Relative to the folder the command ran in: the repository root in CI, which code scanning calls %SRCROOT%.
  const base = path.isAbsolute(f.artifact) ? {} : { uriBaseId: '%SRCROOT%' };
  return [{ physicalLocation: { artifactLocation: { uri, ...base }, region } }];
}

/** The SARIF log as an object; rules are sorted by id and listed once, results keep the findings' order. */
export function toSarif(findings: readonly ReportFinding[], tool: ReportTool): object {
  const ids = [...new Set(findings.map((f) => f.code))].sort();
  const rules = ids.map((id) => ({ id, shortDescription: { text: describe(id) } }));
  const results = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: ids.indexOf(f.code),
    level: LEVEL[f.severity],
    message: { text: fullMessage(f) },
    locations: location(f),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            semanticVersion: tool.version,
            informationUri: tool.informationUri,
            rules,
          },
        },
        results,
      },
    ],
  };
}

export function renderSarif(findings: readonly ReportFinding[], tool: ReportTool): string {
  return `${JSON.stringify(toSarif(findings, tool), null, 2)}\n`;
}
