import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, SCAN_CODES } from '../../src/check/index.js';
import type { Exchange } from '../../src/check/exchange.js';
import { evaluateScan, planScan, registrableDomain, type ScanResult } from '../../src/check/scan.js';
import { SERVER_CONFIGS, dispatcher } from '../support/server-configs.js';
import { serveHttp, type Served } from '../support/serve.js';
import { compileOrigins } from '../../src/cors/origin.js';
import { SHARED_HOSTING_EXAMPLES } from '../../src/cors/shared-hosting.js';
import { validateSpec } from '../../src/spec/validate.js';
import { generate } from '../../src/synth/generate.js';

const ORIGIN = 'https://app.example.com';

describe('planScan: crafted origins', () => {
  const probes = planScan(ORIGIN, new URL('https://api.example.com/prod/users'));
  const origins = (code: string) => probes.filter((p) => p.code === code && !p.fromTarget).map((p) => p.origin);

  it('crafts the classic forms from the frontend origin', () => {
    expect(origins('reflected-origin')).toEqual(['https://evil.test']);
    expect(origins('null-origin')).toEqual(['null']);
    expect(origins('prefix-match')).toEqual(['https://app.example.com.evil.test']);
    expect(origins('suffix-match')).toEqual([
      'https://evilapp.example.com',
      'https://evilexample.com',
      'https://evil.example.com',
    ]);
    expect(origins('unescaped-dot')).toEqual(['https://appxexample.com', 'https://app.examplexcom']);
    expect(origins('substring-match')).toEqual([
      'https://evilapp.example.com.evil.test',
      'https://pp.example.com',
      'https://xample.com',
      'https://app.example.co',
    ]);
    expect(origins('any-subdomain')).toEqual(['https://evil.app.example.com']);
    expect(origins('http-trusted')).toEqual(['http://app.example.com']);
    expect(origins('special-chars')).toContain('https://app.example.com_.evil.test');
    expect(origins('special-chars')).toContain('https://app.example.com%60.evil.test');
    expect(origins('third-party')).toContain('https://codepen.io');
  });

  it('adds forms crafted from the target host', () => {
    const fromTarget = probes.filter((p) => p.fromTarget).map((p) => p.origin);
    expect(fromTarget).toContain('https://api.example.com.evil.test');
    expect(fromTarget).toContain('https://evilapi.example.com');
    expect(fromTarget).toContain('https://evil.api.example.com');
  });

  it('sends each origin once and never the frontend origin itself', () => {
    const all = probes.map((p) => p.origin);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(ORIGIN);
  });

  it('skips host forms that make no valid origin for IP addresses, and target forms for an IP target', () => {
    const ip = planScan('http://127.0.0.1:5173', new URL('http://127.0.0.1:8080/x'));
    expect(ip.some((p) => p.code === 'unescaped-dot' || p.code === 'any-subdomain' || p.fromTarget)).toBe(false);
    expect(ip.map((p) => p.origin)).toContain('http://127.0.0.1:517'); // a substring of the allowed origin
    expect(ip.map((p) => p.origin)).toContain('http://127.0.0.1_.evil.test:5173');
    expect(ip.some((p) => p.code === 'http-trusted')).toBe(false); // already http
  });

  it('guesses registrable domains, including two-level country suffixes', () => {
    expect(registrableDomain('app.example.com')).toBe('example.com');
    expect(registrableDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('example.com')).toBe('example.com');
  });
});

describe('evaluateScan', () => {
  /** Runs the planned probes against an allowlist function, without a network. */
  function scan(allowed: (origin: string) => boolean, credentials = true): string[] {
    const results: ScanResult[] = planScan(ORIGIN, new URL('http://127.0.0.1/x')).map((probe) => {
      const headers: Record<string, string[]> = allowed(probe.origin)
        ? {
            'access-control-allow-origin': [probe.origin],
            ...(credentials ? { 'access-control-allow-credentials': ['true'] } : {}),
          }
        : {};
      const exchange: Exchange = {
        probe: `scan:${probe.code}`,
        request: { method: 'GET', url: new URL('http://127.0.0.1/x'), headers: [['Origin', probe.origin]] },
        response: { status: 200, headers, bodyStart: '' },
      };
      return { probe, exchange };
    });
    return evaluateScan(results, [], 'unknown', ORIGIN).map((f) => `${f.code}:${f.severity}`);
  }

  it('does not mistake a deliberate one-label parent wildcard for a suffix check', () => {
    expect(scan((o) => /^https:\/\/[a-z0-9-]+\.example\.com$/.test(o))).toEqual([]);
  });

  it('still reports the suffix form no parent wildcard explains', () => {
    expect(scan((o) => /^https:\/\/[a-z0-9-]+\.example\.com$/.test(o) || o === 'https://evilexample.com')).toEqual([
      'suffix-match:error',
    ]);
  });

  it('grades a class without credentials as a warning', () => {
    expect(scan((o) => o === 'null', false)).toEqual(['null-origin:warning']);
  });
});

