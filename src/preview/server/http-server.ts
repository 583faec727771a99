/**
 * The preview's HTTP servers, hardened for hostile local traffic: they bind 127.0.0.1 unless told otherwise,
 * refuse requests whose Host is not the server's own (a DNS-rebinding page cannot reach the API or the Lambda
 * code through a name that resolves to 127.0.0.1), bound header size, body size, the memory all request bodies
 * may hold at once, and the time a client may take; and a handler's failure is answered, logged and survived.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { PreviewSetupError } from '../errors.js';

/** A request as the emulators see it: header names as the client wrote them, the body read in full. */
export interface PreviewRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQuery: string;
  /** Every header line, in order, names in the client's case. */
  readonly headers: readonly (readonly [string, string])[];
  /** Undefined when it was larger than the server's limit (and was not read). */
  readonly body: Buffer | undefined;
  readonly sourceIp: string;
  readonly protocol: string;
  readonly receivedAt: Date;
}

export interface PreviewResponse {
  readonly status: number;
  /** Names as they should appear on the wire; a name may repeat. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
}

export type Handler = (request: PreviewRequest) => Promise<PreviewResponse>;

export interface ServerLimits {
  /** Largest request body read; a larger one reaches the handler as `body: undefined`. */
  readonly maxBodyBytes: number;
  /** Time a client may take to send its headers. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time a client may take to send its whole request. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** A connection with no traffic at all is closed after this long. @default 60000 */
  readonly idleTimeoutMs?: number;
}

/** Memory all request bodies being read may use together; past it, new bodies are refused with 503. */
const BODY_BUDGET_BYTES = 64 * 1024 * 1024;
let bodyBytesInFlight = 0;

/** Node's header limit is 16 KB by default; API Gateway's is about 10 KB of headers, so 16 KB loses nothing. */
const MAX_HEADER_BYTES = 16 * 1024;

/** A certificate and its key, PEM: the server speaks https only (HTTP/1.1 over TLS). */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
}

export interface StartedServer {
  readonly server: http.Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` (or the host it was bound to; `https://` with a certificate). */
  readonly origin: string;
  close(): Promise<void>;
}

export function lowerHeader(request: PreviewRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | undefined;
  for (const [k, v] of request.headers)
    if (k.toLowerCase() === lower) value = value === undefined ? v : `${value}, ${v}`;
  return value;
}

/** Sets `name` in a header list, replacing the first entry of that name (any case) or appending. */
export function setHeader(headers: [string, string][], name: string, value: string): void {
  const i = headers.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
  if (i >= 0) headers[i] = [name, value];
  else headers.push([name, value]);
}

/**
 * Binds `handler` to host:port (0 picks a free port), over https when `tls` is given. Rejects with
 * PreviewSetupError when the port is taken.
 */
