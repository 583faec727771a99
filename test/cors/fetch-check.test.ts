import { describe, expect, it } from 'vitest';
import {
  checkPreflight,
  checkResponse,
  corsCheck,
  exposedHeaders,
  extractHeaderListValues,
  getHeader,
  isHeaderExposed,
  preflightMaxAge,
  type ResponseHeaders,
} from '../../src/cors/fetch-check.js';
import type { FetchRequest } from '../../src/cors/fetch-request.js';

const O = 'https://app.example.com';
const anon = { origin: O, credentials: false };
const cred = { origin: O, credentials: true };

/** Builds response headers from "Name: value" lines; a repeated name becomes several instances. */
function h(...lines: string[]): ResponseHeaders {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    (out[line.slice(0, i).trim().toLowerCase()] ??= []).push(line.slice(i + 1).trim());
  }
  return out;
}

const codes = (failures: readonly { code: string }[]) => failures.map((f) => f.code);

describe('the CORS check (#concept-cors-check)', () => {
  it('fails without Access-Control-Allow-Origin', () => {
    expect(codes(corsCheck(anon, h()))).toEqual(['missing-allow-origin']);
  });

  it('passes when the origin is echoed byte for byte', () => {
    expect(corsCheck(anon, h(`Access-Control-Allow-Origin: ${O}`))).toEqual([]);
  });

  it('compares byte for byte: no trailing slash, no case folding, no default port', () => {
    for (const acao of [
      `${O}/`,
      'https://APP.example.com',
      'HTTPS://app.example.com',
      `${O}:443`,
      'app.example.com',
      'http://app.example.com',
    ]) {
      expect(codes(corsCheck(anon, h(`Access-Control-Allow-Origin: ${acao}`))), acao).toEqual([
        'allow-origin-mismatch',
      ]);
    }
  });

  it('fails on two Access-Control-Allow-Origin headers, even identical ones, because "get" joins them', () => {
    expect(
      getHeader(
        h(`Access-Control-Allow-Origin: ${O}`, `Access-Control-Allow-Origin: ${O}`),
        'access-control-allow-origin',
      ),
    ).toBe(`${O}, ${O}`);
    expect(codes(corsCheck(anon, h(`Access-Control-Allow-Origin: ${O}`, `Access-Control-Allow-Origin: ${O}`)))).toEqual(
      ['multiple-allow-origin'],
    );
    expect(codes(corsCheck(anon, h('Access-Control-Allow-Origin: *', 'Access-Control-Allow-Origin: *')))).toEqual([
      'multiple-allow-origin',
    ]);
  });

  it('fails on a list of origins in one header', () => {
    expect(codes(corsCheck(anon, h(`Access-Control-Allow-Origin: ${O}, https://b.example.com`)))).toEqual([
      'multiple-allow-origin',
    ]);
    expect(codes(corsCheck(anon, h(`Access-Control-Allow-Origin: ${O} https://b.example.com`)))).toEqual([
      'multiple-allow-origin',
    ]);
  });

  it('accepts "*" without credentials, with or without Access-Control-Allow-Credentials', () => {
    expect(corsCheck(anon, h('Access-Control-Allow-Origin: *'))).toEqual([]);
    expect(corsCheck(anon, h('Access-Control-Allow-Origin: *', 'Access-Control-Allow-Credentials: true'))).toEqual([]);
  });

  it('refuses "*" with credentials, even with Access-Control-Allow-Credentials: true', () => {
    expect(
      codes(corsCheck(cred, h('Access-Control-Allow-Origin: *', 'Access-Control-Allow-Credentials: true'))),
    ).toEqual(['wildcard-origin-with-credentials']);
  });

  it('requires Access-Control-Allow-Credentials to be exactly "true" with credentials', () => {
    expect(corsCheck(cred, h(`Access-Control-Allow-Origin: ${O}`, 'Access-Control-Allow-Credentials: true'))).toEqual(
      [],
    );
    for (const acac of ['True', 'TRUE', '1', 'yes', 'false']) {
      expect(
        codes(corsCheck(cred, h(`Access-Control-Allow-Origin: ${O}`, `Access-Control-Allow-Credentials: ${acac}`))),
        acac,
      ).toEqual(['invalid-allow-credentials']);
    }
    expect(codes(corsCheck(cred, h(`Access-Control-Allow-Origin: ${O}`)))).toEqual(['invalid-allow-credentials']);
    expect(
      codes(
        corsCheck(
          cred,
          h(
            `Access-Control-Allow-Origin: ${O}`,
            'Access-Control-Allow-Credentials: true',
            'Access-Control-Allow-Credentials: true',
          ),
        ),
      ),
    ).toEqual(['invalid-allow-credentials']);
  });

  it('ignores Access-Control-Allow-Credentials without credentials', () => {
    expect(corsCheck(anon, h(`Access-Control-Allow-Origin: ${O}`, 'Access-Control-Allow-Credentials: nope'))).toEqual(
      [],
    );
  });

  it('matches the opaque origin only with the string "null"', () => {
    expect(corsCheck({ origin: 'null', credentials: false }, h('Access-Control-Allow-Origin: null'))).toEqual([]);
    expect(codes(corsCheck(anon, h('Access-Control-Allow-Origin: null')))).toEqual(['allow-origin-mismatch']);
  });

  it('applies to error responses too: checkResponse does not look at the status', () => {
    expect(checkResponse(anon, h()).ok).toBe(false);
    expect(checkResponse(anon, h(`Access-Control-Allow-Origin: ${O}`)).ok).toBe(true);
  });
});

