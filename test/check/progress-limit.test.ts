import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, progressLine } from '../../src/check/index.js';
import { createLimiter } from '../../src/check/limit.js';
import { serveHttp, type Served } from '../support/serve.js';

describe('createLimiter', () => {
  it('runs at most `limit` tasks at once and all of them eventually, in order', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit(async () => {
          started.push(i);
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return i * 2;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = createLimiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });

  it('rejects a limit below 1', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});

describe('progressLine', () => {
  it('rewrites one line in place, truncates to the terminal width and erases itself', () => {
    const writes: string[] = [];
    const line = progressLine({ write: (t: string) => writes.push(t) }, 40);
    line.update({ done: 1, total: 40, probe: 'preflight' });
    line.update({ done: 2, total: 40, probe: 'scan:special-chars' });
    line.done();
    expect(writes[0]).toBe('\r\u001b[2Kchecking 1/40 probes · preflight');
    expect(writes[1]!.length).toBeLessThanOrEqual('\r\u001b[2K'.length + 39);
    expect(writes[1]).toMatch(/…$/);
    expect(writes[2]).toBe('\r\u001b[2K');
  });

  it('erases nothing when nothing was drawn', () => {
    const writes: string[] = [];
    progressLine({ write: (t: string) => writes.push(t) }).done();
    expect(writes).toEqual([]);
  });
});

describe('probe concurrency', () => {
  let slow: Served;
  let active = 0;
  let peak = 0;
  beforeAll(async () => {
    slow = await serveHttp((req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.writeHead(200, { 'Access-Control-Allow-Origin': 'https://app.example.com', Vary: 'Origin' });
        res.end();
      }, 30);
    });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('runs scan probes concurrently, never more than the limit, and reports progress up to the total', async () => {
    const events: { done: number; total: number }[] = [];
    const report = await checkEndpoint({
      url: `${slow.base}/x`,
      origin: 'https://app.example.com',
      scan: true,
      concurrency: 4,
      onProgress: (e) => events.push(e),
    });
    expect(report.ok).toBe(true);
    expect(peak).toBe(4);
    const last = events[events.length - 1]!;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(report.probes.length); // request, error probes (every path answers 200), scan probes
  });
});
