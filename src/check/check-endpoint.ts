/**
 * `checkEndpoint`: runs every probe (the simulated `fetch()`, the error probe, and with `scan` the crafted
 * origins) concurrently under one limit, then judges what came back. Any network failure cancels the other
 * probes and rejects with a CheckError of kind `network`: an endpoint that cannot be reached cannot be judged.
 */
import { checkResponse, getHeader } from '../cors/fetch-check.js';
import { needsPreflight } from '../cors/fetch-request.js';
import { detectFlavor } from './aws.js';
import { diagnoseCookies } from './cookies.js';
import { simulateFetch, type FetchOutcome } from './browser-fetch.js';
import {
  diagnoseErrorProbe,
  diagnoseFetch,
  diagnoseVary,
  isErrorStatus,
  withErrorProbe,
  withOtherAllowedOrigin,
} from './diagnose.js';
import { redactEvidence, type Exchange, type Send } from './exchange.js';
import { SCAN_CODES, sortFindings, type Finding } from './findings.js';
import { DEFAULT_LIMITS, sendProbe, type ProbeRequest } from './http-probe.js';
import { parseCheckInput, throwIfFailed, type CheckOptions } from './input.js';
import { createLimiter } from './limit.js';
import { NetworkError } from './network-error.js';
import { evaluateScan, planScan, REFLECTION_PROBE, type ScanProbe, type ScanResult } from './scan.js';

/**
 * The browser's CORS check for the probe's Origin (`passed`: a page on that origin can read the answer), or, for
 * an error probe answered without an error status, `not-an-error`: it proves nothing about error answers.
 */
export type ProbeVerdict = 'passed' | 'blocked' | 'not-an-error';

/** One request sent, as `--json` lists it. */
export interface ProbeRecord {
  /** `preflight`, `request`, `redirect:<n>`, `error-probe[:<n>]`, `scan:<class>` (`...@error-path` on the error path). */
  readonly probe: string;
  /** The request line: method, path and query. */
  readonly request: string;
  readonly origin: string;
  readonly status: number;
  /** The response's CORS headers (Access-Control-*, Vary), lower-case names; repeated ones as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly verdict: ProbeVerdict;
}

export interface CheckReport {
  /** True exactly when `check` exits 0: the origin can use the endpoint and no probe found another origin that can read it with credentials. */
  readonly ok: boolean;
  /** Whether the browser hands the response to script for the frontend's origin. */
  readonly originAllowed: boolean;
  readonly url: string;
  readonly origin: string;
  /** The frontend's request: method (normalized) and credentials mode. */
  readonly method: string;
  readonly credentials: boolean;
  /** Errors first, then warnings, then information. */
  readonly findings: readonly Finding[];
  /** Every request sent, in order: the browser's requests, the error probes, the crafted origins. */
  readonly probes: readonly ProbeRecord[];
  /** How many crafted-origin probes were sent (1 without `scan`: the reflected-origin probe). */
  readonly scanned: number;
}

/** The whole check's deadline, in multiples of the per-request timeout. */
export const OVERALL_TIMEOUT_FACTOR = 6;

const NOT_FOUND = 'cors-gen-check-not-found';

/**
 * Paths under the endpoint that no API should define, tried in order until one answers with an error status: the
 * endpoint's path plus one unknown segment; two (past a path parameter such as /orders/{id}, which matches the
 * first); and one unknown segment under the first path segment (a REST API's stage), for an endpoint deep in a
 * resource tree full of parameters.
 */
export function errorProbeUrls(url: URL): URL[] {
  const at = (pathname: string) => {
    const u = new URL(url.href);
    u.pathname = pathname;
    u.search = '';
    return u;
  };
  const base = url.pathname.replace(/\/+$/, '');
  const first = /^\/[^/]+/.exec(base)?.[0] ?? '';
  const urls = [at(`${base}/${NOT_FOUND}`), at(`${base}/${NOT_FOUND}/${NOT_FOUND}`), at(`${first}/${NOT_FOUND}`)];
  return urls.filter((u, i) => urls.findIndex((v) => v.href === u.href) === i);
}

/** Picks the error to report: the root cause, not the cancellations it triggered. */
function requestLine(e: Exchange): string {
  return `${e.request.method} ${e.request.url.pathname}${e.request.url.search}`;
}

function corsHeaders(e: Exchange): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [name, values] of Object.entries(e.response.headers)) {
    if (values === undefined || values.length === 0 || !(name.startsWith('access-control-') || name === 'vary'))
      continue;
    out[name] = values.length === 1 ? values[0]! : [...values];
  }
  return out;
}

