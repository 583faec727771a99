/**
 * Differential test: for every server configuration in the table, the checker's verdict must equal what headless
 * Chromium does when a page on another origin calls `fetch` — with and without `credentials: 'include'`.
 * One browser launch; all fetches run from one page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint } from '../../src/check/index.js';
import { chromiumOrSkip, launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { SERVER_CONFIGS, dispatcher } from '../support/server-configs.js';
import { serveHttp, type Served } from '../support/serve.js';

interface Call {
  readonly key: string;
  readonly url: string;
  readonly method: string;
  readonly headers: [string, string][];
  readonly credentials: boolean;
}

const browser = chromiumOrSkip();

describe.runIf(browser.available)('check agrees with Chromium', () => {
  let chromium: LaunchedChromium;
  let page: Served;
  let api: Served;
  let other: Served;
  const inBrowser = new Map<string, boolean>();

  beforeAll(async () => {
    page = await serveHttp((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>frontend</title>');
    });
    const env = () => ({ page: page.base, other: other.base });
    api = await serveHttp(dispatcher(env));
    other = await serveHttp(dispatcher(env));
    chromium = await launchChromium();
    const tab = await chromium.newPage();
    await tab.goto(`${page.base}/`);

    const calls: Call[] = SERVER_CONFIGS.flatMap((c) =>
      [false, true].map((credentials) => ({
        key: `${c.name}:${credentials}`,
        url: `${api.base}/${c.name}/resource`,
        method: c.method,
        headers: c.headers.map(([n, v]): [string, string] => [n, v]),
        credentials,
      })),
    );
    const results = await tab.evaluate(async (list: Call[]) => {
      return Promise.all(
        list.map(async (call) => {
          try {
            await fetch(call.url, {
              method: call.method,
              headers: call.headers,
              credentials: call.credentials ? 'include' : 'same-origin',
              cache: 'no-store',
            });
            return [call.key, true] as const;
          } catch {
            return [call.key, false] as const;
          }
        }),
      );
    }, calls);
    for (const [key, ok] of results) inBrowser.set(key, ok);
  });

  afterAll(async () => {
    await chromium?.close();
    await Promise.all([page?.close(), api?.close(), other?.close()]);
  });

  it('covers at least 30 configurations, with both verdicts represented', () => {
    expect(SERVER_CONFIGS.length).toBeGreaterThanOrEqual(30);
    const verdicts = [...inBrowser.values()];
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(10);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(10);
  });

  for (const config of SERVER_CONFIGS) {
    it(`${config.name}: same verdict as Chromium without and with credentials`, async () => {
      const verdicts = [];
      for (const credentials of [false, true]) {
        const report = await checkEndpoint({
          url: `${api.base}/${config.name}/resource`,
          origin: page.base,
          method: config.method,
          headers: config.headers.map(([n, v]) => `${n}: ${v}`),
          credentials,
          timeoutMs: 5000,
        });
        verdicts.push({
          credentials,
          chromium: inBrowser.get(`${config.name}:${credentials}`),
          check: report.originAllowed,
        });
      }
      expect(verdicts.map((v) => ({ credentials: v.credentials, verdict: v.check }))).toEqual(
        verdicts.map((v) => ({ credentials: v.credentials, verdict: v.chromium })),
      );
      // The table's expectations are what Chromium does, so the table documents real behaviour.
      expect({ anon: verdicts[0]!.chromium, cred: verdicts[1]!.chromium }).toEqual(config.expect);
    });
  }
});