describe('--scan against live servers with one misconfiguration each', () => {
  let api: Served;
  beforeAll(async () => {
    api = await serveHttp(dispatcher(() => ({ page: ORIGIN, other: 'http://127.0.0.1:9' })));
  });
  afterAll(async () => {
    await api?.close();
  });

  async function scanCodes(name: string): Promise<string[]> {
    const report = await checkEndpoint({
      url: `${api.base}/${name}/items`,
      origin: ORIGIN,
      scan: true,
      timeoutMs: 5000,
    });
    return report.findings.filter((f) => (SCAN_CODES as readonly string[]).includes(f.code)).map((f) => f.code);
  }

  const classes: [server: string, codes: string[]][] = [
    ['reflected-origin', ['reflected-origin', 'null-origin']],
    ['null-origin', ['null-origin']],
    ['prefix-match', ['prefix-match']],
    ['suffix-match', ['suffix-match']],
    ['unescaped-dot', ['unescaped-dot']],
    ['substring-match', ['substring-match']],
    ['any-subdomain', ['any-subdomain']],
    ['http-trusted', ['http-trusted']],
    ['special-chars', ['special-chars']],
    ['third-party', ['third-party']],
    ['wildcard-credentials', ['wildcard-credentials']],
  ];

  it('has a server for every scan class', () => {
    expect(new Set(classes.flatMap(([, codes]) => codes))).toEqual(new Set(SCAN_CODES));
    for (const [server] of classes) expect(SERVER_CONFIGS.map((c) => c.name)).toContain(server);
  });

  for (const [server, codes] of classes) {
    it(`finds exactly ${codes.join(' and ')} on the ${server} server`, async () => {
      expect(await scanCodes(server)).toEqual(codes);
    });
  }

  it.each(['exact-origin', 'exact-allowlist'])('reports no scan class on the correct %s server', async (server) => {
    const report = await checkEndpoint({
      url: `${api.base}/${server}/items`,
      origin: ORIGIN,
      scan: true,
      timeoutMs: 5000,
    });
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.scanned).toBeGreaterThan(40);
  });

  it('grades credentialed exposure as an error and names every accepted origin as evidence', async () => {
    const report = await checkEndpoint({
      url: `${api.base}/special-chars/items`,
      origin: ORIGIN,
      scan: true,
      timeoutMs: 5000,
    });
    const f = report.findings.find((x) => x.code === 'special-chars')!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain('https://app.example.com_.evil.test');
    expect(f.evidence.map((e) => e.request.headers.Origin)).toContain('https://app.example.com_.evil.test');
  });

  it('warns about a missing Vary: Origin when the answer depends on the Origin', async () => {
    const report = await checkEndpoint({
      url: `${api.base}/aws-origin-mismatch-localhost/items`,
      origin: 'http://localhost:3000',
      scan: true,
      timeoutMs: 5000,
    });
    // That server answers the same static origin to everyone: no Vary needed.
    expect(report.findings.map((f) => f.code)).not.toContain('vary-origin-missing');
    const dynamic = await checkEndpoint({
      url: `${api.base}/redirect-cross-origin-reflect/final`,
      origin: ORIGIN,
      scan: true,
      timeoutMs: 5000,
    });
    expect(dynamic.findings.map((f) => f.code)).toContain('vary-origin-missing');
  });
});

describe('shared hosting: validate and --scan agree', () => {
  const wildcards = SHARED_HOSTING_EXAMPLES.map(({ scheme, suffix }) => `${scheme}://*.${suffix}`);
  let api: Served;
  beforeAll(async () => {
    // /<i>/...: an allowlist of the frontend's origin and the i-th shared-hosting wildcard, with credentials.
    api = await serveHttp((req, res) => {
      const matcher = compileOrigins([ORIGIN, wildcards[Number(req.url?.split('/')[1])]!]);
      const origin = req.headers.origin;
      res.writeHead(
        200,
        matcher.allows(origin)
          ? { 'Access-Control-Allow-Origin': origin!, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
          : { Vary: 'Origin' },
      );
      res.end();
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each(wildcards.map((w, i) => [w, i]))(
    '%s: validate and generate refuse it with credentials, and --scan reports third-party as an error',
    async (wildcard, i) => {
      const spec = {
        version: 1,
        name: 'demo',
        api: 'rest',
        cors: { allowOrigins: [ORIGIN, wildcard], allowCredentials: true },
        routes: [{ path: '/users', methods: ['GET'] }],
      };
      const validated = validateSpec(spec);
      expect(validated.ok ? [] : validated.errors.map((e) => e.code)).toEqual(['shared-hosting-wildcard']);

      // generate validates the same way, and writes nothing.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-shared-'));
      try {
        writeFileSync(path.join(dir, 'cors-gen.json'), JSON.stringify(spec));
        const generated = await generate({
          spec: path.join(dir, 'cors-gen.json'),
          out: path.join(dir, 'generated'),
          cwd: dir,
        });
        expect(
          generated.ok ? [] : 'errors' in generated ? generated.errors.map((e) => e.code) : [generated.reason],
        ).toEqual(['shared-hosting-wildcard']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const report = await checkEndpoint({
        url: `${api.base}/${i}/users`,
        origin: ORIGIN,
        scan: true,
        timeoutMs: 5000,
      });
      const found = report.findings.filter((f) => f.code === 'third-party');
      expect(found.map((f) => f.severity)).toEqual(['error']);
      expect(found[0]!.message).toContain(`"${wildcard.replace('*', 'cors-gen-check')}"`);
      expect(report.ok).toBe(false);
    },
  );
});
