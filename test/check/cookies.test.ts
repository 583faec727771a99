/**
 * check --credentials and the cookies an API sets: loopback servers that set each kind of cookie a page on
 * another site cannot use, and the pure parser underneath.
 */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, type CheckReport } from '../../src/check/index.js';
import { domainMatches, isCrossSite, parseSetCookie } from '../../src/check/cookies.js';
import { run } from '../../src/cli/main.js';
import { serveHttp, type Served } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';
const SECRET = 's3cr3t-session-value';
/** Path -> the Set-Cookie the server sends there. */
const COOKIES: Record<string, string> = {
  '/no-samesite': `sid=${SECRET}; Path=/; HttpOnly`,
  '/lax': `sid=${SECRET}; Path=/; Secure; SameSite=Lax`,
  '/strict': `sid=${SECRET}; Secure; SameSite=Strict`,
  '/none-insecure': `sid=${SECRET}; Path=/; SameSite=None`,
  '/foreign-domain': `sid=${SECRET}; Domain=example.org; SameSite=None; Secure`,
  '/public-suffix-domain': `sid=${SECRET}; Domain=github.io; SameSite=None; Secure`,
  '/third-party': `sid=${SECRET}; Path=/; SameSite=None; Secure`,
  '/partitioned': `sid=${SECRET}; Path=/; SameSite=None; Secure; Partitioned`,
};

const handler: http.RequestListener = (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const headers: Record<string, string | string[]> = {
    'access-control-allow-origin': req.headers.origin ?? '',
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
    'content-type': 'application/json',
  };
  if (req.headers.origin !== ORIGIN) delete headers['access-control-allow-origin'];
  const cookie = COOKIES[path];
  if (cookie) headers['set-cookie'] = [cookie];
  res.writeHead(cookie ? 200 : 404, headers).end('{}');
};

let api: Served;
beforeAll(async () => {
  api = await serveHttp(handler);
});
afterAll(async () => {
  await api?.close();
});

const check = (path: string, extra: { credentials?: boolean; showSecrets?: boolean } = {}): Promise<CheckReport> =>
  checkEndpoint({
    url: `${api.base}${path}`,
    origin: ORIGIN,
    method: 'GET',
    credentials: true,
    timeoutMs: 5000,
    ...extra,
  });
const cookieFindings = (r: CheckReport) => r.findings.filter((f) => f.code.startsWith('cookie-'));

describe('check --credentials reports cookies a cross-site page cannot use', () => {
  it.each([
    ['/no-samesite', 'cookie-not-cross-site', /no valid SameSite attribute, so browsers apply SameSite=Lax/],
    ['/lax', 'cookie-not-cross-site', /SameSite=Lax: the browser stores it but never sends it/],
    ['/strict', 'cookie-not-cross-site', /SameSite=Strict/],
    ['/none-insecure', 'cookie-none-without-secure', /SameSite=None without Secure/],
    ['/foreign-domain', 'cookie-domain-mismatch', /Domain=example.org does not cover the API's host 127.0.0.1/],
    ['/public-suffix-domain', 'cookie-domain-mismatch', /Domain=github.io/],
    ['/third-party', 'cookie-third-party', /Safari and Firefox block it/],
  ])('%s: %s', async (path, code, message) => {
    const report = await check(path);
    // The CORS exchange itself is fine: a cookie problem is reported, it does not fail the check.
    expect(report.ok).toBe(true);
    const found = cookieFindings(report);
    expect(found.map((f) => f.code)).toEqual([code]);
    expect(found[0]!.message).toMatch(message);
    expect(found[0]!.message).toContain('cookie "sid"');
    expect(found[0]!.fix.length).toBeGreaterThan(20);
    expect(found[0]!.evidence[0]!.request.url).toBe(`${api.base}${path}`);
    // The cookie's value is a secret: never in the report without --show-secrets.
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('notes Partitioned (CHIPS) on a third-party cookie, and suggests it when absent', async () => {
    const [partitioned] = cookieFindings(await check('/partitioned'));
    expect(partitioned).toMatchObject({ code: 'cookie-third-party', severity: 'info' });
    expect(partitioned!.message).toContain('Partitioned (CHIPS)');
    const [plain] = cookieFindings(await check('/third-party'));
    expect(plain!.fix).toContain('add Partitioned');
  });

  it('shows the cookie value only with --show-secrets', async () => {
    const report = await check('/lax', { showSecrets: true });
    expect(cookieFindings(report)[0]!.message).toContain(`sid=${SECRET}`);
  });

  it('says nothing about cookies without --credentials (the browser neither sends nor stores them)', async () => {
    expect(cookieFindings(await check('/lax', { credentials: false }))).toEqual([]);
  });
});

describe('cors-gen check --credentials --json', () => {
  it('lists the cookie finding with its fix, exits 0 (a cookie problem does not fail the CORS check), and redacts the value', async () => {
    const stdout: string[] = [];
    const output = { out: (t: string) => stdout.push(t), err: () => {}, color: false, isTTY: false };
    const code = await run(
      ['check', `${api.base}/none-insecure`, '--origin', ORIGIN, '--credentials', '--json'],
      output,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout.join('')) as { findings: Array<{ code: string; fix: string; message: string }> };
    const finding = doc.findings.find((f) => f.code === 'cookie-none-without-secure');
    expect(finding).toMatchObject({ fix: expect.stringContaining('SameSite=None; Secure') });
    expect(finding!.message).toContain('sid=<redacted>');
    expect(stdout.join('')).not.toContain(SECRET);
  });
});

describe('Set-Cookie parsing (RFC 6265bis)', () => {
  it('reads name, value and attributes case-insensitively, the last of one name winning', () => {
    expect(parseSetCookie(' a = b ; secure; SAMESITE=none; samesite=Lax; Domain=.Example.COM; Partitioned')).toEqual({
      name: 'a',
      value: 'b',
      domain: 'example.com',
      secure: true,
      sameSite: 'Lax',
      partitioned: true,
      attributes: 'secure; SAMESITE=none; samesite=Lax; Domain=.Example.COM; Partitioned',
    });
    expect(parseSetCookie('token')).toMatchObject({ name: '', value: 'token' });
    expect(parseSetCookie('=')).toBeUndefined();
    expect(parseSetCookie('a=b; SameSite=sometimes')!.sameSite).toBe('invalid');
  });

  it('domain-matches the host itself and its subdomains, never an IP address by suffix', () => {
    expect(domainMatches('api.example.com', 'example.com')).toBe(true);
    expect(domainMatches('api.example.com', 'api.example.com')).toBe(true);
    expect(domainMatches('badexample.com', 'example.com')).toBe(false);
    expect(domainMatches('10.0.0.1', '0.0.1')).toBe(false);
  });

  it('tells sites apart by scheme and registrable domain', () => {
    expect(isCrossSite('https://app.example.com', new URL('https://api.example.com/x'))).toBe(false);
    expect(isCrossSite('http://app.example.com', new URL('https://api.example.com/x'))).toBe(true);
    expect(
      isCrossSite('https://app.example.com', new URL('https://abc.execute-api.eu-west-1.amazonaws.com/prod')),
    ).toBe(true);
  });
});
