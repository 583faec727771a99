import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileOrigins, isOriginProblem, parseOriginEntry } from '../../src/cors/origin.js';
import {
  httpEvent,
  importNodeCors,
  restEvent,
  runNodeVectors,
  runPythonVectors,
  writeLambda,
  type NodeCorsModule,
  type Outcome,
  type RenderedLambda,
  type Vector,
} from '../support/lambda-harness.js';

// ---- generators ---------------------------------------------------------------------------------------------

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?$/);
const scheme = fc.constantFrom('http', 'https');
/** No default ports: the spec rejects them, and compileOrigins with them. */
const port = fc.constantFrom('', '', ':3000', ':8080', ':8443');

const exactEntry = fc
  .tuple(scheme, fc.array(label, { minLength: 1, maxLength: 3 }), port)
  .map(([s, labels, p]) => `${s}://${labels.join('.')}${p}`)
  .filter(isValidEntry);
const wildcardEntry = fc
  .tuple(scheme, fc.array(label, { minLength: 2, maxLength: 3 }), port)
  .map(([s, labels, p]) => `${s}://*.${labels.join('.')}${p}`)
  .filter(isValidEntry);

/** Only entries the spec accepts (e.g. not "https://app.123": a name cannot end in a number). */
function isValidEntry(entry: string): boolean {
  return !isOriginProblem(parseOriginEntry(entry));
}

/** Allowlists as the spec allows them: `*` alone, `http(s)://*` (HTTP API), or exact origins and patterns. */
const allowlist = fc.oneof(
  { weight: 1, arbitrary: fc.constant(['*']) },
  { weight: 1, arbitrary: fc.constantFrom(['https://*'], ['http://*'], ['https://*', 'http://localhost:3000']) },
  { weight: 8, arbitrary: fc.uniqueArray(fc.oneof(exactEntry, wildcardEntry), { minLength: 1, maxLength: 4 }) },
);

/** Origins a browser (or an attacker) could send, crafted from an entry of the list to look like it. */
function lookalikes(entry: string): fc.Arbitrary<string> {
  const filled = entry.includes('*') ? label.map((l) => entry.replace('*', l)) : fc.constant(entry);
  const m = /^(https?):\/\/([^:]*)(:\d+)?$/.exec(entry);
  const host = m?.[2] ?? 'example.com';
  const s = m?.[1] ?? 'https';
  const p = m?.[3] ?? '';
  const filledHost = entry.includes('*') ? label.map((l) => host.replace('*', l)) : fc.constant(host);
  return fc.oneof(
    filled,
    filled.map((o) => o.toUpperCase()),
    filled.map((o) => `${o}/`),
    filled.map((o) => `${o}.evil.io`),
    filled.map((o) => `${o}\n`),
    filled.map((o) => ` ${o}`),
    filled.map((o) => (p === '' ? `${o}:443` : o.slice(0, -p.length))),
    filledHost.map((h) => `${s === 'https' ? 'http' : 'https'}://${h}${p}`),
    filledHost.map((h) => `${s}://evil${h}${p}`),
    filledHost.map((h) => `${s}://${h.replace('.', 'X')}${p}`),
    filledHost.map((h) => `${s}://${h.replace('.', '')}${p}`),
    fc.tuple(label, filledHost).map(([l, h]) => `${s}://${l}.${h}${p}`),
    fc.constant(`${s}://${host.replace('*', '')}${p}`),
    fc.constant(`${s}://${host.replace('*.', '')}${p}`),
    fc.constant(`${s}://${host.replace('*', 'a'.repeat(64))}${p}`),
    fc.constant(`${s}://${host.replace('*', 'a_b')}${p}`),
    fc.constant(`${s}://${host.replace('*', '-a')}${p}`),
  );
}

const anyOrigin = fc.oneof(
  fc.constantFrom('null', '', 'https://app.example.com', 'http://localhost:3000', 'https://[::1]:8443'),
  fc.webUrl().map((u) => new URL(u).origin),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.constantFrom('https://\u212Aey.example.com', 'https://b\u00fccher.example', 'https://a.example.com\t'),
);