describe('validating a preflight response (#cors-preflight-fetch)', () => {
  const put: FetchRequest = {
    origin: O,
    method: 'PUT',
    headers: [['Content-Type', 'application/json']],
    credentials: false,
  };
  const good = [
    `Access-Control-Allow-Origin: ${O}`,
    'Access-Control-Allow-Methods: GET,PUT',
    'Access-Control-Allow-Headers: Content-Type',
  ];

  it('passes a well-formed answer', () => {
    const d = checkPreflight(put, 204, h(...good));
    expect(d.ok).toBe(true);
    expect(d.specOk).toBe(true);
    expect(d.failures).toEqual([]);
  });

  it('requires an ok status (200-299)', () => {
    for (const status of [200, 204, 299]) expect(checkPreflight(put, status, h(...good)).ok, String(status)).toBe(true);
    for (const status of [400, 403, 404, 500, 199])
      expect(codes(checkPreflight(put, status, h(...good)).failures), String(status)).toEqual(['preflight-status']);
  });

  it('fails on a redirect, which a preflight never follows', () => {
    for (const status of [301, 302, 303, 307, 308])
      expect(codes(checkPreflight(put, status, h(...good)).failures)).toEqual(['preflight-redirect']);
  });

  it('runs the CORS check with the actual request credentials mode', () => {
    const d = checkPreflight({ ...put, credentials: true }, 204, h(...good));
    expect(codes(d.failures)).toEqual(['invalid-allow-credentials']);
    expect(
      checkPreflight({ ...put, credentials: true }, 204, h(...good, 'Access-Control-Allow-Credentials: true')).ok,
    ).toBe(true);
  });

  it('matches methods case-sensitively', () => {
    const d = checkPreflight(
      put,
      204,
      h(
        `Access-Control-Allow-Origin: ${O}`,
        'Access-Control-Allow-Methods: get, put',
        'Access-Control-Allow-Headers: content-type',
      ),
    );
    expect(codes(d.failures)).toEqual(['method-not-allowed']);
    expect(d.failures[0]!.message).toContain('case-sensitively');
    expect(
      checkPreflight(
        { ...put, method: 'patch' },
        204,
        h(
          `Access-Control-Allow-Origin: ${O}`,
          'Access-Control-Allow-Methods: PATCH',
          'Access-Control-Allow-Headers: content-type',
        ),
      ).ok,
    ).toBe(false);
    expect(checkPreflight({ ...put, method: 'put' }, 204, h(...good)).ok).toBe(true); // `put` is normalized to PUT
  });

  it('does not need safelisted methods listed', () => {
    const post: FetchRequest = { ...put, method: 'POST' };
    expect(
      checkPreflight(
        post,
        204,
        h(
          `Access-Control-Allow-Origin: ${O}`,
          'Access-Control-Allow-Methods: PUT',
          'Access-Control-Allow-Headers: content-type',
        ),
      ).ok,
    ).toBe(true);
    expect(
      checkPreflight(post, 204, h(`Access-Control-Allow-Origin: ${O}`, 'Access-Control-Allow-Headers: content-type'))
        .ok,
    ).toBe(true);
  });

  it('lets "*" cover any method only without credentials', () => {
    const headers = h(
      `Access-Control-Allow-Origin: ${O}`,
      'Access-Control-Allow-Credentials: true',
      'Access-Control-Allow-Methods: *',
      'Access-Control-Allow-Headers: content-type',
    );
    expect(checkPreflight(put, 204, headers).ok).toBe(true);
    const d = checkPreflight({ ...put, credentials: true }, 204, headers);
    expect(codes(d.failures)).toEqual(['method-not-allowed']);
    expect(d.failures[0]!.message).toContain('literal');
  });

  it('matches header names case-insensitively', () => {
    const d = checkPreflight(
      {
        ...put,
        headers: [
          ['X-Api-Key', 'k'],
          ['content-type', 'application/json'],
        ],
      },
      204,
      h(
        `Access-Control-Allow-Origin: ${O}`,
        'Access-Control-Allow-Methods: PUT',
        'Access-Control-Allow-Headers: CONTENT-TYPE, x-API-key',
      ),
    );
    expect(d.ok).toBe(true);
  });

  it('fails when an unsafe header is not listed, naming it', () => {
    const d = checkPreflight(
      {
        ...put,
        headers: [
          ['X-Api-Key', 'k'],
          ['Content-Type', 'application/json'],
        ],
      },
      204,
      h(...good),
    );
    expect(codes(d.failures)).toEqual(['header-not-allowed']);
    expect(d.failures[0]!.message).toContain('x-api-key');
  });

  it('lets "*" cover any header only without credentials', () => {
    const headers = h(
      `Access-Control-Allow-Origin: ${O}`,
      'Access-Control-Allow-Credentials: true',
      'Access-Control-Allow-Methods: PUT',
      'Access-Control-Allow-Headers: *',
    );
    expect(checkPreflight(put, 204, headers).ok).toBe(true);
    expect(codes(checkPreflight({ ...put, credentials: true }, 204, headers).failures)).toEqual(['header-not-allowed']);
  });

  it('never lets "*" cover Authorization in the standard; browsers tolerate it, so it is marked', () => {
    const req: FetchRequest = { ...put, headers: [['Authorization', 'Bearer t']] };
    const d = checkPreflight(
      req,
      204,
      h(`Access-Control-Allow-Origin: ${O}`, 'Access-Control-Allow-Methods: PUT', 'Access-Control-Allow-Headers: *'),
    );
    expect(codes(d.failures)).toEqual(['authorization-not-covered-by-wildcard']);
    expect(d.failures[0]!.tolerated).toBe(true);
    expect(d.specOk).toBe(false);
    expect(d.ok).toBe(true);
    expect(
      checkPreflight(
        req,
        204,
        h(
          `Access-Control-Allow-Origin: ${O}`,
          'Access-Control-Allow-Methods: PUT',
          'Access-Control-Allow-Headers: *, authorization',
        ),
      ).specOk,
    ).toBe(true);
  });

  it('reports Authorization missing from an explicit list as a plain header failure', () => {
    const req: FetchRequest = { ...put, headers: [['Authorization', 'Bearer t']] };
    const d = checkPreflight(req, 204, h(...good));
    expect(codes(d.failures)).toEqual(['header-not-allowed']);
    expect(d.ok).toBe(false);
  });

  it('fails the whole preflight when Allow-Methods or Allow-Headers do not parse as token lists', () => {
    expect(
      codes(
        checkPreflight(
          put,
          204,
          h(
            `Access-Control-Allow-Origin: ${O}`,
            'Access-Control-Allow-Methods: PUT POST',
            'Access-Control-Allow-Headers: content-type',
          ),
        ).failures,
      ),
    ).toEqual(['invalid-allow-methods']);
    expect(
      codes(
        checkPreflight(
          put,
          204,
          h(
            `Access-Control-Allow-Origin: ${O}`,
            'Access-Control-Allow-Methods: PUT',
            'Access-Control-Allow-Headers: content type',
          ),
        ).failures,
      ),
    ).toEqual(['invalid-allow-headers']);
  });

  it('skips empty list elements', () => {
    expect(
      extractHeaderListValues(h('Access-Control-Allow-Methods: GET, , PUT,'), 'access-control-allow-methods'),
    ).toEqual(['GET', 'PUT']);
    expect(extractHeaderListValues(h(), 'access-control-allow-methods')).toBeNull();
    expect(
      extractHeaderListValues(
        h('Access-Control-Allow-Methods: PUT', 'Access-Control-Allow-Methods: DELETE'),
        'access-control-allow-methods',
      ),
    ).toEqual(['PUT', 'DELETE']);
  });

  it('lists every failing rule at once', () => {
    const d = checkPreflight({ ...put, headers: [['X-A', '1']] }, 403, h('Access-Control-Allow-Methods: GET'));
    expect(codes(d.failures)).toEqual([
      'preflight-status',
      'missing-allow-origin',
      'method-not-allowed',
      'header-not-allowed',
    ]);
  });
});

