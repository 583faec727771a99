/**
 * `--scan`: the misconfiguration classes that Corsy (https://github.com/s0md3v/Corsy) and CORScanner
 * (https://github.com/chenjj/CORScanner) detect,
 * probed with origins crafted from `--origin` and, when it is a DNS name, from the target's host. Each probe is a
 * GET with a forged Origin, as an attacker's page would send it; a class is found when the answer lets that origin
 * read the response: Access-Control-Allow-Origin equal to it byte for byte (the browser's CORS check), and with
 * `Access-Control-Allow-Credentials: true` the attacker reads users' credentialed responses (severity error).
 *
 * Buggy allowlists accept several crafted forms at once (a substring check also accepts prefix forms); the
 * evaluation reports the class that explains the others, so one bug is one finding.
 */
import { getHeader } from '../cors/fetch-check.js';
import { SHARED_HOSTING_EXAMPLES } from '../cors/shared-hosting.js';
import { toEvidence, type Exchange } from './exchange.js';
import { FIXES, SCAN_CODES, type Finding, type ScanCode } from './findings.js';
import type { ApiFlavor } from './aws.js';

export interface ScanProbe {
  readonly code: ScanCode;
  readonly origin: string;
  /**
   * `sibling`: not a finding on its own; it tells a deliberate parent wildcard (`*.example.com`) from a suffix
   * check; `sibling-form`: a suffix probe that such a wildcard also accepts. `contains`: the substring form that
   * also explains prefix, suffix and special-character hits.
   */
  readonly role?: 'sibling' | 'contains' | 'sibling-form';
  /** True when derived from the target's host rather than from `--origin`. */
  readonly fromTarget?: boolean;
}

/** The attacker's registrable name in crafted origins; `.test` is reserved (RFC 2606) and never resolves. */
const EVIL = 'evil.test';

/** CORScanner's special_characters_bypass list (common/corscheck.py), plus a raw backtick (Corsy, Kettle). */
export const SPECIAL_CHARS: readonly string[] = [
  '_',
  '-',
  '"',
  '{',
  '}',
  '+',
  '^',
  '%60',
  '`',
  '!',
  '~',
  ';',
  '|',
  '&',
  "'",
  '(',
  ')',
  '*',
  ',',
  '$',
  '=',
  '%0b',
];

/**
 * Origins where anyone can publish code: CORScanner's origins.json, plus one site under each shared-hosting suffix
 * `validate` refuses with credentials (src/cors/shared-hosting.ts), so the scan and the validator agree.
 */
export const THIRD_PARTY_ORIGINS: readonly string[] = [
  'http://jsbin.com',
  'https://codepen.io',
  'https://s.codepen.io',
  'https://jsfiddle.net',
  'https://fiddle.jshell.net',
  'http://www.webdevout.net',
  'https://repl.it',
  ...SHARED_HOSTING_EXAMPLES.map(({ scheme, suffix }) => `${scheme}://cors-gen-check.${suffix}`),
];

interface OriginParts {
  readonly scheme: string;
  readonly host: string;
  /** `:port` or empty. */
  readonly port: string;
}

function parts(origin: string): OriginParts | undefined {
  const m = /^(https?):\/\/([^/:]+|\[[^\]]+\])(:\d+)?$/.exec(origin);
  return m ? { scheme: m[1]!, host: m[2]!, port: m[3] ?? '' } : undefined;
}

function isDnsName(host: string): boolean {
  return !host.startsWith('[') && !/^\d+(\.\d+){3}$/.test(host) && host.includes('.');
}

/**
 * The registrable domain, approximately: the last two labels, or three under a two-letter country code with a
 * generic second level (`example.co.uk`). A public-suffix list would be exact; probes only need a good guess.
 */
export function registrableDomain(host: string): string {
  const labels = host.split('.');
  const n = labels.length;
  const secondLevel = labels[n - 2] ?? '';
  const take =
    n >= 3 && /^[a-z]{2}$/.test(labels[n - 1]!) && ['co', 'com', 'net', 'org', 'gov', 'ac', 'edu'].includes(secondLevel)
      ? 3
      : 2;
  return labels.slice(-take).join('.');
}