/** A list, and an origin that is often almost, sometimes exactly, one of its entries. */
const listAndOrigin = allowlist.chain((entries) =>
  fc.tuple(
    fc.constant(entries),
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...entries).chain(lookalikes) },
      { weight: 1, arbitrary: anyOrigin },
    ),
  ),
);

const caseArb = fc.tuple(listAndOrigin, fc.constantFrom('Origin', 'origin', 'ORIGIN', 'v2'), fc.boolean());

type Case = [[string[], string], string, boolean];

function toVector([[entries, origin], shape, credentials]: Case, i: number): Vector {
  // `*` with credentials is refused by the spec validator; the property covers what can be deployed.
  const withCredentials = credentials && !entries.includes('*');
  return {
    name: `property ${i}`,
    env: {
      ALLOWED_ORIGINS: entries.join(' '),
      ALLOW_CREDENTIALS: String(withCredentials),
      ALLOW_HEADERS: '',
      EXPOSE_HEADERS: '',
      CORS_MODE: 'lambda',
      ENFORCE_ORIGIN: 'false',
    },
    app: { return: { statusCode: 200, body: 'ok' } },
    requests: [{ event: shape === 'v2' ? httpEvent(origin) : restEvent(origin, shape) }],
  };
}

/** What compileOrigins says the response must be: the ACAO value, or undefined when the origin is refused. */
function expectedAcao(vector: Vector, origin: string): string | undefined {
  const matcher = compileOrigins(vector.env['ALLOWED_ORIGINS']!.split(' '));
  if (!matcher.allows(origin)) return undefined;
  return matcher.any && vector.env['ALLOW_CREDENTIALS'] !== 'true' ? '*' : origin;
}

function acaoOf(outcome: Outcome | undefined): string | undefined {
  if (!outcome || 'crash' in outcome)
    throw new Error(`wrapper crashed: ${outcome && 'crash' in outcome ? outcome.crash : 'no outcome'}`);
  const headers = (outcome.response as { headers: Record<string, string> }).headers;
  return headers['Access-Control-Allow-Origin'];
}

// ---- properties ---------------------------------------------------------------------------------------------

describe('origin matching of the rendered wrappers equals compileOrigins (src/cors/origin.ts)', () => {
  let node: RenderedLambda;
  let python: RenderedLambda;
  let cors: NodeCorsModule;

  beforeAll(async () => {
    node = writeLambda('nodejs22.x');
    python = writeLambda('python3.13');
    cors = await importNodeCors(node.dir);
  });
  afterAll(() => {
    node.cleanup();
    python.cleanup();
  });

  it('Node: for random lists and lookalike origins', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const vector = toVector(c as Case, 0);
        const outcome = (await runNodeVectors(cors, [vector]))[0]?.[0];
        expect(acaoOf(outcome)).toBe(expectedAcao(vector, c[0][1]));
      }),
      { numRuns: 500 },
    );
  });

  it('Node and Python: the same 1500 cases, Python in one process', async () => {
    const cases = fc.sample(caseArb, { numRuns: 1500, seed: 20260 }) as Case[];
    const vectors = cases.map(toVector);
    const fromPython = runPythonVectors(python.dir, vectors);
    const fromNode = await runNodeVectors(cors, vectors);
    let allowedCount = 0;
    cases.forEach((c, i) => {
      const expected = expectedAcao(vectors[i]!, c[0][1]);
      if (expected !== undefined) allowedCount++;
      const context = `list ${JSON.stringify(c[0][0])}, origin ${JSON.stringify(c[0][1])}`;
      expect(acaoOf(fromPython[i]?.[0]), `Python, ${context}`).toBe(expected);
      expect(acaoOf(fromNode[i]?.[0]), `Node, ${context}`).toBe(expected);
    });
    // The generators must exercise both answers, or the property proves little.
    expect(allowedCount).toBeGreaterThan(cases.length / 10);
    expect(allowedCount).toBeLessThan(cases.length * 0.9);
  });

  it('the matchers exported by the Node code agree directly, including on arbitrary strings', () => {
    fc.assert(
      fc.property(listAndOrigin, ([entries, origin]) => {
        expect(cors.compileOrigins(entries).allows(origin)).toBe(compileOrigins(entries).allows(origin));
      }),
      { numRuns: 2000 },
    );
  });
});
