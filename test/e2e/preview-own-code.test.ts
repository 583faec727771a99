/**
 * The user's own handler code in a real browser: the two examples with `lambda.source` served by `cors-gen
 * preview` from their staged copies. The demo-page matrix of preview-browser.test.ts already runs them (every
 * route, the error route, an unknown route, a foreign origin); this reads the answers' bodies from a page on the
 * site origin, proving the browser got what the user's handler and its own dependency computed, and a thrown
 * error as a readable 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { chromiumOrSkip, launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { exampleSpecs, generateModules, type GeneratedModules } from '../support/preview.js';

const browser = chromiumOrSkip();

interface Read {
  readonly status: number;
  readonly body: string;
  readonly requestId: string | null;
}

describe.runIf(browser.available)('your own handler code in Chromium', () => {
  let chromium: LaunchedChromium;
  let modules: GeneratedModules;
  const previews: Preview[] = [];

  beforeAll(async () => {
    [chromium, modules] = await Promise.all([
      launchChromium(),
      generateModules(exampleSpecs().filter((s) => s.name === 'notes-node' || s.name === 'notes-python')),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(previews.map((p) => p.close()));
    await chromium?.close();
    modules?.cleanup();
  });

  /** fetch() from a page on `origin`, with credentials when the module allows them. */
  async function read(origin: string, url: string, init: RequestInit = {}): Promise<Read | string> {
    const page = await chromium.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(
        async ([u, i]) => {
          try {
            const r = await fetch(u, i);
            return { status: r.status, body: await r.text(), requestId: r.headers.get('X-Request-Id') };
          } catch (e) {
            return String(e);
          }
        },
        [url, init] as const,
      );
    } finally {
      await page.close();
    }
  }

  async function serve(name: string): Promise<Preview> {
    const p = await startPreview({ module: modules.dirs.get(name)! });
    previews.push(p);
    return p;
  }

  it('notes-node: the ES module handler and its dependency from backend/node_modules answer the page', async () => {
    const p = await serve('notes-node');
    const post = await read(p.site, `${p.api}/notes`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'from the browser' }),
    });
    expect(post).toMatchObject({ status: 201, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(JSON.parse((post as Read).body)).toMatchObject({ format: '@notes/format' });
    const error = await read(p.site, `${p.api}/notes/error`, { credentials: 'include' });
    expect(error).toMatchObject({ status: 500, body: '{"message":"Internal Server Error"}' });
    expect(await read(p.foreignSite, `${p.api}/notes`, { credentials: 'include' })).toMatch(/TypeError/);
  }, 60_000);

  it('notes-python: the handler in a folder and its local package answer the page', async () => {
    const p = await serve('notes-python');
    const put = await read(p.site, `${p.api}/notes/n1`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'from the browser' }),
    });
    expect(put).toMatchObject({ status: 200 });
    expect(JSON.parse((put as Read).body)).toEqual({ id: 'n1', content: { text: 'from the browser' } });
    expect(await read(p.site, `${p.api}/notes/error`)).toMatchObject({ status: 500 });
    expect(await read(p.foreignSite, `${p.api}/notes/n1`)).toMatch(/TypeError/);
  }, 60_000);
});
