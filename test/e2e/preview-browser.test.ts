/**
 * `cors-gen preview` in a real browser: for each example module, the demo page on the
 * site origin (the S3 website stand-in) must read every route's answer, including a credentialed JSON POST with
 * Authorization and the error route; the same page on a foreign origin must be blocked on every call. Chromium
 * decides; the preview only serves what the module describes. Modules broken on purpose must be blocked too,
 * which proves the emulator does not paper over mistakes.
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { chromiumOrSkip, launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { REPO, exampleSpecs, generateModules, type GeneratedModules } from '../support/preview.js';
import { editOpenApi } from '../support/rest-body.js';

interface CallResult {
  readonly id: string;
  readonly kind: 'route' | 'error' | 'gateway';
  readonly method: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly exposed?: Record<string, string | null>;
  readonly error?: string;
  readonly reasons?: string[];
}

interface DemoRun {
  readonly results: CallResult[];
  /** The badge and the summary line, as the page shows them once every call is done. */
  readonly badge: string;
  readonly summary: string;
  /** Chromium's console messages: its CORS errors name the reason. */
  readonly console: string[];
}

/**
 * API Gateway's own error (a path no route has), from [site, foreign]: readable only where the module lets that
 * origin read it. REST gateway responses echo the request's origin when there are no
 * credentials, and carry the first origin (not the website's) when there are; an HTTP API adds its CORS headers
 * for allowed origins only (assumed for its own 404). A Function URL has no answer of its own to a path.
 */
