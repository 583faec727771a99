/**
 * `sweepApi`: `check` over every route of a deployed API. For each route x method x origin of the spec (the
 * stage's allowed origins, the ones added with `--origin`, one foreign origin and, with `scan`, the scan's
 * look-alikes of each allowed origin) it sends what a browser sends: the preflight, the actual request (only for
 * GET/HEAD unless `sendUnsafe`: the others change data) and, once per route and origin, a request to an unknown
 * path below the route (an error answer). Each response is judged by the same Fetch CORS check as `check <url>`
 * (`src/cors/fetch-check.ts`, through `simulateFetch`).
 *
 * The verdict compares what the browser would do with what the spec intends: an allowed origin must be able to
 * read every answer, success or error; any other origin must be blocked (a blocked foreign origin is a pass).
 * A route guarded by an authorizer is expected to refuse a request without credentials: that refusal passes
 * when the page can read it (a 401/403 with the CORS headers), because only then can the frontend tell the user
 * to sign in instead of seeing an opaque "network error". A row whose only shortfall is the module's documented
 * limit (API Gateway's own errors naming the first origin, see `judge`) gets the verdict `limit`, not `fail`.
 */
import { checkPreflight, checkResponse, getHeader, type CorsDecision, type CorsFailure } from '../cors/fetch-check.js';
import { needsPreflight, preflightRequestHeaders, type FetchRequest } from '../cors/fetch-request.js';
import { compileOrigins, isOriginProblem, parseOriginEntry } from '../cors/origin.js';
import { ROUTE_METHODS, routeAuth, type CorsModel, type RouteModel } from '../spec/model.js';
import { simulateFetch } from './browser-fetch.js';
import { errorProbeUrls, record, type ProbeRecord } from './check-endpoint.js';
import { isErrorStatus } from './diagnose.js';
import { redactEvidence, toEvidence, type Exchange, type Send } from './exchange.js';
import { DEFAULT_LIMITS, sendProbe } from './http-probe.js';
import { CheckError, MAX_TIMEOUT_MS, parseHeader, throwIfFailed } from './input.js';
import { createLimiter } from './limit.js';
import { NetworkError } from './network-error.js';
import { planScan, REFLECTION_PROBE } from './scan.js';

export interface SweepOptions {
  /** The validated spec. */
  readonly model: CorsModel;
  /** The API's base URL, the module's `api_url` output (for REST it ends with the stage, e.g. `/prod`). */
  readonly url: string;
  /** Test with this stage's allowed origins (`stages.<name>`). @default the spec's `cors.allowOrigins` */
  readonly stage?: string;
  /** Origins allowed only once the module is applied (the S3 website or CDN origin). @default none */
  readonly origins?: readonly string[];
  /** Path parameter values, `name=value`. @default "sample" for every parameter */
  readonly params?: readonly string[];
  /** Headers the frontend sends besides the spec's `allowHeaders`, `"Name: value"` (e.g. a token). @default none */
  readonly headers?: readonly string[];
  /** Add the scan's look-alike origins of every allowed origin (expected blocked). @default false */
  readonly scan?: boolean;
  /** Send POST/PUT/PATCH/DELETE as actual requests; otherwise only their preflight. @default false */
  readonly sendUnsafe?: boolean;
  /** Show credential header values in `--json`. @default false (redacted) */
  readonly showSecrets?: boolean;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** The most requests the sweep may send; a plan above it is refused before anything is sent. @default 300 */
  readonly maxRequests?: number;
  /** Deadline per request in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Deadline for the whole sweep in ms. @default 120000 */
  readonly totalTimeoutMs?: number;
  readonly onProgress?: (event: { done: number; total: number; probe: string }) => void;
  readonly signal?: AbortSignal;
}

/** Why an origin is probed, which says what the spec intends for it. */
export type OriginRole = 'allowed' | 'added' | 'foreign' | 'lookalike';

/** What one probe step showed: `readable` (the page gets the answer), `blocked`, or not sent and why. */
export type StepResult =
  | 'readable'
  | 'blocked'
  /** API Gateway's own error answer names the first origin only: the limit `validate` warns about. */
  | 'first-origin-only'
  | 'not-an-error'
  | 'unsafe-not-sent'
  | 'not-needed';

export interface SweepProbe extends ProbeRecord {
  /** The request headers as sent (credential values redacted unless `showSecrets`). */
  readonly requestHeaders: Readonly<Record<string, string>>;
}