export function record(e: Exchange, verdict: ProbeVerdict): ProbeRecord {
  const origin = e.request.headers.find(([n]) => n.toLowerCase() === 'origin')?.[1] ?? '';
  return {
    probe: e.probe,
    request: requestLine(e),
    origin,
    status: e.response.status,
    headers: corsHeaders(e),
    verdict,
  };
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

  // Without `scan`, one crafted origin still goes out: a server that echoes any origin with credentials is the
  // one misconfiguration that makes every user's data readable by every site, and it costs one request to see.
  const scanProbes: ScanProbe[] = input.scan
    ? planScan(request.origin, url)
    : [REFLECTION_PROBE].filter((p) => p.origin !== request.origin);
  // `scan` also sends the reflection probes to the error path: API Gateway's gateway responses are configured
  // apart from the methods, and an echo of the Origin there is a common way to "fix" CORS on errors.
  const errorPathProbes = input.scan
    ? scanProbes.filter((p) => p.code === 'reflected-origin' || p.code === 'null-origin')
    : [];
  const limit = createLimiter(input.concurrency);
  let done = 0;
  let total = (needsPreflight(request) ? 2 : 1) + 1 + scanProbes.length;
  const send: Send = (probe, probeRequest: ProbeRequest) =>
    limit(async () => {
      if (controller.signal.aborted)
        throw new NetworkError('aborted', `${probeRequest.method} ${probeRequest.url.href} was cancelled`);
      // Redirect hops (and their preflights) and further error paths were not known in advance.
      if (probe.includes(':') && !probe.startsWith('scan:')) total++;
      options.onProgress?.({ done, total, probe });
      try {
        const response = await sendProbe(probeRequest, {
          ...DEFAULT_LIMITS,
          timeoutMs: input.timeoutMs,
          maxBodyBytes: input.maxBodyBytes,
          signal: controller.signal,
        });
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
  const sendScan = (probe: ScanProbe, target: URL, suffix = ''): Promise<ScanResult> =>
    send(`scan:${probe.code}${suffix}`, { method: 'GET', url: target, headers: [['Origin', probe.origin]] }).then(
      (exchange) => ({ probe, exchange }),
    );

  /** Error paths in turn, until one answers with an error status. */
  const findErrorPath = async (): Promise<Exchange[]> => {
    const attempts: Exchange[] = [];
    for (const [i, target] of errorProbeUrls(url).entries()) {
      const exchange = await send(i === 0 ? 'error-probe' : `error-probe:${i + 1}`, {
        method: 'GET',
        url: target,
        headers: [['Origin', request.origin]],
      });
      attempts.push(exchange);
      if (isErrorStatus(exchange.response.status)) break;
    }
    return attempts;
  };

  const main = failFast(simulateFetch(request, url, send));
  const errorAttempts = failFast(findErrorPath());
  const scans = failFast(Promise.all(scanProbes.map((probe) => sendScan(probe, url))));
  const errorScans = failFast(
    errorAttempts.then((attempts) => {
      const last = attempts[attempts.length - 1]!;
      if (!isErrorStatus(last.response.status)) return [];
      total += errorPathProbes.length;
      return Promise.all(errorPathProbes.map((probe) => sendScan(probe, last.request.url, '@error-path')));
    }),
  );
  const settled = await Promise.allSettled([main, errorAttempts, scans, errorScans]);
  clearTimeout(overall);
  options.signal?.removeEventListener('abort', cancel);
  throwIfFailed(
    settled,
    overran,
    `the check did not finish within ${overallMs} ms (${OVERALL_TIMEOUT_FACTOR} x --timeout); the server answers too slowly`,
  );

  const outcome = (settled[0] as PromiseFulfilledResult<FetchOutcome>).value;
  const attempts = (settled[1] as PromiseFulfilledResult<Exchange[]>).value;
  const scanResults = [
    ...(settled[2] as PromiseFulfilledResult<ScanResult[]>).value,
    ...(settled[3] as PromiseFulfilledResult<ScanResult[]>).value,
  ];
  const mainExchanges = outcome.steps.map((s) => s.exchange);
  const flavor = detectFlavor(url, [...mainExchanges, ...attempts, ...scanResults.map((r) => r.exchange)]);
  const ctx = { flavor, request };

  let findings: Finding[] = withOtherAllowedOrigin(
    withErrorProbe(diagnoseFetch(outcome, ctx), diagnoseErrorProbe(attempts, ctx)),
    [...mainExchanges, ...attempts],
    ctx,
  );
  const scanFindings = evaluateScan(scanResults, [...mainExchanges, ...attempts], flavor, request.origin);
  findings.push(...(input.scan ? scanFindings : scanFindings.filter((f) => f.code === 'reflected-origin')));
  if (input.scan) {
    const last = mainExchanges[mainExchanges.length - 1];
    if (outcome.ok && last)
      findings.push(
        ...diagnoseVary(
          last,
          scanResults.map((r) => r.exchange),
          ctx,
        ),
      );
  }
  // Cookies only travel with credentials; a preflight never stores one (it is sent without credentials).
  if (request.credentials)
    findings.push(
      ...diagnoseCookies(
        mainExchanges.filter((e) => e.probe !== 'preflight'),
        { origin: request.origin, url, showSecrets: input.showSecrets },
      ),
    );
  if (!input.showSecrets) findings = findings.map((f) => ({ ...f, evidence: f.evidence.map(redactEvidence) }));

  const errorVerdict = (e: Exchange): ProbeVerdict =>
    !isErrorStatus(e.response.status)
      ? 'not-an-error'
      : checkResponse(request, e.response.headers).ok
        ? 'passed'
        : 'blocked';
  const probes: ProbeRecord[] = [
    ...outcome.steps.map((s) => record(s.exchange, s.decision.ok ? 'passed' : 'blocked')),
    ...attempts.map((e) => record(e, errorVerdict(e))),
    ...scanResults.map((r) =>
      record(
        r.exchange,
        getHeader(r.exchange.response.headers, 'access-control-allow-origin') === r.probe.origin ? 'passed' : 'blocked',
      ),
    ),
  ];
  const exposed = findings.some((f) => f.severity === 'error' && (SCAN_CODES as readonly string[]).includes(f.code));
  return {
    ok: outcome.ok && !exposed,
    originAllowed: outcome.ok,
    url: url.href,
    origin: request.origin,
    method: request.method,
    credentials: request.credentials,
    findings: sortFindings(findings),
    probes,
    scanned: scanResults.length,
  };
}