function gatewayReadable(kind: Preview['kind'], credentials: boolean): readonly [boolean, boolean] | undefined {
  if (kind === 'rest') return credentials ? [false, false] : [true, true];
  if (kind === 'http') return [true, false];
  return undefined;
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('cors-gen preview in Chromium', () => {
  let chromium: LaunchedChromium;
  let modules: GeneratedModules;
  /** The REST modules as JSON, to break their OpenAPI document on purpose. */
  let json: GeneratedModules;
  const previews: Preview[] = [];
  const specs = exampleSpecs();

  beforeAll(async () => {
    [chromium, modules, json] = await Promise.all([
      launchChromium(),
      generateModules(specs),
      generateModules(
        specs.filter((s) => s.name === 'orders-api' || s.name === 'rest-python'),
        'json',
      ),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(previews.map((p) => p.close()));
    await chromium?.close();
    modules?.cleanup();
    json?.cleanup();
  });

  async function serve(dir: string): Promise<Preview> {
    const p = await startPreview({ module: dir });
    previews.push(p);
    return p;
  }

  async function runDemo(url: string, keep?: (page: Page) => Promise<void>): Promise<DemoRun> {
    const page = await chromium.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    try {
      await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { __corsPreview?: { done: boolean } }).__corsPreview?.done === true,
        undefined,
        { timeout: 60_000 },
      );
      const state = await page.evaluate(
        () =>
          (
            window as unknown as {
              __corsPreview: { failed?: string; results: CallResult[]; badge: string; summary: string };
            }
          ).__corsPreview,
      );
      expect(state.failed, 'the demo page itself failed').toBeUndefined();
      if (keep) await keep(page);
      expect(await page.textContent('#badge')).toBe(state.badge);
      return { results: state.results, badge: state.badge, summary: state.summary, console: messages };
    } finally {
      await page.close();
    }
  }

  for (const { name } of specs) {
    describe(name, () => {
      let preview: Preview;
      let site: DemoRun;
      let foreign: DemoRun;
      beforeAll(async () => {
        preview = await serve(modules.dirs.get(name)!);
        site = await runDemo(preview.site, name === 'orders-api' ? screenshot : undefined);
        foreign = await runDemo(preview.foreignSite);
      }, 120_000);

      it('calls every route with every method, plus the error route', () => {
        const routeCalls = site.results.filter((r) => r.kind === 'route').map((r) => r.id);
        const expected = preview.routes.flatMap((route) => route.methods.map((m) => `${m} ${route.path}`));
        expect(routeCalls).toEqual(expected);
        expect(site.results.filter((r) => r.kind === 'error')).toHaveLength(1);
      });

      it('from the site origin, every route and the error route are readable', () => {
        const calls = site.results.filter((r) => r.kind !== 'gateway');
        const blocked = calls.filter((r) => !r.ok);
        expect(blocked, JSON.stringify(blocked, null, 2)).toEqual([]);
        for (const r of calls.filter((c) => c.kind === 'route')) expect(r.status, r.id).toBeLessThan(300);
      });

      it("the badge says what the module allows and what the browser read, in the summary's words", () => {
        for (const [run, label] of [
          [site, 'allowed origin'],
          [foreign, 'not an allowed origin'],
        ] as const) {
          const readable = run.results.filter((r) => r.ok).length;
          expect(run.badge).toBe(`${label}: ${readable} of ${run.results.length} calls readable`);
          expect(run.summary).toBe(
            `${readable} of ${run.results.length} calls readable, ${run.results.length - readable} blocked by the browser.`,
          );
        }
      });

      it('from the site origin, the error route is a readable 500', () => {
        const error = site.results.find((r) => r.kind === 'error')!;
        expect(error).toMatchObject({ ok: true, status: 500 });
      });

      it('from the foreign origin, the browser blocks every route and the error route', () => {
        const calls = foreign.results.filter((r) => r.kind !== 'gateway');
        expect(calls.length).toBeGreaterThan(0);
        const readable = calls.filter((r) => r.ok);
        expect(readable, JSON.stringify(readable, null, 2)).toEqual([]);
        for (const r of calls) expect(r.error, r.id).toMatch(/TypeError/);
        expect(
          foreign.console.filter((m) => m.includes('has been blocked by CORS policy')).length,
        ).toBeGreaterThanOrEqual(calls.length);
      });

      it("reads API Gateway's own error only where the module allows that origin", async () => {
        const plan = (await (await fetch(`${preview.site}__preview/plan.json`)).json()) as { credentials: boolean };
        const expected = gatewayReadable(preview.kind, plan.credentials);
        const gatewaySite = site.results.find((r) => r.kind === 'gateway');
        const gatewayForeign = foreign.results.find((r) => r.kind === 'gateway');
        if (expected === undefined) {
          expect([gatewaySite, gatewayForeign]).toEqual([undefined, undefined]);
          return;
        }
        expect([gatewaySite?.ok, gatewayForeign?.ok]).toEqual(expected);
        if (gatewaySite?.ok) expect(gatewaySite.status).toBe(preview.kind === 'rest' ? 403 : 404);
      });
    });
  }

  it('orders-api: the credentialed JSON POST with Authorization is readable, and so is the exposed X-Request-Id', async () => {
    const p = await serve(modules.dirs.get('orders-api')!);
    const run = await runDemo(p.site);
    const post = run.results.find((r) => r.id === 'POST /orders')!;
    expect(post).toMatchObject({ ok: true, status: 200 });
    expect(post.exposed?.['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
    const plan = (await (await fetch(`${p.site}__preview/plan.json`)).json()) as {
      calls: { id: string; headers: Record<string, string>; credentials: string; body?: string }[];
    };
    const call = plan.calls.find((c) => c.id === 'POST /orders')!;
    expect(call.credentials).toBe('include');
    expect(call.headers).toMatchObject({ Authorization: 'Bearer preview-token', 'Content-Type': 'application/json' });
    expect(JSON.parse(call.body!)).toMatchObject({ method: 'POST' });
  }, 120_000);

  describe('modules broken on purpose are blocked by the browser', () => {
    it('an OPTIONS method removed: every call to that resource fails its preflight, the others still pass', async () => {
      const dir = json.copy('orders-api');
      editOpenApi(dir, (openapi) => delete openapi.paths['/orders/{orderId}'].options);
      const p = await serve(dir);
      const run = await runDemo(p.site);
      const broken = run.results.filter((r) => r.id.endsWith(' /orders/{orderId}') || r.kind === 'error');
      expect(broken.length).toBe(4);
      for (const r of broken) {
        expect(r.ok, r.id).toBe(false);
        expect(r.reasons?.join(' '), r.id).toMatch(/preflight \(OPTIONS 403\): the preflight was answered 403/);
      }
      expect(
        run.console.some((m) => m.includes("Response to preflight request doesn't pass access control check")),
      ).toBe(true);
      const intact = run.results.filter(
        (r) => r.id === 'GET /orders' || r.id === 'POST /orders' || r.id === 'GET /health',
      );
      expect(intact.map((r) => r.ok)).toEqual([true, true, true]);
    }, 120_000);

    it("a gateway response removed: the site can no longer read API Gateway's own 403", async () => {
      const name = 'rest-python';
      const intact = await runDemo((await serve(modules.dirs.get(name)!)).site);
      expect(intact.results.find((r) => r.kind === 'gateway')!.ok).toBe(true);

      const dir = json.copy(name);
      editOpenApi(dir, (openapi) => delete openapi['x-amazon-apigateway-gateway-responses'].DEFAULT_4XX);
      const run = await runDemo((await serve(dir)).site);
      const gateway = run.results.find((r) => r.kind === 'gateway')!;
      expect(gateway.ok).toBe(false);
      expect(gateway.reasons?.join(' ')).toMatch(/no Access-Control-Allow-Origin header/);
      expect(run.console.some((m) => m.includes("No 'Access-Control-Allow-Origin' header is present"))).toBe(true);
      // The routes themselves are untouched.
      expect(run.results.filter((r) => r.kind === 'route').every((r) => r.ok)).toBe(true);
    }, 120_000);
  });
});

/**
 * The README's picture of the demo page (orders-api, site origin). Written to the temporary folder on every run
 * (and checked), and to docs/preview.png when CORS_GEN_UPDATE_SCREENSHOT=1, so ordinary runs leave the
 * committed picture alone (its ports and request ids change every run).
 */
async function screenshot(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 800 });
  const file = path.join(os.tmpdir(), `cors-gen-preview-${process.pid}.png`);
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(10_000);
  if (process.env['CORS_GEN_UPDATE_SCREENSHOT'] === '1') {
    mkdirSync(path.join(REPO, 'docs'), { recursive: true });
    copyFileSync(file, path.join(REPO, 'docs/preview.png'));
  }
}
