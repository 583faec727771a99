/**
 * A self-signed TLS certificate for the preview's HTTPS site server (`localhost`, `127.0.0.1`, `::1`), made with
 * node:crypto alone: a P-256 key and an X.509 v3 certificate written in DER. Node can read certificates
 * (`crypto.X509Certificate`) but not write them, and the libraries that do weigh hundreds of kilobytes for these
 * seventy lines. Structure: RFC 5280 section 4.1 (TBSCertificate) and 4.2.1 (the extensions), X.690 (DER), RFC 5758
 * section 3.2 (ecdsa-with-SHA256). test/preview/self-signed-certificate.test.ts has Node's own X.509 parser and a
 * TLS handshake check the result.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface Certificate {
  /** PEM. */
  readonly cert: string;
  /** PEM (PKCS #8). */
  readonly key: string;
}

/** DER: tag, length, content (X.690 section 8.1). */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime, YYMMDDHHMMSSZ (RFC 5280 section 4.1.2.5.1: years up to 2049). */
function utcTime(date: Date): Buffer {
  return tlv(0x17, Buffer.from(date.toISOString().replace(/^\d\d|[-:T]|\.\d+/g, ''), 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

/** A certificate for the loopback names, valid from a day ago for `days` days. */
export function selfSignedCertificate(days = 30, now = new Date()): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from('cors-gen preview')))));
  // A positive serial of at most 20 octets (RFC 5280 section 4.1.2.2), in 16 octets exactly: with the top bit clear
  // (positive) and the next set, no leading octet is redundant (DER's minimal INTEGER, X.690 section 8.3.2).
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const day = 86_400_000;
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now.getTime() - day)), utcTime(new Date(now.getTime() + days * day))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      sequence(
        // subjectAltName: dNSName [2] localhost, iPAddress [7] 127.0.0.1 and ::1.
        extension(
          '2.5.29.17',
          false,
          sequence(
            tlv(0x82, Buffer.from('localhost')),
            tlv(0x87, Buffer.from([127, 0, 0, 1])),
            tlv(0x87, Buffer.from([...Array(15).fill(0), 1])),
          ),
        ),
        // basicConstraints: not a CA.
        extension('2.5.29.19', true, sequence()),
        // keyUsage: digitalSignature.
        extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))),
        // extKeyUsage: serverAuth.
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return { cert: pem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
