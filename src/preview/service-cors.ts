/**
 * CORS owned by the service: an HTTP API's `cors_configuration` and a Function URL's `cors` block. The service
 * answers preflights itself and adds the configured headers to responses to allowed origins; it ignores (HTTP
 * API) or overrides (Function URL) the CORS headers the function returns. Documented:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors.
 * Not documented, and therefore ASSUMED here (see ASSUMPTIONS in ./assumptions.ts): the preflight's status, the
 * answer to a disallowed origin (no CORS headers), and how wildcard entries other than `*` match.
 */
import { ModuleError } from './errors.js';
import type { HclValue } from '../terraform/expression/ast.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from './server/http-server.js';

export interface ServiceCors {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number | undefined;
}

export function serviceCors(
  block: Readonly<Record<string, HclValue>>,
  where: { file?: string; address: string },
): ServiceCors {
  const list = (name: string): string[] => {
    const v = block[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw new ModuleError(`${name} must be a list of strings`, { ...where, address: `${where.address}.${name}` });
    return v as string[];
  };
  const credentials = block['allow_credentials'];
  const maxAge = block['max_age'];
  if (maxAge !== undefined && maxAge !== null && typeof maxAge !== 'number')
    throw new ModuleError('max_age must be a number', { ...where, address: `${where.address}.max_age` });
  const cors = {
    allowOrigins: list('allow_origins'),
    allowMethods: list('allow_methods'),
    allowHeaders: list('allow_headers'),
    exposeHeaders: list('expose_headers'),
    allowCredentials: credentials === true || credentials === 'true',
    maxAge: typeof maxAge === 'number' ? maxAge : undefined,
  };
  // The service rejects this combination when it is configured (https://github.com/aws/aws-cdk/issues/9076).
  if (cors.allowCredentials && cors.allowOrigins.includes('*'))
    throw new ModuleError(
      'allow_credentials with allow_origins "*" is rejected by AWS ("allow-credentials is not supported if \'allow-origin\' is *")',
      where,
    );
  return cors;
}

/**
 * Whether the configuration allows `origin`: exact entries compare byte for byte; `*` allows every origin; an
 * entry with `*` elsewhere (`https://*`, `https://*.example.com`) matches one or more characters there (assumed).
 * Deliberately not src/cors's compileOrigins/corsHeaders: those model cors-gen's own Lambda code (case-insensitive,
 * one-DNS-label wildcards, never "null", Vary: Origin), this models the AWS service (ASSUMPTIONS service-*).
 */
export function originAllowed(cors: ServiceCors, origin: string): boolean {
  let matchers = compiled.get(cors);
  if (matchers === undefined) compiled.set(cors, (matchers = cors.allowOrigins.map(originMatcher)));
  return matchers.some((allows) => allows(origin));
}

/** Each configuration's entries, compiled once rather than on every request. */
const compiled = new WeakMap<ServiceCors, ((origin: string) => boolean)[]>();

function originMatcher(entry: string): (origin: string) => boolean {
  if (entry === '*') return () => true;
  if (!entry.includes('*')) return (origin) => origin === entry;
  const pattern = new RegExp(
    `^${entry
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('[^/]+')}$`,
  );
  return (origin) => origin === entry || pattern.test(origin);
}

/** A CORS preflight as the service sees one: OPTIONS with Origin and Access-Control-Request-Method (documented for HTTP APIs). */
export function isPreflight(request: PreviewRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    lowerHeader(request, 'origin') !== undefined &&
    lowerHeader(request, 'access-control-request-method') !== undefined
  );
}

/** Access-Control-Allow-Origin (and -Credentials), common to the preflight answer and the actual response. */
function originHeaders(cors: ServiceCors, origin: string): [string, string][] {
  const allowOrigin = cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
  return cors.allowCredentials
    ? [
        ['Access-Control-Allow-Origin', allowOrigin],
        ['Access-Control-Allow-Credentials', 'true'],
      ]
    : [['Access-Control-Allow-Origin', allowOrigin]];
}

/**
 * The service's own preflight answer. `status` is assumed (204 for HTTP APIs as the floci emulator answers; 200
 * for Function URLs); a disallowed origin gets the same status without any CORS header (assumed).
 */
export function preflightResponse(
  cors: ServiceCors,
  request: PreviewRequest,
  status: number,
  extra: readonly (readonly [string, string])[],
): PreviewResponse {
  const origin = lowerHeader(request, 'origin')!;
  const headers: [string, string][] = extra.map(([k, v]): [string, string] => [k, v]);
  if (originAllowed(cors, origin)) {
    headers.push(...originHeaders(cors, origin));
    if (cors.allowMethods.length > 0) headers.push(['Access-Control-Allow-Methods', cors.allowMethods.join(',')]);
    if (cors.allowHeaders.length > 0) headers.push(['Access-Control-Allow-Headers', cors.allowHeaders.join(',')]);
    if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
  }
  return { status, headers, body: '' };
}

/**
 * The response with the service's CORS headers: the backend's Access-Control-* headers dropped (HTTP API:
 * ignored, documented; Function URL: the configured ones win, documented, and the others are dropped too,
 * assumed), then the configured ones added when the request's origin is allowed.
 */
export function withServiceCors(
  cors: ServiceCors,
  request: PreviewRequest,
  response: PreviewResponse,
): PreviewResponse {
  const origin = lowerHeader(request, 'origin');
  const headers: [string, string][] = response.headers.filter(
    ([k]) => !k.toLowerCase().startsWith('access-control-'),
  ) as [string, string][];
  if (origin !== undefined && originAllowed(cors, origin)) {
    headers.push(...originHeaders(cors, origin));
    if (cors.exposeHeaders.length > 0) headers.push(['Access-Control-Expose-Headers', cors.exposeHeaders.join(',')]);
  }
  return { ...response, headers };
}
