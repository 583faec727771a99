/**
 * `cors-gen preview` in Chromium for a spec whose site is behind CloudFront (`frontend.cdn: true`, a
 * single-page app): the distribution's https origin cannot be served on this machine, so the preview serves the
 * page on the dev stage's local origin; the test opens exactly the URL it prints. Every route and the error
 * route must be readable with credentials, a deep link must load the app (the distribution's error responses),
 * and the foreign origin must be blocked on every call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { chromiumOrSkip, launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { freePorts, startCli, until, type Running } from '../support/preview.js';

interface PageState {
  readonly results: { id: string; kind: string; ok: boolean; status?: number; error?: string }[];
  readonly badge: string;
  readonly failed?: string;
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('cors-gen preview of a CloudFront frontend, in Chromium', () => {
  let chromium: LaunchedChromium;
  const scratch: string[] = [];
  const running: Running[] = [];

  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await chromium?.close();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  async function open(url: string): Promise<PageState & { status: number | undefined }> {
    const page = await chromium.newPage();
    try {
      const response = await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { __corsPreview?: { done: boolean } }).__corsPreview?.done === true,
        undefined,
        { timeout: 60_000 },
      );
      const state = await page.evaluate(() => (window as unknown as { __corsPreview: PageState }).__corsPreview);
      return { ...state, status: response?.status() };
    } finally {
      await page.close();
    }
  }

  it('every route is readable from the printed URL, a deep link loads the page, the foreign origin is blocked', async () => {
    const [port] = (await freePorts(1)) as [number];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-e2e-cdn-'));
    scratch.push(dir);
    writeFileSync(
      path.join(dir, 'cors-gen.yaml'),
      `version: 1\nname: shop-cdn\napi: http\ncors:\n  allowOrigins: [https://app.mycorp.io]\n  allowHeaders: [Content-Type, Authorization]\n  allowCredentials: true\nroutes:\n  - path: /orders\n    methods: [GET, POST]\n  - path: /orders/{orderId}\n    methods: [GET, DELETE]\nstages:\n  dev:\n    allowOrigins: [http://localhost:${port}]\nfrontend:\n  cdn: true\n  spa: true\n`,
    );
    const generated = await generate({ cwd: dir });
    expect('dir' in generated && generated.ok).toBe(true);

    const r = startCli([], dir);
    running.push(r);
    await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
    const printed = /^Open (\S+) in a browser\./m.exec(r.stderr())?.[1];
    expect(printed).toBe(`http://localhost:${port}/`);
    const foreignUrl = /^ {2}foreign site {2}(\S+)/m.exec(r.stderr())?.[1];

    const site = await open(printed!);
    expect(site.failed).toBeUndefined();
    const calls = site.results.filter((c) => c.kind !== 'gateway');
    expect(calls.filter((c) => c.kind === 'route').map((c) => c.id)).toEqual([
      'GET /orders',
      'POST /orders',
      'GET /orders/{orderId}',
      'DELETE /orders/{orderId}',
    ]);
    expect(calls.some((c) => c.kind === 'error')).toBe(true);
    const blocked = calls.filter((c) => !c.ok);
    expect(blocked, JSON.stringify(blocked, null, 2)).toEqual([]);

    // A deep link of the single-page app: the distribution answers the bucket's 403 with index.html and 200.
    const deep = await open(`http://localhost:${port}/orders/42`);
    expect(deep.status).toBe(200);
    expect(deep.results.filter((c) => c.kind !== 'gateway' && !c.ok)).toEqual([]);

    const foreign = await open(foreignUrl!);
    const foreignCalls = foreign.results.filter((c) => c.kind !== 'gateway');
    expect(foreignCalls.length).toBe(calls.length);
    expect(foreignCalls.filter((c) => c.ok)).toEqual([]);

    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
  }, 120_000);
});
