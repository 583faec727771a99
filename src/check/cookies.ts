/**
 * `check --credentials`: the cookies an API sets, judged as a browser on the page's origin stores and sends them.
 * Pure: parses `Set-Cookie` values as RFC 6265bis does and decides, per cookie, whether a page on another site can
 * use it (https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis, sections 5.6 and 5.7).
 * Cookie values are secrets: findings show them only with `--show-secrets`.
 */
import { isPublicSuffix, registrableDomain } from '../cors/shared-hosting.js';
import type { Exchange } from './exchange.js';
import { toEvidence } from './exchange.js';
import type { Finding } from './findings.js';

export interface ParsedCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-case, without a leading dot; absent without the attribute (a host-only cookie). */
  readonly domain?: string;
  readonly secure: boolean;
  /** As sent; `undefined` without the attribute (browsers then apply Lax). */
  readonly sameSite?: 'None' | 'Lax' | 'Strict' | 'invalid';
  readonly partitioned: boolean;
  /** The attributes as written, for messages. */
  readonly attributes: string;
}

/** One `Set-Cookie` value, or undefined when a browser ignores it outright (no name and no value, RFC 6265bis 5.6). */
export function parseSetCookie(header: string): ParsedCookie | undefined {
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const name = (eq === -1 ? '' : pair.slice(0, eq)).trim();
  const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
  if (name === '' && value === '') return undefined;
  let domain: string | undefined;
  let secure = false;
  let sameSite: ParsedCookie['sameSite'];
  let partitioned = false;
  // Later attributes of one name win (the cookie-attribute-list is read last to first in 5.7).
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attr.slice(i + 1).trim();
    if (key === 'domain' && val !== '') domain = val.replace(/^\./, '').toLowerCase();
    else if (key === 'secure') secure = true;
    else if (key === 'partitioned') partitioned = true;
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      sameSite = v === 'none' ? 'None' : v === 'lax' ? 'Lax' : v === 'strict' ? 'Strict' : 'invalid';
    }
  }
  return {
    name,
    value,
    ...(domain !== undefined ? { domain } : {}),
    secure,
    ...(sameSite !== undefined ? { sameSite } : {}),
    partitioned,
    attributes: attrs.map((a) => a.trim()).join('; '),
  };
}

/** RFC 6265bis 5.1.3: the host is the domain, or ends with "." + domain and is not an IP address. */
export function domainMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === domain) return true;
  const ip = /^[\d.]+$/.test(h) || h.includes(':');
  return !ip && h.endsWith(`.${domain}`);
}

/** Whether a page on `origin` and the API at `url` are on different sites (schemeful: https://web.dev/articles/schemeful-samesite). */
export function isCrossSite(origin: string, url: URL): boolean {
  const o = new URL(origin);
  return o.protocol !== url.protocol || registrableDomain(o.hostname) !== registrableDomain(url.hostname);
}

export interface CookieContext {
  readonly origin: string;
  readonly url: URL;
  readonly showSecrets: boolean;
}

/**
 * Findings for every cookie set on the given answers (the browser's actual requests: a preflight never stores
 * cookies, it is sent without credentials). Each cookie is reported once, by name, at its first problem.
 */
export function diagnoseCookies(exchanges: readonly Exchange[], ctx: CookieContext): Finding[] {
  const crossSite = isCrossSite(ctx.origin, ctx.url);
  const host = ctx.url.hostname;
  const pageSite = registrableDomain(new URL(ctx.origin).hostname);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const exchange of exchanges) {
    for (const header of exchange.response.headers['set-cookie'] ?? []) {
      const cookie = parseSetCookie(header);
      if (!cookie || seen.has(cookie.name)) continue;
      seen.add(cookie.name);
      const shown = `${cookie.name}=${ctx.showSecrets ? cookie.value : '<redacted>'}${cookie.attributes ? `; ${cookie.attributes}` : ''}`;
      const add = (code: Finding['code'], severity: Finding['severity'], message: string, fix: string) =>
        findings.push({
          code,
          severity,
          message: `cookie "${cookie.name}" (${shown}): ${message}`,
          fix,
          evidence: [toEvidence(exchange)],
        });
      if (
        cookie.domain !== undefined &&
        (!domainMatches(host, cookie.domain) || (isPublicSuffix(cookie.domain) && cookie.domain !== host))
      ) {
        add(
          'cookie-domain-mismatch',
          'warning',
          `Domain=${cookie.domain} does not cover the API's host ${host}, so browsers ignore the cookie entirely (RFC 6265bis 5.7)`,
          `Set Domain to ${host} or a parent of it on the same site (${registrableDomain(host)}), or leave Domain out for a host-only cookie.`,
        );
        continue;
      }
      if (cookie.sameSite === 'None' && !cookie.secure) {
        add(
          'cookie-none-without-secure',
          'warning',
          'SameSite=None without Secure: browsers reject the cookie (Chrome, Edge and Firefox since 2020)',
          'Add Secure (the API is served over https): SameSite=None; Secure.',
        );
        continue;
      }
      if (!crossSite) continue;
      if (cookie.sameSite !== 'None') {
        add(
          'cookie-not-cross-site',
          'warning',
          `${cookie.sameSite === undefined || cookie.sameSite === 'invalid' ? 'no valid SameSite attribute, so browsers apply SameSite=Lax' : `SameSite=${cookie.sameSite}`}: the browser stores it but never sends it on a fetch() from ${ctx.origin}, another site than ${ctx.url.origin}`,
          `Set SameSite=None; Secure if the page on ${ctx.origin} must send it — better, put the API on the page's site (a custom domain such as api.${pageSite}), where SameSite=Lax works.`,
        );
        continue;
      }
      add(
        'cookie-third-party',
        'info',
        `a third-party cookie on ${ctx.origin}: Safari and Firefox block it by default, and Chrome lets users block it${cookie.partitioned ? '; Partitioned (CHIPS) keeps it to this top-level site, which is what you want' : ''}`,
        `Serve the API from the page's site (a custom domain such as api.${pageSite}) so the cookie is first-party${cookie.partitioned ? '' : ', or add Partitioned for browsers that allow partitioned third-party cookies'}.`,
      );
    }
  }
  return findings;
}
