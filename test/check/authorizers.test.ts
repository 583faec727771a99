/**
 * `check` and authorizers, against loopback servers that answer the way API Gateway does: a preflight rejected by
 * an authorizer, by "stage, API key or WAF", or for lack of an OPTIONS method are three findings with three fixes;
 * an authorizer's 401 on the request itself is readable only with CORS headers, and says so either way.
 */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkEndpoint } from '../../src/check/index.js';
import { keepServers, serveHttp } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';
const keep = keepServers();

const PREFLIGHT_OK = {
  'Access-Control-Allow-Origin': ORIGIN,
  'Access-Control-Allow-Methods': 'GET,POST',
  'Access-Control-Allow-Headers': 'Authorization,Content-Type',
  Vary: 'Origin',
};

/** A REST-like API: the preflight answered by `preflight`, every other request by `request`. */
async function api(
  preflight: (res: http.ServerResponse) => void,
  request: (res: http.ServerResponse) => void,
): Promise<string> {
  const served = await keep(serveHttp((req, res) => (req.method === 'OPTIONS' ? preflight(res) : request(res))));
  return `${served.base}/prod/orders`;
}

const preflightOk = (res: http.ServerResponse) => {
  res.writeHead(204, { ...PREFLIGHT_OK, 'x-amz-apigw-id': 'a=' });
  res.end();
};
const unauthorized = (cors: boolean) => (res: http.ServerResponse) => {
  res.writeHead(401, {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': 'UnauthorizedException',
    'x-amz-apigw-id': 'a=',
    ...(cors ? { 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' } : {}),
  });
  res.end('{"message":"Unauthorized"}');
};

describe('check: authorizers', () => {
  it('tells the three causes of a failed preflight apart, each with its own fix', async () => {
    const answer = (status: number, headers: Record<string, string>, body: string) => (res: http.ServerResponse) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'x-amz-apigw-id': 'a=', ...headers });
      res.end(body);
    };
    const cases = [
      [
        answer(401, { 'x-amzn-ErrorType': 'UnauthorizedException' }, '{"message":"Unauthorized"}'),
        'preflight-unauthorized',
      ],
      [answer(403, { 'x-amzn-ErrorType': 'ForbiddenException' }, '{"message":"Forbidden"}'), 'gateway-forbidden'],
      [
        answer(
          403,
          { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' },
          '{"message":"Missing Authentication Token"}',
        ),
        'options-missing',
      ],
    ] as const;
    const fixes: string[] = [];
    for (const [preflight, code] of cases) {
      const url = await api(preflight, unauthorized(true));
      const report = await checkEndpoint({ url, origin: ORIGIN, method: 'POST', headers: ['Authorization: Bearer x'] });
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(
        errors.map((f) => f.code),
        code,
      ).toEqual([code]);
      fixes.push(errors[0]!.fix);
    }
    expect(fixes[0]).toContain('Set authorization = "NONE" and api_key_required = false on every OPTIONS method');
    expect(fixes[1]).toContain('No authorizer answered');
    expect(fixes[2]).toContain('Add an OPTIONS method');
    expect(new Set(fixes).size).toBe(3);
  });

  it("names an authorizer's 401 without CORS headers, with the gateway responses to fix", async () => {
    const url = await api(preflightOk, unauthorized(false));
    const report = await checkEndpoint({ url, origin: ORIGIN, method: 'POST', headers: ['Authorization: Bearer x'] });
    expect(report.ok).toBe(false);
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual(['authorizer-response-without-cors']);
    expect(errors[0]!.message).toBe(
      'Response (POST /prod/orders) was 401 from an authorizer (x-amzn-ErrorType: UnauthorizedException) without Access-Control-Allow-Origin: the frontend gets a CORS error instead of the 401, so it cannot tell "sign in again" from a network failure.',
    );
    expect(errors[0]!.fix).toContain('define the gateway responses UNAUTHORIZED and ACCESS_DENIED');
  });

  it("says an authorizer's 401 with CORS headers is readable", async () => {
    const url = await api(preflightOk, unauthorized(true));
    const report = await checkEndpoint({ url, origin: ORIGIN, method: 'POST', headers: ['Authorization: Bearer x'] });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.findings.find((f) => f.code === 'actual-status')!.message).toBe(
      'Response (POST /prod/orders) was 401 from an authorizer (x-amzn-ErrorType: UnauthorizedException); CORS passes, so the frontend can read it (send valid credentials to get past it).',
    );
  });

  it("recognises an HTTP API JWT authorizer's 401 by its challenge, with the HTTP API fix", async () => {
    const url = await api(
      (res) => {
        res.writeHead(204, { ...PREFLIGHT_OK, 'apigw-requestid': 'r' });
        res.end();
      },
      (res) => {
        res.writeHead(401, {
          'Content-Type': 'application/json',
          'apigw-requestid': 'r',
          'www-authenticate': 'Bearer error="invalid_token"',
        });
        res.end('{"message":"Unauthorized"}');
      },
    );
    const report = await checkEndpoint({ url, origin: ORIGIN, method: 'POST', headers: ['Authorization: Bearer x'] });
    const [f] = report.findings.filter((x) => x.severity === 'error');
    expect(f!.code).toBe('authorizer-response-without-cors');
    expect(f!.message).toContain('was 401 from an authorizer (WWW-Authenticate: Bearer)');
    expect(f!.fix).toContain('HTTP API: with cors_configuration set');
  });
});
