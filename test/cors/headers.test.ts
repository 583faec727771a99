import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corsHeaders, type CorsPolicy } from '../../src/cors/headers.js';
import { compileOrigins } from '../../src/cors/origin.js';

const POLICY: CorsPolicy = {
  allowOrigins: ['https://app.example.com', 'https://*.preview.example.com'],
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['Content-Type', 'Authorization'],
  exposeHeaders: ['X-Request-Id', 'ETag'],
  allowCredentials: false,
  maxAge: 600,
};

describe('corsHeaders', () => {
  it('echoes an allowed origin on an actual request, with Vary and the exposed headers', () => {
    expect(corsHeaders(POLICY, { origin: 'https://app.example.com', preflight: false })).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Expose-Headers': 'X-Request-Id,ETag',
    });
  });

  it('answers a preflight with methods, headers and max-age, and no expose header', () => {
    expect(corsHeaders(POLICY, { origin: 'https://pr-42.preview.example.com', preflight: true })).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://pr-42.preview.example.com',
      'Access-Control-Allow-Methods': 'GET,POST,DELETE',
      'Access-Control-Allow-Headers': 'Content-Type,Authorization',
      'Access-Control-Max-Age': '600',
    });
  });

  it('sends max-age 0 (it disables the preflight cache) and omits it when undefined', () => {
    expect(
      corsHeaders({ ...POLICY, maxAge: 0 }, { origin: 'https://app.example.com', preflight: true })[
        'Access-Control-Max-Age'
      ],
    ).toBe('0');
    expect(
      corsHeaders({ ...POLICY, maxAge: undefined }, { origin: 'https://app.example.com', preflight: true }),
    ).not.toHaveProperty('Access-Control-Max-Age');
  });

  it('omits empty allow and expose header lists', () => {
    const policy = { ...POLICY, allowHeaders: [], exposeHeaders: [] };
    expect(corsHeaders(policy, { origin: 'https://app.example.com', preflight: true })).not.toHaveProperty(
      'Access-Control-Allow-Headers',
    );
    expect(corsHeaders(policy, { origin: 'https://app.example.com', preflight: false })).not.toHaveProperty(
      'Access-Control-Expose-Headers',
    );
  });

  it('with credentials echoes the exact origin and adds Allow-Credentials: true', () => {
    const headers = corsHeaders(
      { ...POLICY, allowCredentials: true },
      { origin: 'https://app.example.com', preflight: false },
    );
    expect(headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(headers['Access-Control-Allow-Credentials']).toBe('true');
    expect(headers.Vary).toBe('Origin');
  });

  it('answers "*" with the literal "*" and no Vary (the answer does not depend on the origin)', () => {
    const headers = corsHeaders(
      { ...POLICY, allowOrigins: ['*'] },
      { origin: 'https://anyone.example', preflight: false },
    );
    expect(headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'X-Request-Id,ETag',
    });
  });

  it('gives a disallowed, missing or null origin no Access-Control header at all, but still Vary: Origin', () => {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.io', 'null', undefined, '']) {
      expect(corsHeaders(POLICY, { origin, preflight: true }), String(origin)).toEqual({ Vary: 'Origin' });
      expect(corsHeaders({ ...POLICY, allowCredentials: true }, { origin, preflight: false }), String(origin)).toEqual({
        Vary: 'Origin',
      });
    }
  });

  it('returns a fresh object each time (callers may add headers to it)', () => {
    const matcher = compileOrigins(POLICY.allowOrigins);
    const a = corsHeaders(POLICY, { origin: 'https://app.example.com', preflight: false }, matcher);
    a['X-Extra'] = '1';
    expect(corsHeaders(POLICY, { origin: 'https://app.example.com', preflight: false }, matcher)).not.toHaveProperty(
      'X-Extra',
    );
  });

  describe('property: what a browser would accept', () => {
    const origin = fc.oneof(
      fc.constantFrom(
        'https://app.example.com',
        'https://x.preview.example.com',
        'https://a.b.preview.example.com',
        'http://app.example.com',
        'null',
        '',
        'https://app.example.com.evil.io',
        'HTTPS://APP.EXAMPLE.COM',
      ),
      fc.string({ maxLength: 30 }),
    );
    const policy = fc.record({
      allowOrigins: fc.oneof(
        fc.constant(['*']),
        fc.subarray(['https://app.example.com', 'https://*.preview.example.com', 'http://localhost:3000'], {
          minLength: 1,
        }),
      ),
      allowMethods: fc.subarray(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], { minLength: 1 }),
      allowHeaders: fc.subarray(['Content-Type', 'Authorization', 'X-Api-Key']),
      exposeHeaders: fc.subarray(['X-Request-Id', 'ETag']),
      allowCredentials: fc.boolean(),
      maxAge: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
    });

    it('never allows an origin the matcher refuses, never "*" with credentials, and always varies when it echoes', () => {
      fc.assert(
        fc.property(policy, origin, fc.boolean(), (p, o, preflight) => {
          // The spec validator refuses "*" with credentials; the function must still never emit that pair.
          const h = corsHeaders(p, { origin: o, preflight });
          const acao = h['Access-Control-Allow-Origin'];
          const matcher = compileOrigins(p.allowOrigins);
          if (acao === undefined) {
            expect(Object.keys(h).filter((k) => k.startsWith('Access-Control-'))).toEqual([]);
            return;
          }
          expect(matcher.allows(o)).toBe(true);
          if (acao === '*') {
            expect(p.allowCredentials).toBe(false);
            expect(h).not.toHaveProperty('Access-Control-Allow-Credentials');
          } else {
            // Byte for byte what the browser sent: that is the comparison the Fetch standard makes.
            expect(acao).toBe(o);
            expect(h.Vary).toBe('Origin');
          }
          expect(h['Access-Control-Allow-Credentials']).toBe(p.allowCredentials ? 'true' : undefined);
          expect(h['Access-Control-Allow-Methods']).toBe(preflight ? p.allowMethods.join(',') : undefined);
          if (o === 'null' || o === '') throw new Error('null or empty origin allowed');
        }),
        { numRuns: 3000 },
      );
    });

    it('sends Vary: Origin on every answer but a literal "*" (even with "*", no Origin means no header)', () => {
      fc.assert(
        fc.property(policy, origin, fc.boolean(), (p, o, preflight) => {
          const h = corsHeaders(p, { origin: o, preflight });
          expect(h.Vary === 'Origin').toBe(h['Access-Control-Allow-Origin'] !== '*');
        }),
        { numRuns: 2000 },
      );
    });
  });
});
