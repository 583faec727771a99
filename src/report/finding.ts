/**
 * The one shape every report renderer reads: a finding from `validate`, `generate --check` or `check`, reduced to
 * what SARIF and GitHub annotations can carry. The command files map their own findings to it.
 */
export interface ReportFinding {
  /** The finding's stable code: the SARIF rule id and the annotation title. */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** What is wrong, in one paragraph. */
  readonly message: string;
  /** What to do about it, when there is one thing to do. */
  readonly fix?: string | undefined;
  /**
   * Where: a file path relative to the working directory (the repository root in CI), or an absolute `http(s)`
   * URL for a live endpoint.
   */
  readonly artifact?: string | undefined;
  /** 1-based position in `artifact`, when known. */
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

export const REPORT_FORMATS = ['sarif', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Who wrote the report: SARIF's tool.driver. */
export interface ReportTool {
  readonly name: string;
  readonly version: string;
  readonly informationUri: string;
}

export function isUrl(artifact: string): boolean {
  return /^https?:\/\//i.test(artifact);
}

/**
 * The message with its fix, as one line of prose: `message; fix` for a clause (spec findings), `message Fix: fix`
 * after a sentence (live findings end with a period, and ".;" reads as a typo).
 */
export function fullMessage(f: ReportFinding): string {
  if (!f.fix) return f.message;
  return /[.!?]$/.test(f.message) ? `${f.message} Fix: ${f.fix}` : `${f.message}; ${f.fix}`;
}
