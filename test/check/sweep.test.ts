/**
 * The sweep's bounds and rules against a loopback API that does CORS right for one origin: the request cap is
 * enforced before anything is sent, concurrency is never exceeded, data-changing methods are only preflighted
 * unless asked, tokens are redacted, and usage and network errors exit 2.
 */
import http from 'node:http';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { CheckError, sweepApi } from '../../src/check/index.js';
import { validateSpecText } from '../../src/spec/validate.js';
import type { CorsModel } from '../../src/spec/model.js';
import { serveHttp, type Served } from '../support/serve.js';
import { ROOT } from '../cli/capture.js';

const APP = 'https://app.example.com';
const SPEC = `version: 1
name: sweep-test
api: http
cors:
  allowOrigins: [${APP}]
  allowHeaders: [Content-Type, Authorization]
routes:
  - path: /items
    methods: [GET, POST]
  - path: /items/{itemId}
    methods: [GET, DELETE]
stages:
  dev:
    allowOrigins: [http://localhost:3000]
`;

function model(text = SPEC): CorsModel {
  const result = validateSpecText(text, 'cors-gen.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.model;
}

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), color: false, isTTY: false };
}

/** Every request the API received, and the most it held at once. */
const seen: { method: string; url: string; origin: string; authorization?: string }[] = [];
let inFlight = 0;
let maxInFlight = 0;
let api: Served;
let dir: string;

