import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, CheckError, errorProbeUrls, CHECK_CODES, type CheckReport } from '../../src/check/index.js';
import { SERVER_CONFIGS, dispatcher, type ServerConfig } from '../support/server-configs.js';
import { serveHttp, type Served } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';
let api: Served;
let other: Served;

beforeAll(async () => {
  const env = () => ({ page: ORIGIN, other: other.base });
  api = await serveHttp(dispatcher(env));
  other = await serveHttp(dispatcher(env));
});
afterAll(async () => {
  await api?.close();
  await other?.close();
});

function check(config: ServerConfig, credentials: boolean, extra: { scan?: boolean } = {}): Promise<CheckReport> {
  return checkEndpoint({
    url: `${api.base}/${config.name}/resource`,
    origin: ORIGIN,
    method: config.method,
    headers: config.headers.map(([n, v]) => `${n}: ${v}`),
    credentials,
    timeoutMs: 5000,
    ...extra,
  });
}

describe('checkEndpoint over the table of server configurations', () => {
  for (const config of SERVER_CONFIGS) {
    for (const credentials of [false, true]) {
      const mode = credentials ? 'cred' : 'anon';
      it(`${config.name} (${credentials ? 'with' : 'without'} credentials): ${config.expect[mode] ? 'usable' : 'blocked'}`, async () => {
        const report = await check(config, credentials);
        expect(report.originAllowed).toBe(config.expect[mode]);
        // Only the reflection probe's finding may fail the check of a usable origin.
        const errors = report.findings.filter((f) => f.severity === 'error' && f.code !== 'reflected-origin');
        // A blocked request always comes with at least one error that says why; a usable one with none.
        expect(errors.length > 0).toBe(!config.expect[mode]);
        const codes = report.findings.map((f) => f.code);
        for (const code of config.codes?.[mode] ?? []) expect(codes).toContain(code);
        for (const f of report.findings) {
          expect(f.fix.length).toBeGreaterThan(20);
          expect(f.evidence.length).toBeGreaterThan(0);
        }
      });
    }
  }
});

describe('findings', () => {
  const byName = (name: string) => SERVER_CONFIGS.find((c) => c.name === name)!;

  it('names the AWS cause of a 403 Missing Authentication Token preflight, with evidence of the exchange', async () => {
    const report = await check(byName('aws-options-missing'), false);
    // That server answers every GET with 200, so no error path was found: information, not a pass.
    expect(report.findings.map((f) => f.code)).toEqual(['options-missing', 'error-path-not-found']);
    const [f] = report.findings;
    expect(f!.fix).toContain('REST API');
    expect(f!.fix).toMatch(/redeploy/i);
    expect(f!.evidence[0]!.request.method).toBe('OPTIONS');
    expect(f!.evidence[0]!.request.headers['Access-Control-Request-Method']).toBe('PUT');
    expect(f!.evidence[0]!.request.headers['Access-Control-Request-Headers']).toBe('content-type');
    expect(f!.evidence[0]!.response.status).toBe(403);
    expect(f!.evidence[0]!.response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    // Volatile headers (date, request ids) stay out of the evidence, so two runs give the same JSON.
    expect(f!.evidence[0]!.response.headers).not.toHaveProperty('date');
    expect(f!.evidence[0]!.response.headers).not.toHaveProperty('x-amz-apigw-id');
  });

  it('keeps both values of a repeated Access-Control-Allow-Origin in the evidence', async () => {
    const report = await check(byName('aws-duplicate-acao'), false);
    const f = report.findings.find((x) => x.code === 'multiple-allow-origin')!;
    expect(f.evidence[0]!.response.headers['access-control-allow-origin']).toEqual([ORIGIN, ORIGIN]);
    expect(f.fix).toMatch(/exactly one place/);
  });

  it('tells a dev-origin deployment apart from a plain mismatch', async () => {
    const report = await check(byName('aws-origin-mismatch-localhost'), false);
    const f = report.findings.find((x) => x.code === 'allow-origin-mismatch')!;
    expect(f.message).toContain('http://localhost:3000');
    expect(f.fix).toMatch(/development origin/);
    const slash = await check(byName('trailing-slash'), false);
    expect(slash.findings.find((x) => x.code === 'allow-origin-mismatch')!.fix).toMatch(/trailing slash/);
  });

  it('reports an HTTP API authorizer that catches the preflight', async () => {
    const report = await check(byName('aws-http-api-authorizer-options'), false);
    const f = report.findings.find((x) => x.code === 'preflight-unauthorized')!;
    expect(f.fix).toMatch(/HTTP API/);
    expect(f.fix).toMatch(/cors_configuration/);
  });

  it('reports error responses without CORS headers, from the error probe too', async () => {
    const blocked = await check(byName('aws-lambda-500-without-cors'), false);
    expect(blocked.findings.find((f) => f.code === 'error-response-without-cors')!.severity).toBe('error');
    // exact-origin answers the unknown sub-path with CORS headers; no-cors-headers does not.
    const probeOnly = await check(byName('aws-route-not-deployed'), false);
    const fromProbe = probeOnly.findings.filter((f) => f.code === 'error-response-without-cors');
    expect(fromProbe).toHaveLength(1);
    expect(fromProbe[0]!.severity).toBe('warning');
    expect(fromProbe[0]!.evidence[0]!.request.url).toMatch(/\/cors-gen-check-not-found$/);
  });

  it('warns when "*" covers Authorization, while the verdict follows browsers', async () => {
    const report = await check(byName('acah-wildcard-authorization'), false);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.code, f.severity])).toContainEqual([
      'authorization-not-covered-by-wildcard',
      'warning',
    ]);
  });

  it('follows redirects on the request and turns the origin into null after a cross-origin hop', async () => {
    const report = await check(byName('redirect-cross-origin-reflect'), true);
    expect(report.ok).toBe(true);
    // Its error paths redirect too (no error status), so all three are tried.
    expect(report.probes.map((t) => t.probe)).toEqual([
      'request',
      'redirect:1',
      'error-probe',
      'error-probe:2',
      'error-probe:3',
      'scan:reflected-origin',
    ]);
    const blocked = await check(byName('redirect-cross-origin-exact'), false);
    const f = blocked.findings.find((x) => x.code === 'missing-allow-origin')!;
    expect(f.evidence[0]!.request.headers.Origin).toBe('null');
  });

  it('uses only codes from the catalogue, errors first', async () => {
    for (const config of SERVER_CONFIGS.slice(0, 12)) {
      const report = await check(config, true);
      for (const f of report.findings) expect(CHECK_CODES as readonly string[]).toContain(f.code);
      const ranks = report.findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
      expect(ranks).toEqual([...ranks].sort());
    }
  });

  it('reports a non-2xx answer that CORS lets through as information', async () => {
    const report = await check(byName('aws-gateway-404-with-cors'), false);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.code, f.severity])).toContainEqual(['actual-status', 'info']);
  });
});

