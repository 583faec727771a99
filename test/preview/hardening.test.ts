/**
 * Hostile local traffic: the preview keeps serving, with bounded memory, and listens on
 * loopback only. Every test talks to 127.0.0.1 and is bounded in request count and time.
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { REPO, generateModules, header, send, type GeneratedModules } from '../support/preview.js';

let modules: GeneratedModules;
let p: Preview;
let siteOrigin: string;
let apiPort: number;

beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
  p = await startPreview({
    module: modules.dirs.get('orders-api')!,
    clientTimeouts: { headersMs: 1_000, requestMs: 2_000, idleMs: 3_000 },
  });
  siteOrigin = p.site.replace(/\/$/, '');
  apiPort = Number(new URL(p.api).port);
});
afterAll(async () => {
  await p?.close();
  modules?.cleanup();
});

/** Writes raw bytes, returns everything the server sends until it closes (or `waitMs` passes). */
function raw(bytes: string | Buffer, waitMs = 3_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(apiPort, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    socket.write(bytes);
  });
}

async function stillServes(): Promise<void> {
  const r = await send(`${p.api}/health`, { headers: { Origin: siteOrigin } });
  expect(r.status).toBe(200);
  expect(header(r, 'access-control-allow-origin')).toBe(siteOrigin);
}

describe('malformed HTTP', () => {
  it.each([
    ['garbage instead of a request line', 'GARBAGE\r\n\r\n'],
    ['a header line without a colon', 'GET /prod/health HTTP/1.1\r\nHost: HOST\r\nthis is not a header\r\n\r\n'],
    ['a control character in a header value', 'GET /prod/health HTTP/1.1\r\nHost: HOST\r\nX-Bad: a\u0001b\r\n\r\n'],
    ['a bad chunk size', 'POST /prod/orders HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n'],
    ['binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))],
  ])('answers %s with 400 and closes, then serves the next request', async (_what, bytes) => {
    const r = await raw(typeof bytes === 'string' ? bytes.replace('HOST', `127.0.0.1:${apiPort}`) : bytes);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.closed).toBe(true);
    await stillServes();
  });
});

describe('oversized input', () => {
  it('answers headers over 16 KB with 431', async () => {
    const r = await raw(`GET /prod/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1\.1 431 /);
    await stillServes();
  });

  it('refuses a declared body over the API limit without reading it (413 with CORS headers)', async () => {
    const started = Date.now();
    const r = await raw(
      `POST /prod/orders HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\nOrigin: ${siteOrigin}\r\nContent-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n{"a":`,
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toMatch(/Access-Control-Allow-Origin: https:\/\/app\.example\.com/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await stillServes();
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const chunk = 'x'.repeat(1024 * 1024);
    const body = `${Array.from({ length: 11 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('')}0\r\n\r\n`;
    const r = await raw(
      `POST /prod/orders HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\nOrigin: ${siteOrigin}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
      5_000,
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    await stillServes();
  });
});

describe('slow and idle clients', () => {
  it('drops a client that never finishes its headers, while serving others', async () => {
    const started = Date.now();
    const slow = raw(`GET /prod/health HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\nX-Slow: `, 8_000);
    await stillServes();
    const r = await slow;
    expect(r.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('keeps serving with 200 idle connections open', async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(apiPort, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    try {
      await stillServes();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});

describe('load', () => {
  it('answers 1000 concurrent requests on loopback with bounded memory and keeps serving', async () => {
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const before = process.memoryUsage().rss;
    const one = (i: number) =>
      new Promise<number>((resolve) => {
        const preflightCall = i % 2 === 0;
        const req = http.request(
          `${p.api}/${preflightCall ? 'orders' : 'health'}`,
          {
            method: preflightCall ? 'OPTIONS' : 'GET',
            agent,
            headers: preflightCall
              ? { Origin: siteOrigin, 'Access-Control-Request-Method': 'POST' }
              : { Origin: siteOrigin },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(-1));
        req.end();
      });
    const statuses = await Promise.all(Array.from({ length: 1000 }, (_, i) => one(i)));
    agent.destroy();
    const counts = new Map<number, number>();
    for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
    // Every request got an answer; throttling (429) or shedding (503) would be answers too.
    expect(
      [...counts.keys()].every((s) => [200, 204, 429, 503].includes(s)),
      JSON.stringify([...counts]),
    ).toBe(true);
    expect(counts.get(204)).toBe(500);
    // About 30 MB in practice (the Lambda workers starting included); a leak per request would show here.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    await stillServes();
  }, 120_000);
});

describe('where it listens', () => {
  it('binds 127.0.0.1 only', async () => {
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal)
      .map((i) => i.address);
    for (const address of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(apiPort, address);
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
      });
      expect(refused, `reachable on ${address}`).toBe(true);
    }
    expect(p.api).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(p.site).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(p.foreignSite).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const r = await raw(`GET /prod/health HTTP/1.1\r\nHost: attacker.example:${apiPort}\r\nConnection: close\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1\.1 421 /);
    const ok = await raw(`GET /prod/health HTTP/1.1\r\nHost: localhost:${apiPort}\r\nConnection: close\r\n\r\n`);
    expect(ok.text).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('a Lambda answer HTTP cannot carry', () => {
  it('answers 502 for a header value with a newline and keeps serving', async () => {
    const dir = modules.copy('orders-api');
    writeFileSync(
      path.join(dir, 'lambda/index.mjs'),
      "export const handler = async () => ({ statusCode: 200, headers: { 'X-Bad': 'a\\r\\nInjected: yes' }, body: 'x' });\n",
    );
    const bad = await startPreview({ module: dir });
    try {
      const r = await send(`${bad.api}/health`);
      expect(r.status).toBe(502);
      expect(r.headers['injected']).toBeUndefined();
      const again = await send(`${bad.api}/orders`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
      });
      expect(again.status).toBe(204);
    } finally {
      await bad.close();
    }
  });
});
