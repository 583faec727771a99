import { describe, expect, it } from 'vitest';
import {
  actualRequestHeaders,
  isForbiddenMethod,
  isForbiddenRequestHeader,
  isSafelistedMethod,
  isSafelistedRequestHeader,
  needsPreflight,
  normalizeMethod,
  preflightRequestHeaders,
  unsafeRequestHeaderNames,
  type FetchRequest,
} from '../../src/cors/fetch-request.js';

const base: FetchRequest = { origin: 'https://app.example.com', method: 'GET', headers: [], credentials: false };

describe('when a browser sends a preflight (#cors-safelisted-method, #cors-safelisted-request-header)', () => {
  it('does not preflight GET, HEAD and POST without unsafe headers', () => {
    for (const method of ['GET', 'HEAD', 'POST', 'get', 'post'])
      expect(needsPreflight({ method, headers: [] })).toBe(false);
  });

  it('preflights every other method', () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'patch'])
      expect(needsPreflight({ method, headers: [] })).toBe(true);
  });

  it('upper-cases only the six standard methods when normalizing', () => {
    expect(normalizeMethod('delete')).toBe('DELETE');
    expect(normalizeMethod('pUt')).toBe('PUT');
    expect(normalizeMethod('patch')).toBe('patch');
    expect(normalizeMethod('PATCH')).toBe('PATCH');
  });

  it('matches safelisted methods byte for byte after normalization', () => {
    expect(isSafelistedMethod('GET')).toBe(true);
    expect(isSafelistedMethod('get')).toBe(false);
    expect(isSafelistedMethod('PUT')).toBe(false);
  });

  it('knows the forbidden methods', () => {
    expect(isForbiddenMethod('trace')).toBe(true);
    expect(isForbiddenMethod('CONNECT')).toBe(true);
    expect(isForbiddenMethod('PATCH')).toBe(false);
  });

  it('safelists the three form content types, with parameters', () => {
    expect(isSafelistedRequestHeader('Content-Type', 'text/plain')).toBe(true);
    expect(isSafelistedRequestHeader('content-type', 'text/plain;charset=utf-8')).toBe(true);
    expect(isSafelistedRequestHeader('Content-Type', 'application/x-www-form-urlencoded')).toBe(true);
    expect(isSafelistedRequestHeader('Content-Type', 'multipart/form-data; boundary=x')).toBe(true);
    expect(isSafelistedRequestHeader('Content-Type', 'TEXT/PLAIN')).toBe(true);
  });

  it('does not safelist JSON or an unparsable content type', () => {
    expect(isSafelistedRequestHeader('Content-Type', 'application/json')).toBe(false);
    expect(isSafelistedRequestHeader('Content-Type', 'text/html')).toBe(false);
    expect(isSafelistedRequestHeader('Content-Type', 'text')).toBe(false);
    expect(isSafelistedRequestHeader('Content-Type', 'text/plain; a="b"')).toBe(false); // `"` is an unsafe byte
  });

  it('limits safelisted values to 128 bytes', () => {
    expect(isSafelistedRequestHeader('Accept', 'a'.repeat(128))).toBe(true);
    expect(isSafelistedRequestHeader('Accept', 'a'.repeat(129))).toBe(false);
    expect(isSafelistedRequestHeader('Content-Type', `text/plain; long=${'x'.repeat(120)}`)).toBe(false);
  });

  it('rejects CORS-unsafe request-header bytes in Accept', () => {
    expect(isSafelistedRequestHeader('Accept', 'application/json')).toBe(true);
    for (const bad of ['"', '(', ')', ':', '<', '>', '?', '@', '[', '\\', ']', '{', '}', '\u007f', '\u0001']) {
      expect(isSafelistedRequestHeader('Accept', `text/${bad}`), bad).toBe(false);
    }
    expect(isSafelistedRequestHeader('Accept', 'a\tb')).toBe(true);
  });

  it('allows only letters, digits, space and * , - . ; = in Accept-Language and Content-Language', () => {
    expect(isSafelistedRequestHeader('Accept-Language', 'en-US,en;q=0.9')).toBe(true);
    expect(isSafelistedRequestHeader('Content-Language', 'de-DE')).toBe(true);
    expect(isSafelistedRequestHeader('Accept-Language', 'en_US')).toBe(false);
    expect(isSafelistedRequestHeader('Accept-Language', 'en(US)')).toBe(false);
  });

  it('safelists a single simple Range but not suffix or multiple ranges', () => {
    expect(isSafelistedRequestHeader('Range', 'bytes=0-')).toBe(true);
    expect(isSafelistedRequestHeader('Range', 'bytes=0-499')).toBe(true);
    expect(isSafelistedRequestHeader('Range', 'bytes=-500')).toBe(false);
    expect(isSafelistedRequestHeader('Range', 'bytes=0-1,5-6')).toBe(false);
    expect(isSafelistedRequestHeader('Range', 'bytes= 0-1')).toBe(false);
    expect(isSafelistedRequestHeader('Range', 'bytes=5-1')).toBe(false);
  });

  it('never safelists Authorization or custom headers', () => {
    expect(isSafelistedRequestHeader('Authorization', 'Bearer x')).toBe(false);
    expect(isSafelistedRequestHeader('X-Requested-With', 'XMLHttpRequest')).toBe(false);
    expect(needsPreflight({ method: 'GET', headers: [['Authorization', 'Bearer x']] })).toBe(true);
  });

  it('counts safelisted headers as unsafe once their values exceed 1024 bytes in total', () => {
    const big: [string, string][] = Array.from({ length: 9 }, () => ['Accept', 'a'.repeat(120)] as [string, string]);
    expect(unsafeRequestHeaderNames(big.slice(0, 8))).toEqual([]);
    expect(unsafeRequestHeaderNames(big)).toEqual(['accept']);
  });

  it('lists unsafe names lower-cased, sorted and once', () => {
    expect(
      unsafeRequestHeaderNames([
        ['X-B', '1'],
        ['Content-Type', 'application/json'],
        ['x-b', '2'],
        ['Accept', '*/*'],
        ['Authorization', 'x'],
      ]),
    ).toEqual(['authorization', 'content-type', 'x-b']);
  });

  it('knows the headers script cannot set', () => {
    for (const name of [
      'Origin',
      'Cookie',
      'Host',
      'Content-Length',
      'Sec-Fetch-Mode',
      'Proxy-Authorization',
      'Referer',
    ]) {
      expect(isForbiddenRequestHeader(name, 'x'), name).toBe(true);
    }
    expect(isForbiddenRequestHeader('X-HTTP-Method-Override', 'TRACE')).toBe(true);
    expect(isForbiddenRequestHeader('X-HTTP-Method-Override', 'PATCH')).toBe(false);
    expect(isForbiddenRequestHeader('Authorization', 'x')).toBe(false);
  });
});

