/**
 * Authorizers in Chromium: from the page the preview serves on an allowed origin, a request the emulated
 * authorizer denies is still readable (its 401, status and body: the module's gateway responses for REST, the
 * service's CORS headers for the HTTP API), and a request with the accepted token reads 200. The preflight of
 * the guarded route passes without credentials, or the browser would report a network error instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { chromiumOrSkip, launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { freePorts, generateModules, REPO, type GeneratedModules } from '../support/preview.js';

interface Answer {
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('authorizers emulated by cors-gen preview, in Chromium', () => {
  let chromium: LaunchedChromium;
  let modules: GeneratedModules;
  let specDir: string;
  let port = 0;

  beforeAll(async () => {
    [port] = (await freePorts(1)) as [number];
    specDir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-e2e-auth-'));
    // A REST API with credentials and one local origin: gateway responses name it, so a 401 is readable there.
    writeFileSync(
      path.join(specDir, 'cors-gen.yaml'),
      `version: 1
name: auth-e2e
api: rest
cors:
  allowOrigins: [http://localhost:${port}]
  allowHeaders: [Content-Type, Authorization]
  allowCredentials: true
authorizers:
  users: { type: cognito, userPoolArns: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123] }
auth: users
routes:
  - path: /orders
    methods: [GET, POST]
  - path: /health
    methods: [GET]
    auth: none
`,
    );
    modules = await generateModules([
      { name: 'auth-e2e', spec: path.join(specDir, 'cors-gen.yaml') },
      { name: 'catalog-http', spec: path.join(REPO, 'examples/catalog-http/cors-gen.yaml') },
    ]);
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    modules?.cleanup();
    if (specDir) rmSync(specDir, { recursive: true, force: true });
  });

  /** `fetch()` from a page of `site`, with credentials and an Authorization header (so, a preflight first). */
  async function call(site: string, url: string, method: string, token: string): Promise<Answer> {
    const page = await chromium.newPage();
    try {
      await page.goto(site);
      return await page.evaluate(
        async ({ url, method, token }) => {
          try {
            const r = await fetch(url, {
              method,
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
              body: method === 'GET' ? undefined : '{}',
              credentials: 'include',
              mode: 'cors',
              cache: 'no-store',
            });
            return { ok: true, status: r.status, body: await r.text() };
          } catch (e) {
            return { ok: false, error: String(e) };
          }
        },
        { url, method, token },
      );
    } finally {
      await page.close();
    }
  }

  it('REST (Cognito): the page reads the 401 of a denied request and the 200 of an accepted one', async () => {
    const preview = await startPreview({ module: modules.dirs.get('auth-e2e')!, sitePort: port });
    try {
      expect(preview.site).toBe(`http://localhost:${port}/`);
      const denied = await call(preview.site, `${preview.api}/orders`, 'POST', 'someone-else');
      expect(denied).toEqual({ ok: true, status: 401, body: '{"message":"Unauthorized"}' });
      const accepted = await call(preview.site, `${preview.api}/orders`, 'POST', 'preview-token');
      expect([accepted.ok, accepted.status]).toEqual([true, 200]);
      expect(JSON.parse(accepted.body!)).toMatchObject({ method: 'POST', path: '/orders' });
    } finally {
      await preview.close();
    }
  }, 120_000);

  it('HTTP API (JWT, the catalog-http example): the 401 is readable, the accepted token reads 200', async () => {
    const preview = await startPreview({ module: modules.dirs.get('catalog-http')!, acceptToken: 'e2e-token' });
    try {
      const denied = await call(preview.site, `${preview.api}/products`, 'GET', 'preview-token');
      expect(denied).toEqual({ ok: true, status: 401, body: '{"message":"Unauthorized"}' });
      const accepted = await call(preview.site, `${preview.api}/products`, 'GET', 'e2e-token');
      expect([accepted.ok, accepted.status]).toEqual([true, 200]);
      // From a foreign origin the same 401 stays unreadable: CORS still decides who reads it.
      const foreign = await call(preview.foreignSite, `${preview.api}/products`, 'GET', 'preview-token');
      expect(foreign.ok).toBe(false);
    } finally {
      await preview.close();
    }
  }, 120_000);
});
