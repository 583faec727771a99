/**
 * `cors-gen preview` in Chromium for a spec whose site is behind CloudFront (`frontend.cdn: true`, a single-page
 * app) and that allows no local origin at all: the preview serves the page over https on
 * `https://localhost:<port>`, the origin the module itself allows once the distribution's `domain_name` is
 * `localhost:<port>`. The test makes the certificate, passes it with --site-cert/--site-key, and has Chromium
 * trust exactly that key; it opens exactly the URL the preview prints. Every route and the error route must be
 * readable with credentials, a deep link must load the app (the distribution's error responses), and the foreign
 * origin must be blocked on every call.
 *
 * The https page calls the API on http://127.0.0.1:<port>: not mixed content, because loopback URLs are
 * "potentially trustworthy" (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy, which the
 * mixed content spec defers to: https://w3c.github.io/webappsec-mixed-content/; MDN:
 * https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content). This test is what shows Chromium agrees.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { generate } from '../../src/synth/generate.js';
import { chromiumOrSkip, launchChromium, spkiHash, type LaunchedChromium } from '../support/chromium.js';
import { startCli, until, type Running } from '../support/preview.js';
import { certificateFiles, type CertificateFixture } from '../preview/cdn-support.js';

interface PageState {
  readonly results: { id: string; kind: string; ok: boolean; status?: number; error?: string }[];
  readonly badge: string;
  readonly failed?: string;
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('cors-gen preview of a CloudFront frontend, in Chromium', () => {
  let chromium: LaunchedChromium;
  let cert: CertificateFixture;
  const scratch: string[] = [];
  const running: Running[] = [];
  let project = '';

  beforeAll(async () => {
    cert = await certificateFiles(scratch);
    chromium = await launchChromium({ args: [`--ignore-certificate-errors-spki-list=${spkiHash(cert.cert)}`] });
    project = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-e2e-cdn-'));
    scratch.push(project);
    // No stage, no local origin: the distribution's origin is the only one the page can be served on.
    writeFileSync(
      path.join(project, 'cors-gen.yaml'),
      `version: 1\nname: shop-cdn\napi: http\ncors:\n  allowOrigins: [https://app.mycorp.io]\n  allowHeaders: [Content-Type, Authorization]\n  allowCredentials: true\nroutes:\n  - path: /orders\n    methods: [GET, POST]\n  - path: /orders/{orderId}\n    methods: [GET, DELETE]\nfrontend:\n  cdn: true\n  spa: true\n`,
    );
    const generated = await generate({ cwd: project });
    if (!('dir' in generated) || !generated.ok) throw new Error(`generate failed: ${JSON.stringify(generated)}`);
  }, 60_000);
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await chromium?.close();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  async function open(url: string): Promise<PageState & { status: number | undefined; secure: boolean }> {
    const page = await chromium.newPage();
    try {
      const response = await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { __corsPreview?: { done: boolean } }).__corsPreview?.done === true,
        undefined,
        { timeout: 60_000 },
      );
      const state = await page.evaluate(() => (window as unknown as { __corsPreview: PageState }).__corsPreview);
      return { ...state, status: response?.status(), secure: await page.evaluate(() => window.isSecureContext) };
    } finally {
      await page.close();
    }
  }

  it('every route is readable from the printed https URL, a deep link loads the page, the foreign origin is blocked', async () => {
    const r = startCli(['--site-cert', cert.certFile, '--site-key', cert.keyFile], project);
    running.push(r);
    await until(() => r.stderr().includes('Ctrl+C'), 'the banner');
    const printed = /^Open (\S+) in a browser\./m.exec(r.stderr())?.[1];
    expect(printed).toMatch(/^https:\/\/localhost:\d+\/$/);
    expect(r.stderr()).toMatch(
      /^ {2}site {10}https:\/\/localhost:\d+\/ {3}the CloudFront distribution stand-in, allowed by the module$/m,
    );
    // The user's own certificate: no warning to click through, so no line about one.
    expect(r.stderr()).not.toContain('self-signed');
    const foreignUrl = /^ {2}foreign site {2}(\S+)/m.exec(r.stderr())?.[1];

    const site = await open(printed!);
    expect(site.failed).toBeUndefined();
    expect(site.secure).toBe(true);
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
    const deep = await open(`${printed!}orders/42`);
    expect(deep.status).toBe(200);
    expect(deep.results.filter((c) => c.kind !== 'gateway' && !c.ok)).toEqual([]);

    const foreign = await open(foreignUrl!);
    const foreignCalls = foreign.results.filter((c) => c.kind !== 'gateway');
    expect(foreignCalls.length).toBe(calls.length);
    expect(foreignCalls.filter((c) => c.ok)).toEqual([]);

    r.child.kill('SIGTERM');
    expect((await r.exited).code).toBe(0);
  }, 120_000);

  it('trusts that certificate only: the one a run generates is refused (the warning a user clicks through)', async () => {
    const preview = await startPreview({ module: path.join(project, 'generated', 'shop-cdn') });
    try {
      expect(preview.cdn?.certificate).toBe('generated');
      const page = await chromium.newPage();
      try {
        await expect(page.goto(preview.site)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
      } finally {
        await page.close();
      }
    } finally {
      await preview.close();
    }
  }, 60_000);
});
