/**
 * `preview` of a module whose site is behind CloudFront (frontend.cdn): the site server stands in for the
 * distribution over https on `https://localhost:<port>`, the distribution's `domain_name` evaluates to
 * `localhost:<port>`, and the module's own expressions put that origin into every allow list (nothing in the
 * preview adds it). The page is served as the distribution serves the private bucket: the default root object for
 * `/` only, the bucket's 403 for a missing key, the custom error responses for a single-page app's deep links.
 */
import { X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview } from '../../src/preview/index.js';
import { loadModule } from '../../src/preview/module/load.js';
import { planDeployment } from '../../src/preview/module/deployment.js';
import { generate } from '../../src/synth/generate.js';
import { BIN, cli } from '../cli/capture.js';
import { header, send, startCli, until } from '../support/preview.js';
import { certificateFiles, getTls, peerCertificate, type CertificateFixture } from './cdn-support.js';

const scratch: string[] = [];
let cert: CertificateFixture;
beforeAll(async () => {
  cert = await certificateFiles(scratch);
});
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** Records every file a process loads (see test/perf/lazy-loading.test.ts). */

/** The placeholder domain earlier versions gave the distribution (the CloudFront Developer Guide's example). */
const PLACEHOLDER = 'https://d111111abcdef8.cloudfront.net';

async function project(
  options: { api?: 'rest' | 'http' | 'function-url'; spa?: boolean; aliases?: boolean; cdn?: boolean } = {},
): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cdn-'));
  scratch.push(dir);
  const api = options.api ?? 'http';
  const routes =
    api === 'function-url' ? '  - path: /\n    methods: [GET, POST]\n' : '  - path: /items\n    methods: [GET, POST]\n';
  const frontend =
    options.cdn === false
      ? 'frontend:\n  enabled: true\n'
      : `frontend:\n  cdn: true\n  spa: ${options.spa ?? true}\n${options.aliases ? '  aliases: [www.example.com]\n  certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0000\n' : ''}`;
  writeFileSync(
    path.join(dir, 'cors-gen.yaml'),
    `version: 1\nname: shop-cdn\napi: ${api}\ncors:\n  allowOrigins: ["https://app.example.com"]\n  allowCredentials: true\nroutes:\n${routes}${frontend}`,
  );
  const result = await generate({ cwd: dir });
  if (!('dir' in result) || !result.ok) throw new Error(`generate failed: ${JSON.stringify(result)}`);
  return path.join(dir, 'generated', 'shop-cdn');
}

/** A built single-page app: index.html, one asset, and a subfolder with an index.html of its own. */
function siteDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cdn-site-'));
  scratch.push(dir);
  mkdirSync(path.join(dir, 'assets'));
  mkdirSync(path.join(dir, 'docs'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'docs', 'index.html'), '<!doctype html><title>docs</title>');
  return dir;
}

const port = (site: string) => Number(new URL(site).port);

describe("the distribution's domain in the module", () => {
  it.each(['rest', 'http', 'function-url'] as const)(
    "%s: every allow list holds https://localhost:<port>, from the module's own expressions, and not the placeholder",
    async (api) => {
      const doc = await loadModule(await project({ api }));
      const deployment = planDeployment(
        doc,
        { apiOrigin: 'http://127.0.0.1:9', siteHost: 'localhost:8443' },
        new Map(),
      );
      for (const f of deployment.functions.values()) {
        const origins = f.code.environment['ALLOWED_ORIGINS']!.split(' ');
        expect(origins).toEqual(['https://app.example.com', 'https://localhost:8443']);
      }
      if ('cors' in deployment.api && deployment.api.cors)
        expect(deployment.api.cors.allowOrigins).toEqual(['https://app.example.com', 'https://localhost:8443']);
      expect(JSON.stringify(deployment)).not.toContain('cloudfront.net');
    },
  );
});

