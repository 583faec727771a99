/** The `domain` key and the rules about cookies: what validate refuses and warns about, with path and fix. */
import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/spec/validate.js';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const base = (extra: Record<string, unknown> = {}, cors: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'shop',
  api: 'rest',
  cors: { allowOrigins: ['https://app.mycorp.io'], allowCredentials: true, ...cors },
  routes: [{ path: '/orders', methods: ['GET'] }],
  ...extra,
});
const issues = (input: unknown) => {
  const r = validateSpec(input);
  return { errors: r.ok ? [] : r.errors, warnings: r.warnings, model: r.ok ? r.model : undefined };
};
const codes = (list: readonly { code: string }[]) => list.map((i) => i.code);

describe('domain', () => {
  it('normalizes the domain and a stage override, zone id null when absent', () => {
    const { model } = issues(
      base({
        domain: { name: 'api.mycorp.io', certificateArn: CERT, zoneId: 'Z123ABC' },
        stages: {
          dev: { allowOrigins: ['https://dev.mycorp.io'], domain: { name: 'api.dev.mycorp.io', certificateArn: CERT } },
        },
      }),
    );
    expect(model!.domain).toEqual({ name: 'api.mycorp.io', certificateArn: CERT, zoneId: 'Z123ABC' });
    expect(model!.stages[0]!.domain).toEqual({ name: 'api.dev.mycorp.io', certificateArn: CERT, zoneId: null });
  });

  it('refuses a name with a scheme, a certificate that is not an ACM ARN and a bad zone id', () => {
    const { errors } = issues(
      base({ domain: { name: 'https://api.mycorp.io', certificateArn: 'arn:aws:iam::1:cert', zoneId: 'nope' } }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['domain.certificateArn', 'domain.name', 'domain.zoneId']);
    expect(errors.find((e) => e.path === 'domain.name')!.message).toContain('no scheme');
  });

  it('refuses a domain on a Function URL, with the fix', () => {
    const { errors } = issues(
      base({ api: 'function-url', routes: [], domain: { name: 'api.mycorp.io', certificateArn: CERT } }),
    );
    expect(errors).toMatchObject([
      { code: 'domain-function-url', path: 'domain', fix: expect.stringContaining('api: http') },
    ]);
  });

  it('refuses two stages on one domain name', () => {
    const { errors } = issues(
      base({
        domain: { name: 'api.mycorp.io', certificateArn: CERT },
        stages: { a: { allowOrigins: ['https://app.mycorp.io'] }, b: { allowOrigins: ['https://app.mycorp.io'] } },
      }),
    );
    expect(errors).toMatchObject([
      { code: 'domain-duplicate', path: 'stages.b', fix: expect.stringContaining('"b.api.mycorp.io"') },
    ]);
  });
});

describe('credentials and the API site', () => {
  it('warns that cookies are third-party without a custom domain, naming SameSite=None; Secure and Safari/Firefox', () => {
    const { warnings } = issues(base());
    const w = warnings.find((i) => i.code === 'credentials-without-domain')!;
    expect(w.path).toBe('cors.allowCredentials');
    expect(w.message).toContain('execute-api');
    expect(w.message).toContain('SameSite=None; Secure');
    expect(w.message).toMatch(/Safari and Firefox/);
    expect(w.fix).toContain('domain:');
    expect(codes(issues(base({ api: 'function-url', routes: [] })).warnings)).toContain('credentials-without-domain');
    const fu = issues(base({ api: 'function-url', routes: [] })).warnings.find(
      (i) => i.code === 'credentials-without-domain',
    )!;
    expect(fu.message).toContain('lambda-url');
  });

  it("says nothing without credentials, or with a domain on the origins' site", () => {
    expect(codes(issues(base({}, { allowCredentials: false })).warnings)).toEqual([]);
    expect(codes(issues(base({ domain: { name: 'api.mycorp.io', certificateArn: CERT } })).warnings)).toEqual([]);
  });

  it('names the deployments without a domain when others have one', () => {
    const { warnings } = issues(
      base({
        stages: {
          dev: { allowOrigins: ['https://dev.mycorp.io'] },
          prod: { allowOrigins: ['https://app.mycorp.io'], domain: { name: 'api.mycorp.io', certificateArn: CERT } },
        },
      }),
    );
    expect(codes(warnings)).toEqual(['credentials-without-domain']);
    expect(warnings[0]!.message).toContain('(stage "dev" and the default deployment)');
  });

  it('warns for each origin on another site than the custom domain, http and the Public Suffix List included', () => {
    const { warnings } = issues(
      base(
        { domain: { name: 'api.mycorp.io', certificateArn: CERT } },
        {
          allowOrigins: [
            'https://app.mycorp.io',
            'https://app.other.com',
            'http://app.mycorp.io',
            'https://*.mycorp.io',
            'http://localhost:5173',
          ],
        },
      ),
    );
    const cross = warnings.filter((w) => w.code === 'origin-cross-site-cookies');
    expect(cross.map((w) => w.path)).toEqual(['cors.allowOrigins[1]', 'cors.allowOrigins[2]', 'cors.allowOrigins[4]']);
    expect(cross[0]!.message).toContain('third-party');
    expect(cross[2]!.fix).toContain('proxy');
    // Two tenants of a shared-hosting suffix are two sites (github.io is in the list's private section).
    const shared = issues(
      base(
        { domain: { name: 'api.alice.github.io', certificateArn: CERT } },
        { allowOrigins: ['https://bob.github.io'] },
      ),
    ).warnings;
    expect(codes(shared)).toEqual(['origin-cross-site-cookies']);
  });
});

describe('cookie headers', () => {
  it('refuses Cookie in allowHeaders: a forbidden request header', () => {
    const { errors } = issues(base({}, { allowHeaders: ['Content-Type', 'cookie'] }));
    expect(errors).toMatchObject([
      {
        code: 'cookie-in-allow-headers',
        path: 'cors.allowHeaders[1]',
        message: expect.stringContaining('forbidden request header'),
        fix: expect.stringContaining("credentials: 'include'"),
      },
    ]);
  });

  it('warns on Set-Cookie in exposeHeaders: a forbidden response header name', () => {
    const { errors, warnings } = issues(base({}, { exposeHeaders: ['X-Request-Id', 'Set-Cookie'] }));
    expect(errors).toEqual([]);
    expect(warnings.find((w) => w.code === 'set-cookie-exposed')).toMatchObject({
      path: 'cors.exposeHeaders[1]',
      message: expect.stringContaining('forbidden response header name'),
    });
  });
});