function hostProbes(scheme: string, host: string, port: string, fromTarget: boolean): ScanProbe[] {
  const o = (h: string) => `${scheme}://${h}${port}`;
  const t = fromTarget ? { fromTarget: true as const } : {};
  const probes: ScanProbe[] = [{ code: 'prefix-match', origin: o(`${host}.${EVIL}`), ...t }];
  if (!isDnsName(host)) return probes;
  const domain = registrableDomain(host);
  const parent = host.slice(host.indexOf('.') + 1);
  probes.push({ code: 'suffix-match', origin: o(`evil${host}`), ...t });
  if (domain !== host) {
    probes.push({ code: 'suffix-match', origin: o(`evil${domain}`), ...t });
    probes.push({ code: 'suffix-match', origin: o(`evil.${parent}`), role: 'sibling', ...t });
  }
  host.split('').forEach((c, i) => {
    if (c === '.') probes.push({ code: 'unescaped-dot', origin: o(`${host.slice(0, i)}x${host.slice(i + 1)}`), ...t });
  });
  probes.push({ code: 'substring-match', origin: o(`evil${host}.${EVIL}`), role: 'contains', ...t });
  probes.push({ code: 'substring-match', origin: o(host.slice(1)), ...t });
  if (domain !== host) probes.push({ code: 'substring-match', origin: o(domain.slice(1)), ...t });
  probes.push({ code: 'any-subdomain', origin: o(`evil.${host}`), ...t });
  // Forms that are one label under the host's parent (`evilapp.example.com`, `pp.example.com`) also pass a
  // deliberate `*.example.com`; the sibling probe tells the two apart.
  const isSiblingForm = (p: ScanProbe) => {
    const h = parts(p.origin)?.host ?? '';
    return domain !== host && h.endsWith(`.${parent}`) && !h.slice(0, -parent.length - 1).includes('.');
  };
  return probes.map((p) =>
    p.role === undefined && p.code !== 'any-subdomain' && isSiblingForm(p)
      ? { ...p, role: 'sibling-form' as const }
      : p,
  );
}

/** An origin nobody allows: a server that lets it read its answers lets every origin. */
export const REFLECTION_PROBE: ScanProbe = { code: 'reflected-origin', origin: `https://${EVIL}` };

/** Every probe for `origin` against `target`, without duplicates (the first class to claim an origin keeps it). */
export function planScan(origin: string, target: URL): ScanProbe[] {
  const probes: ScanProbe[] = [REFLECTION_PROBE];
  if (origin !== 'null') probes.push({ code: 'null-origin', origin: 'null' });
  const o = parts(origin);
  if (o) {
    probes.push(...hostProbes(o.scheme, o.host, o.port, false));
    // `allowed.includes(origin)`: the allowed origin minus its last character is a substring of it.
    const shorter = origin.slice(0, -1);
    if (parts(shorter) && !shorter.endsWith(':')) probes.push({ code: 'substring-match', origin: shorter });
    if (o.scheme === 'https') probes.push({ code: 'http-trusted', origin: `http://${o.host}${o.port}` });
    for (const c of SPECIAL_CHARS)
      probes.push({ code: 'special-chars', origin: `${o.scheme}://${o.host}${c}.${EVIL}${o.port}` });
  }
  const targetHost = target.hostname;
  if (isDnsName(targetHost) && targetHost !== o?.host) probes.push(...hostProbes('https', targetHost, '', true));
  for (const third of THIRD_PARTY_ORIGINS) probes.push({ code: 'third-party', origin: third });

  const seen = new Set<string>([origin]);
  return probes.filter((p) => !seen.has(p.origin) && (seen.add(p.origin), true));
}

export interface ScanResult {
  readonly probe: ScanProbe;
  readonly exchange: Exchange;
}

/** The classes the scan's probes report, in report order (`wildcard-credentials` comes from the main probes). */
const SCAN_ORDER = SCAN_CODES.filter((c) => c !== 'wildcard-credentials');

const DESCRIPTIONS: Record<ScanCode, string> = {
  'reflected-origin': 'echoes an arbitrary origin back',
  'null-origin': 'trusts the origin "null"',
  'prefix-match': 'trusts origins that merely start with the allowed origin or host',
  'suffix-match': 'trusts origins that merely end with the allowed host',
  'unescaped-dot': 'trusts look-alike hosts with a dot replaced (an unescaped "." in a regex)',
  'substring-match': 'trusts origins that merely contain, or are contained in, the allowed one',
  'any-subdomain': 'trusts any subdomain',
  'http-trusted': 'trusts the plain-http origin from an https origin',
  'special-chars': 'trusts origins with special characters after the allowed host',
  'third-party': 'trusts origins where anyone can publish code',
  'wildcard-credentials': 'answers "*" together with Access-Control-Allow-Credentials: true',
};

