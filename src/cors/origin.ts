/**
 * Origins as browsers serialize them (https://html.spec.whatwg.org/#ascii-serialisation-of-an-origin):
 * `scheme "://" host [":" port]`, lowercase, no default port, no path. The spec's origins are written in that
 * form so that the allowlist can be compared byte for byte with the request's `Origin` header, which is what
 * browsers do with `Access-Control-Allow-Origin` (Fetch standard, CORS check).
 *
 * Pure functions only: the spec validator, the constructs, the Lambda code's tests, `check` and `preview`
 * all share these rules. Matching itself is the Lambda wrapper's own code (`src/runtime/lambda/cors.mjs`,
 * copied into every Node module), so what cors-gen checks and what the deployed function does cannot drift.
 */
import { compileOrigins as compileValidOrigins, DNS_LABEL, wildcardPatternSource } from '../runtime/lambda/cors.mjs';

export { DNS_LABEL, wildcardPatternSource };

/** Why an allowlist entry is not an origin, with the value the user should write instead (when there is one). */
export interface OriginProblem {
  /** Stable code, e.g. `origin-trailing-slash`. */
  readonly code: string;
  readonly reason: string;
  readonly fix?: string;
}

/** One allowlist entry, classified. */
export type OriginEntry =
  | { readonly kind: 'any'; readonly value: '*' }
  | { readonly kind: 'exact'; readonly value: string }
  /** `https://*.example.com`: `*` stands for exactly one DNS label (REST target only). */
  | { readonly kind: 'wildcard'; readonly value: string }
  /** `https://*` or `http://*`: every origin of that scheme (HTTP API only, as AWS documents it). */
  | { readonly kind: 'scheme'; readonly value: string };

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

const DNS_LABEL_RE = new RegExp(`^${DNS_LABEL}$`);

/**
 * Classifies an allowlist entry, or says why it can never match what a browser sends.
 * Accepted: `*`, exact origins, one-label wildcards `scheme://*.domain[:port]` and `scheme://*`.
 * Which kinds a target supports is the spec validator's decision, not this function's.
 */
export function parseOriginEntry(raw: string): OriginEntry | OriginProblem {
  const result = classify(raw);
  if (!isOriginProblem(result) || result.fix === undefined) return result;
  // Offer a fix only if it is itself valid: fixing one problem can reveal the next ("HTTPS://a.example/" is
  // uppercase, and then has a trailing slash), so follow the chain a few steps.
  let fix = result.fix;
  for (let step = 0; step < 5; step++) {
    const next = classify(fix);
    if (!isOriginProblem(next)) return { ...result, fix };
    if (next.fix === undefined || next.fix === fix) break;
    fix = next.fix;
  }
  return { code: result.code, reason: result.reason };
}

