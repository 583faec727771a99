/**
 * The check's options, validated into the request a frontend would make. Everything a browser's `fetch()` would
 * refuse to send (forbidden methods and headers, URLs with credentials) is a usage error here: checking a request
 * no page can make proves nothing.
 */
import { parseOriginEntry, isOriginProblem } from '../cors/origin.js';
import { CorsGenError, type ErrorKind } from '../errors.js';
import { NetworkError, type NetworkErrorKind } from './network-error.js';
import { DEFAULT_LIMITS } from './http-probe.js';
import {
  isForbiddenMethod,
  isForbiddenRequestHeader,
  isToken,
  normalizeMethod,
  type FetchRequest,
} from '../cors/fetch-request.js';

export interface CheckOptions {
  /** The endpoint, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/prod/users`. */
  readonly url: string;
  /** The frontend's origin, e.g. `https://app.example.com` (`null` for a sandboxed or file: page). */
  readonly origin: string;
  /** The method the frontend uses. @default "GET" */
  readonly method?: string;
  /** Headers the frontend sets, as `"Name: value"`; a bare `"Name"` gets a harmless value. @default none */
  readonly headers?: readonly string[];
  /** The frontend uses `credentials: 'include'` (cookies, HTTP auth). @default false */
  readonly credentials?: boolean;
  /** Also probe for the Corsy/CORScanner misconfiguration classes. @default false */
  readonly scan?: boolean;
  /** Deadline for each request, from connect to the last body byte, in ms. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Show the values of Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and X-Amz-Security-Token
   * in the evidence. @default false (redacted)
   */
  readonly showSecrets?: boolean;
  /** Probes in flight at once. @default 6 */
  readonly concurrency?: number;
  /** Longest body read before giving up on a response, in bytes. @default 10 MiB + 1 KiB (API Gateway's limit is 10 MB) */
  readonly maxBodyBytes?: number;
  /** Called as probes start and finish (the CLI draws its progress line from it). */
  readonly onProgress?: (event: { done: number; total: number; probe: string }) => void;
  /** Cancels the check; it then rejects with a network error of kind `aborted`. */
  readonly signal?: AbortSignal;
}

/**
 * Why the check could not run: bad options (kind `usage`, code `usage`) or an endpoint that could not be reached
 * (kind `external`, code `network-<detail>`, e.g. `network-refused`): an endpoint that cannot be reached cannot be
 * judged, which is not the same as "the browser would block it".
 */
export class CheckError extends CorsGenError {
  override readonly name = 'CheckError';
  readonly kind: ErrorKind;
  readonly code: string;
  constructor(
    kind: 'usage' | 'network',
    message: string,
    /** For `network`: dns, refused, timeout, tls, reset, protocol, too-large, redirect-loop, ... */
    readonly detail?: NetworkErrorKind,
  ) {
    super(message);
    this.kind = kind === 'usage' ? 'usage' : 'external';
    this.code = kind === 'usage' ? 'usage' : `network-${detail ?? 'error'}`;
  }
}

export interface CheckInput {
  readonly url: URL;
  readonly request: FetchRequest;
  readonly scan: boolean;
  readonly showSecrets: boolean;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly maxBodyBytes: number;
}

/** Values for headers given by name only: valid, and (but for Content-Type) what a frontend typically sends. */
const HARMLESS_VALUES: Record<string, string> = {
  authorization: 'Bearer cors-gen-check',
  'content-type': 'application/json',
  accept: 'application/json',
  'accept-language': 'en',
  'content-language': 'en',
  range: 'bytes=0-',
};

export function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = (colon === -1 ? raw : raw.slice(0, colon)).trim();
  const value = colon === -1 ? (HARMLESS_VALUES[name.toLowerCase()] ?? 'cors-gen') : raw.slice(colon + 1).trim();
  if (!isToken(name))
    throw new CheckError(
      'usage',
      `--header "${raw}": "${name}" is not a header name; write "Name: value" or just "Name"`,
    );
  if (/[\0\r\n]/.test(value))
    throw new CheckError('usage', `--header "${name}": the value contains a line break or NUL`);
  if (isForbiddenRequestHeader(name, value)) {
    throw new CheckError(
      'usage',
      `--header "${name}": browsers do not let page script set this header (a forbidden request-header), so a frontend never sends it`,
    );
  }
  return [name, value];
}

