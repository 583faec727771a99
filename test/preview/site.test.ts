/**
 * The site server serves only files inside the site folder, whatever the request path, the module's index
 * document or its error document say: each is joined, resolved and checked (on its real path, so a symlink
 * cannot lead out) before it is read. The secret lives next to the site folder, as /etc/passwd does for a
 * folder near the root.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError } from '../../src/preview/errors.js';
import { startPreview } from '../../src/preview/index.js';
import type { PreviewRequest, PreviewResponse } from '../../src/preview/server/http-server.js';
import { ExchangeLog } from '../../src/preview/site/explain.js';
import { siteHandler, type SiteConfig } from '../../src/preview/site/site.js';
import { REPO, editModule, generateModules, type GeneratedModules } from '../support/preview.js';

const SECRET = 'root:x:0:0:secret';
let root: string;
let site: string;
let modules: GeneratedModules;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-site-'));
  site = path.join(root, 'site');
  mkdirSync(path.join(site, 'docs'), { recursive: true });
  mkdirSync(path.join(root, 'outside'));
  writeFileSync(path.join(root, 'secret.txt'), SECRET);
  writeFileSync(path.join(root, 'outside', 'index.html'), SECRET);
  writeFileSync(path.join(site, 'index.html'), '<title>my frontend</title>');
  writeFileSync(path.join(site, 'docs', 'index.html'), '<title>docs</title>');
  symlinkSync(path.join(root, 'secret.txt'), path.join(site, 'leak.txt'));
  symlinkSync(path.join(root, 'outside'), path.join(site, 'linked'));
  symlinkSync(path.join(site, 'index.html'), path.join(site, 'alias.html'));
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  modules?.cleanup();
});

function handler(overrides: Partial<SiteConfig> = {}): (rawPath: string) => Promise<PreviewResponse> {
  const handle = siteHandler({
    role: 'site',
    origin: 'http://127.0.0.1:1',
    allowed: true,
    plan: {
      kind: 'rest',
      api: 'http://127.0.0.1:2/prod',
      credentials: false,
      exposeHeaders: [],
      calls: [],
      assumptions: [],
    },
    exchanges: new ExchangeLog(),
    siteDir: site,
    ...overrides,
  });
  return (rawPath) =>
    handle({
      method: 'GET',
      rawPath,
      rawQuery: '',
      headers: [],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      receivedAt: new Date(0),
    } satisfies PreviewRequest);
}

const body = (r: PreviewResponse) => String(r.body ?? '');

describe('the site serves nothing outside its folder', () => {
  it.each([
    ['an index document climbing out of the folder', { indexDocument: '../secret.txt' }, '/'],
    ['an index document climbing out from a subfolder', { indexDocument: '../../secret.txt' }, '/docs/'],
    ['an absolute index document', { indexDocument: '<root>/secret.txt' }, '/'],
    ['an error document climbing out of the folder', { errorDocument: '../secret.txt' }, '/missing.html'],
    ['an absolute error document', { errorDocument: '<root>/secret.txt' }, '/missing.html'],
    ['a symlink to a file outside', {}, '/leak.txt'],
    ['a symlink to a folder outside, through its index document', {}, '/linked/'],
    ['a symlink to a folder outside, by name', {}, '/linked/index.html'],
    ['an error document that is a symlink to a file outside', { errorDocument: 'leak.txt' }, '/missing.html'],
  ] as const)('%s: 404, and not the file', async (_what, config, rawPath) => {
    // The temporary folder exists only once the tests run.
    const absolute = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.replace('<root>', root)]));
    const r = await handler(absolute)(rawPath);
    expect(r.status).toBe(404);
    expect(body(r)).toBe('404 Not Found\n');
  });

  it.each(['/../secret.txt', '/..%2Fsecret.txt', '/docs/..%2F..%2Fsecret.txt', '/%2e%2e/secret.txt'])(
    'refuses the request path %s with 400',
    async (rawPath) => {
      const r = await handler()(rawPath);
      expect(r.status).toBe(400);
      expect(body(r)).not.toContain(SECRET);
    },
  );

  it('still serves files, folders, their index document and symlinks that stay inside', async () => {
    const get = handler({ errorDocument: 'docs/index.html' });
    expect(body(await get('/'))).toContain('my frontend');
    expect(body(await get('/docs/'))).toContain('docs');
    expect(body(await get('/alias.html'))).toContain('my frontend');
    const missing = await get('/nothing-here');
    expect([missing.status, body(missing)]).toEqual([404, '<title>docs</title>']);
  });
});

describe('an index document S3 would refuse stops the preview', () => {
  it('refuses indexDocument ../../../../../../../../etc/passwd, naming the file, the address and the fix', async () => {
    const dir = modules.copy('orders-api');
    editModule(dir, 'main.tf', 'suffix = "index.html"', 'suffix = "../../../../../../../../etc/passwd"');
    const start = startPreview({ module: dir, siteDir: site });
    await expect(start).rejects.toThrow(ModuleError);
    await expect(start).rejects.toMatchObject({
      message:
        'main.tf: aws_s3_bucket_website_configuration.site: index_document.suffix "../../../../../../../../etc/passwd" is empty or contains a slash, which S3 refuses',
      fix: 'set frontend.indexDocument to a file name such as index.html and run "cors-gen generate"',
    });
  });
});
