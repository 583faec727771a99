/**
 * The live checker: `checkEndpoint(options)` tests an endpoint the way a browser would, and with `scan` probes it
 * for the CORS misconfigurations scanners know (see `scan.ts`).
 */
export {
  checkEndpoint,
  errorProbeUrls,
  type CheckReport,
  type ProbeRecord,
  type ProbeVerdict,
} from './check-endpoint.js';
export { CheckError, MAX_TIMEOUT_MS, type CheckOptions } from './input.js';
export {
  CHECK_CODES,
  SCAN_CODES,
  type CheckCode,
  type Finding,
  type FindingCode,
  type ScanCode,
  type Severity,
} from './findings.js';
export type { Evidence } from './exchange.js';
export { progressLine, type ProgressEvent, type ProgressLine, type ProgressStream } from './progress.js';
export { formatJson, formatReport, reportJson, type ReportJson } from './format.js';
export { terminalText } from '../terminal-text.js';
export { sweepApi, type SweepOptions, type SweepReport, type SweepRow } from './sweep.js';
export { formatSweepJson, formatSweepReport, sweepFindings } from './sweep-format.js';