function parseOrigin(origin: string): string {
  if (origin === 'null') return origin;
  const entry = parseOriginEntry(origin);
  if (isOriginProblem(entry)) {
    throw new CheckError(
      'usage',
      `--origin "${origin}" ${entry.reason}${entry.fix ? `; did you mean "${entry.fix}"?` : ''}`,
    );
  }
  if (entry.kind !== 'exact')
    throw new CheckError(
      'usage',
      `--origin "${origin}" is a pattern; give the one origin the frontend runs on, e.g. https://app.example.com`,
    );
  return entry.value;
}

/**
 * The longest --timeout: 10 minutes. Node's timers hold at most 2^31-1 ms (about 24.8 days; a larger delay fires
 * after 1 ms, https://nodejs.org/api/timers.html#settimeoutcallback-delay-args), and the whole check's deadline is
 * OVERALL_TIMEOUT_FACTOR times this; no API answer worth waiting for takes longer (API Gateway gives up on an
 * integration after 29 s by default).
 */
export const MAX_TIMEOUT_MS = 600_000;

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new CheckError('usage', `${what} must be a positive whole number, got ${value}`);
  return value;
}

/** --timeout in ms: 1 to MAX_TIMEOUT_MS. */
function timeoutMs(ms: number | undefined): number {
  const value = positiveInteger(ms, DEFAULT_LIMITS.timeoutMs, '--timeout');
  if (value > MAX_TIMEOUT_MS)
    throw new CheckError(
      'usage',
      `--timeout ${value} is above the limit of ${MAX_TIMEOUT_MS} ms (10 minutes); give a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  return value;
}

export function parseCheckInput(options: CheckOptions): CheckInput {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new CheckError(
      'usage',
      `"${options.url}" is not a URL; give the full endpoint URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/users`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CheckError('usage', `"${options.url}" is not an http(s) URL`);
  // fetch() throws a TypeError for such URLs (#dom-request).
  if (url.username !== '' || url.password !== '')
    throw new CheckError('usage', `"${options.url}" contains credentials (user:password@); fetch() refuses such URLs`);
  url.hash = '';

  const origin = parseOrigin(options.origin);
  if (origin === url.origin) {
    throw new CheckError(
      'usage',
      `--origin ${origin} is the endpoint's own origin: a browser makes a same-origin request, with no CORS at all. Give the frontend's origin.`,
    );
  }

  const method = normalizeMethod(options.method ?? 'GET');
  if (!isToken(method)) throw new CheckError('usage', `--method "${options.method}" is not an HTTP method`);
  if (isForbiddenMethod(method))
    throw new CheckError('usage', `--method ${method} is forbidden: fetch() refuses to send it`);

  const headers = (options.headers ?? []).map(parseHeader);
  return {
    url,
    request: { origin, method, headers, credentials: options.credentials === true },
    scan: options.scan === true,
    showSecrets: options.showSecrets === true,
    timeoutMs: timeoutMs(options.timeoutMs),
    concurrency: positiveInteger(options.concurrency, 6, 'concurrency'),
    maxBodyBytes: positiveInteger(options.maxBodyBytes, DEFAULT_LIMITS.maxBodyBytes, 'maxBodyBytes'),
  };
}

/**
 * The jobs of a check or a sweep, settled: throws what ended them, if anything failed. When the overall time limit
 * fired (`overran`), that is the cause (`overrun` says it); otherwise the first failure that is not an abort the
 * others caused, a network failure as a CheckError.
 */
export function throwIfFailed(
  settled: readonly PromiseSettledResult<unknown>[],
  overran: boolean,
  overrun: string,
): void {
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason as unknown);
  if (failures.length === 0) return;
  if (overran) throw new CheckError('network', overrun, 'timeout');
  const cause = failures.find((r) => !(r instanceof NetworkError && r.reason === 'aborted')) ?? failures[0];
  if (cause instanceof NetworkError) throw new CheckError('network', cause.message, cause.reason);
  throw cause;
}
