/**
 * Certificates and an https client for the tests of the CloudFront stand-in: certificates made in the test (never
 * committed), and requests verified against exactly the certificate given as `ca`, as a browser that trusts it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface CertificateFixture {
  /** PEM of the certificate for localhost and 127.0.0.1. */
  readonly cert: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A key of another certificate. */
  readonly otherKeyFile: string;
  /** A certificate for app.example.com only (key: otherKeyFile). */
  readonly otherHostCertFile: string;
  /** A certificate for localhost that expired in 2020 (key: otherKeyFile). */
  readonly expiredCertFile: string;
  /** A certificate naming localhost in its subject's common name only, no subjectAltName (key: otherKeyFile). */
  readonly commonNameOnlyCertFile: string;
  /** A key encrypted with a passphrase. */
  readonly encryptedKeyFile: string;
}

const SERVER_EXTENSIONS = (names: { type: 2 | 7; value?: string; ip?: string }[]) => [
  { name: 'basicConstraints' as const, cA: false },
  { name: 'extKeyUsage' as const, serverAuth: true },
  { name: 'subjectAltName' as const, altNames: names },
];

/** What `mkcert localhost 127.0.0.1` makes, and wrong files, in a new folder added to `scratch`. */
export async function certificateFiles(scratch: string[]): Promise<CertificateFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cdn-cert-'));
  scratch.push(dir);
  const options = { keyType: 'ec' as const, algorithm: 'sha256' };
  const local = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...options,
    extensions: SERVER_EXTENSIONS([
      { type: 2, value: 'localhost' },
      { type: 7, ip: '127.0.0.1' },
    ]),
  });
  const other = await generate([{ name: 'commonName', value: 'app.example.com' }], {
    ...options,
    extensions: SERVER_EXTENSIONS([{ type: 2, value: 'app.example.com' }]),
  });
  const expired = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...options,
    keyPair: { privateKey: other.private, publicKey: other.public },
    notBeforeDate: new Date('2019-01-01T00:00:00Z'),
    notAfterDate: new Date('2020-01-01T00:00:00Z'),
    extensions: SERVER_EXTENSIONS([{ type: 2, value: 'localhost' }]),
  });
  const commonNameOnly = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...options,
    keyPair: { privateKey: other.private, publicKey: other.public },
    extensions: [{ name: 'basicConstraints', cA: false }],
  });
  const encrypted = await generate(undefined, { ...options, passphrase: 'secret' });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  return {
    cert: local.cert,
    certFile: write('localhost+1.pem', local.cert),
    keyFile: write('localhost+1-key.pem', local.private),
    otherKeyFile: write('other-key.pem', other.private),
    otherHostCertFile: write('app.example.com.pem', other.cert),
    expiredCertFile: write('expired.pem', expired.cert),
    commonNameOnlyCertFile: write('common-name-only.pem', commonNameOnly.cert),
    encryptedKeyFile: write('encrypted-key.pem', encrypted.private),
  };
}

/**
 * GET over https from 127.0.0.1:<port of url>, naming `localhost` in SNI and `host` (default: the URL's host) in
 * Host, trusting `ca` alone: it fails unless the server's certificate is `ca` (or signed by it) and is for localhost.
 */
export function getTls(
  url: string,
  ca: string,
  host?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: Number(u.port),
        path: `${u.pathname}${u.search}`,
        servername: 'localhost',
        headers: { Host: host ?? u.host },
        ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The certificate a TLS server on 127.0.0.1:<port> presents for `localhost` (not verified). */
export function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    socket.on('error', reject);
  });
}
