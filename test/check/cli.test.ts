import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { SCAN_CODES, CHECK_CODES } from '../../src/check/index.js';
import { dispatcher } from '../support/server-configs.js';
import { serveHttp, type Served } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';

function capture(options: { color?: boolean; isTTY?: boolean } = {}): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    color: options.color ?? false,
    isTTY: options.isTTY ?? false,
  };
}

let api: Served;
beforeAll(async () => {
  api = await serveHttp(dispatcher(() => ({ page: ORIGIN, other: 'http://127.0.0.1:9' })));
});
afterAll(async () => {
  await api?.close();
});

const url = (name: string) => `${api.base}/${name}/users`;

describe('cors-gen check', () => {
  it('exits 0 and prints one JSON document { ok, originAllowed, url, origin, findings, probes } when the origin can use the endpoint', async () => {
    const out = capture();
    const code = await run(
      [
        'check',
        url('exact-origin-put'),
        '--origin',
        ORIGIN,
        '--method',
        'PUT',
        '--header',
        'Content-Type: application/json',
        '--credentials',
        '--json',
      ],
      out,
    );
    expect(code).toBe(0);
    expect(out.stdout).toHaveLength(1);
    const doc = JSON.parse(out.stdout[0]!);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'ok', 'originAllowed', 'url', 'origin', 'findings', 'probes']);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      originAllowed: true,
      url: url('exact-origin-put'),
      origin: ORIGIN,
      findings: [],
    });
    // Every probe is listed on success too: request line, status, the CORS headers and the verdict.
    expect(doc.probes).toEqual([
      {
        probe: 'preflight',
        request: 'OPTIONS /exact-origin-put/users',
        origin: ORIGIN,
        status: 204,
        headers: {
          'access-control-allow-origin': ORIGIN,
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
          'access-control-allow-methods': 'GET,PUT',
          'access-control-allow-headers': 'Content-Type, Authorization, X-Api-Key, X-Custom',
        },
        verdict: 'passed',
      },
      {
        probe: 'request',
        request: 'PUT /exact-origin-put/users',
        origin: ORIGIN,
        status: 200,
        headers: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', vary: 'Origin' },
        verdict: 'passed',
      },
      {
        probe: 'error-probe',
        request: 'GET /exact-origin-put/users/cors-gen-check-not-found',
        origin: ORIGIN,
        status: 404,
        headers: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', vary: 'Origin' },
        verdict: 'passed',
      },
      {
        probe: 'scan:reflected-origin',
        request: 'GET /exact-origin-put/users',
        origin: 'https://evil.test',
        status: 200,
        headers: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-credentials': 'true', vary: 'Origin' },
        verdict: 'blocked',
      },
    ]);
  });

  it('exits 1 when the origin cannot use the endpoint, naming the finding and its fix', async () => {
    const out = capture();
    const code = await run(
      ['check', url('aws-options-missing'), '--origin', ORIGIN, '--method', 'PUT', '-H', 'Content-Type'],
      out,
    );
    expect(code).toBe(1);
    const text = out.stdout.join('\n');
    expect(text).toContain('options-missing');
    expect(text).toContain('fix: REST API');
    expect(text).toMatch(/blocked: https:\/\/app\.example\.com cannot use PUT/);
    expect(text).toContain('> Access-Control-Request-Method: PUT');
  });

  it('exits 1 with --json too, the findings carrying code, severity, message, fix and evidence', async () => {
    const out = capture();
    const code = await run(['check', url('wildcard'), '--origin', ORIGIN, '--credentials', '--json'], out);
    expect(code).toBe(1);
    const doc = JSON.parse(out.stdout.join(''));
    expect(doc.ok).toBe(false);
    const f = doc.findings[0];
    expect(Object.keys(f)).toEqual(['code', 'severity', 'message', 'fix', 'evidence', 'consequences']);
    expect(f.code).toBe('wildcard-origin-with-credentials');
    expect(f.severity).toBe('error');
    expect(f.evidence[0].response.headers['access-control-allow-origin']).toBe('*');
  });

  it('exits 2 with a clear message on a network error; with --json stdout holds only { ok: false, error }', async () => {
    const gone = await serveHttp(() => {});
    await gone.close();
    const out = capture();
    const code = await run(['check', `${gone.base}/x`, '--origin', ORIGIN, '--json'], out);
    expect(code).toBe(2);
    expect(out.stdout).toHaveLength(1);
    expect(JSON.parse(out.stdout[0]!)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: { code: 'network-refused', message: expect.stringMatching(/^connection refused by 127\.0\.0\.1:\d+/) },
    });
    expect(out.stderr.join('\n')).toMatch(/^cors-gen: connection refused by 127\.0\.0\.1:\d+/);
  });

  it('exits 2 on a timeout, naming --timeout', async () => {
    const silent = await serveHttp(() => {});
    const out = capture();
    try {
      expect(await run(['check', `${silent.base}/x`, '--origin', ORIGIN, '--timeout', '200'], out)).toBe(2);
      expect(out.stderr.join('\n')).toMatch(/within 200 ms \(--timeout\)/);
    } finally {
      await silent.close();
    }
  });

  it.each([
    [['check', 'http://127.0.0.1:9/x'], /required option/],
    [['check', 'http://127.0.0.1:9/x', '--origin', ORIGIN, '--timeout', 'soon'], /--timeout "soon"/],
    [['check', 'http://127.0.0.1:9/x', '--origin', 'https://app.example.com/'], /trailing slash/],
    [['check', 'http://127.0.0.1:9/x', '--origin', ORIGIN, '--header', 'Origin: https://x.test'], /forbidden/],
  ])('exits 2 on usage errors: %j', async (argv, message) => {
    const out = capture();
    expect(await run(argv, out)).toBe(2);
    expect(out.stderr.join('\n')).toMatch(message);
  });

  it('produces the same --scan --json document on every run, for CI', async () => {
    const docs: string[] = [];
    for (let i = 0; i < 2; i++) {
      // Across a second boundary, so that a Date header in the evidence would show.
      if (i > 0) await new Promise((r) => setTimeout(r, 1100));
      const out = capture();
      // substring-match is a dangerous class: exit 1, and the document must still be the same every time.
      expect(await run(['check', url('substring-match'), '--origin', ORIGIN, '--scan', '--json'], out)).toBe(1);
      docs.push(out.stdout.join(''));
    }
    expect(docs[0]).toBe(docs[1]);
    const doc = JSON.parse(docs[0]!);
    const codes: string[] = doc.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('substring-match');
    for (const code of codes) expect([...CHECK_CODES, ...SCAN_CODES] as string[]).toContain(code);
  });

  it('exits 1 on a server that lets any origin read with credentials, even without --scan: ok is false, originAllowed true', async () => {
    for (const extra of [[], ['--scan']]) {
      const out = capture();
      expect(await run(['check', url('reflected-origin'), '--origin', ORIGIN, '--json', ...extra], out)).toBe(1);
      const doc = JSON.parse(out.stdout.join(''));
      expect([doc.ok, doc.originAllowed]).toEqual([false, true]);
      expect(doc.findings).toContainEqual(expect.objectContaining({ code: 'reflected-origin', severity: 'error' }));
    }
    const text = capture();
    expect(await run(['check', url('reflected-origin'), '--origin', ORIGIN], text)).toBe(1);
    expect(text.stdout.join('\n')).toContain(
      '  scan:reflected-origin  GET /reflected-origin/users -> 200  readable from https://evil.test',
    );
    expect(text.stdout.join('\n')).toContain(
      `exposed: ${ORIGIN} can use GET ${url('reflected-origin')}, but so can origins that should not (1 error above)`,
    );
  });

  it('with --scan, exits 1 on a dangerous class the single reflection probe does not see', async () => {
    const plain = capture();
    expect(await run(['check', url('substring-match'), '--origin', ORIGIN, '--json'], plain)).toBe(0);
    const scanned = capture();
    expect(await run(['check', url('substring-match'), '--origin', ORIGIN, '--scan', '--json'], scanned)).toBe(1);
    const doc = JSON.parse(scanned.stdout.join(''));
    expect([doc.ok, doc.originAllowed]).toEqual([false, true]);
    expect(doc.probes.length).toBeGreaterThan(40);
  });

  it('colours only when the output allows it (NO_COLOR, not a terminal)', async () => {
    const plain = capture({ color: false });
    await run(['check', url('no-cors-headers'), '--origin', ORIGIN], plain);
    expect(plain.stdout.join('')).not.toMatch(/\u001b\[/);
    const coloured = capture({ color: true });
    await run(['check', url('no-cors-headers'), '--origin', ORIGIN], coloured);
    expect(coloured.stdout.join('')).toMatch(/\u001b\[31m/);
  });

  it('draws a progress line on a terminal and erases it, but never with --json', async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      await run(['check', url('exact-origin'), '--origin', ORIGIN, '--scan'], capture({ isTTY: true }));
      expect(writes.some((w) => /checking \d+\/\d+ probes/.test(w))).toBe(true);
      expect(writes[writes.length - 1]).toBe('\r\u001b[2K');
      writes.length = 0;
      await run(['check', url('exact-origin'), '--origin', ORIGIN, '--scan', '--json'], capture({ isTTY: true }));
      await run(['check', url('exact-origin'), '--origin', ORIGIN], capture({ isTTY: false }));
      expect(writes).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
