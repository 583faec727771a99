/**
 * The preview's self-signed certificate (src/preview/self-signed-certificate.ts), read by Node's own X.509 parser
 * and used in a real TLS handshake on every loopback name.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { request, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/preview/server/self-signed-certificate.js';

function get(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the self-signed certificate of the preview', () => {
  it('is an X.509 v3 certificate for the loopback names, signed by its own key, valid from a day ago', () => {
    const now = new Date('2026-12-05T10:00:00Z');
    const { cert, key } = selfSignedCertificate(30, now);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=cors-gen preview');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2027-01-04T10:00:00.000Z');
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    // Two runs, two keys and serials.
    const other = new X509Certificate(selfSignedCertificate(30, now).cert);
    expect(other.serialNumber).not.toBe(x509.serialNumber);
    expect(other.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(
      x509.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });

  it('has a positive 16-octet serial number in minimal DER, whatever the random bytes', () => {
    for (let i = 0; i < 64; i++) {
      const serial = new X509Certificate(selfSignedCertificate().cert).serialNumber;
      expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });

  it('serves TLS that a client trusting it accepts on localhost and 127.0.0.1, and one that does not refuses', async () => {
    const { cert, key } = selfSignedCertificate();
    const server = createServer({ cert, key }, (_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await get(`https://localhost:${port}/`, cert)).toBe('hello');
      expect(await get(`https://127.0.0.1:${port}/`, cert)).toBe('hello');
      await expect(get(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      server.close();
    }
  });
});
