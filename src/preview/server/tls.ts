/**
 * The certificate of the site server when it stands in for a CloudFront distribution, which browsers reach over
 * https only. By default a self-signed one for `localhost` and the loopback addresses, generated in memory for
 * each run (never written anywhere); or the user's own (`--site-cert`/`--site-key`, e.g. from mkcert, which
 * browsers trust without a warning). A given pair is checked before any port is taken, so a wrong file fails
 * with its name and the fix rather than as a TLS error in the browser.
 */
import { readFile, stat } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import { terminalText } from '../../terminal-text.js';
import { PreviewSetupError } from '../errors.js';
import { selfSignedCertificate } from './self-signed-certificate.js';

export interface CertificateFiles {
  /** A PEM certificate (the server's first, then any intermediates) for `localhost`. */
  readonly certFile: string;
  /** Its PEM private key, unencrypted. */
  readonly keyFile: string;
}

export interface SiteTls {
  readonly cert: string;
  readonly key: string;
  /** `generated`: made for this run, so browsers warn about it once; `given`: the user's files. */
  readonly source: 'generated' | 'given';
}

/** The host the site's https origin names; the certificate must cover it. */
export const SITE_TLS_HOST = 'localhost';

/** How to get a certificate browsers trust: mkcert (https://github.com/FiloSottile/mkcert) names its files so. */
export const MKCERT_FIX =
  'make one with mkcert ("mkcert -install", then "mkcert localhost 127.0.0.1") and pass --site-cert localhost+1.pem --site-key localhost+1-key.pem, or leave both out to use a generated one';

/** The certificate for this run: the given files, checked, or a new self-signed one. */
export async function siteTls(files: CertificateFiles | undefined, now = new Date()): Promise<SiteTls> {
  return files === undefined ? generated(now) : given(files, now);
}

function generated(now: Date): SiteTls {
  const { cert, key } = selfSignedCertificate(30, now);
  return { cert, key, source: 'generated' };
}

async function given(files: CertificateFiles, now: Date): Promise<SiteTls> {
  const [cert, key] = await Promise.all([read(files.certFile, '--site-cert'), read(files.keyFile, '--site-key')]);
  const invalid = (file: string, flag: string, what: string, fix = MKCERT_FIX) =>
    new InvalidInputError(`${flag} ${file}: ${what}`, { code: 'site-certificate', fix });
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw invalid(files.certFile, '--site-cert', 'not a PEM certificate ("-----BEGIN CERTIFICATE-----")');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    const encrypted = /passphrase|encrypted/i.test(`${(e as Error).message} ${key.slice(0, 64)}`);
    throw invalid(
      files.keyFile,
      '--site-key',
      encrypted
        ? 'an encrypted private key, which the preview cannot unlock'
        : 'not a PEM private key ("-----BEGIN PRIVATE KEY-----")',
      encrypted ? 'pass an unencrypted key (mkcert writes one)' : MKCERT_FIX,
    );
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw invalid(
      files.keyFile,
      '--site-key',
      `not the private key of the certificate in ${files.certFile}`,
      'pass the key file made with that certificate (mkcert writes <name>-key.pem beside <name>.pem)',
    );
  // As browsers match: the subjectAltName's DNS names only, never the subject's common name
  // (https://chromestatus.com/feature/4981025180483584; https://nodejs.org/api/crypto.html#x509checkhostname-options).
  if (certificate.checkHost(SITE_TLS_HOST, { subject: 'never' }) === undefined)
    throw invalid(
      files.certFile,
      '--site-cert',
      `the certificate is not for ${SITE_TLS_HOST} (${terminalText(certificate.subjectAltName ?? `no subjectAltName; subject ${certificate.subject.replace(/\n/g, ', ')}`)}), the host the site is served on`,
    );
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (now < from || now > to)
    throw invalid(
      files.certFile,
      '--site-cert',
      `the certificate is valid from ${from.toISOString()} to ${to.toISOString()}, not now`,
    );
  return { cert, key, source: 'given' };
}

/** A PEM certificate chain or key is a few KB; anything far larger was passed by mistake. */
const MAX_PEM_BYTES = 1024 * 1024;

async function read(file: string, flag: string): Promise<string> {
  const unreadable = (why: string) =>
    new PreviewSetupError(`${flag} ${file}: cannot be read (${why})`, {
      code: 'unreadable',
      fix: `pass the PEM file's path; ${MKCERT_FIX}`,
    });
  try {
    const info = await stat(file);
    if (!info.isFile()) throw unreadable(info.isDirectory() ? 'a folder' : 'not a regular file');
    if (info.size > MAX_PEM_BYTES) throw unreadable(`${info.size} bytes, too large for a PEM file`);
    return await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof PreviewSetupError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw unreadable(code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message));
  }
}