export async function startServer(
  name: string,
  host: string,
  port: number,
  limits: ServerLimits,
  handler: Handler,
  log: (line: string) => void,
  tls?: ServerTls,
): Promise<StartedServer> {
  const sockets = new Set<Socket>();
  let allowedHosts: Set<string> | undefined;
  const headersTimeout = limits.headersTimeoutMs ?? 10_000;
  const options: http.ServerOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout,
    requestTimeout: Math.max(limits.requestTimeoutMs ?? 30_000, headersTimeout),
    keepAliveTimeout: 5_000,
    // How often Node looks for clients past those timeouts (30 s by default, which lets a slow client linger).
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    void serve(req, res);
  };
  // A client that never finishes its TLS handshake is dropped as soon as one that never sends its headers
  // (Node's default handshake timeout is 120 s).
  const server: http.Server = tls
    ? https.createServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeout }, listener)
    : http.createServer(options, listener);
  server.maxHeadersCount = 200;
  server.maxConnections = 4096;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // An idle keep-alive or half-sent request never holds a socket for long.
    socket.setTimeout(limits.idleTimeoutMs ?? 60_000, () => socket.destroy());
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    // A request whose headers were fine but whose body is not (a bad chunk) already has a response object: answer
    // 400 only while none of it was sent.
    const current = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (socket.writable && (!current || !current.headersSent)) {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    let held = 0;
    res.on('error', () => {});
    req.on('error', () => {});
    try {
      const host = req.headers.host?.toLowerCase();
      if (allowedHosts && (host === undefined || !allowedHosts.has(host))) {
        reply(res, {
          status: 421,
          headers: [['Content-Type', 'text/plain; charset=utf-8']],
          body: `cors-gen preview (${name}): requests must be addressed to ${[...allowedHosts][0]}\n`,
        });
        return;
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      let body: Buffer | undefined;
      if (Number.isFinite(declared) && declared > limits.maxBodyBytes) body = undefined;
      else {
        const read = await readBody(req, limits.maxBodyBytes);
        // The client went away (or its body was malformed): nobody is waiting for an answer.
        if (read === 'aborted') return;
        // The body's bytes count against the budget until the answer is sent (a queued Lambda call holds them).
        if (Buffer.isBuffer(read)) {
          held = read.length;
          res.once('close', () => {
            bodyBytesInFlight -= held;
            held = 0;
          });
        }
        if (read === 'budget') {
          reply(res, {
            status: 503,
            headers: [
              ['Retry-After', '1'],
              ['Content-Type', 'text/plain; charset=utf-8'],
              ['Connection', 'close'],
            ],
            body: 'cors-gen preview: too many request bodies in flight\n',
          });
          return;
        }
        body = read === 'too-large' ? undefined : read;
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const request: PreviewRequest = {
        method: req.method ?? 'GET',
        rawPath: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers: pairs(req.rawHeaders),
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        protocol: `HTTP/${req.httpVersion}`,
        receivedAt: new Date(started),
      };
      const response = await handler(request);
      if (body === undefined) res.setHeader('Connection', 'close');
      reply(res, response);
      log(
        `${name} ${request.method} ${url.length > 120 ? `${url.slice(0, 117)}...` : url} -> ${response.status} (${Date.now() - started} ms)`,
      );
    } catch (e) {
      log(`${name} ${req.method} ${req.url}: the preview failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent)
        reply(res, {
          status: 500,
          headers: [['Content-Type', 'text/plain; charset=utf-8']],
          body: 'cors-gen preview: internal error (see the preview log)\n',
        });
      else res.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE'
          ? new PreviewSetupError(`${name}: port ${port} on ${host} is already in use`, {
              code: 'port-in-use',
              fix: 'pick another port, or leave the flag out to get a free one',
            })
          : new PreviewSetupError(
              e.code === 'EACCES'
                ? `${name}: not allowed to listen on ${host}:${port}`
                : `${name}: cannot listen on ${host}:${port}: ${e.message}`,
              { code: 'listen' },
            ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
  server.on('error', (e) => log(`${name}: server error: ${e.message}`));
  const bound = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  if (isLoopback(host))
    allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`, `[::1]:${bound}`, `${hostForUrl}:${bound}`]);
  return {
    server,
    port: bound,
    origin: `${tls ? 'https' : 'http'}://${hostForUrl}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large' | 'budget' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: Buffer | 'too-large' | 'budget' | 'aborted') => {
      if (done) return;
      done = true;
      // A complete body stays counted until its answer is sent (see serve); a refused one is released now.
      if (!Buffer.isBuffer(result)) bodyBytesInFlight -= size;
      req.removeAllListeners('data');
      // Stop reading a refused body; the connection is closed after the answer.
      if (!Buffer.isBuffer(result)) req.pause();
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > max) return finish('too-large');
      if (bodyBytesInFlight + chunk.length > BODY_BUDGET_BYTES) return finish('budget');
      size += chunk.length;
      bodyBytesInFlight += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('aborted', () => finish('aborted'));
    req.on('close', () => finish(req.complete ? Buffer.concat(chunks) : 'aborted'));
  });
}

function reply(res: http.ServerResponse, response: PreviewResponse): void {
  const flat: string[] = [];
  for (const [k, v] of response.headers) flat.push(k, v);
  const body = response.body ?? '';
  try {
    res.writeHead(response.status, flat);
  } catch (e) {
    // A header value the function returned that HTTP cannot carry (a newline, a non-Latin-1 character).
    res.writeHead(502, ['Content-Type', 'application/json']);
    res.end(
      JSON.stringify({ message: `cors-gen preview: the response had an invalid header (${(e as Error).message})` }),
    );
    return;
  }
  res.end(body);
}
