/**
 * `check` names one root cause and stays safe with hostile servers: each server here is one situation a user meets
 * (an origin missing from the list, a URL without the stage, a catch-all route, a gateway response that echoes the
 * Origin, a server sending terminal control characters), with the exact finding asserted.
 */
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { checkEndpoint, CheckError, formatJson, formatReport } from '../../src/check/index.js';
import { redactEvidence } from '../../src/check/exchange.js';
import { serveHttp, serveRaw, keepServers } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), color: false, isTTY: false };
}

const keep = keepServers();

const FORBIDDEN = {
  'Content-Type': 'application/json',
  'x-amzn-ErrorType': 'ForbiddenException',
  'x-amz-apigw-id': 'abc=',
};

describe('one root cause', () => {
  it('folds the methods, headers and error answer a refused origin cannot get under the one missing-origin error', async () => {
    // An allowlist that answers CORS headers only to the origins it knows, on every path.
    const api = await keep(
      serveHttp((req, res) => {
        const known = req.headers.origin === ORIGIN;
        const cors = known
          ? {
              'Access-Control-Allow-Origin': ORIGIN,
              'Access-Control-Allow-Methods': 'GET,PUT',
              'Access-Control-Allow-Headers': 'Content-Type',
              Vary: 'Origin',
            }
          : { Vary: 'Origin' };
        res.writeHead(req.method === 'OPTIONS' ? 204 : req.url?.includes('cors-gen-check-not-found') ? 404 : 200, cors);
        res.end();
      }),
    );
    const report = await checkEndpoint({
      url: `${api.base}/prod/orders`,
      origin: 'https://other.example.com',
      method: 'PUT',
      headers: ['Content-Type: application/json'],
    });
    expect(report.findings.map((f) => [f.severity, f.code])).toEqual([['error', 'missing-allow-origin']]);
    expect(report.findings[0]!.message).toBe(
      'Preflight (OPTIONS /prod/orders -> 204): no Access-Control-Allow-Origin header.',
    );
    expect(report.findings[0]!.consequences).toEqual([
      { code: 'method-not-allowed', message: 'PUT is not allowed: the response has no Access-Control-Allow-Methods.' },
      {
        code: 'header-not-allowed',
        message: 'content-type is not allowed: the response has no Access-Control-Allow-Headers.',
      },
      {
        code: 'error-response-without-cors',
        message:
          'Error response (GET /prod/orders/cors-gen-check-not-found -> 404) fails the CORS check (no Access-Control-Allow-Origin header): the frontend sees a CORS error instead of the 404.',
      },
    ]);
    const text = formatReport(report);
    expect(text).toContain(
      '  which also causes (fixed with it):\n    - method-not-allowed: PUT is not allowed: the response has no Access-Control-Allow-Methods.',
    );
    expect(text).toMatch(/\nblocked: https:\/\/other\.example\.com cannot use PUT .* \(1 error\)$/);
  });

  it('says the origin is not in the list, and to add it, when another answer names an allowed origin', async () => {
    // A REST API as cors-gen generates it: the Lambda echoes only listed origins; API Gateway's own 403 (a gateway
    // response) carries one fixed origin, the first of the list.
    const api = await keep(
      serveHttp((req, res) => {
        if (req.url?.includes('cors-gen-check-not-found')) {
          res.writeHead(403, {
            'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
            'Access-Control-Allow-Origin': ORIGIN,
            Vary: 'Origin',
          });
          res.end('{"message":"Missing Authentication Token"}');
          return;
        }
        res.writeHead(
          200,
          req.headers.origin === ORIGIN
            ? { 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' }
            : { Vary: 'Origin' },
        );
        res.end('[]');
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/dev/orders`, origin: 'https://evil.example' });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['missing-allow-origin']);
    const [root] = report.findings;
    expect(root!.message).toBe(
      'Response (GET /dev/orders -> 200): no Access-Control-Allow-Origin header. Another answer (GET /dev/orders/cors-gen-check-not-found -> 403) names https://app.example.com: https://evil.example is not among the allowed origins.',
    );
    expect(root!.fix).toMatch(
      /^Add https:\/\/evil\.example to the allowed origins: the API answers CORS to https:\/\/app\.example\.com, so CORS is set up and this origin is simply not in the list\. In a cors-gen spec: cors\.allowOrigins \(every stage\) or stages\.<stage>\.allowOrigins \(one stage\), then "cors-gen generate" and terraform apply/,
    );
    expect(
      root!.evidence.map((e) => `${e.request.method} ${new URL(e.request.url).pathname} -> ${e.response.status}`),
    ).toEqual(['GET /dev/orders -> 200', 'GET /dev/orders/cors-gen-check-not-found -> 403']);
  });

  it('keeps a method missing from a list the server did send as a finding of its own', async () => {
    const api = await keep(
      serveHttp((_req, res) => {
        res.writeHead(204, {
          'Access-Control-Allow-Origin': 'https://admin.example.com',
          'Access-Control-Allow-Methods': 'GET',
        });
        res.end();
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN, method: 'DELETE' });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([
      'allow-origin-mismatch',
      'method-not-allowed',
    ]);
  });

  describe('a 403 {"message":"Forbidden"} that no authorizer sent', () => {
    const message = (phase: string, line: string, type: string) =>
      `${phase} (${line}) was answered 403 Forbidden${type} before any method ran, and no authorizer sent it: the stage is missing or wrong in the URL (its first path segment is "orders"), the method requires an API key, or a WAF blocked the request.`;

    it.each([
      ['PUT', 'Preflight', 'OPTIONS /orders', FORBIDDEN, ' (x-amzn-ErrorType: ForbiddenException)'],
      ['GET', 'Response', 'GET /orders', FORBIDDEN, ' (x-amzn-ErrorType: ForbiddenException)'],
      ['PUT', 'Preflight', 'OPTIONS /orders', { 'Content-Type': 'application/json' }, ''],
    ] as const)(
      '%s: one finding, "stage, API key or WAF", with how to tell them apart (%s %s)',
      async (method, phase, line, headers, type) => {
        const api = await keep(
          serveHttp((_req, res) => {
            res.writeHead(403, headers);
            res.end('{"message":"Forbidden"}');
          }),
        );
        // The URL misses the stage: /orders instead of /prod/orders.
        const report = await checkEndpoint({
          url: `${api.base}/orders`,
          origin: ORIGIN,
          method,
          headers: method === 'PUT' ? ['Content-Type: application/json'] : [],
        });
        expect(report.findings.map((f) => f.code)).toEqual(['gateway-forbidden']);
        const [f] = report.findings;
        expect(f!.message).toBe(message(phase, line, type));
        expect(f!.fix).toContain('the first path segment "orders" must be the stage name');
        expect(f!.fix).toContain('repeat the request with the header x-api-key');
        expect(f!.fix).toContain("web ACL's sampled requests");
        expect(f!.fix).not.toMatch(/authorization = "NONE"/);
        // The error path's identical 403 is the same cause, listed under it.
        expect(f!.consequences!.map((c) => c.code)).toContain('error-response-without-cors');
      },
    );

    it('still names an authorizer when x-amzn-ErrorType does (AccessDeniedException)', async () => {
      const api = await keep(
        serveHttp((_req, res) => {
          res.writeHead(403, {
            'Content-Type': 'application/json',
            'x-amzn-ErrorType': 'AccessDeniedException',
            'x-amz-apigw-id': 'abc=',
          });
          res.end('{"message":"User is not authorized to access this resource with an explicit deny"}');
        }),
      );
      const report = await checkEndpoint({
        url: `${api.base}/prod/orders`,
        origin: ORIGIN,
        method: 'PUT',
        headers: ['Content-Type'],
      });
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([
        'preflight-unauthorized',
      ]);
    });
  });
});

describe("a REST gateway response's one origin", () => {
  it("explains that an authorizer's 401 names the first origin for every caller, not that the origin is missing", async () => {
    const FIRST = 'http://localhost:5173';
    const api = await keep(
      serveHttp((req, res) => {
        const origin = req.headers.origin ?? '';
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Allow-Methods': 'GET',
            Vary: 'Origin',
          });
          return res.end();
        }
        // The UNAUTHORIZED gateway response, which with credentials carries the list's first origin.
        res.writeHead(401, {
          'Content-Type': 'application/json',
          'x-amzn-ErrorType': 'UnauthorizedException',
          'Access-Control-Allow-Origin': FIRST,
          'Access-Control-Allow-Credentials': 'true',
        });
        res.end('{"message":"Unauthorized"}');
      }),
    );
    const report = await checkEndpoint({
      url: `${api.base}/dev/hello`,
      origin: 'http://localhost:5718',
      method: 'GET',
      credentials: true,
    });
    const f = report.findings.find((x) => x.code === 'allow-origin-mismatch')!;
    expect(f.fix).toMatch(
      /^This is API Gateway's own error answer .* names one fixed origin, http:\/\/localhost:5173, for every caller: http:\/\/localhost:5718 may well be allowed/,
    );
    expect(f.fix).toContain('gateway-errors-first-origin');
    expect(f.fix).not.toMatch(/^Add http:\/\/localhost:5718/);
  });
});

describe('the error probe', () => {
  it('goes past a path parameter that answers 200 until it gets an error status', async () => {
    // /orders/{id}: one segment under /orders matches; two do not.
    const api = await keep(
      serveHttp((req, res) => {
        const depth = (req.url ?? '/').split('/').length - 1;
        res.writeHead(depth <= 3 ? 200 : 404, { 'Access-Control-Allow-Origin': ORIGIN });
        res.end();
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN });
    expect(
      report.probes.filter((p) => p.probe.startsWith('error-probe')).map((p) => [p.request, p.status, p.verdict]),
    ).toEqual([
      ['GET /prod/orders/cors-gen-check-not-found', 200, 'not-an-error'],
      ['GET /prod/orders/cors-gen-check-not-found/cors-gen-check-not-found', 404, 'passed'],
    ]);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('says that no error path was found, as information, and never calls such a probe ok', async () => {
    const api = await keep(
      serveHttp((_req, res) => {
        res.writeHead(200, { 'Access-Control-Allow-Origin': ORIGIN });
        res.end();
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN });
    expect(report.findings.map((f) => [f.severity, f.code, f.message])).toEqual([
      [
        'info',
        'error-path-not-found',
        'No error answer to check: every path tried was answered without an error status (GET /prod/orders/cors-gen-check-not-found -> 200, GET /prod/orders/cors-gen-check-not-found/cors-gen-check-not-found -> 200, GET /prod/cors-gen-check-not-found -> 200), so whether errors carry CORS headers is unknown.',
      ],
    ]);
    const text = formatReport(report);
    expect(text).toContain('  error-probe            GET /prod/orders/cors-gen-check-not-found -> 200  not an error');
    expect(text).not.toMatch(/error-probe.*  ok$/m);
  });
});

describe('--scan on the error path', () => {
  it('finds a gateway response that echoes any Origin without credentials while the methods keep a list of several origins', async () => {
    const allowed = new Set([ORIGIN, 'https://admin.example.com']);
    const api = await keep(
      serveHttp((req, res) => {
        const origin = req.headers.origin ?? '';
        if (req.url?.includes('cors-gen-check-not-found')) {
          // A DEFAULT_4XX gateway response mapped to method.request.header.Origin: every origin, errors only.
          res.writeHead(403, { 'Access-Control-Allow-Origin': origin, 'Content-Type': 'application/json' });
          res.end('{"message":"Missing Authentication Token"}');
          return;
        }
        res.writeHead(
          200,
          allowed.has(origin) ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : { Vary: 'Origin' },
        );
        res.end();
      }),
    );
    const plain = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN });
    expect(plain.findings.map((f) => f.code)).toEqual([]);
    const scanned = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN, scan: true });
    const f = scanned.findings.find((x) => x.code === 'reflected-origin')!;
    expect(f.severity).toBe('warning');
    expect(f.message).toBe(
      'The API echoes an arbitrary origin back: Access-Control-Allow-Origin echoes "https://evil.test" (your origin: https://app.example.com); without credentials, a page there can read responses that need no login.',
    );
    expect(f.evidence.map((e) => e.request.url)).toEqual([`${api.base}/prod/orders/cors-gen-check-not-found`]);
    expect(scanned.findings.map((x) => x.code)).toContain('null-origin');
    expect(scanned.probes.map((p) => p.probe)).toContain('scan:reflected-origin@error-path');
  });
});

describe('secrets, limits and terminal safety', () => {
  it('redacts Authorization in text and JSON evidence unless --show-secrets', async () => {
    const api = await keep(
      serveHttp((req, res) => {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'Access-Control-Allow-Origin': ORIGIN,
            'Access-Control-Allow-Headers': 'Authorization',
          });
        } else {
          res.writeHead(500, { 'Content-Type': 'application/json' });
        }
        res.end();
      }),
    );
    const argv = ['check', `${api.base}/prod/orders`, '--origin', ORIGIN, '-H', 'Authorization: Bearer s3cr3t-t0ken'];
    const text = capture();
    expect(await run(argv, text)).toBe(1);
    expect(text.stdout.join('\n')).toContain('    > Authorization: Bearer <redacted: --show-secrets shows it>');
    const json = capture();
    await run([...argv, '--json'], json);
    expect(json.stdout.join('')).toContain('"Authorization": "Bearer <redacted: --show-secrets shows it>"');
    for (const out of [text, json]) expect(out.stdout.join('')).not.toContain('s3cr3t');
    const shown = capture();
    await run([...argv, '--show-secrets'], shown);
    expect(shown.stdout.join('\n')).toContain('    > Authorization: Bearer s3cr3t-t0ken');
  });

  it('redacts every credential header, keeping the authentication scheme', () => {
    const e = redactEvidence({
      probe: 'request',
      request: {
        method: 'GET',
        url: 'https://x.test/',
        headers: {
          Authorization: 'Basic dXNlcjpwdw==',
          'Proxy-Authorization': 'token',
          Cookie: 'sid=1',
          'X-Other': 'kept',
        },
      },
      response: { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'], vary: 'Origin' } },
    });
    expect(e.request.headers).toEqual({
      Authorization: 'Basic <redacted: --show-secrets shows it>',
      'Proxy-Authorization': '<redacted: --show-secrets shows it>',
      Cookie: '<redacted: --show-secrets shows it>',
      'X-Other': 'kept',
    });
    expect(e.response.headers).toEqual({
      'set-cookie': ['<redacted: --show-secrets shows it>', '<redacted: --show-secrets shows it>'],
      vary: 'Origin',
    });
  });

  it('refuses a --timeout above 600000 ms with a usage error, before sending anything', async () => {
    let requests = 0;
    const api = await keep(
      serveHttp((_req, res) => {
        requests++;
        res.end();
      }),
    );
    const out = capture();
    expect(await run(['check', `${api.base}/x`, '--origin', ORIGIN, '--timeout', '357913942'], out)).toBe(2);
    expect(out.stderr.join('\n')).toContain(
      '--timeout 357913942 is above the limit of 600000 ms (10 minutes); give a number of milliseconds from 1 to 600000',
    );
    expect(requests).toBe(0);
    const error = await checkEndpoint({ url: `${api.base}/x`, origin: ORIGIN, timeoutMs: 2 ** 31 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).kind).toBe('usage');
  });

  it('escapes C0 and C1 control characters a server sends, in text and in JSON', async () => {
    // A hostile header value: U+009B is a one-byte CSI ("ESC ["), U+0085 a next-line, in ISO-8859-1 as sent.
    const api = await keep(
      serveRaw((socket: net.Socket) => {
        socket.once('data', () => {
          const head =
            'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://x.test\x9b2J\x85\r\nLocation: /a\x9b31m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
          socket.end(Buffer.from(head, 'latin1'));
        });
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/x`, origin: ORIGIN });
    const text = formatReport(report);
    expect(text).toContain('Access-Control-Allow-Origin is "https://x.test\\x9b2J\\x85"');
    expect(text).not.toMatch(/[\u0080-\u009f\u007f]/);
    const json = formatJson(report);
    expect(json).toContain('https://x.test\\u009b2J\\u0085');
    expect(json).not.toMatch(/[\u0080-\u009f\u007f]/);
    expect(JSON.parse(json).findings[0].message).toContain('https://x.test\u009b2J\u0085');
  });
});

describe('the fix for a method the preflight does not allow', () => {
  it("names the route's methods as well as cors.allowMethods for a module cors-gen generates", async () => {
    const api = await keep(
      serveHttp((req, res) => {
        res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
          'Access-Control-Allow-Origin': ORIGIN,
          'Access-Control-Allow-Methods': 'GET,OPTIONS',
          Vary: 'Origin',
        });
        res.end();
      }),
    );
    const report = await checkEndpoint({ url: `${api.base}/prod/orders`, origin: ORIGIN, method: 'PUT' });
    const finding = report.findings.find((f) => f.code === 'method-not-allowed');
    expect(finding?.fix).toBe(
      'List PUT in Access-Control-Allow-Methods, spelled exactly as the frontend sends it (methods compare case-sensitively; "*" works only without credentials). In cors-gen: add PUT to the route\'s methods, and to cors.allowMethods if the spec sets it.',
    );
  });
});
