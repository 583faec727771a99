/**
 * Turns what the simulated browser saw into findings: the Fetch rule that failed, replaced by the AWS cause when
 * the response carries API Gateway's fingerprint (a preflight answered 403 Missing Authentication Token is one
 * finding, "OPTIONS missing", not four failed CORS rules).
 */
import {
  checkResponse,
  exposedHeaders,
  extractHeaderListValues,
  getHeader,
  headersNotAllowed,
  isOkStatus,
  isRedirectStatus,
  type CorsFailure,
  type PreflightDecision,
} from '../cors/fetch-check.js';
import type { FetchRequest } from '../cors/fetch-request.js';
import { isAuthorizerRejection, isGatewayForbidden, isMissingAuthenticationToken, type ApiFlavor } from './aws.js';
import type { FetchOutcome, FetchStep } from './browser-fetch.js';
import { toEvidence, type Exchange } from './exchange.js';
import { FIXES, type Consequence, type FindingCode, type Finding, type FixContext, type Severity } from './findings.js';

export interface DiagnoseContext {
  readonly flavor: ApiFlavor;
  readonly request: FetchRequest;
}

function where(exchange: Exchange): string {
  const { method, url } = exchange.request;
  return `${method} ${url.pathname}${url.search}`;
}

type FindingContext = DiagnoseContext & Pick<FixContext, 'headers' | 'allowOrigin' | 'credentialedGatewayError'>;

function finding(
  code: FindingCode,
  severity: Severity,
  message: string,
  context: FindingContext,
  exchanges: readonly Exchange[],
  consequences: readonly Consequence[] = [],
): Finding {
  const fix: FixContext = {
    flavor: context.flavor,
    origin: context.request.origin,
    method: context.request.method,
    headers: context.headers,
    allowOrigin: context.allowOrigin,
    credentialedGatewayError: context.credentialedGatewayError,
    firstSegment: exchanges[0] && firstSegment(exchanges[0]),
  };
  return { code, severity, message, fix: FIXES[code](fix), evidence: exchanges.map(toEvidence), consequences };
}

/** The URL's first path segment, decoded: where a REST API's default endpoint has the stage name. */
function firstSegment(exchange: Exchange): string | undefined {
  const first = exchange.request.url.pathname.split('/')[1];
  if (!first) return undefined;
  try {
    return decodeURIComponent(first);
  } catch {
    return first;
  }
}

/** The CORS check failed on the origin itself: nothing else about the answer matters to the browser. */
const ORIGIN_FAILURES: ReadonlySet<string> = new Set([
  'missing-allow-origin',
  'allow-origin-mismatch',
  'multiple-allow-origin',
  'wildcard-origin-with-credentials',
  'invalid-allow-credentials',
]);

/**
 * Preflight failures that follow from a refused origin: servers that allow an origin send
 * Access-Control-Allow-Methods and -Headers together with Access-Control-Allow-Origin, so when the origin is
 * refused and those headers are absent, "method not allowed" is the same refusal, not a second problem. A list
 * that is present but incomplete stays a finding of its own: it would still fail once the origin is allowed.
 */
function followsFromOrigin(f: CorsFailure, step: FetchStep): boolean {
  const header =
    f.code === 'method-not-allowed'
      ? 'access-control-allow-methods'
      : f.code === 'header-not-allowed'
        ? 'access-control-allow-headers'
        : undefined;
  return header !== undefined && getHeader(step.exchange.response.headers, header) === null;
}

function consequence(f: CorsFailure): Consequence {
  return { code: f.code, message: `${f.message}.` };
}

/** REST APIs (or an unknown front door) only: HTTP APIs have no API keys and answer an unknown stage or path with 404. */
function isStageKeyOrWafForbidden(response: Exchange['response'], ctx: DiagnoseContext): boolean {
  return (ctx.flavor === 'rest' || ctx.flavor === 'unknown') && isGatewayForbidden(response);
}

