/**
 * Why the browser blocked a call. Script only ever sees "TypeError: Failed to fetch"; the reason is in the
 * browser's console. The API server records what it answered (a bounded ring of recent exchanges), and this
 * replays the Fetch standard's checks (src/cors) on the answer to the page's own call, so the demo page can show
 * the reason next to the browser's error. The browser decided; this only explains.
 */
import { checkPreflight, checkResponse, type ResponseHeaders } from '../../cors/fetch-check.js';
import { needsPreflight, type FetchRequest } from '../../cors/fetch-request.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import type { DemoCall } from './plan.js';

export interface Exchange {
  readonly origin: string | undefined;
  readonly method: string;
  /** Path and query as sent. */
  readonly target: string;
  readonly preflight: boolean;
  readonly status: number;
  readonly headers: ResponseHeaders;
}

/** The last exchanges of the API server, oldest first. */
export class ExchangeLog {
  private readonly items: Exchange[] = [];
  constructor(private readonly capacity = 500) {}

  record(request: PreviewRequest, response: PreviewResponse): void {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of response.headers) (headers[k.toLowerCase()] ??= []).push(v);
    this.items.push({
      origin: lowerHeader(request, 'origin'),
      method: request.method,
      target: request.rawQuery ? `${request.rawPath}?${request.rawQuery}` : request.rawPath,
      preflight: request.method === 'OPTIONS' && lowerHeader(request, 'access-control-request-method') !== undefined,
      status: response.status,
      headers,
    });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  latest(origin: string, target: string, preflight: boolean, method?: string): Exchange | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const e = this.items[i]!;
      if (
        e.origin === origin &&
        e.target === target &&
        e.preflight === preflight &&
        (method === undefined || e.method === method)
      )
        return e;
    }
    return undefined;
  }
}

/** The reasons a browser at `origin` blocks `call`, from what the API last answered to it. */
export function explain(call: DemoCall, origin: string, log: ExchangeLog): string[] {
  const u = new URL(call.url);
  const target = `${u.pathname}${u.search}`;
  const request: FetchRequest = {
    origin,
    method: call.method,
    headers: Object.entries(call.headers),
    credentials: call.credentials === 'include',
  };
  if (needsPreflight(request)) {
    const preflight = log.latest(origin, target, true);
    if (!preflight)
      return ['no preflight reached the API (the browser may have used a cached one, or the API did not answer)'];
    const decision = checkPreflight(request, preflight.status, preflight.headers);
    if (!decision.ok)
      return decision.failures
        .filter((f) => !f.tolerated)
        .map((f) => `preflight (OPTIONS ${preflight.status}): ${f.message}`);
  }
  const actual = log.latest(origin, target, false, call.method);
  if (!actual) return ['the request did not reach the API after its preflight'];
  const decision = checkResponse(request, actual.headers);
  if (!decision.ok)
    return decision.failures
      .filter((f) => !f.tolerated)
      .map((f) => `response (${call.method} ${actual.status}): ${f.message}`);
  return [
    `the API's answer (${actual.status}) passes the CORS check; the browser blocked it for another reason (see its console)`,
  ];
}

export type { ResponseHeaders };
