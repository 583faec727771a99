/**
 * `cors-gen preview` in Chromium for specs without a frontend whose only local origin is in a stage
 * (`stages.dev.allowOrigins: [http://localhost:<free port>]`), one per API kind: the command is run as a user
 * runs it, with no flags, and the test opens exactly the URL it prints. From there every route and the error
 * route must be readable, with credentials; the badge and the summary must say the same; the foreign origin it
 * prints must be blocked on every call.
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
  readonly summary: string;
  readonly failed?: string;
  /** The ids of the calls the preview planned (every route with every method, the error route, ...). */
  readonly planned: string[];
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('cors-gen preview of a spec without a frontend, in Chromium', () => {
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

  async function open(url: string): Promise<PageState> {
    const page = await chromium.newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { __corsPreview?: { done: boolean } }).__corsPreview?.done === true,
        undefined,
        { timeout: 60_000 },
      );
      return await page.evaluate(async () => {
        const plan = (await (await fetch('/__preview/plan.json')).json()) as { calls: { id: string }[] };
        return {
          ...(window as unknown as { __corsPreview: PageState }).__corsPreview,
          planned: plan.calls.map((c) => c.id),
        };
      });
    } finally {
      await page.close();
    }
  }

  for (const api of ['rest', 'http', 'function-url'] as const) {
    it(`${api}: every route is readable from the printed URL, and the foreign origin is blocked`, async () => {
      const [port] = (await freePorts(1)) as [number];
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-e2e-local-'));
      scratch.push(dir);
      const routes =
        api === 'function-url'
          ? '  - path: /\n    methods: [GET, POST]\n  - path: /status\n    methods: [GET]\n'
          : '  - path: /orders\n    methods: [GET, POST]\n  - path: /orders/{orderId}\n    methods: [GET, PUT, DELETE]\n';
      writeFileSync(
        path.join(dir, 'cors-gen.yaml'),
        `version: 1\nname: app-${api}\napi: ${api}\ncors:\n  allowOrigins: [https://app.mycorp.io]\n  allowHeaders: [Content-Type, Authorization]\n  allowCredentials: true\nroutes:\n${routes}stages:\n  dev:\n    allowOrigins: [http://localhost:${port}]\n`,
      );
      const generated = await generate({ cwd: dir });
      expect('dir' in generated && generated.ok).toBe(true);

      const r = startCli([], dir);
      running.push(r);
      await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
      const printed = /^Open (\S+) in a browser\./m.exec(r.stderr())?.[1];
      expect(printed).toBe(`http://localhost:${port}/`);
      const foreignUrl = /^ {2}foreign site {2}(\S+)/m.exec(r.stderr())?.[1];
      expect(foreignUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

      const site = await open(printed!);
      expect(site.failed).toBeUndefined();
      const calls = site.results.filter((c) => c.kind !== 'gateway');
      expect(site.results.map((c) => c.id)).toEqual(site.planned);
      // A Function URL has no routes of its own: the page calls the URL with the methods it allows.
      expect(calls.filter((c) => c.kind === 'route').map((c) => c.id)).toEqual(
        api === 'function-url'
          ? ['GET /', 'POST /']
          : [
              'GET /orders',
              'POST /orders',
              'GET /orders/{orderId}',
              'PUT /orders/{orderId}',
              'DELETE /orders/{orderId}',
            ],
      );
      expect(calls.some((c) => c.kind === 'error')).toBe(true);
      const blocked = calls.filter((c) => !c.ok);
      expect(blocked, JSON.stringify(blocked, null, 2)).toEqual([]);
      const readable = site.results.filter((c) => c.ok).length;
      expect(site.badge).toBe(`allowed origin: ${readable} of ${site.results.length} calls readable`);
      expect(site.summary).toBe(
        `${readable} of ${site.results.length} calls readable, ${site.results.length - readable} blocked by the browser.`,
      );

      const foreign = await open(foreignUrl!);
      const foreignCalls = foreign.results.filter((c) => c.kind !== 'gateway');
      expect(foreignCalls.length).toBe(calls.length);
      expect(foreignCalls.filter((c) => c.ok)).toEqual([]);
      const foreignReadable = foreign.results.filter((c) => c.ok).length;
      expect(foreign.badge).toBe(
        `not an allowed origin: ${foreignReadable} of ${foreign.results.length} calls readable`,
      );

      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
    }, 120_000);
  }
});
