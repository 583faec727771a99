import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileOrigins,
  DNS_LABEL,
  isOriginProblem,
  parseOriginEntry,
  wildcardPatternSource,
  type OriginEntry,
} from '../../src/cors/origin.js';

/**
 * The allowlist matcher is the security boundary of everything cors-gen generates: these tests try to get an
 * origin past it that the allowlist does not name.
 */

// ---------------------------------------------------------------------------------------------------------
// Generators

const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
/** A DNS label as hosts use them: letters, digits, inner hyphens, 1 to 63 characters. */
const label = fc
  .tuple(letter, fc.array(fc.oneof(alnum, fc.constant('-')), { maxLength: 10 }), alnum)
  .map(([a, mid, z]) => `${a}${mid.join('')}${z}`)
  .filter((l) => l.length <= 63 && !l.startsWith('xn--'));
const shortLabel = fc.oneof(label, letter);
const tld = fc.constantFrom('com', 'io', 'dev', 'example', 'co', 'net');
const domain = fc
  .tuple(fc.array(shortLabel, { minLength: 1, maxLength: 3 }), tld)
  .map(([ls, t]) => [...ls, t].join('.'));
const scheme = fc.constantFrom('http', 'https');
const port = fc.option(
  fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 80 && p !== 443),
  { nil: undefined },
);
const exactOrigin = fc.tuple(scheme, domain, port).map(([s, d, p]) => `${s}://${d}${p ? `:${p}` : ''}`);
const wildcardEntry = fc
  .tuple(scheme, fc.array(shortLabel, { minLength: 1, maxLength: 2 }), tld, port)
  .map(([s, ls, t, p]) => `${s}://*.${[...ls, t].join('.')}${p ? `:${p}` : ''}`);

/** Characters that look like ASCII ones, or fold into them: the Kelvin sign lowercases to "k". */
const UNICODE_LOOKALIKES: Record<string, string[]> = {
  a: ['\u0430', '\u0251', '\uff41'],
  e: ['\u0435', '\u0117'],
  o: ['\u043e', '\u03bf', '\u2134'],
  p: ['\u0440'],
  c: ['\u0441', '\u217d'],
  i: ['\u0131', '\u0456', '\u2170'],
  k: ['\u212a', '\u043a'],
  s: ['\u017f', '\u0455'],
  '.': ['\u3002', '\uff0e', '\u2024'],
  '/': ['\u2215', '\uff0f'],
  ':': ['\u2236', '\uff1a'],
};

/** The misconfiguration classes that origin checkers (Corsy, CORScanner) probe, built from an allowed origin. */
function lookalikes(origin: string): string[] {
  const url = new URL(origin);
  const host = url.hostname;
  const other = url.protocol === 'https:' ? 'http:' : 'https:';
  const out = [
    `${origin}.evil.io`, // prefix match: https://app.example.com.evil.io
    `${url.protocol}//evil${host}${url.port ? `:${url.port}` : ''}`, // suffix match: https://evilapp.example.com
    `${url.protocol}//evil-${host}${url.port ? `:${url.port}` : ''}`,
    `${url.protocol}//x.${host}${url.port ? `:${url.port}` : ''}`, // any subdomain
    `${other}//${url.host}`, // http trusted by https and the reverse
    `${origin}:8443`, // an extra port
    `${url.protocol}//${host}:${url.port ? Number(url.port) + 1 : 8080}`, // another port
    `${origin}/`, // a trailing slash
    `${origin}/path`,
    ` ${origin}`,
    `${origin} `,
    `${origin}\n`,
    `${origin}%60.evil.io`, // special characters (CORScanner)
    `${origin}_.evil.io`,
    `${url.protocol}//${host}.`, // the FQDN form
    `${url.protocol}//user@${url.host}`,
    `${origin.slice(0, -1)}`, // a substring
    'null',
    '',
  ];
  // unescaped dots: every "." in the host replaced by another character
  host.split('').forEach((ch, i) => {
    if (ch === '.')
      out.push(`${url.protocol}//${host.slice(0, i)}X${host.slice(i + 1)}${url.port ? `:${url.port}` : ''}`);
  });
  // unicode lookalikes of each character
  origin.split('').forEach((ch, i) => {
    for (const look of UNICODE_LOOKALIKES[ch] ?? []) out.push(`${origin.slice(0, i)}${look}${origin.slice(i + 1)}`);
  });
  return out;
}

