/**
 * One HTTP exchange, bounded. node:http rather than `fetch`: a checker needs every instance of a repeated header
 * (two `Access-Control-Allow-Origin` lines are a finding, `fetch` would join them), must never follow a redirect
 * on its own, and must survive hostile servers — so the whole exchange has one deadline, the body is counted and
 * dropped past a small prefix, and header size and count are capped.
 */
import http from 'node:http';
import https from 'node:https';
import type { ResponseHeaders } from '../cors/fetch-check.js';
import { classifyNetworkError, NetworkError } from './network-error.js';

export interface ProbeRequest {
  readonly method: string;
  readonly url: URL;
  /** Sent in order; a repeated name is combined with ", " as the Fetch `Headers` object does. */
  readonly headers: readonly (readonly [string, string])[];
}

export interface ProbeResponse {
  readonly status: number;
  /** Lower-case names, every instance kept. */
  readonly headers: ResponseHeaders;
  /** The first bytes of the body as text, for diagnosis ("Missing Authentication Token"). */
  readonly bodyStart: string;
}

export interface ProbeLimits {
  /** One deadline for the whole exchange: DNS, connect, TLS, headers and body. */
  readonly timeoutMs: number;
  /** Bodies longer than this are an error: a real API answer is bounded (API Gateway: 10 MB). */
  readonly maxBodyBytes: number;
  /** Total size of the response head; node's parser enforces it. */
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly signal?: AbortSignal | undefined;
}

export const DEFAULT_LIMITS: Omit<ProbeLimits, 'signal'> = {
  timeoutMs: 10_000,
  maxBodyBytes: 10 * 1024 * 1024 + 1024,
  maxHeaderBytes: 32 * 1024,
  maxHeaderCount: 256,
};

/** How much of the body is kept; the rest is read (to honour the deadline and cap) and dropped. */
const BODY_PREFIX_BYTES = 2048;

function toHeaderObject(headers: ProbeRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = names.get(name.toLowerCase());
    if (key === undefined) {
      names.set(name.toLowerCase(), name);
      out[name] = value;
    } else {
      out[key] = `${out[key]}, ${value}`;
    }
  }
  return out;
}

export function sendProbe(request: ProbeRequest, limits: ProbeLimits): Promise<ProbeResponse> {
  const { url } = request;
  const label = { method: request.method, url };
  return new Promise<ProbeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: ProbeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else reject(classifyNetworkError(error, label));
    };

    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, {
      method: request.method,
      headers: toHeaderObject(request.headers),
      // A fresh connection per probe: no pooled socket outlives the check, and one probe's slow server cannot
      // hold a socket another probe waits for.
      agent: false,
      maxHeaderSize: limits.maxHeaderBytes,
    });
    // Headers past this count are dropped by node; one more than the cap lets us see that it was exceeded.
    req.maxHeadersCount = limits.maxHeaderCount + 1;

    const timer = setTimeout(() => {
      req.destroy(
        new NetworkError(
          'timeout',
          `no complete answer to ${request.method} ${url.href} within ${limits.timeoutMs} ms (--timeout)`,
        ),
      );
    }, limits.timeoutMs);
    const onAbort = () => req.destroy(new NetworkError('aborted', `${request.method} ${url.href} was cancelled`));
    if (limits.signal?.aborted) onAbort();
    else limits.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (e) => finish(e));
    req.on('response', (res) => {
      res.on('error', (e) => finish(e));
      if (res.rawHeaders.length / 2 > limits.maxHeaderCount) {
        req.destroy(
          new NetworkError(
            'too-large',
            `the response to ${request.method} ${url.href} has more than ${limits.maxHeaderCount} headers`,
          ),
        );
        return;
      }
      const headers: Record<string, string[]> = {};
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        (headers[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
      }
      const prefix: Buffer[] = [];
      let kept = 0;
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxBodyBytes) {
          req.destroy(
            new NetworkError(
              'too-large',
              `the response body of ${request.method} ${url.href} exceeds ${limits.maxBodyBytes} bytes; cors-gen stopped reading (an endless response?)`,
            ),
          );
          return;
        }
        if (kept < BODY_PREFIX_BYTES) {
          const part = chunk.subarray(0, BODY_PREFIX_BYTES - kept);
          prefix.push(part);
          kept += part.length;
        }
      });
      res.on('end', () =>
        finish(undefined, { status: res.statusCode ?? 0, headers, bodyStart: Buffer.concat(prefix).toString('utf8') }),
      );
      res.on('close', () => {
        if (!res.complete)
          finish(
            new NetworkError(
              'reset',
              `the server closed the connection during ${request.method} ${url.href} before the body was complete`,
            ),
          );
      });
    });
    req.end();
  });
}