function classify(value: string): OriginEntry | OriginProblem {
  if (value === '*') return { kind: 'any', value: '*' };
  if (value === '') return { code: 'origin-empty', reason: 'is empty' };
  if (value.trim() !== value) {
    return { code: 'origin-whitespace', reason: 'has leading or trailing white space', fix: value.trim() || undefined };
  }
  // Checked before the host's characters: "https://a.com\u001b[2J" is not a non-ASCII host but a terminal escape.
  // Browsers never send one: a URL parser strips or refuses C0 controls (https://url.spec.whatwg.org/#c0-control).
  const control = /[\x00-\x1f\x7f-\x9f]/.exec(value);
  if (control) {
    const escaped = `\\u${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
    return {
      code: 'origin-control-character',
      reason: `contains a control character (${escaped}); browsers never send one in Origin`,
    };
  }
  if (value.toLowerCase() === 'null') {
    return {
      code: 'origin-null',
      reason:
        'is the opaque origin "null" (sandboxed iframes, file: pages, redirects); allowing it lets any sandboxed page in',
    };
  }
  if (value === 'http://*' || value === 'https://*') return { kind: 'scheme', value };

  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  if (!schemeMatch) {
    // A local dev server (Vite, Create React App, ...) serves plain http; anything else is most likely https.
    const local = /^(localhost|127\.0\.0\.1)(:\d+)?$/i.test(value);
    const guess = `${local ? 'http' : 'https'}://${value.toLowerCase()}`;
    const guessed = /^[a-z0-9.*-]+(:\d+)?$/i.test(value) ? parseOriginEntry(guess) : undefined;
    return {
      code: 'origin-no-scheme',
      reason: 'has no scheme',
      fix: guessed && !isOriginProblem(guessed) ? guess : undefined,
    };
  }
  const scheme = schemeMatch[1]!;
  if (scheme !== 'http' && scheme !== 'https') {
    if (scheme.toLowerCase() === 'http' || scheme.toLowerCase() === 'https') {
      return {
        code: 'origin-uppercase',
        reason: 'has an uppercase scheme; browsers send it lowercase',
        fix: scheme.toLowerCase() + value.slice(scheme.length),
      };
    }
    return { code: 'origin-scheme', reason: `has the scheme "${scheme}"; only http and https origins can be allowed` };
  }

  const rest = value.slice(scheme.length + 3);
  // Whatever follows the authority is never part of an origin.
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  if (authority.includes('@')) {
    return {
      code: 'origin-userinfo',
      reason: 'has userinfo (user:password@); an origin never does',
      fix: `${scheme}://${authority.slice(authority.lastIndexOf('@') + 1)}`,
    };
  }
  if (tail !== '') {
    const base = `${scheme}://${authority}`;
    const [code, what] =
      tail === '/'
        ? ['origin-trailing-slash', 'a trailing slash']
        : tail.startsWith('?')
          ? ['origin-query', 'a query']
          : tail.startsWith('#')
            ? ['origin-fragment', 'a fragment']
            : ['origin-path', 'a path'];
    return { code, reason: `has ${what}`, fix: base };
  }

  const portMatch = /^([\s\S]*?)(?::(\d*))?$/.exec(authority)!;
  const host = portMatch[1]!;
  const port = portMatch[2];
  if (port !== undefined) {
    if (port === '' || !/^\d{1,5}$/.test(port) || Number(port) > 65535 || Number(port) === 0 || /^0\d/.test(port)) {
      return { code: 'origin-port', reason: `has an invalid port "${port}" (ports are 1 to 65535)` };
    }
    if (DEFAULT_PORTS[`${scheme}:`] === port) {
      return {
        code: 'origin-default-port',
        reason: `names the default port ${port}; browsers omit it from Origin`,
        fix: `${scheme}://${host}`,
      };
    }
  }
  if (host === '') return { code: 'origin-host', reason: 'has no host' };
  if (/\s/.test(host)) return { code: 'origin-whitespace', reason: 'has white space inside the host' };
  // Before the case check: "\u212A" (Kelvin sign) lowercases to an ASCII "k", so its "fix" would be a lie.
  if (/[^\x21-\x7e]/.test(host)) {
    return {
      code: 'origin-non-ascii',
      reason: 'has a non-ASCII host; browsers send the punycode form (xn--...)',
      fix: whatwgOrigin(`${scheme}://${host}${port ? `:${port}` : ''}`),
    };
  }
  if (host !== host.toLowerCase()) {
    return {
      code: 'origin-uppercase',
      reason: 'has an uppercase host; browsers send hosts in lowercase',
      fix: `${scheme}://${host.toLowerCase()}${port ? `:${port}` : ''}`,
    };
  }

  const labels = host.split('.');
  if (host.startsWith('[')) {
    if (!/^\[[0-9a-f:.]+\]$/.test(host)) return { code: 'origin-host', reason: 'has an invalid IPv6 host' };
    const canonical = whatwgOrigin(value);
    if (canonical === undefined) return { code: 'origin-host', reason: 'has an invalid IPv6 host' };
    if (canonical !== value)
      return { code: 'origin-not-canonical', reason: `is sent by browsers as "${canonical}"`, fix: canonical };
    return { kind: 'exact', value };
  }
  if (labels.includes('*')) {
    if (labels[0] !== '*' || labels.slice(1).includes('*')) {
      return {
        code: 'origin-wildcard-form',
        reason: 'has "*" somewhere other than the leftmost label; only "scheme://*.domain" is supported',
      };
    }
    if (labels.length < 3) {
      return {
        code: 'origin-wildcard-form',
        reason: 'wildcards a whole top-level domain; name at least two labels after "*."',
      };
    }
    const bad = labels.slice(1).find((l) => !DNS_LABEL_RE.test(l));
    if (bad !== undefined) return { code: 'origin-host', reason: `has an invalid host label "${bad}"` };
    // The part after "*." must be what a browser would send, e.g. not "*.example.123" (a number is no TLD).
    const sample = `${scheme}://a${value.slice(scheme.length + 4)}`;
    const canonical = whatwgOrigin(sample);
    if (canonical !== sample) return { code: 'origin-host', reason: 'has a host no browser would send after "*."' };
    return { kind: 'wildcard', value };
  }
  if (host.includes('*')) {
    return {
      code: 'origin-wildcard-form',
      reason: 'uses "*" inside a label; "*" must stand for a whole label, as in "https://*.example.com"',
    };
  }
  const bad = labels.find((l) => !DNS_LABEL_RE.test(l));
  if (bad !== undefined) {
    return {
      code: 'origin-host',
      reason: bad === '' ? 'has an empty host label (a stray ".")' : `has an invalid host label "${bad}"`,
    };
  }
  // Last, the browser's own parser: an entry is only useful if it is exactly what a browser sends as Origin
  // (`http://127.1` is sent as `http://127.0.0.1`; `https://app.123` is not a host at all).
  const canonical = whatwgOrigin(value);
  if (canonical === undefined) {
    return {
      code: 'origin-host',
      reason: /\.\d+$|^\d+$/.test(host)
        ? 'has a host browsers do not accept (a name cannot end in a number)'
        : 'has a host browsers do not accept (an "xn--" label that is not valid punycode?)',
    };
  }
  if (canonical !== value)
    return { code: 'origin-not-canonical', reason: `is sent by browsers as "${canonical}"`, fix: canonical };
  return { kind: 'exact', value };
}

/** The origin as the WHATWG URL parser (and so every browser) serializes it, or undefined if it does not parse. */
function whatwgOrigin(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

export function isOriginProblem(x: OriginEntry | OriginProblem): x is OriginProblem {
  return 'reason' in x;
}

/** Decides whether a request's `Origin` is in an allowlist. */
export interface OriginMatcher {
  /** True when the allowlist is `*`: the answer is the literal `*`, not an echo. */
  readonly any: boolean;
  /** Whether `origin` (as the request sent it) is allowed. */
  allows(origin: string | undefined): boolean;
}

/**
 * Builds a matcher from valid entries (and throws on an invalid one). Matching is case-insensitive (the
 * request's origin is lowercased; the entries already are) and whole-string: no prefix, suffix or substring
 * match can ever pass. `null` is never allowed, whatever the list says.
 */
export function compileOrigins(entries: readonly string[]): OriginMatcher {
  for (const raw of entries) {
    const entry = parseOriginEntry(raw);
    if (isOriginProblem(entry)) throw new Error(`invalid origin entry ${JSON.stringify(raw)}: ${entry.reason}`);
  }
  return compileValidOrigins(entries);
}