/** A random mutation of an allowed origin: one character inserted, removed or replaced. */
const mutation = (origins: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...origins),
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    )
    .map(([o, n, op, ch]) => {
      const i = n % (o.length + 1);
      if (op === 'insert') return o.slice(0, i) + ch + o.slice(i);
      if (op === 'delete') return o.slice(0, i) + o.slice(i + 1);
      return o.slice(0, i) + ch + o.slice(i + 1);
    });

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** An independent oracle for one-label wildcards, without regular expressions. */
function wildcardOracle(entry: string, origin: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(origin)) return false;
  const o = asciiLower(origin);
  const [prefix, suffix] = entry.split('*') as [string, string];
  if (!o.startsWith(prefix) || !o.endsWith(suffix) || o.length <= prefix.length + suffix.length) return false;
  const middle = o.slice(prefix.length, o.length - suffix.length);
  if (middle.length > 63 || middle.includes('.')) return false;
  const ok = (c: string) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return ok(middle[0]!) && ok(middle[middle.length - 1]!) && [...middle].every((c) => ok(c) || c === '-');
}

/** What a correct matcher answers: in the list (ASCII case-insensitively) or matched by a wildcard entry. */
function oracle(entries: readonly string[], origin: string | undefined): boolean {
  if (origin === undefined || origin === '' || origin === 'null' || !/^[\x21-\x7e]+$/.test(origin)) return false;
  if (entries.includes('*')) return true;
  return entries.some((e) => (e.includes('*') ? wildcardOracle(e, origin) : e === asciiLower(origin)));
}

// ---------------------------------------------------------------------------------------------------------