/** A 403 {"message":"Forbidden"} no authorizer sent: one finding for its three possible causes. */
function forbiddenFinding(
  severity: Severity,
  phase: string,
  exchange: Exchange,
  ctx: DiagnoseContext,
  consequences: readonly Consequence[],
): Finding {
  const first = firstSegment(exchange);
  const type = getHeader(exchange.response.headers, 'x-amzn-errortype');
  return finding(
    'gateway-forbidden',
    severity,
    `${phase} (${where(exchange)}) was answered 403 Forbidden${type === null ? '' : ` (x-amzn-ErrorType: ${type})`} before any method ran, and no authorizer sent it: the stage is missing or wrong in the URL (${first === undefined ? 'it has no path' : `its first path segment is "${first}"`}), the method requires an API key, or a WAF blocked the request.`,
    ctx,
    [exchange],
    consequences,
  );
}

/** ` (x-amzn-ErrorType: X)` or ` (WWW-Authenticate: Bearer ...)`: how the answer names its authorizer. */
function authorizerSignature(response: Exchange['response']): string {
  const type = getHeader(response.headers, 'x-amzn-errortype');
  if (type !== null) return ` (x-amzn-ErrorType: ${type.split(':')[0]!.trim()})`;
  const challenge = getHeader(response.headers, 'www-authenticate');
  return challenge !== null ? ` (WWW-Authenticate: ${challenge.split(/\s/)[0]})` : '';
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
  const response = step.exchange.response;
  const credentialedGatewayError =
    response.status >= 400 &&
    getHeader(response.headers, 'x-amzn-errortype') !== null &&
    getHeader(response.headers, 'access-control-allow-credentials') === 'true';
  return finding(
    f.code,
    f.tolerated ? 'warning' : 'error',
    message,
    { ...ctx, headers, allowOrigin, credentialedGatewayError },
    [step.exchange],
  );
}

/** A preflight whose status fails: one finding, named after the AWS cause when recognisable. */
function preflightStatusFinding(step: FetchStep, ctx: DiagnoseContext): Finding {
  const { response } = step.exchange;
  const others = step.decision.failures
    .filter((f) => f.code !== 'preflight-status' && f.code !== 'preflight-redirect' && !f.tolerated)
    .map(consequence);
  const head = `Preflight (${where(step.exchange)}) was answered ${response.status}`;
  if (isMissingAuthenticationToken(response)) {
    return finding(
      'options-missing',
      'error',
      `${head} "Missing Authentication Token": API Gateway has no OPTIONS method for this path in the deployed stage, so the browser never sends the request.`,
      ctx,
      [step.exchange],
      others,
    );
  }
  if (isStageKeyOrWafForbidden(response, ctx))
    return forbiddenFinding('error', 'Preflight', step.exchange, ctx, others);
  if (isAuthorizerRejection(response)) {
    return finding(
      'preflight-unauthorized',
      'error',
      `${head} by an authorizer or an IAM check: the preflight carries no credentials, so it can never pass.`,
      ctx,
      [step.exchange],
      others,
    );
  }
  if (isRedirectStatus(response.status)) {
    const to = getHeader(response.headers, 'location');
    return finding(
      'preflight-redirect',
      'error',
      `${head}, a redirect${to ? ` to ${to}` : ''}; browsers never follow redirects on a preflight.`,
      ctx,
      [step.exchange],
      others,
    );
  }
  return finding('preflight-status', 'error', `${head}; browsers require a 2xx status.`, ctx, [step.exchange], others);
}

/** A preflight with an ok status that fails the CORS rules: the origin's refusal carries what follows from it. */
function preflightRuleFindings(step: FetchStep, ctx: DiagnoseContext): Finding[] {
  const { failures } = step.decision;
  const root = failures.find((f) => ORIGIN_FAILURES.has(f.code));
  if (root === undefined) return failures.map((f) => failureFinding(f, step, ctx));
  const folded = failures.filter((f) => f !== root && followsFromOrigin(f, step));
  const own = failureFinding(root, step, ctx);
  return [
    { ...own, consequences: folded.map(consequence) },
    ...failures.filter((f) => f !== root && !folded.includes(f)).map((f) => failureFinding(f, step, ctx)),
  ];
}

