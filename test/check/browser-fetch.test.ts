import { describe, expect, it } from 'vitest';
import { isRedirectTainted, simulateFetch } from '../../src/check/browser-fetch.js';
import type { Exchange, Send } from '../../src/check/exchange.js';
import type { ProbeRequest } from '../../src/check/http-probe.js';
import type { FetchRequest } from '../../src/cors/fetch-request.js';

const O = 'https://app.example.com';

/** A fake network: `answer` returns status and headers for each request; every request is recorded. */
function network(answer: (r: ProbeRequest) => [number, Record<string, string>]): { send: Send; sent: ProbeRequest[] } {
  const sent: ProbeRequest[] = [];
  const send: Send = async (probe, request) => {
    sent.push(request);
    const [status, headers] = answer(request);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]));
    return { probe, request, response: { status, headers: lower, bodyStart: '' } } satisfies Exchange;
  };
  return { send, sent };
}

const header = (r: ProbeRequest, name: string) => r.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
const cors = (r: ProbeRequest) => ({
  'Access-Control-Allow-Origin': header(r, 'origin') ?? '',
  'Access-Control-Allow-Methods': 'PUT, GET',
  'Access-Control-Allow-Headers': 'content-type, authorization',
});

describe('simulateFetch', () => {
  it('preflights, then sends the request with the script headers and Origin', async () => {
    const { send, sent } = network((r) => [r.method === 'OPTIONS' ? 204 : 200, cors(r)]);
    const request: FetchRequest = {
      origin: O,
      method: 'put',
      headers: [['Content-Type', 'application/json']],
      credentials: false,
    };
    const outcome = await simulateFetch(request, new URL('https://api.example.com/users'), send);
    expect(outcome.ok).toBe(true);
    expect(sent.map((r) => r.method)).toEqual(['OPTIONS', 'PUT']);
    expect(sent[1]!.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Origin', O],
    ]);
  });

  it('does not send the request when the preflight fails', async () => {
    const { send, sent } = network((r) => (r.method === 'OPTIONS' ? [403, {}] : [200, cors(r)]));
    const outcome = await simulateFetch(
      { origin: O, method: 'DELETE', headers: [], credentials: false },
      new URL('https://api.example.com/x'),
      send,
    );
    expect(outcome.ok).toBe(false);
    expect(sent.map((r) => r.method)).toEqual(['OPTIONS']);
  });

  it('turns a PUT into a GET on 303 and drops the body headers, then needs no preflight', async () => {
    const { send, sent } = network((r) =>
      r.url.pathname === '/a' && r.method !== 'OPTIONS'
        ? [303, { ...cors(r), Location: '/b' }]
        : [r.method === 'OPTIONS' ? 204 : 200, cors(r)],
    );
    const outcome = await simulateFetch(
      { origin: O, method: 'PUT', headers: [['Content-Type', 'application/json']], credentials: false },
      new URL('https://api.example.com/a'),
      send,
    );
    expect(outcome.ok).toBe(true);
    expect(sent.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['OPTIONS /a', 'PUT /a', 'GET /b']);
    expect(header(sent[2]!, 'content-type')).toBeUndefined();
  });

  it('drops Authorization on a cross-origin hop and sends Origin: null after it', async () => {
    const { send, sent } = network((r) =>
      r.url.host === 'api.example.com' && r.method !== 'OPTIONS'
        ? [302, { ...cors(r), Location: 'https://other.example.net/z' }]
        : [r.method === 'OPTIONS' ? 204 : 200, cors(r)],
    );
    const outcome = await simulateFetch(
      { origin: O, method: 'GET', headers: [['Authorization', 'Bearer t']], credentials: false },
      new URL('https://api.example.com/a'),
      send,
    );
    expect(outcome.ok).toBe(true);
    const last = sent[sent.length - 1]!;
    expect(last.url.host).toBe('other.example.net');
    expect(header(last, 'authorization')).toBeUndefined();
    expect(header(last, 'origin')).toBe('null');
  });

  it('fails on a redirect to a non-http URL or one with credentials', async () => {
    for (const location of ['ftp://files.example.com/x', 'https://user:pw@api.example.com/x']) {
      const { send } = network((r) => [302, { ...cors(r), Location: location }]);
      const outcome = await simulateFetch(
        { origin: O, method: 'GET', headers: [], credentials: false },
        new URL('https://api.example.com/a'),
        send,
      );
      expect(outcome.ok).toBe(false);
      expect(outcome.redirectError?.message).toMatch(/ftp:|credentials/);
    }
  });
});

describe('isRedirectTainted (#concept-request-tainted-origin)', () => {
  const u = (s: string) => new URL(s);
  it('keeps the origin for hops within one origin or from the requester', () => {
    expect(isRedirectTainted([u('https://api.example.com/a'), u('https://api.example.com/b')], O)).toBe(false);
    expect(isRedirectTainted([u('https://app.example.com/a'), u('https://api.example.com/b')], O)).toBe(false);
  });
  it('taints after a hop from a foreign origin to another origin, even back to the requester', () => {
    expect(isRedirectTainted([u('https://api.example.com/a'), u('https://cdn.example.net/b')], O)).toBe(true);
    expect(isRedirectTainted([u('https://api.example.com/a'), u('https://app.example.com/b')], O)).toBe(true);
  });
});