describe('the preflight request (#cors-preflight-fetch)', () => {
  it('asks with Accept */*, the normalized method and the sorted lower-case unsafe names joined by "," without spaces', () => {
    const headers = preflightRequestHeaders({
      ...base,
      method: 'put',
      headers: [
        ['X-Trace', '1'],
        ['Content-Type', 'application/json'],
        ['Accept', 'text/plain'],
      ],
    });
    expect(headers).toEqual([
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'content-type,x-trace'],
      ['Origin', 'https://app.example.com'],
    ]);
  });

  it('omits Access-Control-Request-Headers when every header is safelisted', () => {
    const headers = preflightRequestHeaders({ ...base, method: 'DELETE', headers: [['Accept', 'application/json']] });
    expect(headers.map(([n]) => n)).toEqual(['Accept', 'Access-Control-Request-Method', 'Origin']);
  });

  it('keeps a non-standard method as written', () => {
    expect(preflightRequestHeaders({ ...base, method: 'patch' })[1]).toEqual([
      'Access-Control-Request-Method',
      'patch',
    ]);
  });

  it('sends the script headers plus Origin on the actual request', () => {
    expect(actualRequestHeaders({ ...base, origin: 'null', headers: [['X-A', '1']] })).toEqual([
      ['X-A', '1'],
      ['Origin', 'null'],
    ]);
  });
});
