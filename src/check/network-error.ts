import { CorsGenError, type ErrorKind } from '../errors.js';

/**
 * Network failures in the user's words. `check` exits 2 on any of them: the endpoint could
 * not be judged, which is different from "the browser would block it" (exit 1).
 */
export type NetworkErrorKind =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'reset'
  | 'protocol'
  | 'too-large'
  | 'redirect-loop'
  | 'aborted';

/** One failed exchange; `checkEndpoint` turns it into a {@link CheckError} of kind `external`. */
export class NetworkError extends CorsGenError {
  override readonly name = 'NetworkError';
  readonly kind: ErrorKind = 'external';
  readonly code: string;
  constructor(
    readonly reason: NetworkErrorKind,
    message: string,
  ) {
    super(message);
    this.code = `network-${reason}`;
  }
}

/** What was being sent, to name it in the message. */
export interface RequestLabel {
  readonly method: string;
  readonly url: URL;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'EPROTO',
]);

/** Turns whatever node:http threw into a NetworkError that says what happened and what to look at. */
export function classifyNetworkError(error: unknown, label: RequestLabel): NetworkError {
  if (error instanceof NetworkError) return error;
  const e = error as NodeJS.ErrnoException & { reason?: string };
  const code = e.code ?? '';
  const what = `${label.method} ${label.url.href}`;
  const host = label.url.hostname;
  const port = label.url.port || (label.url.protocol === 'https:' ? '443' : '80');
  if (e.name === 'AbortError' || code === 'ABORT_ERR') return new NetworkError('aborted', `${what} was cancelled`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new NetworkError('dns', `cannot resolve the host "${host}" (${code}); check the URL`);
  }
  if (code === 'ECONNREFUSED')
    return new NetworkError(
      'refused',
      `connection refused by ${host}:${port}; is the server running and the URL right?`,
    );
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return new NetworkError('unreachable', `${host}:${port} is unreachable (${code})`);
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    /SSL|TLS|certificate/i.test(e.message ?? '')
  ) {
    // OpenSSL's messages carry a file and line; its reason ("wrong version number") is what the user can act on.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(e.message ?? '')?.[1] ?? e.reason ?? e.message;
    const hint = /wrong version number|packet length too long/.test(reason ?? '')
      ? '. The server does not speak TLS on this port: is the URL http://?'
      : '';
    return new NetworkError(
      'tls',
      `TLS with ${host}:${port} failed: ${reason} (${code || 'tls'}); browsers refuse this connection too${hint}`,
    );
  }
  if (code === 'HPE_HEADER_OVERFLOW')
    return new NetworkError('too-large', `the response to ${what} has headers larger than cors-gen accepts`);
  if (code.startsWith('HPE_'))
    return new NetworkError('protocol', `the response to ${what} is not valid HTTP (${code}: ${e.message})`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(e.message ?? '')) {
    return new NetworkError('reset', `the server closed the connection during ${what} before a complete response`);
  }
  return new NetworkError('protocol', `${what} failed: ${e.message ?? String(error)}${code ? ` (${code})` : ''}`);
}