export interface SweepRow {
  /** The route as the spec writes it, e.g. `/orders/{orderId}`. */
  readonly route: string;
  readonly method: string;
  readonly origin: string;
  readonly role: OriginRole;
  /** What guards the route: `none`, `iam` or an authorizer's name. */
  readonly auth: string;
  /** What the spec intends for this origin. */
  readonly expect: 'readable' | 'blocked';
  readonly preflight: StepResult;
  readonly request: StepResult;
  /** The error request of this route and origin (shared by its methods); `not-needed` for look-alikes. */
  readonly error: StepResult;
  /**
   * `pass`: what the browser did matches the spec; `limit`: it matches what the module can do (a REST API with
   * credentials and several origins, whose gateway responses name one origin; `validate` warns); `fail`: it differs.
   */
  readonly verdict: 'pass' | 'limit' | 'fail';
  /** For a fail: which request and why, in the browser's words. */
  readonly reason?: string;
  readonly probes: readonly SweepProbe[];
}

export interface SweepReport {
  /** True exactly when every row passes: `check --spec` exits 0. */
  readonly ok: boolean;
  readonly url: string;
  readonly stage: string | null;
  readonly rows: readonly SweepRow[];
  /** Allowed origins that are patterns (`https://*.example.com`): no single origin stands for them. */
  readonly skippedOrigins: readonly string[];
  readonly summary: {
    readonly rows: number;
    readonly passed: number;
    /** Rows at the module's documented limit (verdict `limit`): they do not fail the sweep. */
    readonly limited: number;
    readonly failed: number;
    readonly requests: number;
  };
}

export const SWEEP_DEFAULTS = { concurrency: 4, maxRequests: 300, totalTimeoutMs: 120_000 } as const;
/** The value of a path parameter not given with `--param`. */
export const SAMPLE_PARAM = 'sample';
/** An origin no spec allows (the `.test` TLD is reserved, RFC 2606). */
export const FOREIGN_ORIGIN = REFLECTION_PROBE.origin;
/** Methods that change data (RFC 9110 section 9.2.1: not safe). */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function positive(value: number | undefined, fallback: number, flag: string, max = Infinity): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new CheckError('usage', `${flag} must be a whole number from 1 to ${max}, got ${value}`);
  return value;
}