describe('preview of a CloudFront frontend', () => {
  it.each(['rest', 'http', 'function-url'] as const)(
    '%s: serves the site on https://localhost:<port>, which the API allows and the placeholder not',
    async (api) => {
      const preview = await startPreview({
        module: await project({ api }),
        siteCertificate: { certFile: cert.certFile, keyFile: cert.keyFile },
      });
      try {
        expect(preview.site).toMatch(/^https:\/\/localhost:\d+\/$/);
        expect(preview).toMatchObject({ website: false, stage: undefined, siteAllowed: true, foreignAllowed: false });
        expect(preview.cdn).toEqual({ certificate: 'given', certificatePem: cert.cert, aliases: [] });
        const site = preview.site.replace(/\/$/, '');
        const path = api === 'function-url' ? '/' : '/items';
        for (const [origin, allowed] of [
          [site, true],
          [PLACEHOLDER, false],
        ] as const) {
          const preflight = await send(`${preview.api}${path}`, {
            method: 'OPTIONS',
            headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
          });
          // A REST API's MOCK preflight names its first allowed origin to any other: never the one that asked.
          expect(header(preflight, 'access-control-allow-origin') === origin, origin).toBe(allowed);
        }
        const page = await getTls(preview.site, cert.cert);
        expect(page.status).toBe(200);
        expect(page.body).toContain('cors-gen preview: site origin');
      } finally {
        await preview.close();
      }
    },
  );

  it('generates a certificate for localhost and the loopback addresses when none is given', async () => {
    const preview = await startPreview({ module: await project() });
    try {
      expect(preview.cdn?.certificate).toBe('generated');
      const served = await peerCertificate(port(preview.site));
      expect(served.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      expect(served.issuer).toBe(served.subject);
      expect(new X509Certificate(preview.cdn!.certificatePem).fingerprint256).toBe(served.fingerprint256);
      // Node verifies it as a browser does once it is trusted: the chain ends in it and the host name matches.
      const page = await getTls(preview.site, preview.cdn!.certificatePem);
      expect(page.status).toBe(200);
    } finally {
      await preview.close();
    }
  });

  it('generates a new certificate each run (nothing is kept between runs)', async () => {
    const module = await project();
    const fingerprints: string[] = [];
    for (let i = 0; i < 2; i++) {
      const preview = await startPreview({ module });
      try {
        fingerprints.push((await peerCertificate(port(preview.site))).fingerprint256);
      } finally {
        await preview.close();
      }
    }
    expect(fingerprints[0]).not.toBe(fingerprints[1]);
  });

  it('prints the https URL, the aliases it cannot serve, and how to avoid the certificate warning', async () => {
    const run = startCli(['--module', await project({ aliases: true })]);
    try {
      await until(() => run.stderr().includes('Ctrl+C'), 'the banner');
      const site =
        /^ {2}site {10}(https:\/\/localhost:\d+\/) {3}the CloudFront distribution stand-in, allowed by the module$/m.exec(
          run.stderr(),
        )?.[1];
      expect(site).toBeDefined();
      expect(run.stderr()).toContain(
        '  aliases       https://www.example.com   allowed, not served here (their DNS names the real distribution)\n',
      );
      expect(run.stderr()).toContain(
        `The site's certificate is self-signed, made for this run: the browser warns once (Advanced, then Proceed). A trusted one: "mkcert -install", "mkcert localhost 127.0.0.1", then preview with --site-cert localhost+1.pem --site-key localhost+1-key.pem.\nOpen ${site} in a browser.`,
      );
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it("answers a single-page app's deep links with index.html and 200, and a subfolder gets no root object", async () => {
    const preview = await startPreview({
      module: await project(),
      siteDir: siteDir(),
      siteCertificate: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    try {
      const get = (p: string) => getTls(`${preview.site.replace(/\/$/, '')}${p}`, cert.cert);
      expect(await get('/')).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
      expect(await get('/assets/app.js')).toMatchObject({ status: 200, body: 'console.log(1)' });
      expect(await get('/orders/42')).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
      // CloudFront's default root object answers "/" only: /docs/ is a key the bucket lacks, so the SPA page.
      expect(await get('/docs/')).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
      expect(await get('/docs/index.html')).toMatchObject({ status: 200, body: '<!doctype html><title>docs</title>' });
    } finally {
      await preview.close();
    }
  });

  it("without spa, a missing key and a subfolder are the private bucket's 403, as CloudFront passes it on", async () => {
    const preview = await startPreview({
      module: await project({ spa: false }),
      siteDir: siteDir(),
      siteCertificate: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    try {
      const get = (p: string) => getTls(`${preview.site.replace(/\/$/, '')}${p}`, cert.cert);
      expect((await get('/orders/42')).status).toBe(403);
      expect((await get('/docs/')).status).toBe(403);
      expect((await get('/')).status).toBe(200);
    } finally {
      await preview.close();
    }
  });

  it('refuses a request addressed to another host, as it does over http', async () => {
    const preview = await startPreview({
      module: await project(),
      siteCertificate: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    try {
      expect((await getTls(preview.site, cert.cert, 'evil.example')).status).toBe(421);
    } finally {
      await preview.close();
    }
  });

  it('drops a client that never starts its TLS handshake as soon as one that never sends its headers', async () => {
    const preview = await startPreview({ module: await project(), clientTimeouts: { headersMs: 300 } });
    try {
      const started = Date.now();
      const socket = net.connect(port(preview.site), '127.0.0.1');
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await preview.close();
    }
  });
});

describe('the built binary', () => {
  /** The `--json` ready line of `cors-gen preview --module <module>` (the built binary). */
  async function readyLine(module: string): Promise<Record<string, unknown>> {
    const child = spawn(process.execPath, [BIN, 'preview', '--module', module, '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let out = '';
    try {
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await until(() => out.includes('\n'), 'the ready line');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    return JSON.parse(out) as Record<string, unknown>;
  }

  it("serves an S3 website on http, and a distribution's stand-in on https with a certificate it made", async () => {
    expect(await readyLine(await project({ cdn: false }))).toMatchObject({
      ok: true,
      site: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    });
    expect(await readyLine(await project())).toMatchObject({
      ok: true,
      site: expect.stringMatching(/^https:\/\/localhost:\d+\/$/),
    });
  }, 60_000);
});

describe('--site-cert and --site-key', () => {
  const files = (certFile: string, keyFile: string) => ({ siteCertificate: { certFile, keyFile } });

  it('names an unreadable file and says what to pass (exit 2)', async () => {
    const missing = path.join(os.tmpdir(), 'cors-gen-no-such-cert.pem');
    await expect(startPreview({ module: await project(), ...files(missing, cert.keyFile) })).rejects.toMatchObject({
      kind: 'external',
      code: 'unreadable',
      message: `--site-cert ${missing}: cannot be read (no such file)`,
      fix: expect.stringContaining('mkcert localhost 127.0.0.1'),
    });
    const folder = path.dirname(cert.keyFile);
    await expect(startPreview({ module: await project(), ...files(cert.certFile, folder) })).rejects.toMatchObject({
      kind: 'external',
      message: `--site-key ${folder}: cannot be read (a folder)`,
    });
  });

  it('names a file that is not a PEM certificate, a key that is not its key, and a certificate for another host', async () => {
    const module = await project();
    await expect(startPreview({ module, ...files(cert.keyFile, cert.keyFile) })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'site-certificate',
      message: `--site-cert ${cert.keyFile}: not a PEM certificate ("-----BEGIN CERTIFICATE-----")`,
      fix: expect.stringContaining('--site-cert localhost+1.pem --site-key localhost+1-key.pem'),
    });
    await expect(startPreview({ module, ...files(cert.certFile, cert.certFile) })).rejects.toMatchObject({
      message: `--site-key ${cert.certFile}: not a PEM private key ("-----BEGIN PRIVATE KEY-----")`,
    });
    await expect(startPreview({ module, ...files(cert.certFile, cert.encryptedKeyFile) })).rejects.toMatchObject({
      message: `--site-key ${cert.encryptedKeyFile}: an encrypted private key, which the preview cannot unlock`,
      fix: 'pass an unencrypted key (mkcert writes one)',
    });
    await expect(startPreview({ module, ...files(cert.certFile, cert.otherKeyFile) })).rejects.toMatchObject({
      message: `--site-key ${cert.otherKeyFile}: not the private key of the certificate in ${cert.certFile}`,
      fix: expect.stringContaining('<name>-key.pem'),
    });
    await expect(startPreview({ module, ...files(cert.otherHostCertFile, cert.otherKeyFile) })).rejects.toMatchObject({
      message: `--site-cert ${cert.otherHostCertFile}: the certificate is not for localhost (DNS:app.example.com), the host the site is served on`,
    });
    // Browsers ignore the common name (Chrome since 58), so the preview does too.
    await expect(
      startPreview({ module, ...files(cert.commonNameOnlyCertFile, cert.otherKeyFile) }),
    ).rejects.toMatchObject({
      message: `--site-cert ${cert.commonNameOnlyCertFile}: the certificate is not for localhost (no subjectAltName; subject CN=localhost), the host the site is served on`,
    });
    await expect(startPreview({ module, ...files(cert.expiredCertFile, cert.otherKeyFile) })).rejects.toMatchObject({
      message: expect.stringMatching(
        new RegExp(
          `^--site-cert ${cert.expiredCertFile.replace(/[.+]/g, '\\$&')}: the certificate is valid from 20\\d\\d-.* to 20\\d\\d-.*, not now$`,
        ),
      ),
    });
  });

  it('refuses them for a module without CloudFront, whose site is plain http (exit 2)', async () => {
    await expect(
      startPreview({ module: await project({ cdn: false }), ...files(cert.certFile, cert.keyFile) }),
    ).rejects.toMatchObject({ kind: 'usage', code: 'site-cert-without-cdn' });
  });

  it('the CLI wants both or neither, and documents them in --help', async () => {
    const module = await project();
    const alone = await cli(['preview', '--module', module, '--site-cert', cert.certFile]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(`--site-cert ${cert.certFile} without --site-key`);
    expect(alone.stderr).toContain('pass both --site-cert and --site-key');
    const invalid = await cli(['preview', '--module', module, '--site-cert', cert.keyFile, '--site-key', cert.keyFile]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(`--site-cert ${cert.keyFile}: not a PEM certificate`);
    const help = await cli(['preview', '--help']);
    expect(help.stdout).toMatch(/--site-cert <file>[\s\S]*mkcert[\s\S]*--site-key <file>/);
    expect(help.stdout).toContain('https://localhost:<port>');
  });
});
