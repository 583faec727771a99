/**
 * Turns what the simulated browser saw into findings: the Fetch rule that failed, replaced by the AWS cause when
 * the response carries API Gateway's fingerprint (a preflight answered 403 Missing Authentication Token is one
 * finding, "OPTIONS missing", not four failed CORS rules).
 */
import { checkResponse, exposedHeaders, extractHeaderListValues, getHeader, headersNotAllowed, isOkStatus, isRedirectStatus, type CorsFailure, type PreflightDecision } from '../cors/fetch-check.js';
import type { FetchRequest } from '../cors/fetch-request.js';
import { isAuthorizerRejection, isMissingAuthenticationToken, type ApiFlavor } from './aws.js';
import type { FetchOutcome, FetchStep } from './browser-fetch.js';
import { toEvidence, type Exchange } from './exchange.js';
import { FIXES, type FindingCode, type Finding, type FixContext, type Severity } from './findings.js';

export interface DiagnoseContext {
  readonly flavor: ApiFlavor;
  readonly request: FetchRequest;
}

function where(exchange: Exchange): string {
  const { method, url } = exchange.request;
  return `${method} ${url.pathname}${url.search}`;
}

type FindingContext = DiagnoseContext & Pick<FixContext, 'headers' | 'allowOrigin'>;

function finding(code: FindingCode, severity: Severity, message: string, context: FindingContext, exchanges: readonly Exchange[]): Finding {
  const fix: FixContext = {
    flavor: context.flavor,
    origin: context.request.origin,
    method: context.request.method,
    headers: context.headers,
    allowOrigin: context.allowOrigin,
  };
  return { code, severity, message, fix: FIXES[code](fix), evidence: exchanges.map(toEvidence) };
}

/** Names in a header-not-allowed failure, for the fix text. */
function missingHeaders(step: FetchStep): string[] {
  const listed = extractHeaderListValues(step.exchange.response.headers, 'access-control-allow-headers');
  return headersNotAllowed(step.request, Array.isArray(listed) ? listed : null);
}

function failureFinding(f: CorsFailure, step: FetchStep, ctx: DiagnoseContext): Finding {
  const phase = step.kind === 'preflight' ? 'Preflight' : 'Response';
  const message = `${phase} (${where(step.exchange)} -> ${step.exchange.response.status}): ${f.message}.`;
  const allowOrigin = getHeader(step.exchange.response.headers, 'access-control-allow-origin') ?? undefined;
  const headers = f.code === 'header-not-allowed' ? missingHeaders(step) : undefined;
  return finding(f.code, f.tolerated ? 'warning' : 'error', message, { ...ctx, headers, allowOrigin }, [step.exchange]);
}

/** A preflight whose status fails: one finding, named after the AWS cause when recognisable. */
function preflightStatusFinding(step: FetchStep, ctx: DiagnoseContext): Finding {
  const { response } = step.exchange;
  const others = step.decision.failures.filter((f) => f.code !== 'preflight-status' && f.code !== 'preflight-redirect' && !f.tolerated);
  const also = others.length > 0 ? ` It also fails: ${others.map((f) => f.message).join('; ')}.` : '';
  const head = `Preflight (${where(step.exchange)}) was answered ${response.status}`;
  if (isMissingAuthenticationToken(response)) {
    return finding('options-missing', 'error', `${head} "Missing Authentication Token": API Gateway has no OPTIONS method for this path in the deployed stage, so the browser never sends the request.`, ctx, [step.exchange]);
  }
  if (isAuthorizerRejection(response)) {
    return finding('preflight-unauthorized', 'error', `${head} by an authorizer or key check: the preflight carries no credentials, so it can never pass.${also}`, ctx, [step.exchange]);
  }
  if (isRedirectStatus(response.status)) {
    const to = getHeader(response.headers, 'location');
    return finding('preflight-redirect', 'error', `${head}, a redirect${to ? ` to ${to}` : ''}; browsers never follow redirects on a preflight.${also}`, ctx, [step.exchange]);
  }
  return finding('preflight-status', 'error', `${head}; browsers require a 2xx status.${also}`, ctx, [step.exchange]);
}

/** A response (not a preflight) that fails the CORS check. */
function responseFailureFindings(step: FetchStep, ctx: DiagnoseContext): Finding[] {
  const { response } = step.exchange;
  if (isMissingAuthenticationToken(response)) {
    return [finding('route-not-deployed', 'error', `Response (${where(step.exchange)}) was 403 "Missing Authentication Token" without CORS headers: API Gateway does not know this path or method in the deployed stage.`, ctx, [step.exchange])];
  }
  const missing = step.decision.failures.find((f) => f.code === 'missing-allow-origin');
  if (missing && response.status >= 400) {
    return [
      finding(
        'error-response-without-cors',
        'error',
        `Response (${where(step.exchange)}) was ${response.status} without Access-Control-Allow-Origin: the frontend gets a CORS error instead of the ${response.status}.`,
        ctx,
        [step.exchange],
      ),
    ];
  }
  return step.decision.failures.map((f) => failureFinding(f, step, ctx));
}

