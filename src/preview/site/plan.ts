/**
 * What the demo page calls: every route with every method, sending the headers and credentials the module
 * allows (read from the Lambda's environment, the contract between module and code: ALLOW_HEADERS,
 * ALLOW_CREDENTIALS, EXPOSE_HEADERS), a JSON body where the method has one, plus a call that makes the app fail
 * (a path ending in /error: the generated app throws there, and the answer must still be readable) and, for
 * APIs, a call to a path the API does not have (API Gateway's own error answer).
 */
import { isForbiddenRequestHeader, isToken } from '../../cors/fetch-request.js';
import type { RouteInfo } from '../rest/rest-api.js';
import type { ServiceCors } from '../service-cors.js';

export type CallKind = 'route' | 'error' | 'gateway';

export interface DemoCall {
  /** Stable: `GET /orders/{orderId}`, `error`, `gateway`. */
  readonly id: string;
  readonly kind: CallKind;
  readonly method: string;
  readonly url: string;
  /** The route as declared, with its variables. */
  readonly route: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly credentials: 'include' | 'same-origin';
}

export interface DemoPlan {
  readonly kind: 'rest' | 'http' | 'function-url';
  readonly api: string;
  readonly credentials: boolean;
  /** Response headers the page tries to read (Access-Control-Expose-Headers). */
  readonly exposeHeaders: readonly string[];
  readonly calls: readonly DemoCall[];
  readonly assumptions: readonly string[];
}

export interface CorsIntent {
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
}

/** The intent from the Lambda environment, else from the service's CORS configuration. */
export function corsIntent(
  env: Readonly<Record<string, string>> | undefined,
  service: ServiceCors | undefined,
): CorsIntent {
  const split = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env && 'ALLOW_HEADERS' in env) {
    return {
      allowHeaders: split(env['ALLOW_HEADERS']),
      exposeHeaders: split(env['EXPOSE_HEADERS']),
      allowCredentials: env['ALLOW_CREDENTIALS'] === 'true',
    };
  }
  return {
    allowHeaders: service?.allowHeaders ?? [],
    exposeHeaders: service?.exposeHeaders ?? [],
    allowCredentials: service?.allowCredentials ?? false,
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A value for each allowed request header the page sends. */
function headerValue(name: string, index: number): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization') return 'Bearer preview-token';
  if (lower === 'content-type') return 'application/json';
  if (lower === 'x-request-id') return `preview-${index}`;
  return 'preview';
}

function concretePath(route: string, errorSegment = false): string {
  const parts = route.split('/');
  return parts
    .map((p, i) => {
      const m = /^\{(.+?)(\+)?\}$/.exec(p);
      if (!m) return p;
      if (errorSegment && i === parts.length - 1) return 'error';
      return m[2] ? 'docs/readme.txt' : `${m[1]!.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}-1`;
    })
    .join('/');
}

export function demoPlan(
  kind: DemoPlan['kind'],
  api: string,
  routes: readonly RouteInfo[],
  intent: CorsIntent,
  assumptions: readonly string[],
): DemoPlan {
  const credentials = intent.allowCredentials ? 'include' : 'same-origin';
  const sendable = intent.allowHeaders.filter(
    (h) => h !== '*' && isToken(h) && !isForbiddenRequestHeader(h, 'preview'),
  );
  const headersFor = (method: string, index: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const h of sendable) {
      if (h.toLowerCase() === 'content-type' && !BODY_METHODS.has(method)) continue;
      out[h] = headerValue(h, index);
    }
    return out;
  };
  const url = (path: string) => `${api.replace(/\/$/, '')}${path === '/' ? '/' : path}`;
  const calls: DemoCall[] = [];
  for (const route of routes) {
    for (const method of route.methods) {
      if (method === 'ANY') continue;
      const index = calls.length + 1;
      const headers = headersFor(method, index);
      const hasJson = BODY_METHODS.has(method);
      calls.push({
        id: `${method} ${route.path}`,
        kind: 'route',
        method,
        url: url(concretePath(route.path)),
        route: route.path,
        headers,
        ...(hasJson ? { body: JSON.stringify({ from: 'cors-gen preview', method, route: route.path }) } : {}),
        credentials,
      });
    }
  }
  // The error call: the last variable of a route replaced by "error" (the generated app throws for it).
  const withVariable =
    routes.find((r) => /\}$/.test(r.path) && r.methods.includes('GET')) ??
    routes.find((r) => /\}$/.test(r.path) && r.methods.length > 0);
  const errorRoute =
    withVariable ?? (kind === 'function-url' ? { path: '/{path+}', methods: ['GET'], options: false } : undefined);
  if (errorRoute) {
    const method = errorRoute.methods.includes('GET') ? 'GET' : errorRoute.methods[0]!;
    calls.push({
      id: 'error',
      kind: 'error',
      method,
      url: url(concretePath(errorRoute.path, true)),
      route: errorRoute.path,
      headers: headersFor(method, calls.length + 1),
      credentials,
    });
  }
  if (kind !== 'function-url') {
    calls.push({
      id: 'gateway',
      kind: 'gateway',
      method: 'GET',
      url: url('/cors-gen-preview/no-such-route'),
      route: '(no such route)',
      headers: {},
      credentials,
    });
  }
  return {
    kind,
    api,
    credentials: intent.allowCredentials,
    exposeHeaders: intent.exposeHeaders.filter((h) => h !== '*'),
    calls,
    assumptions,
  };
}
