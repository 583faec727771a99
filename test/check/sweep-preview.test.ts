/**
 * `check --spec --url` against `preview` of every example: every row from an allowed origin matches the spec,
 * the foreign origin is blocked everywhere (which passes), and the table and `--json` say so. Then against
 * modules broken on purpose (a path without its OPTIONS method, API Gateway's error answers without CORS
 * headers): the sweep fails and names the route, the method and the origin.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import type { SweepReport } from '../../src/check/index.js';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { REPO, generateModules, type GeneratedModules } from '../support/preview.js';
import { editOpenApi } from '../support/rest-body.js';

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), color: false, isTTY: false };
}

const EXAMPLES = ['orders-api', 'catalog-http', 'webhook-url', 'notes-node', 'notes-python'];
const specOf = (name: string) => path.join(REPO, 'examples', name, 'cors-gen.yaml');

const previews: Preview[] = [];
afterEach(async () => {
  await Promise.all(previews.splice(0).map((p) => p.close()));
});

async function serve(module: string): Promise<Preview> {
  const p = await startPreview({ module });
  previews.push(p);
  return p;
}

/** The sweep's arguments for a preview: its stage, and the website stand-in's origin (allowed only after apply). */
function sweepArgs(name: string, p: Preview, extra: string[] = []): string[] {
  return [
    'check',
    '--spec',
    specOf(name),
    '--url',
    p.api,
    ...(p.stage ? ['--stage', p.stage] : []),
    ...(p.website ? ['--origin', new URL(p.site).origin] : []),
    ...extra,
  ];
}

async function sweepJson(args: string[]): Promise<{ code: number; report: SweepReport }> {
  const out = capture();
  const code = await run([...args, '--json'], out);
  expect(out.stdout).toHaveLength(1);
  return { code, report: JSON.parse(out.stdout[0]!) as SweepReport };
}

describe('check --spec --url against the preview of the examples', () => {
  it.each(EXAMPLES)('%s: allowed origins read every answer, the foreign origin reads none; exit 0', async (name) => {
    const p = await serve(path.join(REPO, 'generated', name));
    const { code, report } = await sweepJson(sweepArgs(name, p));
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.summary.failed).toBe(0);
    const allowed = report.rows.filter((r) => r.role !== 'foreign');
    const foreign = report.rows.filter((r) => r.role === 'foreign');
    expect(allowed.length).toBeGreaterThan(0);
    expect(foreign.length).toBeGreaterThan(0);
    for (const r of allowed) {
      expect(r.expect).toBe('readable');
      expect(['pass', 'limit']).toContain(r.verdict);
      expect(r.preflight === 'readable' || r.preflight === 'not-needed').toBe(true);
    }
    for (const r of foreign) {
      expect(r).toMatchObject({ origin: 'https://evil.test', expect: 'blocked', verdict: 'pass' });
      // Red from the foreign origin: nothing it sent was readable.
      expect([r.preflight, r.request, r.error]).not.toContain('readable');
    }
    // Every probe was sent with the row's origin, and each is listed with its status and CORS headers.
    for (const r of report.rows)
      for (const probe of r.probes) {
        expect(probe.origin).toBe(r.origin);
        expect(probe.status).toBeGreaterThanOrEqual(200);
      }
  });

  it('orders-api: prints the table route x method x origin, the unsafe methods as not sent, and the summary', async () => {
    const p = await serve(path.join(REPO, 'generated', 'orders-api'));
    const out = capture();
    expect(await run(sweepArgs('orders-api', p), out)).toBe(0);
    const text = out.stdout.join('\n');
    expect(text).toMatch(/^ROUTE +METHOD +ORIGIN +AUTH +EXPECT +PREFLIGHT +REQUEST +ERROR +VERDICT$/m);
    expect(text).toMatch(
      /^\/orders +GET +https:\/\/app\.example\.com +users +readable +readable +readable +readable +pass$/m,
    );
    expect(text).toMatch(
      /^\/orders +POST +https:\/\/app\.example\.com +users +readable +readable +not sent \(unsafe\) +readable +pass$/m,
    );
    expect(text).toMatch(
      /^\/health +GET +https:\/\/evil\.test \(foreign\) +none +blocked +blocked +blocked +blocked +pass$/m,
    );
    // The second origin reads API Gateway's own errors not at all: the limit validate warns about, not a failure.
    expect(text).toMatch(
      /^\/health +GET +https:\/\/admin\.example\.com +none +readable +readable +readable +first origin only +limit$/m,
    );
    expect(text).toContain('only their preflight was sent; --send-unsafe sends them');
    expect(text).toMatch(
      /^ok: 32 rows match the spec \(16 pass, 16 at the module's documented limit; \d+ requests\)$/m,
    );
  });

  it('the --json document is the same on every run', async () => {
    const p = await serve(path.join(REPO, 'generated', 'catalog-http'));
    const a = capture();
    const b = capture();
    await run([...sweepArgs('catalog-http', p), '--json'], a);
    await run([...sweepArgs('catalog-http', p), '--json'], b);
    // The preview's ports are the same for both runs; nothing else may vary.
    expect(a.stdout).toEqual(b.stdout);
  });
});