/** Findings for the simulated `fetch()` of the user's request. */
export function diagnoseFetch(outcome: FetchOutcome, ctx: DiagnoseContext): Finding[] {
  const findings: Finding[] = [];
  for (const step of outcome.steps) {
    const statusFailed = step.decision.failures.some((f) => f.code === 'preflight-status' || f.code === 'preflight-redirect');
    if (step.kind === 'preflight' && statusFailed) {
      findings.push(preflightStatusFinding(step, ctx));
      findings.push(...step.decision.failures.filter((f) => f.tolerated).map((f) => failureFinding(f, step, ctx)));
    } else if (step.kind === 'response' && !step.decision.ok) {
      findings.push(...responseFailureFindings(step, ctx));
    } else {
      findings.push(...step.decision.failures.map((f) => failureFinding(f, step, ctx)));
    }
    if (step.kind === 'preflight') {
      const { maxAge } = step.decision as PreflightDecision;
      if (maxAge.capped) {
        findings.push(finding('max-age-capped', 'info', `Preflight asks for Access-Control-Max-Age ${maxAge.requested} s; Chromium caches it for ${maxAge.seconds} s.`, ctx, [step.exchange]));
      }
    }
  }
  if (outcome.redirectError) {
    const { step, message } = outcome.redirectError;
    findings.push(finding('redirect-failed', 'error', `Response (${where(step.exchange)} -> ${step.exchange.response.status}): ${message}.`, ctx, [step.exchange]));
  }

  const last = outcome.steps[outcome.steps.length - 1];
  if (outcome.ok && last !== undefined) {
    const { response } = last.exchange;
    if (isMissingAuthenticationToken(response)) {
      findings.push(finding('route-not-deployed', 'warning', `Response (${where(last.exchange)}) was 403 "Missing Authentication Token": CORS passes, but API Gateway does not know this path or method in the deployed stage.`, ctx, [last.exchange]));
    } else if (!isOkStatus(response.status)) {
      findings.push(finding('actual-status', 'info', `Response (${where(last.exchange)}) was ${response.status}; CORS passes, so the frontend can read it.`, ctx, [last.exchange]));
    }
    const acehRaw = getHeader(response.headers, 'access-control-expose-headers');
    if (ctx.request.credentials && acehRaw !== null && exposedHeaders(ctx.request, response.headers).names.includes('*')) {
      findings.push(finding('expose-wildcard-with-credentials', 'warning', `Response (${where(last.exchange)}) has Access-Control-Expose-Headers "${acehRaw}"; with credentials "*" exposes nothing.`, ctx, [last.exchange]));
    }
  }
  return findings;
}

/**
 * The error probe: a GET to a path that does not exist. Its answer must pass the CORS check too, or every error
 * the frontend meets looks like a CORS failure. A warning: the user's request itself may still work.
 */
export function diagnoseErrorProbe(exchange: Exchange, ctx: DiagnoseContext): Finding[] {
  const { response } = exchange;
  if (response.status < 400) return [];
  const decision = checkResponse(ctx.request, response.headers);
  if (decision.ok) return [];
  const why = decision.failures.map((f) => f.message).join('; ');
  return [
    finding(
      'error-response-without-cors',
      'warning',
      `Error response (${where(exchange)} -> ${response.status}) fails the CORS check (${why}): the frontend sees a CORS error instead of the ${response.status}.`,
      ctx,
      [exchange],
    ),
  ];
}

/**
 * With `scan`, the crafted origins show whether Access-Control-Allow-Origin depends on the request's Origin. If it
 * does, the response must say `Vary: Origin`, or a shared cache hands one origin's answer to another
 * (#cors-protocol-and-http-caches).
 */
export function diagnoseVary(main: Exchange, others: readonly Exchange[], ctx: DiagnoseContext): Finding[] {
  const acao = getHeader(main.response.headers, 'access-control-allow-origin');
  if (acao === null || acao === '*') return [];
  const vary = (getHeader(main.response.headers, 'vary') ?? '').toLowerCase().split(/\s*,\s*/);
  if (vary.includes('origin') || vary.includes('*')) return [];
  const dynamic = others.some((e) => getHeader(e.response.headers, 'access-control-allow-origin') !== acao);
  if (!dynamic) return [];
  return [finding('vary-origin-missing', 'warning', `Response (${where(main)}) has an Access-Control-Allow-Origin that changes with the request's Origin, but no "Vary: Origin".`, ctx, [main])];
}