/** CORS done right for APP and the dev origin: the preflight, every answer (404s too), nothing for others. */
const handler: http.RequestListener = (req, res) => {
  seen.push({
    method: req.method!,
    url: req.url!,
    origin: String(req.headers.origin),
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  setTimeout(() => {
    inFlight--;
    const origin = req.headers.origin;
    if (origin === APP || origin === 'http://localhost:3000') {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    const known = /^\/items(\/[^/]+)?$/.test(req.url!);
    if (req.method === 'OPTIONS' && known) {
      if (res.hasHeader('Access-Control-Allow-Origin')) {
        res.setHeader('Access-Control-Allow-Methods', 'GET,POST,DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'content-type,authorization');
      }
      res.writeHead(204).end();
      return;
    }
    res.writeHead(known ? 200 : 404, { 'Content-Type': 'application/json' }).end('{}');
  }, 15);
};

beforeAll(async () => {
  api = await serveHttp(handler);
  dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-sweep-'));
  writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC);
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function reset(): void {
  seen.length = 0;
  maxInFlight = 0;
}

describe('sweepApi', () => {
  it('passes when allowed origins read everything and the foreign origin nothing; POST and DELETE only preflighted', async () => {
    reset();
    const report = await sweepApi({ model: model(), url: api.base });
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => `${r.method} ${r.route} ${r.origin} ${r.verdict}`)).toEqual([
      `GET /items ${APP} pass`,
      `POST /items ${APP} pass`,
      'GET /items https://evil.test pass',
      'POST /items https://evil.test pass',
      `GET /items/{itemId} ${APP} pass`,
      `DELETE /items/{itemId} ${APP} pass`,
      'GET /items/{itemId} https://evil.test pass',
      'DELETE /items/{itemId} https://evil.test pass',
    ]);
    expect(report.rows.find((r) => r.method === 'DELETE')).toMatchObject({ request: 'unsafe-not-sent' });
    // The data-changing methods never reached the API; the path parameter got the fixed sample.
    expect(seen.filter((s) => s.method === 'POST' || s.method === 'DELETE')).toEqual([]);
    expect(seen.some((s) => s.url === '/items/sample')).toBe(true);
    expect(report.summary.requests).toBe(seen.length);
  });

  it('sends POST and DELETE with --send-unsafe, and fills path parameters from --param', async () => {
    reset();
    const report = await sweepApi({ model: model(), url: api.base, sendUnsafe: true, params: ['itemId=42'] });
    expect(report.ok).toBe(true);
    // Sent from the allowed origin; the foreign origin's DELETE stops at its blocked preflight, as in a browser.
    expect(seen.filter((s) => s.method === 'DELETE').map((s) => `${s.url} ${s.origin}`)).toEqual([`/items/42 ${APP}`]);
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.origin)).toEqual([APP]);
  });

  it('refuses a plan above --max-requests before sending anything, naming the count and the fix', async () => {
    reset();
    const error = await sweepApi({ model: model(), url: api.base, maxRequests: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).message).toMatch(
      /^the sweep needs up to \d+ requests \(2 routes x 2 origins\), above --max-requests 10; raise --max-requests/,
    );
    expect(seen).toEqual([]);
  });

  it('never has more requests in flight than --concurrency', async () => {
    reset();
    await sweepApi({ model: model(), url: api.base, concurrency: 2 });
    expect(maxInFlight).toBe(2);
    reset();
    await sweepApi({ model: model(), url: api.base, concurrency: 1 });
    expect(maxInFlight).toBe(1);
  });

  it('stops at --total-timeout with a network error (exit 2), however slow the API', async () => {
    const silent = await serveHttp(() => {});
    try {
      const error = await sweepApi({ model: model(), url: silent.base, totalTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckError);
      expect(error).toMatchObject({ kind: 'external', code: 'network-timeout' });
      expect((error as CheckError).message).toBe('the sweep did not finish within --total-timeout 300 ms');
    } finally {
      await silent.close();
    }
  });

  it("with --scan, probes the scan's look-alikes of each allowed origin and expects them blocked", async () => {
    const report = await sweepApi({ model: model(), url: api.base, scan: true, maxRequests: 1000 });
    const lookalikes = report.rows.filter((r) => r.role === 'lookalike');
    expect(new Set(lookalikes.map((r) => r.origin))).toContain('https://app.example.com.evil.test');
    expect(lookalikes.every((r) => r.expect === 'blocked' && r.verdict === 'pass' && r.error === 'not-needed')).toBe(
      true,
    );
    expect(report.ok).toBe(true);
  });

  it("uses the stage's origins with --stage, and refuses a stage the spec does not have", async () => {
    const report = await sweepApi({ model: model(), url: api.base, stage: 'dev' });
    expect([...new Set(report.rows.map((r) => r.origin))]).toEqual(['http://localhost:3000', 'https://evil.test']);
    await expect(sweepApi({ model: model(), url: api.base, stage: 'qa' })).rejects.toThrow(
      '--stage "qa" is not a stage of the spec; its stages are dev',
    );
  });

  it('fails a row an origin added with --origin cannot read, naming route, method and origin', async () => {
    const report = await sweepApi({ model: model(), url: api.base, origins: ['https://d111.cloudfront.net'] });
    expect(report.ok).toBe(false);
    const row = report.rows.find((r) => r.origin === 'https://d111.cloudfront.net' && r.method === 'GET')!;
    expect(row).toMatchObject({ route: '/items', role: 'added', expect: 'readable', verdict: 'fail' });
    expect(row.reason).toMatch(/^the preflight \(204\): no Access-Control-Allow-Origin header/);
  });
});

describe('cors-gen check --spec --url', () => {
  const spec = () => path.join(dir, 'cors-gen.yaml');

  it('prints a --json document that matches the shipped schema/output/check.schema.json', async () => {
    const out = capture();
    await run(['check', '--spec', spec(), '--url', api.base, '--json'], out);
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schema/output/check.schema.json'), 'utf8')));
    expect(validate(JSON.parse(out.stdout[0]!)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('redacts a token given with --header unless --show-secrets', async () => {
    reset();
    const hidden = capture();
    expect(
      await run(
        ['check', '--spec', spec(), '--url', api.base, '--header', 'Authorization: Bearer s3cr3t', '--json'],
        hidden,
      ),
    ).toBe(0);
    expect(seen.some((s) => s.authorization === 'Bearer s3cr3t')).toBe(true);
    expect(hidden.stdout.join('')).not.toContain('s3cr3t');
    expect(hidden.stdout.join('')).toContain('Bearer <redacted: --show-secrets shows it>');
    const shown = capture();
    await run(
      [
        'check',
        '--spec',
        spec(),
        '--url',
        api.base,
        '--header',
        'Authorization: Bearer s3cr3t',
        '--json',
        '--show-secrets',
      ],
      shown,
    );
    expect(shown.stdout.join('')).toContain('Bearer s3cr3t');
  });

  it('exits 1 with a failing row, and --report github annotates it', async () => {
    const out = capture();
    expect(
      await run(
        ['check', '--spec', spec(), '--url', api.base, '--origin', 'https://d111.cloudfront.net', '--report', 'github'],
        out,
      ),
    ).toBe(1);
    expect(out.stdout.join('\n')).toMatch(
      /^::error title=sweep-blocked::.*GET \/items from https:\/\/d111\.cloudfront\.net: the preflight \(204\)/m,
    );
  });

  it.each([
    [['--url', 'http://127.0.0.1:9'], /--spec and --url go together/],
    [['--spec', 'cors-gen.yaml', '--url', 'http://127.0.0.1:9', '--method', 'PUT'], /--method is for one URL/],
    [
      ['--spec', 'cors-gen.yaml', '--url', 'http://127.0.0.1:9', '--concurrency', 'many'],
      /--concurrency "many" must be a whole number/,
    ],
  ])('exits 2 on usage errors: %j', async (args, message) => {
    const out = capture();
    expect(await run(['check', ...args], out)).toBe(2);
    expect(out.stderr.join('\n')).toMatch(message);
  });

  it('exits 1 on an invalid spec, naming the error, and sends nothing', async () => {
    reset();
    writeFileSync(path.join(dir, 'bad.yaml'), SPEC.replace(`[${APP}]`, `[${APP}/]`));
    const out = capture();
    expect(await run(['check', '--spec', path.join(dir, 'bad.yaml'), '--url', api.base, '--json'], out)).toBe(1);
    expect(out.stderr.join('\n')).toMatch(/cors\.allowOrigins\[0\].*trailing slash/);
    expect(JSON.parse(out.stdout[0]!)).toMatchObject({ ok: false, error: { code: 'invalid-spec' } });
    expect(seen).toEqual([]);
  });

  it('exits 2 when the API cannot be reached', async () => {
    const gone = await serveHttp(() => {});
    const url = gone.base;
    await gone.close();
    const out = capture();
    expect(await run(['check', '--spec', spec(), '--url', url], out)).toBe(2);
    expect(out.stderr.join('\n')).toMatch(/connection refused/);
  });

  it('documents the sweep in --help', async () => {
    const out = capture();
    await run(['check', '--help'], out);
    const help = out.stdout.join('\n');
    for (const flag of [
      '--spec',
      '--url',
      '--stage',
      '--param',
      '--send-unsafe',
      '--concurrency',
      '--max-requests',
      '--total-timeout',
    ])
      expect(help).toContain(flag);
  });
});