describe('max-age (#cors-preflight-fetch, browser caps)', () => {
  it('defaults to 5 seconds when absent or not delta-seconds', () => {
    expect(preflightMaxAge(h()).seconds).toBe(5);
    for (const v of ['abc', '-1', '1.5', ''])
      expect(preflightMaxAge(h(`Access-Control-Max-Age: ${v}`)).seconds, v).toBe(5);
  });

  it('keeps 0 (no caching) and values below the cap', () => {
    expect(preflightMaxAge(h('Access-Control-Max-Age: 0'))).toEqual({ seconds: 0, requested: 0, capped: false });
    expect(preflightMaxAge(h('Access-Control-Max-Age: 600'))).toEqual({ seconds: 600, requested: 600, capped: false });
  });

  it("caps at Chromium's 7200 seconds by default, and at a given cap", () => {
    expect(preflightMaxAge(h('Access-Control-Max-Age: 86400'))).toEqual({
      seconds: 7200,
      requested: 86400,
      capped: true,
    });
    expect(preflightMaxAge(h('Access-Control-Max-Age: 90000'), 86400)).toEqual({
      seconds: 86400,
      requested: 90000,
      capped: true,
    });
  });

  it('is reported on the preflight decision', () => {
    const d = checkPreflight(
      { origin: O, method: 'PUT', headers: [], credentials: false },
      204,
      h(`Access-Control-Allow-Origin: ${O}`, 'Access-Control-Allow-Methods: PUT', 'Access-Control-Max-Age: 10000'),
    );
    expect(d.maxAge.capped).toBe(true);
  });
});