describe('check --spec --url against a broken module', () => {
  let modules: GeneratedModules;
  beforeAll(async () => {
    modules = await generateModules([{ name: 'orders-api', spec: specOf('orders-api') }], 'json');
  });
  afterAll(() => modules.cleanup());

  it('a path without OPTIONS: names every method of that route from every allowed origin; exit 1', async () => {
    const dir = modules.copy('orders-api');
    editOpenApi(dir, (o) => delete o.paths['/orders/{orderId}'].options);
    const p = await serve(dir);
    const out = capture();
    expect(await run(sweepArgs('orders-api', p), out)).toBe(1);
    const text = out.stdout.join('\n');
    for (const method of ['GET', 'PUT', 'DELETE'])
      for (const origin of ['https://app.example.com', 'https://admin.example.com'])
        expect(text).toContain(`fail ${method} /orders/{orderId} from ${origin}: the preflight (403): `);
    expect(text).not.toMatch(/^fail \S+ \/orders from/m);
    expect(text).toMatch(/^failed: 9 of 32 rows differ from the spec/m);
    const { report } = await sweepJson(sweepArgs('orders-api', p));
    const failed = report.rows.filter((r) => r.verdict === 'fail');
    expect(new Set(failed.map((r) => r.route))).toEqual(new Set(['/orders/{orderId}']));
    expect(failed.every((r) => r.preflight === 'blocked' && r.probes[0]!.status === 403)).toBe(true);
  });

  it('a Lambda that answers errors without CORS headers: names the route, method and origin of its request', async () => {
    const dir = modules.copy('orders-api');
    // A handler that fails without the CORS wrapper, as a hand-written Lambda that forgets headers on errors.
    writeFileSync(
      path.join(dir, 'lambda/index.mjs'),
      "export const handler = async () => ({ statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: '{}' });\n",
    );
    const p = await serve(dir);
    const out = capture();
    expect(await run(sweepArgs('orders-api', p), out)).toBe(1);
    const text = out.stdout.join('\n');
    // Only /health reaches the Lambda without credentials: the guarded routes stop at their authorizers.
    for (const origin of ['https://app.example.com', 'https://admin.example.com'])
      expect(text).toContain(
        `fail GET /health from ${origin}: the response (500): no Access-Control-Allow-Origin header`,
      );
    expect(text).toMatch(/^failed: 3 of 32 rows differ from the spec/m);
  });

  it("API Gateway's error answers without CORS headers: names the error request of each route and origin", async () => {
    const dir = modules.copy('orders-api');
    // Every 4xx gateway response gone: API Gateway then answers its 401s and 403s without any CORS header.
    editOpenApi(dir, (o) => {
      const responses = o['x-amazon-apigateway-gateway-responses'];
      for (const type of Object.keys(responses)) if (type !== 'DEFAULT_5XX') delete responses[type];
    });
    const p = await serve(dir);
    const { code, report } = await sweepJson(sweepArgs('orders-api', p));
    expect(code).toBe(1);
    const row = report.rows.find(
      (r) => r.route === '/health' && r.method === 'GET' && r.origin === 'https://app.example.com',
    )!;
    expect(row).toMatchObject({ verdict: 'fail', preflight: 'readable', request: 'readable', error: 'blocked' });
    expect(row.reason).toMatch(
      /^the error answer \(403\) to GET \/prod\/health\/cors-gen-check-not-found: no Access-Control-Allow-Origin header$/,
    );
    // The authorizer's 401 is an error answer of API Gateway too: the guarded route's request fails.
    const guarded = report.rows.find(
      (r) => r.route === '/orders' && r.method === 'GET' && r.origin === 'https://app.example.com',
    )!;
    expect(guarded).toMatchObject({ verdict: 'fail', request: 'blocked' });
    expect(guarded.reason).toMatch(/^the response \(401\): no Access-Control-Allow-Origin header/);
    // The foreign origin is still blocked: that passes.
    expect(report.rows.filter((r) => r.role === 'foreign').every((r) => r.verdict === 'pass')).toBe(true);
  });
});
