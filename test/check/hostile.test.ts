/**
 * Hostile and broken servers: the check stays bounded in time and memory and fails with a network error (exit 2
 * in the CLI) that says what happened.
 */
import https from 'node:https';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, CheckError } from '../../src/check/index.js';
import { classifyNetworkError } from '../../src/check/network-error.js';
import { DEFAULT_LIMITS, sendProbe } from '../../src/check/http-probe.js';
import { serveHttp, serveRaw, type Served, keepServers } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';
const CORS = `Access-Control-Allow-Origin: ${ORIGIN}\r\nAccess-Control-Allow-Credentials: true\r\n`;

/** A self-signed certificate for 127.0.0.1 (test only; valid until 2126). */
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMlA5DvaNOtn6xNB8
TsBGhg3pKoLuDdkCLGJkMbQVW32hRANCAARn2RdCkDtGsjWflfgD3ZvtvK1Zucz2
n1yg1oVp2pJrMoGRq3BDlJojdwbW8TGHrfuMdRaPYsngzHpKIH9PYTO0
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUTW0i+CjAd2ATFHgxiCoNLLiGvd4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAwMzcyNloYDzIxMjYxMDI5
MDAzNzI2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARn2RdCkDtGsjWflfgD3ZvtvK1Zucz2n1yg1oVp2pJrMoGRq3BDlJoj
dwbW8TGHrfuMdRaPYsngzHpKIH9PYTO0o2QwYjAdBgNVHQ4EFgQUj2R/qm9DUKtS
k/LGeNwsJIaVlv0wHwYDVR0jBBgwFoAUj2R/qm9DUKtSk/LGeNwsJIaVlv0wDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDZ7pQmS/5QR6YFIlYFmELkP1FQsCrpXrlmlPC2lD7dPgIgWT3IkFpPistdMKlT
JVYsHq3pACa38W3O+lEHVaC6wCY=
-----END CERTIFICATE-----`;

/** Reads the request head, then hands the socket to `answer`. */
function raw(answer: (socket: net.Socket, head: string) => void): Promise<Served> {
  return serveRaw((socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        answer(socket, head);
      }
    };
    socket.on('data', onData);
  });
}

async function failure(options: Parameters<typeof checkEndpoint>[0]): Promise<{ error: CheckError; ms: number }> {
  const start = Date.now();
  const error = await checkEndpoint(options).then(
    () => {
      throw new Error('expected the check to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckError);
  return { error: error as CheckError, ms: Date.now() - start };
}

const keep = keepServers();

describe('hostile servers', () => {
  it('stops reading an endless body at the cap', async () => {
    const endless = await keep(
      raw((socket) => {
        socket.write(`HTTP/1.1 200 OK\r\n${CORS}Content-Type: text/plain\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      }),
    );
    const small = await failure({
      url: `${endless.base}/x`,
      origin: ORIGIN,
      maxBodyBytes: 256 * 1024,
      timeoutMs: 5000,
    });
    expect(small.error.code).toBe('network-too-large');
    expect(small.error.detail).toBe('too-large');
    expect(small.error.message).toMatch(/body .* exceeds 262144 bytes/);
    // The default cap (API Gateway's 10 MB limit) bounds it too, well within the deadline.
    const dflt = await failure({ url: `${endless.base}/x`, origin: ORIGIN, timeoutMs: 10_000 });
    expect(dflt.error.detail).toBe('too-large');
    expect(dflt.ms).toBeLessThan(8000);
  });

  it('keeps only the first 2 KiB of a body in memory', async () => {
    const big = await keep(serveHttp((_req, res) => res.end('x'.repeat(1024 * 1024))));
    const response = await sendProbe({ method: 'GET', url: new URL(`${big.base}/x`), headers: [] }, DEFAULT_LIMITS);
    expect(response.status).toBe(200);
    expect(response.bodyStart.length).toBe(2048);
  });

  it('gives up on a server that never answers, after --timeout', async () => {
    const silent = await keep(raw(() => {}));
    const { error, ms } = await failure({ url: `${silent.base}/x`, origin: ORIGIN, timeoutMs: 300 });
    expect(error.detail).toBe('timeout');
    expect(error.message).toMatch(/within 300 ms/);
    expect(ms).toBeLessThan(2000);
  });

  it('gives up on a body that trickles forever', async () => {
    const drip = await keep(
      raw((socket) => {
        socket.write(`HTTP/1.1 200 OK\r\n${CORS}\r\n`);
        const t = setInterval(() => (socket.destroyed ? clearInterval(t) : socket.write('x')), 20);
        socket.on('close', () => clearInterval(t));
      }),
    );
    const { error, ms } = await failure({ url: `${drip.base}/x`, origin: ORIGIN, timeoutMs: 300 });
    expect(error.detail).toBe('timeout');
    expect(ms).toBeLessThan(2000);
  });

  it('gives up on headers that trickle forever', async () => {
    const drip = await keep(
      raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n');
        let i = 0;
        const t = setInterval(() => (socket.destroyed ? clearInterval(t) : socket.write(`X-${i++}: y\r\n`)), 20);
        socket.on('close', () => clearInterval(t));
      }),
    );
    const { error, ms } = await failure({ url: `${drip.base}/x`, origin: ORIGIN, timeoutMs: 300 });
    expect(['timeout', 'too-large']).toContain(error.detail);
    expect(ms).toBeLessThan(2000);
  });

  it('refuses a response with hundreds of headers', async () => {
    const many = await keep(
      raw((socket) =>
        socket.end(
          `HTTP/1.1 200 OK\r\n${CORS}${Array.from({ length: 300 }, (_, i) => `X-${i}: y\r\n`).join('')}Content-Length: 0\r\n\r\n`,
        ),
      ),
    );
    const { error } = await failure({ url: `${many.base}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('too-large');
    expect(error.message).toMatch(/more than 256 headers/);
  });

  it('refuses response headers larger than the cap', async () => {
    const huge = await keep(
      raw((socket) =>
        socket.end(
          `HTTP/1.1 200 OK\r\n${CORS}${Array.from({ length: 5000 }, (_, i) => `X-Header-${i}: ${'v'.repeat(20)}\r\n`).join('')}Content-Length: 0\r\n\r\n`,
        ),
      ),
    );
    const { error } = await failure({ url: `${huge.base}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('too-large');
    expect(error.message).toMatch(/headers larger than/);
  });

  it('stops a redirect loop after 20 redirects, as browsers do', async () => {
    let requests = 0;
    const loop = await keep(
      serveHttp((req, res) => {
        requests++;
        res.writeHead(302, { 'Access-Control-Allow-Origin': ORIGIN, Location: req.url?.endsWith('/a') ? '/b' : '/a' });
        res.end();
      }),
    );
    const { error } = await failure({ url: `${loop.base}/a`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('redirect-loop');
    expect(error.message).toMatch(/more than 20 redirects/);
    expect(requests).toBeLessThanOrEqual(21 + 3 + 1); // the chain, the three error paths (all redirect) and the reflection probe
  });

  it('judges a redirect loop without CORS headers at its first hop, as the browser does', async () => {
    const loop = await keep(
      serveHttp((_req, res) => {
        res.writeHead(302, { Location: '/again' });
        res.end();
      }),
    );
    const report = await checkEndpoint({ url: `${loop.base}/a`, origin: ORIGIN, timeoutMs: 2000 });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toContain('missing-allow-origin');
  });

  it('bounds the whole check when every hop is slow but within --timeout', async () => {
    const slow = await keep(
      serveHttp((req, res) => {
        setTimeout(() => {
          res.writeHead(302, {
            'Access-Control-Allow-Origin': ORIGIN,
            Location: `/hop${Number(/\d+/.exec(req.url ?? '')?.[0] ?? 0) + 1}`,
          });
          res.end();
        }, 120);
      }),
    );
    const { error, ms } = await failure({ url: `${slow.base}/hop0`, origin: ORIGIN, timeoutMs: 200 });
    expect(error.detail).toBe('timeout');
    expect(error.message).toMatch(/did not finish within 1200 ms/);
    expect(ms).toBeLessThan(3000);
  });

  it('cancels the other probes when one fails, and reports the cause', async () => {
    const silent = await keep(raw(() => {}));
    const { error, ms } = await failure({ url: `${silent.base}/x`, origin: ORIGIN, scan: true, timeoutMs: 300 });
    expect(error.detail).toBe('timeout');
    expect(ms).toBeLessThan(2000);
  });

  it('reports a connection closed mid-body', async () => {
    const cut = await keep(raw((socket) => socket.end(`HTTP/1.1 200 OK\r\n${CORS}Content-Length: 100\r\n\r\nshort`)));
    const { error } = await failure({ url: `${cut.base}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('reset');
  });

  it('reports an answer that is not HTTP', async () => {
    const garbage = await keep(raw((socket) => socket.end('SSH-2.0-OpenSSH_9.0\r\n\r\n')));
    const { error } = await failure({ url: `${garbage.base}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('protocol');
    expect(error.message).toMatch(/not valid HTTP/);
  });
});

describe('network failures', () => {
  let tls: https.Server;
  let tlsPort = 0;
  beforeAll(async () => {
    tls = https.createServer({ key: KEY, cert: CERT }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
    tlsPort = (tls.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
  });

  it('reports a refused connection', async () => {
    const gone = await serveHttp(() => {});
    await gone.close();
    const { error } = await failure({ url: `${gone.base}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('refused');
    expect(error.message).toMatch(/connection refused by 127\.0\.0\.1/);
  });

  it('refuses an untrusted certificate, as a browser does', async () => {
    const { error } = await failure({ url: `https://127.0.0.1:${tlsPort}/x`, origin: ORIGIN, timeoutMs: 2000 });
    expect(error.detail).toBe('tls');
    expect(error.message).toMatch(/TLS with 127\.0\.0\.1/);
  });

  it('reports TLS spoken to a plain-http server', async () => {
    const plain = await keep(serveHttp((_req, res) => res.end('ok')));
    const { error } = await failure({
      url: `${plain.base.replace('http:', 'https:')}/x`,
      origin: ORIGIN,
      timeoutMs: 2000,
    });
    expect(error.detail).toBe('tls');
  });

  it('names DNS failures', () => {
    const url = new URL('https://nope.example/x');
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const e = classifyNetworkError(Object.assign(new Error(`getaddrinfo ${code} nope.example`), { code }), {
        method: 'GET',
        url,
      });
      expect(e.reason).toBe('dns');
      expect(e.message).toMatch(/cannot resolve the host "nope\.example"/);
    }
  });
});
