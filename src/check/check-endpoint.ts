/**
 * `checkEndpoint`: runs every probe (the simulated `fetch()`, the error probe, and with `scan` the crafted
 * origins) concurrently under one limit, then judges what came back. Any network failure cancels the other
 * probes and rejects with a CheckError of kind `network`: an endpoint that cannot be reached cannot be judged.
 */
import { checkResponse } from '../cors/fetch-check.js';
import { needsPreflight } from '../cors/fetch-request.js';
import { detectFlavor } from './aws.js';
import { simulateFetch, type FetchOutcome } from './browser-fetch.js';
import { diagnoseErrorProbe, diagnoseFetch, diagnoseVary } from './diagnose.js';
import type { Exchange, Send } from './exchange.js';
import { sortFindings, type Finding } from './findings.js';
import { DEFAULT_LIMITS, sendProbe, type ProbeRequest } from './http-probe.js';
import { CheckError, parseCheckInput, type CheckOptions } from './input.js';
import { createLimiter } from './limit.js';
import { NetworkError } from './network-error.js';
import { evaluateScan, planScan, type ScanResult } from './scan.js';

/** One line of what was sent, for the human report. */
export interface TraceEntry {
  readonly probe: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Whether the browser accepts this response for the frontend's origin. */
  readonly passed: boolean;
}

export interface CheckReport {
  /** True exactly when the origin can use the endpoint: the browser hands the response to script. */
  readonly ok: boolean;
  readonly url: string;
  readonly origin: string;
  /** The frontend's request: method (normalized) and credentials mode. */
  readonly method: string;
  readonly credentials: boolean;
  /** Errors first, then warnings, then information. */
  readonly findings: readonly Finding[];
  /** The preflight, request, redirects and error probe, in order. Not part of `--json`. */
  readonly trace: readonly TraceEntry[];
  /** How many scan probes were sent (0 without `scan`). */
  readonly scanned: number;
}

/** The whole check's deadline, in multiples of the per-request timeout. */
export const OVERALL_TIMEOUT_FACTOR = 6;

/** A path under the endpoint that no API defines, so the answer is the API's "not found" error. */
export function errorProbeUrl(url: URL): URL {
  const probe = new URL(url.href);
  probe.pathname = `${probe.pathname.replace(/\/+$/, '')}/cors-gen-check-not-found`;
  probe.search = '';
  return probe;
}

/** Picks the error to report: the root cause, not the cancellations it triggered. */
function rootCause(reasons: unknown[]): unknown {
  return reasons.find((r) => !(r instanceof NetworkError && r.kind === 'aborted')) ?? reasons[0];
}

export async function checkEndpoint(options: CheckOptions): Promise<CheckReport> {
  const input = parseCheckInput(options);
  const { url, request } = input;
  const controller = new AbortController();
  const cancel = () => controller.abort();
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  // Each request has its own deadline; a chain of slow redirects could still add up, so the whole check has one
  // too. Generous: a scan runs about ten rounds of probes.
  const overallMs = input.timeoutMs * OVERALL_TIMEOUT_FACTOR;
  let overran = false;
  const overall = setTimeout(() => {
    overran = true;
    cancel();
  }, overallMs);

  const scanProbes = input.scan ? planScan(request.origin, url) : [];
  const limit = createLimiter(input.concurrency);
  let done = 0;
  let total = (needsPreflight(request) ? 2 : 1) + 1 + scanProbes.length;
  const send: Send = (probe, probeRequest: ProbeRequest) =>
    limit(async () => {
      if (controller.signal.aborted) throw new NetworkError('aborted', `${probeRequest.method} ${probeRequest.url.href} was cancelled`);
      // Redirect hops (and their preflights) were not known in advance.
      if (probe.includes(':') && !probe.startsWith('scan:')) total++;
      options.onProgress?.({ done, total, probe });
      try {
        const response = await sendProbe(probeRequest, { ...DEFAULT_LIMITS, timeoutMs: input.timeoutMs, maxBodyBytes: input.maxBodyBytes, signal: controller.signal });
        return { probe, request: probeRequest, response };
      } finally {
        done++;
        options.onProgress?.({ done, total, probe });
      }
    });
  const failFast = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      cancel();
      throw e;
    });

  const main = failFast(simulateFetch(request, url, send));
  const errorProbe = failFast(send('error-probe', { method: 'GET', url: errorProbeUrl(url), headers: [['Origin', request.origin]] }));
  const scans = scanProbes.map((probe) =>
    failFast(send(`scan:${probe.code}`, { method: 'GET', url, headers: [['Origin', probe.origin]] }).then((exchange): ScanResult => ({ probe, exchange }))),
  );
  const settled = await Promise.allSettled([main, errorProbe, ...scans]);
  clearTimeout(overall);
  options.signal?.removeEventListener('abort', cancel);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
  if (failures.length > 0) {
    if (overran) throw new CheckError('network', `the check did not finish within ${overallMs} ms (${OVERALL_TIMEOUT_FACTOR} x --timeout); the server answers too slowly`, 'timeout');
    const cause = rootCause(failures);
    if (cause instanceof NetworkError) throw new CheckError('network', cause.message, cause.kind);
    throw cause;
  }

  const outcome = (settled[0] as PromiseFulfilledResult<FetchOutcome>).value;
  const errorExchange = (settled[1] as PromiseFulfilledResult<Exchange>).value;
  const scanResults = settled.slice(2).map((s) => (s as PromiseFulfilledResult<ScanResult>).value);
  const mainExchanges = outcome.steps.map((s) => s.exchange);
  const flavor = detectFlavor(url, [...mainExchanges, errorExchange, ...scanResults.map((r) => r.exchange)]);
  const ctx = { flavor, request };

  const findings: Finding[] = diagnoseFetch(outcome, ctx);
  // The request itself already showed an error without CORS headers; the probe would repeat it.
  if (!findings.some((f) => f.code === 'error-response-without-cors')) findings.push(...diagnoseErrorProbe(errorExchange, ctx));
  if (input.scan) {
    findings.push(...evaluateScan(scanResults, [...mainExchanges, errorExchange], flavor, request.origin));
    const last = mainExchanges[mainExchanges.length - 1];
    if (outcome.ok && last) findings.push(...diagnoseVary(last, scanResults.map((r) => r.exchange), ctx));
  }

  const trace: TraceEntry[] = outcome.steps.map((s) => ({
    probe: s.exchange.probe,
    method: s.exchange.request.method,
    url: s.exchange.request.url.href,
    status: s.exchange.response.status,
    passed: s.decision.ok,
  }));
  trace.push({
    probe: errorExchange.probe,
    method: 'GET',
    url: errorExchange.request.url.href,
    status: errorExchange.response.status,
    passed: checkResponse(request, errorExchange.response.headers).ok,
  });

  return { ok: outcome.ok, url: url.href, origin: request.origin, method: request.method, credentials: request.credentials, findings: sortFindings(findings), trace, scanned: scanResults.length };
}
