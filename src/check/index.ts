/**
 * The live checker: `checkEndpoint(options)` tests an endpoint the way a browser would, and with `scan` probes it
 * for the CORS misconfigurations scanners know (DESIGN.md section 7).
 */
export { checkEndpoint, errorProbeUrl, type CheckReport, type TraceEntry } from './check-endpoint.js';
export { CheckError, type CheckOptions } from './input.js';
export { CHECK_CODES, SCAN_CODES, type CheckCode, type Finding, type FindingCode, type ScanCode, type Severity } from './findings.js';
export type { Evidence } from './exchange.js';
export { progressLine, type ProgressEvent, type ProgressLine, type ProgressStream } from './progress.js';
export { formatReport, reportJson, type ReportJson } from './format.js';