function allowsOrigin(exchange: Exchange, origin: string): boolean {
  return getHeader(exchange.response.headers, 'access-control-allow-origin') === origin;
}

function withCredentials(exchange: Exchange): boolean {
  return getHeader(exchange.response.headers, 'access-control-allow-credentials') === 'true';
}

/**
 * Which classes the scan found. `others` are the non-scan exchanges (preflight, request, error probe), searched
 * for `*` with credentials too.
 */
export function evaluateScan(
  results: readonly ScanResult[],
  others: readonly Exchange[],
  flavor: ApiFlavor,
  origin: string,
): Finding[] {
  const hits = results.filter((r) => allowsOrigin(r.exchange, r.probe.origin));
  const hit = (pred: (r: ScanResult) => boolean) => hits.some(pred);
  const suppressed = new Set<ScanCode>();
  // An origin reflected whatever it is explains every lookalike that passed; `null` is its own finding.
  if (hit((r) => r.probe.code === 'reflected-origin')) {
    for (const c of SCAN_ORDER) if (c !== 'reflected-origin' && c !== 'null-origin') suppressed.add(c);
  }
  // One bug, one finding: a substring check accepts prefix, suffix, subdomain, special-character and http forms;
  // a prefix check accepts the special-character forms (they start with the origin); a suffix check on the host
  // accepts subdomains and the http origin.
  if (hit((r) => r.probe.role === 'contains'))
    for (const c of ['prefix-match', 'suffix-match', 'any-subdomain', 'special-chars', 'http-trusted'] as const)
      suppressed.add(c);
  if (hit((r) => r.probe.code === 'prefix-match' && r.probe.fromTarget !== true)) suppressed.add('special-chars');
  const siblingHit = (fromTarget: boolean) =>
    hit((r) => r.probe.role === 'sibling' && (r.probe.fromTarget === true) === fromTarget);
  // `evilapp.example.com` also passes a deliberate `*.example.com`: it shows a suffix check only when the sibling
  // `evil.example.com` did not pass. `evilexample.com` is no subdomain of anything of yours, so it always counts.
  const counted = hits.filter(
    (r) => r.probe.role !== 'sibling' && !(r.probe.role === 'sibling-form' && siblingHit(r.probe.fromTarget === true)),
  );
  if (counted.some((r) => r.probe.code === 'suffix-match' && r.probe.fromTarget !== true)) {
    suppressed.add('any-subdomain');
    suppressed.add('http-trusted');
  }

  const findings: Finding[] = [];
  for (const code of SCAN_ORDER) {
    if (suppressed.has(code)) continue;
    const found = counted.filter((r) => r.probe.code === code);
    if (found.length === 0) continue;
    const credentialed = found.some((r) => withCredentials(r.exchange));
    const origins = found.map((r) => r.probe.origin);
    const where = code === 'null-origin' ? 'any sandboxed iframe or data: page' : 'a page there';
    const impact = credentialed
      ? `with Access-Control-Allow-Credentials: true, ${where} can read responses made with the user's cookies`
      : `without credentials, ${where} can read responses that need no login`;
    findings.push({
      code,
      severity: credentialed ? 'error' : 'warning',
      message: `The API ${DESCRIPTIONS[code]}: Access-Control-Allow-Origin echoes ${origins.map((x) => `"${x}"`).join(', ')} (your origin: ${origin}); ${impact}.`,
      fix: FIXES[code]({ flavor, origin, method: 'GET' }),
      evidence: found.map((r) => toEvidence(r.exchange)),
    });
  }

  const wildcard = [...others, ...results.map((r) => r.exchange)].filter(
    (e) => getHeader(e.response.headers, 'access-control-allow-origin') === '*' && withCredentials(e),
  );
  if (wildcard.length > 0) {
    findings.push({
      code: 'wildcard-credentials',
      severity: 'warning',
      message: `The API ${DESCRIPTIONS['wildcard-credentials']}; browsers refuse every credentialed request to it.`,
      fix: FIXES['wildcard-credentials']({ flavor, origin, method: 'GET' }),
      evidence: [toEvidence(wildcard[0]!)],
    });
  }
  return findings;
}
