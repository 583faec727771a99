/**
 * The site servers: the site origin, which stands in for the module's S3 website endpoint (its host is what
 * `website_endpoint` evaluates to, so the module allows it), for its CloudFront distribution (over https, its host
 * being what `domain_name` evaluates to) or, without either, is one of the local origins the module allows; and a
 * foreign origin the module does not allow.
 * Both serve the demo page, or with `--site-dir` the user's own frontend, S3-website style (GET and HEAD only,
 * the index document for a folder, 404 for anything missing) or as CloudFront serves a private bucket (the
 * default root object for `/` only, 403 for anything missing, then the distribution's custom error responses).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PreviewRequest, PreviewResponse, Handler } from '../server/http-server.js';
import { decodeSegment } from '../events.js';
import { demoPage, type SiteRole } from './demo-page.js';
import { explain, type ExchangeLog } from './explain.js';
import type { CdnErrorResponse } from '../module/site.js';
import type { DemoPlan } from './plan.js';

export interface SiteConfig {
  readonly role: SiteRole;
  /** This server's own origin. */
  readonly origin: string;
  /** Whether the module's API allows this origin (asked with a preflight at start-up). */
  readonly allowed: boolean;
  readonly plan: DemoPlan;
  readonly exchanges: ExchangeLog;
  /** Serve these files instead of the demo page (which stays at /__preview/demo). */
  readonly siteDir?: string;
  /**
   * `index_document.suffix` of the website configuration, served for every folder; behind CloudFront, the
   * distribution's `default_root_object`, served for `/` only.
   * @default "index.html" for a website; none behind CloudFront (`/` is then a missing key)
   */
  readonly indexDocument?: string;
  /** `error_document.key`, served with 404 for a missing key. */
  readonly errorDocument?: string;
  /**
   * Set when the site is behind CloudFront: a missing key is 403, as the private bucket answers the distribution,
   * turned into a page by the distribution's custom error responses (a single-page app's index.html with 200).
   */
  readonly errorResponses?: readonly CdnErrorResponse[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const MAX_FILE_BYTES = 50 * 1024 * 1024;

const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): PreviewResponse => ({
  status,
  headers: [
    ['Content-Type', type],
    ['Cache-Control', 'no-store'],
  ],
  body,
});

export function siteHandler(config: SiteConfig): Handler {
  const cdn = config.errorResponses !== undefined;
  const index = config.indexDocument ?? (cdn ? undefined : 'index.html');
  return async (request: PreviewRequest): Promise<PreviewResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return {
        ...text(405, 'Method Not Allowed\n'),
        headers: [
          ['Allow', 'GET, HEAD'],
          ['Content-Type', 'text/plain; charset=utf-8'],
        ],
      };
    const response = await route(request);
    return request.method === 'HEAD' ? { ...response, body: '' } : response;
  };

  async function route(request: PreviewRequest): Promise<PreviewResponse> {
    const p = request.rawPath;
    if (p === '/__preview/plan.json') return text(200, JSON.stringify(config.plan), 'application/json');
    if (p === '/__preview/explain') {
      const id = new URLSearchParams(request.rawQuery).get('id');
      const call = config.plan.calls.find((c) => c.id === id);
      if (!call) return text(404, JSON.stringify({ reasons: [] }), 'application/json');
      return text(200, JSON.stringify({ reasons: explain(call, config.origin, config.exchanges) }), 'application/json');
    }
    if (p === '/__preview/demo')
      return text(200, demoPage(config.role, config.origin, config.allowed), 'text/html; charset=utf-8');
    if (!config.siteDir) {
      if (p === '/' || (index !== undefined && p === `/${index}`))
        return text(200, demoPage(config.role, config.origin, config.allowed), 'text/html; charset=utf-8');
      const spa = config.errorResponses?.find((e) => e.errorCode === 403 && e.key === index);
      if (spa)
        return text(spa.status, demoPage(config.role, config.origin, config.allowed), 'text/html; charset=utf-8');
      return cdn ? text(403, 'AccessDenied\n') : text(404, '404 Not Found\n');
    }
    return staticFile(config.siteDir, p);
  }

  async function staticFile(root: string, rawPath: string): Promise<PreviewResponse> {
    const decoded = rawPath.split('/').map(decodeSegment);
    if (decoded.some((s) => s === '..' || s.includes('\0') || s.includes('\\'))) return text(400, 'Bad Request\n');
    let base: string;
    try {
      base = await realpath(root);
    } catch {
      return text(404, '404 Not Found\n');
    }
    const requested = path.resolve(base, `.${decoded.join('/')}`);
    if (requested !== base && !requested.startsWith(`${base}${path.sep}`)) return text(400, 'Bad Request\n');
    try {
      let file = await inside(base, base, requested);
      let info = file === undefined ? undefined : await stat(file);
      if (file !== undefined && info?.isDirectory()) {
        // S3 websites redirect a folder without its slash; the preview serves its index document directly.
        // CloudFront serves its default root object for the root alone: a subfolder is a key the bucket lacks.
        if (index === undefined || (cdn && file !== base)) return notFound(base);
        file = await inside(base, file, index);
        info = file === undefined ? undefined : await stat(file);
      }
      if (file === undefined || !info?.isFile() || info.size > MAX_FILE_BYTES) return notFound(base);
      const body = await readFile(file);
      return {
        status: 200,
        headers: [
          ['Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'],
          ['Cache-Control', 'no-store'],
        ],
        body,
      };
    } catch {
      return notFound(base);
    }
  }

  /**
   * `relative` resolved from `dir`, as a real path, or undefined when it is missing or leaves `base` (the site
   * folder's real path): lexically (`..`, an absolute path) or through a symlink, checked after joining. The
   * index and error documents come from the module, as untrusted as the request path.
   */
  async function inside(base: string, dir: string, relative: string): Promise<string | undefined> {
    const contains = (p: string) => p === base || p.startsWith(`${base}${path.sep}`);
    const joined = path.resolve(dir, relative);
    if (!contains(joined)) return undefined;
    try {
      const real = await realpath(joined);
      return contains(real) ? real : undefined;
    } catch {
      return undefined;
    }
  }

  async function notFound(base: string): Promise<PreviewResponse> {
    if (cdn) {
      const response = config.errorResponses.find((e) => e.errorCode === 403);
      const file = response && (await inside(base, base, response.key));
      const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
      if (response && file !== undefined && info?.isFile() && info.size <= MAX_FILE_BYTES)
        return {
          status: response.status,
          headers: [
            ['Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'],
            ['Cache-Control', 'no-store'],
          ],
          body: await readFile(file),
        };
      return text(403, 'AccessDenied\n');
    }
    if (config.errorDocument) {
      try {
        const file = await inside(base, base, config.errorDocument);
        const info = file === undefined ? undefined : await stat(file);
        if (file !== undefined && info?.isFile() && info.size <= MAX_FILE_BYTES) {
          const body = await readFile(file);
          return {
            status: 404,
            headers: [
              ['Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'text/html; charset=utf-8'],
              ['Cache-Control', 'no-store'],
            ],
            body,
          };
        }
      } catch {
        // fall through to the plain 404
      }
    }
    return text(404, '404 Not Found\n');
  }
}