/** A response (not a preflight) that fails the CORS check. */
function responseFailureFindings(step: FetchStep, ctx: DiagnoseContext): Finding[] {
  const { response } = step.exchange;
  if (isMissingAuthenticationToken(response)) {
    return [
      finding(
        'route-not-deployed',
        'error',
        `Response (${where(step.exchange)}) was 403 "Missing Authentication Token" without CORS headers: API Gateway does not know this path or method in the deployed stage.`,
        ctx,
        [step.exchange],
      ),
    ];
  }
  if (isStageKeyOrWafForbidden(response, ctx))
    return [forbiddenFinding('error', 'Response', step.exchange, ctx, step.decision.failures.map(consequence))];
  const missing = step.decision.failures.find((f) => f.code === 'missing-allow-origin');
  if (missing && isAuthorizerRejection(response)) {
    return [
      finding(
        'authorizer-response-without-cors',
        'error',
        `Response (${where(step.exchange)}) was ${response.status} from an authorizer${authorizerSignature(response)} without Access-Control-Allow-Origin: the frontend gets a CORS error instead of the ${response.status}, so it cannot tell "sign in again" from a network failure.`,
        ctx,
        [step.exchange],
      ),
    ];
  }
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
    const statusFailed = step.decision.failures.some(
      (f) => f.code === 'preflight-status' || f.code === 'preflight-redirect',
    );
    if (step.kind === 'preflight' && statusFailed) {
      findings.push(preflightStatusFinding(step, ctx));
      findings.push(...step.decision.failures.filter((f) => f.tolerated).map((f) => failureFinding(f, step, ctx)));
    } else if (step.kind === 'response' && !step.decision.ok) {
      findings.push(...responseFailureFindings(step, ctx));
    } else if (step.kind === 'preflight') {
      findings.push(...preflightRuleFindings(step, ctx));
    } else {
      findings.push(...step.decision.failures.map((f) => failureFinding(f, step, ctx)));
    }
    if (step.kind === 'preflight') {
      const { maxAge } = step.decision as PreflightDecision;
      if (maxAge.capped) {
        findings.push(
          finding(
            'max-age-capped',
            'info',
            `Preflight asks for Access-Control-Max-Age ${maxAge.requested} s; Chromium caches it for ${maxAge.seconds} s.`,
            ctx,
            [step.exchange],
          ),
        );
      }
    }
  }
  if (outcome.redirectError) {
    const { step, message } = outcome.redirectError;
    findings.push(
      finding(
        'redirect-failed',
        'error',
        `Response (${where(step.exchange)} -> ${step.exchange.response.status}): ${message}.`,
        ctx,
        [step.exchange],
      ),
    );
  }

  const last = outcome.steps[outcome.steps.length - 1];
  if (outcome.ok && last !== undefined) {
    const { response } = last.exchange;
    if (isStageKeyOrWafForbidden(response, ctx)) {
      findings.push(forbiddenFinding('warning', 'Response', last.exchange, ctx, []));
    } else if (isMissingAuthenticationToken(response)) {
      findings.push(
        finding(
          'route-not-deployed',
          'warning',
          `Response (${where(last.exchange)}) was 403 "Missing Authentication Token": CORS passes, but API Gateway does not know this path or method in the deployed stage.`,
          ctx,
          [last.exchange],
        ),
      );
    } else if (isAuthorizerRejection(response)) {
      findings.push(
        finding(
          'actual-status',
          'info',
          `Response (${where(last.exchange)}) was ${response.status} from an authorizer${authorizerSignature(response)}; CORS passes, so the frontend can read it (send valid credentials to get past it).`,
          ctx,
          [last.exchange],
        ),
      );
    } else if (!isOkStatus(response.status)) {
      findings.push(
        finding(
          'actual-status',
          'info',
          `Response (${where(last.exchange)}) was ${response.status}; CORS passes, so the frontend can read it.`,
          ctx,
          [last.exchange],
        ),
      );
    }
    const acehRaw = getHeader(response.headers, 'access-control-expose-headers');
    if (
      ctx.request.credentials &&
      acehRaw !== null &&
      exposedHeaders(ctx.request, response.headers).names.includes('*')
    ) {
      findings.push(
        finding(
          'expose-wildcard-with-credentials',
          'warning',
          `Response (${where(last.exchange)}) has Access-Control-Expose-Headers "${acehRaw}"; with credentials "*" exposes nothing.`,
          ctx,
          [last.exchange],
        ),
      );
    }
  }
  return findings;
}