describe('parseOriginEntry', () => {
  it.each([
    ['*', 'any'],
    ['https://app.example.com', 'exact'],
    ['http://localhost:3000', 'exact'],
    ['http://127.0.0.1:8080', 'exact'],
    ['http://[::1]:5173', 'exact'],
    ['https://xn--bcher-kva.example', 'exact'],
    ['https://a.b.c.example.com:65535', 'exact'],
    ['https://*.example.com', 'wildcard'],
    ['https://*.preview.example.com:8443', 'wildcard'],
    ['https://*', 'scheme'],
    ['http://*', 'scheme'],
  ] as const)('accepts %s as %s', (value, kind) => {
    expect(parseOriginEntry(value)).toEqual({ kind, value });
  });

  it.each([
    ['https://app.example.com/', 'origin-trailing-slash', 'https://app.example.com'],
    ['https://app.example.com/app', 'origin-path', 'https://app.example.com'],
    ['https://app.example.com?a=1', 'origin-query', 'https://app.example.com'],
    ['https://app.example.com#x', 'origin-fragment', 'https://app.example.com'],
    ['https://u:p@app.example.com', 'origin-userinfo', 'https://app.example.com'],
    ['app.example.com', 'origin-no-scheme', 'https://app.example.com'],
    ['*.example.com', 'origin-no-scheme', 'https://*.example.com'],
    // Local dev servers (Vite's 5173, Create React App's 3000) serve plain http.
    ['localhost:5173', 'origin-no-scheme', 'http://localhost:5173'],
    ['127.0.0.1:3000', 'origin-no-scheme', 'http://127.0.0.1:3000'],
    ['ftp://app.example.com', 'origin-scheme', undefined],
    ['chrome-extension://abcdef', 'origin-scheme', undefined],
    ['HTTPS://app.example.com', 'origin-uppercase', 'https://app.example.com'],
    ['https://App.Example.COM', 'origin-uppercase', 'https://app.example.com'],
    ['http://[::FFFF]:3000', 'origin-uppercase', 'http://[::ffff]:3000'],
    ['null', 'origin-null', undefined],
    ['NULL', 'origin-null', undefined],
    ['https://app.example.com:443', 'origin-default-port', 'https://app.example.com'],
    ['http://app.example.com:80', 'origin-default-port', 'http://app.example.com'],
    ['https://app.example.com:99999', 'origin-port', undefined],
    ['https://app.example.com:0', 'origin-port', undefined],
    ['https://app.example.com:080', 'origin-port', undefined],
    ['https://app.example.com:', 'origin-port', undefined],
    [' https://app.example.com', 'origin-whitespace', 'https://app.example.com'],
    ['https://app.example.com\t', 'origin-whitespace', 'https://app.example.com'],
    ['https://app .example.com', 'origin-whitespace', undefined],
    ['', 'origin-empty', undefined],
    ['https://bücher.example', 'origin-non-ascii', 'https://xn--bcher-kva.example'],
    ['https://\u212aey.example.com', 'origin-non-ascii', 'https://key.example.com'],
    ['https://app.*.example.com', 'origin-wildcard-form', undefined],
    ['https://*.*.example.com', 'origin-wildcard-form', undefined],
    ['https://*.com', 'origin-wildcard-form', undefined],
    ['https://api-*.example.com', 'origin-wildcard-form', undefined],
    ['https://*example.com', 'origin-wildcard-form', undefined],
    ['https://', 'origin-host', undefined],
    ['https://my_app.example.com', 'origin-host', undefined],
    ['https://app.example.com.', 'origin-host', undefined],
    ['https://-app.example.com', 'origin-host', undefined],
    [`https://${'a'.repeat(64)}.example.com`, 'origin-host', undefined],
    ['https://app.123', 'origin-host', undefined],
    ['https://*.example.123', 'origin-host', undefined],
    ['http://[zz::1]', 'origin-host', undefined],
    ['http://127.1', 'origin-not-canonical', 'http://127.0.0.1'],
    ['http://0x7f.0.0.1:8080', 'origin-not-canonical', 'http://127.0.0.1:8080'],
    ['http://[0:0::1]', 'origin-not-canonical', 'http://[::1]'],
  ] as const)('rejects %j with %s', (value, code, fix) => {
    const result = parseOriginEntry(value);
    expect(isOriginProblem(result)).toBe(true);
    expect(result).toMatchObject({ code, reason: expect.any(String) });
    expect((result as { fix?: string }).fix).toBe(fix);
    // A suggested fix is always itself a valid entry.
    if (fix !== undefined) expect(isOriginProblem(parseOriginEntry(fix))).toBe(false);
  });

  it('says an origin with a control character contains one, escaped, instead of calling its host non-ASCII', () => {
    expect(parseOriginEntry('https://a.com\u001b[2J')).toEqual({
      code: 'origin-control-character',
      reason: 'contains a control character (\\u001b); browsers never send one in Origin',
    });
    expect(parseOriginEntry('https://a\u0085.com')).toEqual({
      code: 'origin-control-character',
      reason: 'contains a control character (\\u0085); browsers never send one in Origin',
    });
    expect(parseOriginEntry('https://a.com\u007f')).toMatchObject({ code: 'origin-control-character' });
  });

  it('accepts an exact origin only in the form browsers serialize it (WHATWG URL)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          exactOrigin,
          mutation(['https://app.example.com:8080', 'http://127.0.0.1:3000', 'http://[::1]:5173']),
          fc.string({ maxLength: 40 }),
        ),
        (value) => {
          const entry = parseOriginEntry(value);
          if (!isOriginProblem(entry) && entry.kind === 'exact') expect(new URL(value).origin).toBe(value);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws, and every fix it suggests is valid', () => {
    const chars = fc.constantFrom(...'aAz09.-_:/?#@[]*% \t', '\u212a', 'ü', '\u0430');
    const text = fc
      .tuple(fc.constantFrom('', 'http://', 'https://', 'HTTP://', 'ftp://'), fc.string({ unit: chars, maxLength: 20 }))
      .map(([a, b]) => a + b);
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary', maxLength: 30 })), (value) => {
        const entry = parseOriginEntry(value);
        if (isOriginProblem(entry)) {
          expect(entry.code).toMatch(/^origin-[a-z-]+$/);
          if (entry.fix !== undefined)
            expect(isOriginProblem(parseOriginEntry(entry.fix)), `${value} -> ${entry.fix}`).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('wildcardPatternSource', () => {
  it('is anchored, escapes the rest of the entry and turns "*" into exactly one DNS label', () => {
    const source = wildcardPatternSource('https://*.example.com');
    expect(source).toBe(`^https:\\/\\/${DNS_LABEL}\\.example\\.com$`);
    const re = new RegExp(source);
    expect(re.test('https://app.example.com')).toBe(true);
    expect(re.test('https://a-b-1.example.com')).toBe(true);
    for (const bad of [
      'https://example.com',
      'https://.example.com',
      'https://a.b.example.com',
      'https://appXexample.com',
      'https://app.exampleXcom',
      'https://app.example.com.evil.io',
      'xhttps://app.example.com',
      'https://-a.example.com',
      'https://a-.example.com',
      'https://a_b.example.com',
      `https://${'a'.repeat(64)}.example.com`,
    ]) {
      expect(re.test(bad), bad).toBe(false);
    }
  });

  it('escapes every character of arbitrary text around "*" (nothing is a regex but the label)', () => {
    const side = fc.string({ maxLength: 12 }).filter((s) => !s.includes('*'));
    fc.assert(
      fc.property(side, side, label, fc.string({ maxLength: 20 }), (before, after, l, noise) => {
        const re = new RegExp(wildcardPatternSource(`${before}*${after}`));
        expect(re.test(`${before}${l}${after}`)).toBe(true);
        // Whatever it accepts is the literal text around one label, and nothing else.
        for (const candidate of [
          `${before}${noise}${after}`,
          noise,
          `${before}${l}.${l}${after}`,
          `${before}${l}${after}${noise}`,
        ]) {
          if (re.test(candidate)) {
            expect(candidate.startsWith(before) && candidate.endsWith(after)).toBe(true);
            expect(candidate.slice(before.length, candidate.length - after.length)).toMatch(
              new RegExp(`^${DNS_LABEL}$`),
            );
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compileOrigins', () => {
  it('refuses entries that are not valid origins', () => {
    expect(() => compileOrigins(['https://app.example.com/'])).toThrow(/trailing slash/);
    expect(() => compileOrigins(['null'])).toThrow(/opaque origin/);
  });

  it('answers "*" with any, and never allows a missing, empty or null origin', () => {
    const star = compileOrigins(['*']);
    expect(star.any).toBe(true);
    expect(star.allows('https://anything.example')).toBe(true);
    for (const entries of [['*'], ['https://app.example.com'], ['https://*.example.com'], ['http://*']]) {
      const m = compileOrigins(entries);
      for (const origin of [undefined, '', 'null']) expect(m.allows(origin), `${entries.join()} ${origin}`).toBe(false);
    }
    expect(compileOrigins(['https://app.example.com']).any).toBe(false);
  });

  it('matches exact origins as whole strings, case-insensitively in ASCII only', () => {
    const m = compileOrigins(['https://app.example.com', 'http://localhost:3000']);
    expect(m.allows('https://app.example.com')).toBe(true);
    expect(m.allows('HTTPS://APP.EXAMPLE.COM')).toBe(true);
    expect(m.allows('http://localhost:3000')).toBe(true);
    expect(m.allows('http://localhost:3001')).toBe(false);
    expect(m.allows('http://localhost')).toBe(false);
    // "\u212A" (Kelvin sign) lowercases to "k"; "\u0130" to "i" plus a dot. Neither is an origin a browser sends.
    const k = compileOrigins(['https://key.example.com', 'https://it.example.com']);
    expect(k.allows('https://\u212aey.example.com')).toBe(false);
    expect(k.allows('https://\u0130t.example.com')).toBe(false);
  });

  it('matches "https://*" and "http://*" against every origin of that scheme only', () => {
    const m = compileOrigins(['https://*']);
    expect(m.allows('https://a.example.com')).toBe(true);
    expect(m.allows('https://localhost:8443')).toBe(true);
    expect(m.allows('http://a.example.com')).toBe(false);
    expect(m.allows('https://a.example.com/')).toBe(false);
    expect(m.allows('https://user@a.example.com')).toBe(false);
  });

  it('rejects every lookalike of each allowed origin', () => {
    const allowed = ['https://app.example.com', 'http://localhost:3000', 'https://shop.example.co:8443'];
    const m = compileOrigins(allowed);
    for (const origin of allowed) {
      for (const probe of lookalikes(origin)) {
        expect(m.allows(probe), JSON.stringify(probe)).toBe(allowed.includes(asciiLower(probe)));
      }
    }
    expect(m.allows('https://app.example.com.evil.io')).toBe(false);
    expect(m.allows('https://evilapp.example.com')).toBe(false);
    expect(m.allows('https://appXexample.com')).toBe(false);
    expect(m.allows('http://app.example.com')).toBe(false);
    expect(m.allows('https://app.example.com:443')).toBe(false);
  });

  describe('property: no origin outside the allowlist is ever accepted', () => {
    it('for exact allowlists, against lookalikes, mutations and arbitrary strings', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(exactOrigin, { minLength: 1, maxLength: 5 }).chain((entries) =>
            fc.tuple(
              fc.constant(entries),
              fc.oneof(
                fc.constantFrom(...entries.flatMap(lookalikes)),
                mutation(entries),
                exactOrigin,
                fc.string({ maxLength: 40 }),
                fc.string({ unit: 'binary', maxLength: 40 }),
                fc.constantFrom(...entries).map((o) => o.toUpperCase()),
              ),
            ),
          ),
          ([entries, candidate]) => {
            const m = compileOrigins(entries);
            expect(m.allows(candidate)).toBe(oracle(entries, candidate));
            if (m.allows(candidate)) expect(entries).toContain(asciiLower(candidate));
          },
        ),
        { numRuns: 5000 },
      );
    });

    it('for wildcard entries: exactly one label, nothing around it', () => {
      fc.assert(
        fc.property(
          fc
            .tuple(
              fc.uniqueArray(wildcardEntry, { minLength: 1, maxLength: 3 }),
              fc.uniqueArray(exactOrigin, { maxLength: 2 }),
            )
            .chain(([wild, exact]) => {
              const entries = [...wild, ...exact];
              const instances = fc.tuple(fc.constantFrom(...wild), label).map(([w, l]) => w.replace('*', l));
              return fc.tuple(
                fc.constant(entries),
                fc.oneof(
                  instances,
                  instances.chain((o) => fc.constantFrom(...lookalikes(o))),
                  fc.tuple(fc.constantFrom(...wild), label, label).map(([w, a, b]) => w.replace('*', `${a}.${b}`)),
                  fc.constantFrom(...wild).map((w) => w.replace('*.', '')),
                  fc.constantFrom(...wild),
                  mutation(wild),
                  instances.chain((o) => mutation([o])),
                  fc.string({ maxLength: 40 }),
                ),
              );
            }),
          ([entries, candidate]) => {
            expect(compileOrigins(entries).allows(candidate), JSON.stringify([entries, candidate])).toBe(
              oracle(entries, candidate),
            );
          },
        ),
        { numRuns: 5000 },
      );
    });

    it('accepts every origin the allowlist names (so the properties above are not vacuous)', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(exactOrigin, { minLength: 1, maxLength: 5 }),
          wildcardEntry,
          label,
          (exact, wild, l) => {
            const m = compileOrigins([...exact, wild]);
            for (const o of exact) expect(m.allows(o)).toBe(true);
            expect(m.allows(wild.replace('*', l))).toBe(true);
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('"*" accepts any printable-ASCII origin but never null and never non-ASCII', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (origin) => {
          expect(compileOrigins(['*']).allows(origin)).toBe(oracle(['*'], origin));
        }),
        { numRuns: 2000 },
      );
    });
  });
});

// Keeps the entry type honest for callers that switch on `kind`.
const _exhaustive = (e: OriginEntry): string => {
  switch (e.kind) {
    case 'any':
    case 'exact':
    case 'wildcard':
    case 'scheme':
      return e.value;
  }
};
void _exhaustive;