function parseParams(raw: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of raw) {
    const eq = p.indexOf('=');
    if (eq < 1) throw new CheckError('usage', `--param "${p}": write name=value, e.g. --param orderId=42`);
    out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

/** The route's path with its parameters filled; a greedy `{name+}` value may hold slashes. */
export function fillPath(route: RouteModel, params: ReadonlyMap<string, string>): string {
  const parts = route.segments.map((s) => {
    if (s.kind === 'literal') return encodeURIComponent(s.value);
    const value = params.get(s.name) ?? SAMPLE_PARAM;
    return s.kind === 'greedy' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
  return `/${parts.join('/')}`;
}

function routeUrl(base: URL, path: string): URL {
  const u = new URL(base.href);
  u.pathname = `${base.pathname.replace(/\/+$/, '')}${path === '/' ? '/' : path}`;
  return u;
}

interface PlannedOrigin {
  readonly origin: string;
  readonly role: OriginRole;
  readonly expect: 'readable' | 'blocked';
}

/** The origins to probe, in a fixed order: allowed, added, foreign, look-alikes; each once. */
function planOrigins(
  options: SweepOptions,
  apiOrigin: string,
): { origins: PlannedOrigin[]; skipped: string[]; first: string | undefined } {
  const { model } = options;
  let allowed = model.cors.allowOrigins;
  if (options.stage !== undefined) {
    const stage = model.stages.find((s) => s.name === options.stage);
    if (!stage)
      throw new CheckError(
        'usage',
        `--stage "${options.stage}" is not a stage of the spec; ${model.stages.length > 0 ? `its stages are ${model.stages.map((s) => s.name).join(', ')}` : 'it has no stages: leave --stage out'}`,
      );
    allowed = stage.allowOrigins;
  }
  for (const o of options.origins ?? []) {
    const entry = parseOriginEntry(o);
    if (isOriginProblem(entry) || entry.kind !== 'exact')
      throw new CheckError(
        'usage',
        `--origin "${o}" is not one origin; give it as the browser sends it, e.g. https://d111111abcdef8.cloudfront.net`,
      );
  }
  const matcher = compileOrigins([...allowed, ...(options.origins ?? [])]);
  const exact = allowed.filter((o) => {
    const e = parseOriginEntry(o);
    return !isOriginProblem(e) && e.kind === 'exact';
  });
  const skipped = allowed.filter((o) => !exact.includes(o));
  const seen = new Set<string>([apiOrigin]);
  const origins: PlannedOrigin[] = [];
  const add = (origin: string, role: OriginRole) => {
    if (seen.has(origin)) return;
    seen.add(origin);
    origins.push({ origin, role, expect: matcher.allows(origin) ? 'readable' : 'blocked' });
  };
  for (const o of exact) add(o, 'allowed');
  for (const o of options.origins ?? []) add(o, 'added');
  add(FOREIGN_ORIGIN, 'foreign');
  if (options.scan)
    for (const o of [...exact, ...(options.origins ?? [])])
      for (const p of planScan(o, new URL(apiOrigin))) add(p.origin, 'lookalike');
  // The origin the module's gateway responses name: its first exact origin (else its first entry).
  return { origins, skipped, first: exact[0] ?? allowed[0] };
}

/** What a frontend sends: the spec's allowed headers (harmless values) with the user's own values winning. */
function frontendHeaders(model: CorsModel, given: readonly string[]): [string, string][] {
  const own = given.map(parseHeader);
  const names = new Set(own.map(([n]) => n.toLowerCase()));
  const spec = model.cors.allowHeaders
    .filter((h) => h !== '*' && !names.has(h.toLowerCase()))
    .map((h) => parseHeader(h));
  return [...spec, ...own];
}

function firstFailure(failures: readonly CorsFailure[]): string {
  return failures.find((f) => !f.tolerated)?.message ?? 'blocked';
}

export async function sweepApi(options: SweepOptions): Promise<SweepReport> {
  const { model } = options;
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new CheckError('usage', `--url "${options.url}" is not a URL; give the module's api_url output`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new CheckError('usage', `--url "${options.url}" is not an http(s) URL`);
  base.search = '';
  base.hash = '';
  const timeoutMs = positive(options.timeoutMs, DEFAULT_LIMITS.timeoutMs, '--timeout', MAX_TIMEOUT_MS);
  const totalMs = positive(options.totalTimeoutMs, SWEEP_DEFAULTS.totalTimeoutMs, '--total-timeout', 2 ** 31 - 1);
  const concurrency = positive(options.concurrency, SWEEP_DEFAULTS.concurrency, '--concurrency', 64);
  const maxRequests = positive(options.maxRequests, SWEEP_DEFAULTS.maxRequests, '--max-requests');
  const params = parseParams(options.params ?? []);
  const headers = frontendHeaders(model, options.headers ?? []);
  const { origins, skipped, first: firstOrigin } = planOrigins(options, base.origin);
  const credentials = model.cors.allowCredentials;

  // Function URLs have one route: the whole URL. Every other API has the spec's routes.
  const routes: { route: string; path: string; methods: readonly string[]; auth: string }[] =
    model.api === 'function-url'
      ? [
          {
            route: '/',
            path: '/',
            methods: ROUTE_METHODS.filter((m) => model.cors.allowMethods.includes(m) || m === 'GET'),
            auth: routeAuth(model, '/').auth,
          },
        ]
      : model.routes.map((r) => ({
          route: r.path,
          path: fillPath(r, params),
          methods: r.methods,
          auth: routeAuth(model, r.path).auth,
        }));

  // The plan, and its worst case in requests (preflight + request per cell; up to three error paths per route
  // and origin), refused up front when above the cap: a sweep never starts what it may not finish.
  let planned = 0;
  for (const r of routes)
    for (const o of origins) {
      for (const m of r.methods) planned += !UNSAFE.has(m) || options.sendUnsafe ? 2 : 1;
      if (o.role !== 'lookalike') planned += errorProbeUrls(routeUrl(base, r.path)).length;
    }
  if (planned > maxRequests)
    throw new CheckError(
      'usage',
      `the sweep needs up to ${planned} requests (${routes.length} routes x ${origins.length} origins), above --max-requests ${maxRequests}; raise --max-requests${options.scan ? ', leave out --scan' : ''} or check one URL with "cors-gen check <url> --origin <origin>"`,
    );

  const controller = new AbortController();
  const cancel = () => controller.abort();
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  let overran = false;
  const overall = setTimeout(() => {
    overran = true;
    cancel();
  }, totalMs);
  const limit = createLimiter(concurrency);
  let sent = 0;
  let done = 0;
  const send =
    (label: string): Send =>
    (probe, request) =>
      limit(async () => {
        if (controller.signal.aborted)
          throw new NetworkError('aborted', `${request.method} ${request.url.href} was cancelled`);
        // Redirects add requests the plan could not know: the cap holds for them too.
        if (++sent > maxRequests)
          throw new CheckError(
            'usage',
            `the sweep reached --max-requests ${maxRequests} (redirects added requests); raise --max-requests`,
          );
        options.onProgress?.({ done, total: planned, probe: `${label} ${probe}` });
        try {
          const response = await sendProbe(request, { ...DEFAULT_LIMITS, timeoutMs, signal: controller.signal });
          return { probe, request, response };
        } finally {
          done++;
          options.onProgress?.({ done, total: planned, probe: `${label} ${probe}` });
        }
      });
  const failFast = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      cancel();
      throw e;
    });
  const show = (e: Exchange, verdict: ProbeRecord['verdict']): SweepProbe => {
    const evidence = toEvidence(e);
    return {
      ...record(e, verdict),
      requestHeaders: (options.showSecrets ? evidence : redactEvidence(evidence)).request.headers,
    };
  };

  /**
   * A REST API with credentials answers its own errors (gateway responses: 401 of an authorizer, 403 of an
   * unknown path, 429, 5xx; they carry `x-amzn-ErrorType`) with one static origin, the first: a gateway response
   * can only map a static value or a request header, and echoing the request's Origin with credentials would
   * let every site read them (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
   * `validate` warns about it; for the other origins that is the module's documented limit, not a regression.
   */
  const judge = (e: Exchange, decision: CorsDecision, o: PlannedOrigin): StepResult => {
    if (decision.ok) return 'readable';
    const limited =
      o.expect === 'readable' &&
      model.api === 'rest' &&
      credentials &&
      o.origin !== firstOrigin &&
      isErrorStatus(e.response.status) &&
      getHeader(e.response.headers, 'x-amzn-errortype') !== null &&
      getHeader(e.response.headers, 'access-control-allow-origin') === firstOrigin &&
      decision.failures.every((f) => f.tolerated || f.code === 'allow-origin-mismatch');
    return limited ? 'first-origin-only' : 'blocked';
  };

  /** The error request of one route and origin: unknown paths below the route until one answers an error. */
  const errorProbe = async (path: string, o: PlannedOrigin) => {
    const { origin } = o;
    const attempts: Exchange[] = [];
    for (const [i, target] of errorProbeUrls(routeUrl(base, path)).entries()) {
      const e = await send(`GET ${path} from ${origin}`)(i === 0 ? 'error-probe' : `error-probe:${i + 1}`, {
        method: 'GET',
        url: target,
        headers: [['Origin', origin]],
      });
      attempts.push(e);
      if (isErrorStatus(e.response.status)) break;
    }
    const last = attempts[attempts.length - 1]!;
    const decision = checkResponse({ origin, credentials }, last.response.headers);
    const result: StepResult = !isErrorStatus(last.response.status) ? 'not-an-error' : judge(last, decision, o);
    return {
      result,
      reason: `the error answer (${last.response.status}) to ${last.request.method} ${last.request.url.pathname}: ${firstFailure(decision.failures)}`,
      probes: attempts.map((e) =>
        show(e, result === 'not-an-error' ? 'not-an-error' : decision.ok ? 'passed' : 'blocked'),
      ),
    };
  };

  /** The browser's requests of one row: what it could read of the preflight and of the answer, and why not. */
  interface Cell {
    readonly preflight: StepResult;
    readonly request: StepResult;
    readonly reason?: string | undefined;
    readonly probes: readonly SweepProbe[];
  }
  const cell = async (r: (typeof routes)[number], method: string, o: PlannedOrigin): Promise<Cell> => {
    const url = routeUrl(base, r.path);
    const request: FetchRequest = {
      origin: o.origin,
      method,
      // A body's Content-Type is what a JSON frontend sends with data; GET and HEAD carry none.
      headers: UNSAFE.has(method) ? headers : headers.filter(([n]) => n.toLowerCase() !== 'content-type'),
      credentials,
    };
    const label = `${method} ${r.path} from ${o.origin}`;
    if (UNSAFE.has(method) && !options.sendUnsafe) {
      if (!needsPreflight(request)) return { preflight: 'not-needed', request: 'unsafe-not-sent', probes: [] };
      const e = await send(label)('preflight', { method: 'OPTIONS', url, headers: preflightRequestHeaders(request) });
      const d = checkPreflight(request, e.response.status, e.response.headers);
      return {
        preflight: d.ok ? 'readable' : 'blocked',
        request: 'unsafe-not-sent',
        reason: d.ok ? undefined : `the preflight (${e.response.status}): ${firstFailure(d.failures)}`,
        probes: [show(e, d.ok ? 'passed' : 'blocked')],
      };
    }
    const outcome = await simulateFetch(request, url, send(label));
    const pre = outcome.steps.find((s) => s.kind === 'preflight');
    const last = outcome.steps[outcome.steps.length - 1]!;
    const failed = outcome.steps.find((s) => !s.decision.ok);
    const answered = last.kind === 'response' && !outcome.redirectError;
    return {
      preflight: pre ? (pre.decision.ok ? 'readable' : 'blocked') : 'not-needed',
      request: answered ? judge(last.exchange, last.decision, o) : 'blocked',
      reason: failed
        ? `the ${failed.kind === 'preflight' ? 'preflight' : 'response'} (${failed.exchange.response.status}): ${firstFailure(failed.decision.failures)}`
        : outcome.redirectError?.message,
      probes: outcome.steps.map((s) => show(s.exchange, s.decision.ok ? 'passed' : 'blocked')),
    };
  };

  const jobs: Promise<SweepRow[]>[] = [];
  for (const r of routes)
    for (const o of origins) {
      const error = o.role === 'lookalike' ? undefined : failFast(errorProbe(r.path, o));
      const cells = r.methods.map((m) => failFast(cell(r, m, o)));
      jobs.push(
        Promise.all([Promise.all(cells), error]).then(([results, err]) =>
          r.methods.map((method, i) => {
            const c = results[i]!;
            const steps: StepResult[] = [c.preflight, c.request, err?.result ?? 'not-needed'];
            // What the page could read; the first-origin-only answers it cannot, but the module says so.
            const seen = steps.filter((s) => s === 'readable' || s === 'blocked' || s === 'first-origin-only');
            const pass = seen.every((s) =>
              o.expect === 'readable' ? s === 'readable' || s === 'first-origin-only' : s !== 'readable',
            );
            const limited = pass && o.expect === 'readable' && seen.includes('first-origin-only');
            const reason = limited
              ? `API Gateway's own error answers name only ${firstOrigin} (a REST API with credentials and several origins; validate warns about it)`
              : pass
                ? undefined
                : o.expect === 'blocked'
                  ? `${o.origin} is not allowed by the spec, yet the page could read ${[
                      c.preflight === 'readable' ? 'the preflight' : '',
                      c.request === 'readable' ? 'the response' : '',
                      err?.result === 'readable' ? 'the error answer' : '',
                    ]
                      .filter(Boolean)
                      .join(', ')}`
                  : (c.reason ?? (err?.result === 'blocked' ? err.reason : 'blocked'));
            return {
              route: r.route,
              method,
              origin: o.origin,
              role: o.role,
              auth: r.auth,
              expect: o.expect,
              preflight: c.preflight,
              request: c.request,
              error: err?.result ?? 'not-needed',
              verdict: limited ? 'limit' : pass ? 'pass' : 'fail',
              ...(reason !== undefined ? { reason } : {}),
              probes: [...c.probes, ...(i === 0 ? (err?.probes ?? []) : [])],
            } satisfies SweepRow;
          }),
        ),
      );
    }
  const settled = await Promise.allSettled(jobs);
  clearTimeout(overall);
  options.signal?.removeEventListener('abort', cancel);
  throwIfFailed(settled, overran, `the sweep did not finish within --total-timeout ${totalMs} ms`);
  const rows = settled.flatMap((s) => (s as PromiseFulfilledResult<SweepRow[]>).value);
  const count = (v: SweepRow['verdict']) => rows.filter((r) => r.verdict === v).length;
  return {
    ok: count('fail') === 0,
    url: base.href,
    stage: options.stage ?? null,
    rows,
    skippedOrigins: skipped,
    summary: {
      rows: rows.length,
      passed: count('pass'),
      limited: count('limit'),
      failed: count('fail'),
      requests: sent,
    },
  };
}