/**
 * The error probe: GETs to paths that should not exist, tried until one is answered with an error status (the
 * caller stops there). Its answer must pass the CORS check too, or every error the frontend meets looks like a
 * CORS failure. A warning: the user's request itself may still work. When every path answered without an error
 * (a catch-all route), nothing was learnt about errors, which is said as information, never as a pass.
 */
export function diagnoseErrorProbe(attempts: readonly Exchange[], ctx: DiagnoseContext): Finding[] {
  const last = attempts[attempts.length - 1];
  if (last === undefined) return [];
  const { response } = last;
  if (!isErrorStatus(response.status)) {
    const tried = attempts.map((e) => `${where(e)} -> ${e.response.status}`).join(', ');
    return [
      finding(
        'error-path-not-found',
        'info',
        `No error answer to check: every path tried was answered without an error status (${tried}), so whether errors carry CORS headers is unknown.`,
        ctx,
        attempts,
      ),
    ];
  }
  const decision = checkResponse(ctx.request, response.headers);
  if (decision.ok) return [];
  const why = decision.failures.map((f) => f.message).join('; ');
  return [
    finding(
      'error-response-without-cors',
      'warning',
      `Error response (${where(last)} -> ${response.status}) fails the CORS check (${why}): the frontend sees a CORS error instead of the ${response.status}.`,
      ctx,
      [last],
    ),
  ];
}

/** 4xx and 5xx: what the error probe is looking for. */
export function isErrorStatus(status: number): boolean {
  return status >= 400 && status <= 599;
}

/** Root findings whose cause also explains an error answer without CORS headers (the same refusal, or the same 403). */
const EXPLAINS_ERROR_PROBE: ReadonlySet<string> = new Set([
  ...ORIGIN_FAILURES,
  'gateway-forbidden',
  'error-response-without-cors',
]);

/**
 * Adds the error probe's findings, folded under the request's root finding when that finding already explains
 * them: an origin that is refused is refused on error answers too.
 */
export function withErrorProbe(findings: readonly Finding[], probe: readonly Finding[]): Finding[] {
  const i = findings.findIndex((f) => f.severity === 'error' && EXPLAINS_ERROR_PROBE.has(f.code));
  const folded = i === -1 ? [] : probe.filter((f) => f.code === 'error-response-without-cors');
  const out = [...findings, ...probe.filter((f) => !folded.includes(f))];
  if (folded.length > 0) {
    const root = findings[i]!;
    out[i] = {
      ...root,
      consequences: [...(root.consequences ?? []), ...folded.map((f) => ({ code: f.code, message: f.message }))],
    };
  }
  return out;
}

/**
 * "No Access-Control-Allow-Origin" reads like CORS is not set up at all. When another answer to the same origin
 * names a different, exact origin (a REST API's gateway responses carry one fixed origin), CORS is set up and this
 * origin is just not in the list: the finding says so, with that answer as evidence, and the fix is to add it.
 */
export function withOtherAllowedOrigin(
  findings: readonly Finding[],
  exchanges: readonly Exchange[],
  ctx: DiagnoseContext,
): Finding[] {
  const i = findings.findIndex((f) => f.severity === 'error' && f.code === 'missing-allow-origin');
  if (i === -1) return [...findings];
  const named = exchanges
    .map((exchange) => ({ exchange, allowOrigin: getHeader(exchange.response.headers, 'access-control-allow-origin') }))
    .find(
      (x) =>
        x.allowOrigin !== null && /^https?:\/\/[^\s,]+$/.test(x.allowOrigin) && x.allowOrigin !== ctx.request.origin,
    );
  if (named === undefined) return [...findings];
  const root = findings[i]!;
  const { exchange, allowOrigin } = named;
  const { origin, method } = ctx.request;
  const out = [...findings];
  out[i] = {
    ...root,
    message: `${root.message} Another answer (${where(exchange)} -> ${exchange.response.status}) names ${allowOrigin}: ${origin} is not among the allowed origins.`,
    fix: FIXES['missing-allow-origin']({ flavor: ctx.flavor, origin, method, allowOrigin: allowOrigin! }),
    evidence: [...root.evidence, toEvidence(exchange)],
  };
  return out;
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
  return [
    finding(
      'vary-origin-missing',
      'warning',
      `Response (${where(main)}) has an Access-Control-Allow-Origin that changes with the request's Origin, but no "Vary: Origin".`,
      ctx,
      [main],
    ),
  ];
}