describe('inputs', () => {
  const base = () => ({ url: `${api.base}/exact-origin/x`, origin: ORIGIN });

  it.each([
    [{ origin: 'https://app.example.com/' }, /trailing slash/],
    [{ origin: 'https://*.example.com' }, /pattern/],
    [{ origin: 'app.example.com' }, /no scheme/],
    [{ url: 'ftp://example.com/x' }, /http\(s\)/],
    [{ url: 'not a url' }, /not a URL/],
    [{ url: 'https://user:pw@example.com/x' }, /credentials/],
    [{ method: 'TRACE' }, /forbidden/],
    [{ method: 'GE T' }, /not an HTTP method/],
    [{ headers: ['Cookie: a=b'] }, /forbidden request-header/],
    [{ headers: ['Bad Name: x'] }, /not a header name/],
    [{ timeoutMs: 0 }, /positive/],
  ])('rejects %o as a usage error', async (override, message) => {
    const error = await checkEndpoint({ ...base(), ...override }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).kind).toBe('usage');
    expect((error as CheckError).message).toMatch(message);
  });

  it("rejects the endpoint's own origin: that request is same-origin, not CORS", async () => {
    const error = await checkEndpoint({ ...base(), origin: api.base }).catch((e: unknown) => e);
    expect((error as CheckError).message).toMatch(/own origin/);
  });

  it('gives a header named without a value a harmless value', async () => {
    const report = await checkEndpoint({
      ...base(),
      url: `${api.base}/exact-origin-put/x`,
      method: 'put',
      headers: ['Content-Type'],
    });
    expect(report.method).toBe('PUT');
    expect(report.probes[0]!.probe).toBe('preflight');
    expect(report.ok).toBe(true);
  });

  it('puts the error probes under the endpoint path, without the query: one level, two levels, then under the stage', () => {
    expect(errorProbeUrls(new URL('https://x.test/prod/users/?a=1')).map((u) => u.href)).toEqual([
      'https://x.test/prod/users/cors-gen-check-not-found',
      'https://x.test/prod/users/cors-gen-check-not-found/cors-gen-check-not-found',
      'https://x.test/prod/cors-gen-check-not-found',
    ]);
    expect(errorProbeUrls(new URL('https://x.test')).map((u) => u.href)).toEqual([
      'https://x.test/cors-gen-check-not-found',
      'https://x.test/cors-gen-check-not-found/cors-gen-check-not-found',
    ]);
  });
});