describe('exposed response headers (#cors-safelisted-response-header-name, Access-Control-Expose-Headers)', () => {
  it('always exposes the safelisted names', () => {
    const e = exposedHeaders(anon, h());
    for (const name of [
      'Cache-Control',
      'Content-Language',
      'Content-Length',
      'Content-Type',
      'Expires',
      'Last-Modified',
      'Pragma',
    ]) {
      expect(isHeaderExposed(name, e), name).toBe(true);
    }
    expect(isHeaderExposed('X-Request-Id', e)).toBe(false);
    expect(isHeaderExposed('Date', e)).toBe(false);
  });

  it('exposes listed names, case-insensitively', () => {
    const e = exposedHeaders(anon, h('Access-Control-Expose-Headers: X-Request-Id, ETag'));
    expect(isHeaderExposed('x-request-id', e)).toBe(true);
    expect(isHeaderExposed('etag', e)).toBe(true);
    expect(isHeaderExposed('x-other', e)).toBe(false);
  });

  it('exposes everything for "*" only without credentials', () => {
    const headers = h('Access-Control-Expose-Headers: *');
    expect(isHeaderExposed('x-anything', exposedHeaders(anon, headers))).toBe(true);
    expect(isHeaderExposed('x-anything', exposedHeaders(cred, headers))).toBe(false);
  });

  it('never exposes Set-Cookie', () => {
    expect(isHeaderExposed('Set-Cookie', exposedHeaders(anon, h('Access-Control-Expose-Headers: *, Set-Cookie')))).toBe(
      false,
    );
  });
});
