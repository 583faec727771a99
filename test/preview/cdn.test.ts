/**
 * `preview` of a module whose site is behind CloudFront (frontend.cdn): the module's CloudFront resources are
 * understood, the distribution's https origins are in the allow list (with the placeholder domain the preview
 * gives the distribution), and the demo page is served on an allowed local origin; without one, the refusal
 * says why a CloudFront origin cannot be served and what to add.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { CDN_PREVIEW_DOMAIN } from '../../src/preview/module/site.js';
import { generate } from '../../src/synth/generate.js';
import { freePorts, header, send } from '../support/preview.js';

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

async function project(stages: string, spa = true): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cdn-'));
  scratch.push(dir);
  writeFileSync(
    path.join(dir, 'cors-gen.yaml'),
    `version: 1\nname: shop-cdn\napi: http\ncors:\n  allowOrigins: ["https://app.example.com"]\n  allowCredentials: true\nroutes:\n  - path: /items\n    methods: [GET, POST]\n${stages}frontend:\n  cdn: true\n  spa: ${spa}\n`,
  );
  const result = await generate({ cwd: dir });
  if (!('dir' in result) || !result.ok) throw new Error(`generate failed: ${JSON.stringify(result)}`);
  return path.join(dir, 'generated', 'shop-cdn');
}

describe('preview of a CloudFront frontend', () => {
  it("serves the page on the stage's local origin, and the API allows it and the distribution's origin", async () => {
    const [port] = (await freePorts(1)) as [number];
    const module = await project(`stages:\n  dev:\n    allowOrigins: ["http://localhost:${port}"]\n`);
    const preview = await startPreview({ module });
    try {
      expect(preview.website).toBe(false);
      expect(preview.stage).toBe('dev');
      expect(preview.site).toBe(`http://localhost:${port}/`);
      expect(preview.siteAllowed).toBe(true);
      expect(preview.foreignAllowed).toBe(false);
      for (const origin of [`http://localhost:${port}`, `https://${CDN_PREVIEW_DOMAIN}`]) {
        const preflight = await send(`${preview.api}/items`, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
        });
        expect(header(preflight, 'access-control-allow-origin'), origin).toBe(origin);
      }
    } finally {
      await preview.close();
    }
  });

  /** A built single-page app: index.html and one asset. */
  function siteDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cdn-site-'));
    scratch.push(dir);
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    return dir;
  }

  it("answers a single-page app's deep links with index.html and 200, as its error responses say", async () => {
    const [port] = (await freePorts(1)) as [number];
    const module = await project(`stages:\n  dev:\n    allowOrigins: ["http://localhost:${port}"]\n`);
    const preview = await startPreview({ module, siteDir: siteDir() });
    try {
      const site = `http://127.0.0.1:${port}`;
      const headers = { Host: `localhost:${port}` };
      const asset = await send(`${site}/assets/app.js`, { headers });
      expect([asset.status, asset.body]).toEqual([200, 'console.log(1)']);
      const deep = await send(`${site}/orders/42`, { headers });
      expect([deep.status, deep.body]).toEqual([200, '<!doctype html><title>app</title>']);
    } finally {
      await preview.close();
    }
  });

  it("without spa, a missing key is the private bucket's 403, as CloudFront passes it on", async () => {
    const [port] = (await freePorts(1)) as [number];
    const module = await project(`stages:\n  dev:\n    allowOrigins: ["http://localhost:${port}"]\n`, false);
    const preview = await startPreview({ module, siteDir: siteDir() });
    try {
      const missing = await send(`http://127.0.0.1:${port}/orders/42`, { headers: { Host: `localhost:${port}` } });
      expect(missing.status).toBe(403);
    } finally {
      await preview.close();
    }
  });

  it('without a local origin, says the CloudFront origins cannot be served here and what to add', async () => {
    const module = await project('');
    await expect(startPreview({ module })).rejects.toThrow(
      /its CloudFront origins are https on AWS domains, which this machine cannot serve/,
    );
  });
});
