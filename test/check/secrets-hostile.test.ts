/**
 * Red-team regressions for `check`: credentials a frontend really sends to API Gateway stay out of the evidence,
 * and nothing a loopback server sends reaches the terminal as a control sequence.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { serveHttp, keepServers } from '../support/serve.js';

const ORIGIN = 'https://app.example.com';

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), color: false, isTTY: false };
}

const keep = keepServers();

describe('secrets in evidence', () => {
  it('redacts the API Gateway API key and an STS session token unless --show-secrets', async () => {
    // A preflight that passes, then an answer without CORS headers: the actual request, with every header the
    // frontend sends, becomes evidence.
    const api = await keep(
      serveHttp((req, res) => {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'Access-Control-Allow-Origin': ORIGIN,
            'Access-Control-Allow-Headers': 'x-api-key, x-amz-security-token',
          });
        } else res.writeHead(200);
        res.end();
      }),
    );
    const argv = [
      'check',
      `${api.base}/prod/orders`,
      '--origin',
      ORIGIN,
      '-H',
      'X-Api-Key: k3y-s3cr3t',
      '-H',
      'X-Amz-Security-Token: st5-s3cr3t',
    ];
    const text = capture();
    expect(await run(argv, text)).toBe(1);
    expect(text.stdout.join('\n')).toContain('    > X-Api-Key: <redacted: --show-secrets shows it>');
    expect(text.stdout.join('\n')).toContain('    > X-Amz-Security-Token: <redacted: --show-secrets shows it>');
    const json = capture();
    expect(await run([...argv, '--json'], json)).toBe(1);
    for (const out of [text, json]) expect(out.stdout.join('')).not.toMatch(/s3cr3t/);
    const shown = capture();
    await run([...argv, '--show-secrets'], shown);
    expect(shown.stdout.join('\n')).toContain('    > X-Api-Key: k3y-s3cr3t');
  });
});
