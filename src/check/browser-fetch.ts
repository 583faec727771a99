/**
 * What a browser's `fetch()` does on the wire for a cross-origin request, step by step: the preflight when one
 * is needed (never following its redirects), the request, the CORS check on every response including error
 * statuses and each redirect hop, and the redirect rules that change the request between hops.
 * https://fetch.spec.whatwg.org/#concept-http-fetch, #concept-http-redirect-fetch.
 */
import {
  checkPreflight,
  checkResponse,
  getHeader,
  isRedirectStatus,
  type CorsDecision,
  type PreflightDecision,
} from '../cors/fetch-check.js';
import {
  actualRequestHeaders,
  needsPreflight,
  normalizeMethod,
  preflightRequestHeaders,
  type FetchRequest,
} from '../cors/fetch-request.js';
import type { Exchange, Send } from './exchange.js';
import { NetworkError } from './network-error.js';

export interface FetchStep {
  readonly kind: 'preflight' | 'response';
  readonly exchange: Exchange;
  /** The request as the CORS check saw it at this hop (its origin is `null` once redirect-tainted). */
  readonly request: FetchRequest;
  readonly decision: CorsDecision | PreflightDecision;
}

export interface FetchOutcome {
  /** Whether the browser hands the final response to script. */
  readonly ok: boolean;
  readonly steps: readonly FetchStep[];
  /** Set when a redirect made the fetch fail for a reason other than a CORS check. */
  readonly redirectError?: { readonly step: FetchStep; readonly message: string };
}

/** #concept-http-redirect-fetch: "If request's redirect count is 20, return a network error." */
export const MAX_REDIRECTS = 20;

/** #request-body-header-name: dropped with the body when a redirect turns the request into a GET. */
const REQUEST_BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/**
 * #concept-request-tainted-origin: once a redirect goes from one origin to another while the current URL is not
 * the requester's origin, the request's origin serializes as `null` for the rest of the chain.
 */
export function isRedirectTainted(urlList: readonly URL[], origin: string): boolean {
  for (let i = 1; i < urlList.length; i++) {
    const last = urlList[i - 1]!;
    if (urlList[i]!.origin !== last.origin && origin !== last.origin) return true;
  }
  return false;
}

export async function simulateFetch(request: FetchRequest, url: URL, send: Send): Promise<FetchOutcome> {
  const steps: FetchStep[] = [];
  const urlList = [url];
  let current: FetchRequest = { ...request, method: normalizeMethod(request.method) };
  for (let redirects = 0; ; redirects++) {
    const here = urlList[urlList.length - 1]!;
    const hop: FetchRequest = {
      ...current,
      origin: isRedirectTainted(urlList, request.origin) ? 'null' : request.origin,
    };
    const probe = redirects === 0 ? '' : `:${redirects}`;

    if (needsPreflight(hop)) {
      const exchange = await send(`preflight${probe}`, {
        method: 'OPTIONS',
        url: here,
        headers: preflightRequestHeaders(hop),
      });
      const decision = checkPreflight(hop, exchange.response.status, exchange.response.headers);
      steps.push({ kind: 'preflight', exchange, request: hop, decision });
      if (!decision.ok) return { ok: false, steps };
    }

    const exchange = await send(redirects === 0 ? 'request' : `redirect${probe}`, {
      method: hop.method,
      url: here,
      headers: actualRequestHeaders(hop),
    });
    const decision = checkResponse(hop, exchange.response.headers);
    const step: FetchStep = { kind: 'response', exchange, request: hop, decision };
    steps.push(step);
    if (!decision.ok) return { ok: false, steps };

    const location = getHeader(exchange.response.headers, 'location');
    if (!isRedirectStatus(exchange.response.status) || location === null) return { ok: true, steps };

    let next: URL;
    try {
      next = new URL(location, here);
    } catch {
      return {
        ok: false,
        steps,
        redirectError: { step, message: `the redirect's Location "${location}" is not a URL` },
      };
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      return {
        ok: false,
        steps,
        redirectError: {
          step,
          message: `the redirect goes to a ${next.protocol} URL; fetch follows only http(s) redirects`,
        },
      };
    }
    if (next.username !== '' || next.password !== '') {
      return {
        ok: false,
        steps,
        redirectError: {
          step,
          message: 'the redirect goes to a URL with credentials (user:password@), which a CORS request refuses',
        },
      };
    }
    if (redirects >= MAX_REDIRECTS) {
      throw new NetworkError(
        'redirect-loop',
        `more than ${MAX_REDIRECTS} redirects starting at ${url.href} (a redirect loop?); browsers give up too`,
      );
    }

    const status = exchange.response.status;
    let headers = current.headers;
    let method = current.method;
    if (
      ((status === 301 || status === 302) && method === 'POST') ||
      (status === 303 && method !== 'GET' && method !== 'HEAD')
    ) {
      method = 'GET';
      headers = headers.filter(([n]) => !REQUEST_BODY_HEADERS.includes(n.toLowerCase()));
    }
    // A cross-origin hop deletes Authorization (the CORS non-wildcard request-header name).
    if (next.origin !== here.origin) headers = headers.filter(([n]) => n.toLowerCase() !== 'authorization');
    current = { ...current, method, headers };
    urlList.push(next);
  }
}
