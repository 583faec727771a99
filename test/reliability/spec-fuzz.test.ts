/**
 * Bad spec input never loses data or crashes. Random and mutated specs (YAML and JSON) go through
 * the real entry points, `run()` of the CLI for `validate` and `generate`, and a handful through the built
 * binary under a small heap. Every run must end with exit 0, 1 or 2 and a message, exit 0 only for a valid
 * spec, never print a stack trace, never write anything when it fails, and finish within a bound.
 *
 * The oracle for "valid" is independent of the CLI's file handling: strict UTF-8, the `yaml` package's own
 * parser (unique keys, alias limit), then `validateSpec` on the data.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML, { isScalar } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { init } from '../../src/spec/init.js';
import { MAX_SPEC_BYTES } from '../../src/spec/parse.js';
import { validateSpec } from '../../src/spec/validate.js';
import type { CorsModel } from '../../src/spec/model.js';
import { checkLambdaSource } from '../../src/spec/source-check.js';
import { recordFigures, runNode, Stat, STACK_TRACE, Tally } from '../support/reliability-report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'dist/cli/bin.js');

/** The hang detector: generous, since two cores are shared with the rest of the suite. Not a performance test. */
const RUN_LIMIT_MS = 5_000;
/** A child process also starts Node and, for generate, loads CDKTF. */
const CHILD_LIMIT_MS = 20_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Format = 'yaml' | 'yaml-flow' | 'json' | 'json-as-yaml';

interface FuzzCase {
  readonly kind: string;
  readonly bytes: Buffer;
  readonly ext: '.yaml' | '.json';
  /**
   * Set when the case is invalid by construction and too deep or too large for the oracle's parser (which,
   * like any recursive parser, must not be fed 100000 levels).
   */
  readonly invalid?: true;
}

// ---- figures ------------------------------------------------------------------------------------------------

const exits = new Tally();
const kinds = new Tally();
const families = new Tally();
const runTime = new Stat();
const heap = new Stat();
let validSpecs = 0;
let generatesOk = 0;
let childRuns = 0;
const childTime = new Stat();
const childRss = new Stat();
let largestInput = 0;

// ---- the oracle ---------------------------------------------------------------------------------------------

/** Whether the bytes are a valid spec, decided without the CLI's loader. */
function oracleValid(bytes: Buffer, ext: string): boolean {
  return oracleModel(bytes, ext) !== undefined;
}

/**
 * What `lambda.source` adds on disk: the examples' code folders (both use backend/, and their files do not
 * overlap) sit beside every case, and a spec whose folder or handler still does not check out is invalid.
 */
async function oracleOnDisk(bytes: Buffer, ext: string, spec: string): Promise<boolean> {
  const model = oracleModel(bytes, ext);
  if (!model) return false;
  if (!model.lambda.source) return true;
  const found = await checkLambdaSource(spec, model.lambda.runtime, model.lambda.source);
  return found.every((issue) => issue.severity !== 'error');
}

function oracleModel(bytes: Buffer, ext: string): CorsModel | undefined {
  if (bytes.length > MAX_SPEC_BYTES) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  text = text.replace(/^\uFEFF/, '');
  if (ext === '.json') {
    try {
      JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const doc = YAML.parseDocument(text, { uniqueKeys: false, strict: true, version: '1.2', prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  // Keys that become the same property name are duplicates (`1` and "1"): one of them would be lost.
  let duplicate = false;
  YAML.visit(doc, {
    Map(_key, map) {
      const keys = map.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as { value: unknown }).value));
      if (new Set(keys).size !== keys.length) duplicate = true;
    },
  });
  if (duplicate) return undefined;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
    // A value that contains itself (an alias inside its own anchor) is not a spec.
    JSON.stringify(data);
  } catch {
    return undefined;
  }
  const result = validateSpec(data);
  return result.ok ? result.model : undefined;
}

// ---- running one case ---------------------------------------------------------------------------------------

function capture(): Output & { text(): string; stdout(): string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
    color: false,
    isTTY: false,
    text: () => out + err,
    stdout: () => out,
  };
}

let workRoot: string;
/** Valid specs are generated through CDKTF (~0.3 s each); after this many, valid cases only run validate. */
const MAX_VALID_GENERATES = 12;

function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    out.push(path.relative(workRoot, p));
    if (statSync(p).isDirectory()) out.push(...listTree(p));
  }
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  runTime.add(ms);
  heap.add(process.memoryUsage().heapUsed / 1e6);
  return { value, ms };
}

/** validate (sometimes with --json) and generate on one case, with every assertion above. */
async function runCase(c: FuzzCase, options: { json: boolean; generate: boolean }): Promise<void> {
  kinds.add(c.kind);
  families.add(c.kind.split(':')[0]!);
  largestInput = Math.max(largestInput, c.bytes.length);
  const dir = await mkdtemp(path.join(workRoot, 'case-'));
  try {
    const spec = path.join(dir, `cors-gen${c.ext}`);
    writeFileSync(spec, c.bytes);
    const code = path.join(dir, 'backend');
    if (c.bytes.includes('source:'))
      for (const example of ['notes-node', 'notes-python'])
        cpSync(path.join(ROOT, 'examples', example, 'backend'), code, { recursive: true });
    // What the run wrote: everything in the case's folder but the code folder it was given.
    const codeRel = path.relative(workRoot, code);
    const written = () => listTree(dir).filter((f) => f !== codeRel && !f.startsWith(`${codeRel}${path.sep}`));
    const valid = c.invalid ? false : await oracleOnDisk(c.bytes, c.ext, spec);
    if (valid) validSpecs++;
    const context = `${c.kind}: ${JSON.stringify(c.bytes.subarray(0, 300).toString('latin1'))}`;

    const v = capture();
    const validate = await timed(() => run(['validate', '--spec', spec, ...(options.json ? ['--json'] : [])], v));
    exits.add(`validate exit ${validate.value}`);
    expect([0, 1, 2], context).toContain(validate.value);
    expect(
      validate.value === 0,
      `validate exit ${validate.value} but the oracle says ${valid ? 'valid' : 'invalid'}; ${context}\n${v.text()}`,
    ).toBe(valid);
    expect(v.text(), context).not.toMatch(STACK_TRACE);
    expect(v.text().trim().length, `no message; ${context}`).toBeGreaterThan(0);
    expect(validate.ms, context).toBeLessThan(RUN_LIMIT_MS);
    if (options.json) {
      const doc = JSON.parse(v.stdout()) as { ok: boolean; errors: unknown[] };
      expect(doc.ok, context).toBe(validate.value === 0);
      if (!doc.ok) expect(doc.errors.length, context).toBeGreaterThan(0);
    }
    // validate never writes.
    expect(written(), context).toEqual([path.relative(workRoot, spec)]);

    if (!options.generate || (valid && generatesOk >= MAX_VALID_GENERATES)) return;
    const out = path.join(dir, 'out');
    const g = capture();
    const generate = await timed(() => run(['generate', '--spec', spec, '--out', out], g));
    exits.add(`generate exit ${generate.value}`);
    expect([0, 1, 2], context).toContain(generate.value);
    expect(
      generate.value === 0,
      `generate exit ${generate.value} but the oracle says ${valid ? 'valid' : 'invalid'}; ${context}\n${g.text()}`,
    ).toBe(valid);
    expect(g.text(), context).not.toMatch(STACK_TRACE);
    expect(g.text().trim().length, context).toBeGreaterThan(0);
    expect(generate.ms, context).toBeLessThan(RUN_LIMIT_MS);
    if (generate.value === 0) {
      generatesOk++;
      const files = listTree(out);
      expect(
        files.some((f) => f.endsWith('main.tf')),
        context,
      ).toBe(true);
    } else {
      // Nothing written: no output folder, nothing beside the spec.
      expect(written(), `${context}\n${g.text()}`).toEqual([path.relative(workRoot, spec)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the seeds: the examples and what `init` writes ----------------------------------------------------------

interface Seed {
  readonly name: string;
  readonly text: string;
  readonly data: Json;
}
const seeds: Seed[] = [];

async function loadSeeds(): Promise<void> {
  for (const example of readdirSync(path.join(ROOT, 'examples')).sort()) {
    const text = readFileSync(path.join(ROOT, 'examples', example, 'cors-gen.yaml'), 'utf8');
    seeds.push({ name: `example ${example}`, text, data: YAML.parse(text) as Json });
  }
  const combos = [
    { api: 'rest', credentials: false, runtime: 'nodejs22.x', frontend: true },
    {
      api: 'rest',
      credentials: true,
      runtime: 'python3.12',
      frontend: false,
      origins: ['https://app.example.com', 'https://*.example.org'],
    },
    { api: 'http', credentials: true, runtime: 'nodejs24.x', frontend: true },
    { api: 'http', credentials: false, runtime: 'python3.13', frontend: false, origins: ['https://*'] },
    { api: 'function-url', credentials: false, runtime: 'nodejs22.x', frontend: true, origins: ['*'] },
    { api: 'function-url', credentials: true, runtime: 'python3.12', frontend: true },
  ] as const;
  for (const [i, combo] of combos.entries()) {
    const dir = mkdtempSync(path.join(workRoot, 'init-'));
    const result = await init({
      dir,
      name: `init-${i}`,
      ...combo,
      origins: 'origins' in combo ? [...combo.origins] : undefined,
    });
    expect(result.ok, `init ${JSON.stringify(combo)}`).toBe(true);
    const text = readFileSync(path.join(dir, 'cors-gen.yaml'), 'utf8');
    seeds.push({ name: `init ${combo.api}`, text, data: YAML.parse(text) as Json });
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- generators ---------------------------------------------------------------------------------------------

const seedIndex = fc.nat();
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** Values a spec might plausibly hold somewhere: they keep some mutated specs valid. */
const plausible: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    'https://app.example.com',
    'http://localhost:3000',
    'https://*.example.com',
    'https://*',
    '*',
    'GET',
    'POST',
    'OPTIONS',
    '/items',
    '/items/{id}',
    '/files/{proxy+}',
    'Content-Type',
    'X-Request-Id',
    'rest',
    'http',
    'function-url',
    'nodejs22.x',
    'python3.13',
    true,
    false,
    0,
    600,
    86400,
    7200,
    ['GET'],
    ['https://app.example.com', 'https://admin.example.com'],
    [{ path: '/a', methods: ['GET'] }],
  ),
  fc.integer({ min: -5, max: 100_000 }),
);

const nasty = fc.constantFrom<string>(
  '',
  ' ',
  'null',
  '~',
  'true',
  'yes',
  '0x1F',
  '1e400',
  '-0',
  '.nan',
  '<<',
  '&a',
  '*a',
  '!!binary aGk=',
  '\u0000',
  '\uFEFF',
  '\u202Eevil',
  'https://\u212Aey.example.com',
  'https://app.example.com/',
  'HTTPS://APP.EXAMPLE.COM',
  'https://*.*.example.com',
  'https://app.example.com.evil.io',
  'https://xn--80ak6aa92e.com',
  '${jsonencode(1)}',
  '%{if true}x%{endif}',
  '$context.responseOverride.status',
  '"',
  "'",
  '\\',
  '#',
  '- x',
  ': x',
  '{}',
  '[]',
  '\u001b[31mred\u001b[0m',
  'line\nbreak',
  'tab\there',
  '__proto__',
  'constructor',
  'toString',
);

/** A deeply nested value: lists or mappings, up to 200 levels (the loader refuses more than 64). */
const deep: fc.Arbitrary<Json> = fc.tuple(fc.integer({ min: 2, max: 200 }), fc.boolean()).map(([depth, lists]) => {
  let v: Json = 'x';
  for (let i = 0; i < depth; i++) v = lists ? [v] : { a: v };
  return v;
});

const weird: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: plausible },
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, 1e308, -1e308, 2 ** 53 + 2, 0.5, -1, 127, 10241, 901) },
  /* huge strings */ { weight: 1, arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 50_000 }).map((n) => '\u00e9\u4e2d'.repeat(n)) },
  /* huge collections */ {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 15_000 })
      .map((n) => Array.from({ length: n }, (_, i) => `https://a${i}.example.com`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 11_000 })
      .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  },
  { weight: 1, arbitrary: deep },
);

const keyName = fc.oneof(
  fc.constantFrom(
    'version',
    'name',
    'api',
    'stage',
    'cors',
    'routes',
    'frontend',
    'lambda',
    'stages',
    'allowOrigins',
    'allowOrigin',
    'AllowOrigins',
    'allowedOrigins',
    'methods',
    'path',
    'dev',
    'prod',
    '$schema',
    '__proto__',
    'constructor',
    '<<',
    '',
    ' ',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

type Op = {
  kind: 'set' | 'delete' | 'add' | 'rename' | 'wrap' | 'duplicate' | 'swap';
  at: number;
  at2: number;
  value: Json;
  key: string;
};
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('set', 'set', 'set', 'delete', 'add', 'rename', 'wrap', 'duplicate', 'swap'),
  at: fc.nat(),
  at2: fc.nat(),
  value: weird,
  key: keyName,
});

type PathPart = string | number;
function paths(v: Json, prefix: PathPart[] = [], out: PathPart[][] = []): PathPart[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...prefix, k], out);
  return out;
}
function get(v: Json, p: readonly PathPart[]): Json {
  let cur: Json = v;
  for (const part of p) cur = (cur as Record<PathPart, Json>)[part]!;
  return cur;
}
function setAt(root: Json, p: readonly PathPart[], value: Json | undefined): Json {
  if (p.length === 0) return value ?? null;
  const parent = get(root, p.slice(0, -1)) as Record<PathPart, Json> | Json[];
  const last = p[p.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last as string];
  } else if (!Array.isArray(parent) && last === '__proto__') {
    Object.defineProperty(parent, last, { value, enumerable: true, configurable: true, writable: true });
  } else (parent as Record<PathPart, Json>)[last] = value;
  return root;
}

function applyOps(seed: Json, ops: readonly Op[]): Json {
  let doc = structuredClone(seed);
  for (const o of ops) {
    const all = paths(doc);
    const p = pick(all, o.at);
    const target = get(doc, p);
    switch (o.kind) {
      case 'set':
        doc = setAt(doc, p, structuredClone(o.value));
        break;
      case 'delete':
        if (p.length > 0) doc = setAt(doc, p, undefined);
        break;
      case 'add':
        if (Array.isArray(target)) target.push(structuredClone(o.value));
        else if (target !== null && typeof target === 'object') setAt(doc, [...p, o.key], structuredClone(o.value));
        break;
      case 'rename':
        if (p.length > 0 && typeof p[p.length - 1] === 'string') {
          const parent = get(doc, p.slice(0, -1)) as Record<string, Json>;
          const old = p[p.length - 1] as string;
          const value = parent[old]!;
          delete parent[old];
          setAt(doc, [...p.slice(0, -1), o.key === old ? `${old}x` : o.key], value);
        }
        break;
      case 'wrap':
        doc = setAt(doc, p, o.at2 % 2 === 0 ? [target] : { [o.key || 'k']: target });
        break;
      case 'duplicate':
        if (Array.isArray(target) && target.length > 0) target.push(structuredClone(pick(target, o.at2)));
        break;
      case 'swap': {
        const q = pick(all, o.at2);
        const a = structuredClone(target);
        const b = structuredClone(get(doc, q));
        if (p.length > 0 && q.length > 0 && !isPrefix(p, q) && !isPrefix(q, p)) {
          setAt(doc, p, b);
          setAt(doc, q, a);
        }
        break;
      }
    }
  }
  return doc;
}
const isPrefix = (a: readonly PathPart[], b: readonly PathPart[]) =>
  a.length <= b.length && a.every((x, i) => b[i] === x);

function serialize(doc: Json, format: Format): { text: string; ext: '.yaml' | '.json' } {
  switch (format) {
    case 'yaml':
      return { text: YAML.stringify(doc, { lineWidth: 0 }), ext: '.yaml' };
    case 'yaml-flow':
      return { text: YAML.stringify(doc, { collectionStyle: 'flow', lineWidth: 0 }), ext: '.yaml' };
    case 'json':
      return { text: `${JSON.stringify(doc, null, 2)}\n`, ext: '.json' };
    case 'json-as-yaml':
      return { text: JSON.stringify(doc), ext: '.yaml' };
  }
}

const format = fc.constantFrom<Format>('yaml', 'yaml', 'yaml-flow', 'json', 'json-as-yaml');

/** A seed changed at the level of its data (keys, values, types, nesting), then written as YAML or JSON. */
const mutatedSpec: fc.Arbitrary<FuzzCase> = fc
  .tuple(seedIndex, fc.array(op, { minLength: 0, maxLength: 3 }), format)
  .map(([s, ops, f]) => {
    const seed = pick(seeds, s);
    const { text, ext } = serialize(applyOps(seed.data, ops), f);
    return {
      kind: `data: ${ops.map((o) => o.kind).join('+') || 'unchanged'} (${f})`,
      bytes: Buffer.from(text, 'utf8'),
      ext,
    };
  });

/** Bytes that are not UTF-8, in every shape decoders trip on. */
const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xc3, 0x28],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe0, 0x80, 0xaf],
);

type ByteOp = (text: string) => { bytes: Buffer; label: string };
const at = (text: string, n: number) => n % (text.length + 1);
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.tuple(fc.nat(), invalidUtf8).map(([n, bad]): ByteOp => (t) => {
    const b = Buffer.from(t, 'utf8');
    const i = n % (b.length + 1);
    return { bytes: Buffer.concat([b.subarray(0, i), Buffer.from(bad), b.subarray(i)]), label: 'invalid UTF-8' };
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([n, bytes]): ByteOp => (t) => {
    const b = Buffer.from(t, 'utf8');
    const i = n % (b.length + 1);
    return {
      bytes: Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]),
      label: 'random bytes inserted',
    };
  }),
  fc.nat().map((n): ByteOp => (t) => {
    const i = at(t, n);
    return { bytes: Buffer.from(`${t.slice(0, i)}\u0000${t.slice(i)}`, 'utf8'), label: 'NUL byte' };
  }),
  fc.constant<ByteOp>((t) => ({ bytes: Buffer.from(`\uFEFF${t}`, 'utf8'), label: 'BOM' })),
  fc.constant<ByteOp>((t) => ({ bytes: Buffer.from(`\uFEFF\uFEFF${t}`, 'utf8'), label: 'two BOMs' })),
  fc.constant<ByteOp>((t) => ({
    bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
    label: 'UTF-16 with BOM',
  })),
  fc.constant<ByteOp>((t) => ({ bytes: Buffer.from(`${t}\u00e9\u00e8`, 'latin1'), label: 'Latin-1' })),
  fc.constant<ByteOp>((t) => ({ bytes: Buffer.from(t.replace(/\n/g, '\r\n'), 'utf8'), label: 'CRLF' })),
  fc.constant<ByteOp>((t) => ({ bytes: Buffer.from(t.replace(/\n/g, '\r'), 'utf8'), label: 'CR only' })),
  fc.nat().map((n): ByteOp => (t) => ({ bytes: Buffer.from(t.slice(0, at(t, n)), 'utf8'), label: 'truncated' })),
  fc.nat().map((n): ByteOp => (t) => {
    const lines = t.split('\n');
    const i = n % lines.length;
    lines.splice(i, 0, lines[i]!);
    return { bytes: Buffer.from(lines.join('\n'), 'utf8'), label: 'line duplicated' };
  }),
  fc.nat().map((n): ByteOp => (t) => {
    const lines = t.split('\n');
    lines.splice(n % lines.length, 1);
    return { bytes: Buffer.from(lines.join('\n'), 'utf8'), label: 'line deleted' };
  }),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        '---\n',
        '\t',
        '...\n',
        '%YAML 1.1\n',
        '%TAG ! tag:x,2000:\n',
        '&a ',
        '*a',
        '!!binary ',
        '!!set ',
        '!foo ',
        '? ',
        '{',
        '[',
        ']',
        '}',
        ',',
        ': ',
        '- ',
        '"',
        "'",
        '# ',
        '|\n',
        '>-\n',
        '<<: *a\n',
        '\u2028',
        '\u0085',
        '\u001b[2J',
      ),
    )
    .map(([n, s]): ByteOp => (t) => {
      const i = at(t, n);
      return {
        bytes: Buffer.from(`${t.slice(0, i)}${s}${t.slice(i)}`, 'utf8'),
        label: `inserted ${JSON.stringify(s.trim() || s)}`,
      };
    }),
  fc
    .uint8Array({ maxLength: 2000 })
    .map((bytes): ByteOp => () => ({ bytes: Buffer.from(bytes), label: 'random bytes file' })),
);

/** A seed's text with bytes changed: encodings, control characters, YAML syntax, truncation. */
const mutatedText: fc.Arbitrary<FuzzCase> = fc
  .tuple(seedIndex, fc.array(byteOp, { minLength: 1, maxLength: 2 }), fc.boolean())
  .map(([s, ops, json]) => {
    const seed = pick(seeds, s);
    let text = json ? JSON.stringify(seed.data, null, 2) : seed.text;
    let bytes: Buffer = Buffer.from(text, 'utf8');
    const labels: string[] = [];
    for (const o of ops) {
      const r = o(text);
      bytes = r.bytes;
      labels.push(r.label);
      text = bytes.toString('utf8');
    }
    return { kind: `text: ${labels.join(' + ')}`, bytes, ext: json ? '.json' : '.yaml' };
  });

/** Whole documents built to hurt a parser: alias bombs, deep nesting, huge scalars, many keys, anchors, tags. */
const hostile: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 12 })).map(([levels, width]) => {
    const lines = ['version: 1', 'name: bomb-api', `a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let i = 1; i < levels; i++)
      lines.push(
        `a${i}: &a${i} [${Array(width)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push(`cors: { allowOrigins: *a${levels - 1} }`);
    return { kind: 'hostile: alias bomb', bytes: Buffer.from(`${lines.join('\n')}\n`), ext: '.yaml' as const };
  }),
  fc.tuple(fc.integer({ min: 10, max: 100_000 }), fc.constantFrom('[', '{a: ', '- ', '  ')).map(([depth, open]) => {
    const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
    const body =
      open === '  '
        ? Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1'
        : `${open.repeat(depth)}x${close.repeat(depth)}`;
    return {
      kind: `hostile: nesting ${open.trim() || 'indent'} (${depth})`,
      bytes: Buffer.from(`version: 1\nname: deep-api\ncors: {allowOrigins: [https://a.example.com]}\nx:\n  ${body}\n`),
      ext: '.yaml' as const,
      invalid: true as const,
    };
  }),
  fc.integer({ min: 10, max: 300_000 }).map((n) => ({
    kind: 'hostile: many keys',
    invalid: true as const,
    bytes: Buffer.from(
      `version: 1\nname: keys-api\ncors: {allowOrigins: [https://a.example.com]}\n${Array.from({ length: Math.min(n, 120_000) }, (_, i) => `k${i}: ${i}`).join('\n')}\n`,
    ),
    ext: '.yaml' as const,
  })),
  fc
    .tuple(fc.integer({ min: 10_000, max: 1_100_000 }), fc.constantFrom('name', 'stage', 'indexDocument', 'comment'))
    .map(([n, where]) => {
      const big = 'x'.repeat(n);
      const text =
        where === 'comment'
          ? `# ${big}\nversion: 1\nname: big-api\ncors: {allowOrigins: [https://a.example.com]}\nroutes: [{path: /a, methods: [GET]}]\n`
          : `version: 1\nname: ${where === 'name' ? big : 'big-api'}\n${where === 'stage' ? `stage: ${big}\n` : ''}cors: {allowOrigins: [https://a.example.com]}\nroutes: [{path: /a, methods: [GET]}]\n${where === 'indexDocument' ? `frontend: {enabled: true, indexDocument: ${big}}\n` : ''}`;
      return { kind: `hostile: huge ${where}`, bytes: Buffer.from(text), ext: '.yaml' as const };
    }),
  fc.integer({ min: 1, max: 200_000 }).map((n) => ({
    kind: 'hostile: dense flow list',
    bytes: Buffer.from(
      `{"version": 1, "name": "dense-api", "cors": {"allowOrigins": [${Array(n).fill('"a"').join(',')}]}}`,
    ),
    ext: '.json' as const,
    invalid: true as const,
  })),
  fc
    .constantFrom(
      'version: 1\nname: tags-api\ncors: {allowOrigins: [!!binary aHR0cHM6Ly9hLmV4YW1wbGUuY29t]}\n',
      'version: 1\nname: tags-api\ncors: {allowOrigins: !!set {https://a.example.com}}\nroutes: [{path: /a, methods: [GET]}]\n',
      'version: !!int 1\nname: !!str tags-api\ncors: {allowOrigins: [https://a.example.com]}\nroutes: [{path: /a, methods: [GET]}]\n',
      'version: 1\nname: tags-api\ncors: {allowOrigins: [!!timestamp 2001-12-14]}\n',
      'version: 1\nname: tags-api\ncors: {allowOrigins: [!js/function "function(){}"]}\n',
      'version: 1\nname: merge-api\nbase: &b {allowOrigins: [https://a.example.com]}\ncors: {<<: *b}\n',
      'version: 1\nname: alias-api\ncors: {allowOrigins: &o [https://a.example.com]}\nroutes: [{path: /a, methods: [GET]}]\nstages: {dev: {allowOrigins: *o}, qa: {allowOrigins: *o}}\n',
      'version: 1\nname: alias-api\ncors: &c {allowOrigins: [https://a.example.com], x: *c}\n',
      '%YAML 1.1\n---\nversion: 1\nname: y11-api\ncors: {allowOrigins: [https://a.example.com], allowCredentials: yes}\nroutes: [{path: /a, methods: [GET]}]\n',
      'version: 1\nname: proto-api\ncors: {allowOrigins: [https://a.example.com], __proto__: {allowCredentials: true}}\nroutes: [{path: /a, methods: [GET]}]\n',
      '{"version": 1, "name": "proto-api", "__proto__": {"api": "http"}, "cors": {"allowOrigins": ["*"]}, "routes": [{"path": "/a", "methods": ["GET"]}]}',
      '? [a, b]\n: 1\nversion: 1\n',
      'version: 1\nname: dup-api\ncors: {allowOrigins: [https://a.example.com]}\nroutes: [{path: /a, methods: [GET]}]\nstages: {1: {allowOrigins: [https://b.example.com]}, "1": {allowOrigins: [https://c.example.com]}}\n',
      '',
      '\uFEFF',
      '---\n---\n',
      'null',
      '[]',
      '"version: 1"',
      '\u0000\u0000\u0000',
    )
    .map((text) => ({
      kind: 'hostile: YAML feature',
      bytes: Buffer.from(text, 'utf8'),
      ext: text.startsWith('{') ? ('.json' as const) : ('.yaml' as const),
    })),
);

// ---- the tests ----------------------------------------------------------------------------------------------

beforeAll(async () => {
  workRoot = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-fuzz-'));
  await loadSeeds();
}, 60_000);

afterAll(() => {
  rmSync(workRoot, { recursive: true, force: true });
  recordFigures('spec-fuzz', {
    'fuzz runs (validate + generate, in-process)': runTime.count,
    'fuzz cases': Object.values(kinds.toObject()).reduce((a, b) => a + b, 0),
    'valid by the oracle': validSpecs,
    'generated modules': generatesOk,
    exits: exits.toObject(),
    'max time per run (ms)': Math.round(runTime.max),
    'p95 time per run (ms)': Math.round(runTime.percentile(95)),
    'max heap of the test process (MB, garbage included)': Math.round(heap.max),
    'largest input (bytes)': largestInput,
    'binary runs': childRuns,
    'binary max time (ms)': Math.round(childTime.max),
    'binary max RSS (MB)': Math.round(childRss.max / 1024),
    'case families': families.toObject(),
    'distinct mutation kinds': Object.keys(kinds.toObject()).length,
  });
});

describe('random and mutated specs through the CLI', () => {
  it('every seed is a valid spec the oracle accepts, so mutations start from the real thing', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(9);
    for (const s of seeds) expect(oracleValid(Buffer.from(s.text), '.yaml'), s.name).toBe(true);
  });

  it('data mutations (keys, values, types, nesting, unicode, huge values), as YAML and JSON', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSpec, fc.boolean(), async (c, json) => runCase(c, { json, generate: true })),
      { numRuns: 300 },
    );
  });

  it('byte mutations (invalid UTF-8, BOMs, NUL, UTF-16, truncation, duplicated lines, YAML syntax)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText, fc.boolean(), async (c, json) => runCase(c, { json, generate: true })),
      { numRuns: 400 },
    );
  });

  it('hostile documents (alias bombs, deep nesting, huge scalars, many keys, tags, merge keys, __proto__)', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (c) => runCase(c, { json: false, generate: true })),
      { numRuns: 150 },
    );
  });

  it('refuses the classic attacks with the right error code', async () => {
    const cases: Array<[string, string, string]> = [
      [
        'billion laughs',
        `version: 1\nname: b-api\n${[
          'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
          ...Array.from(
            { length: 8 },
            (_, i) =>
              `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
                .fill(`*${String.fromCharCode(97 + i)}`)
                .join(',')}]`,
          ),
        ].join('\n')}\ncors: {allowOrigins: [https://a.example.com]}\n`,
        'alias-bomb',
      ],
      ['nesting 100000 deep', `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'too-deep'],
      ['compact sequences 100000 deep', `x:\n${'- '.repeat(100_000)}a\n`, 'too-deep'],
      [
        'a megabyte of list items',
        `{"cors": {"allowOrigins": [${Array(200_000).fill('"a"').join(',')}]}}`,
        'too-large',
      ],
      [
        'a duplicate key far apart',
        `name: a\n${Array.from({ length: 500 }, (_, i) => `k${i}: 1`).join('\n')}\nname: b\n`,
        'duplicate-key',
      ],
      // Found by this fuzzer: the value contained itself and the message formatter threw (an internal error).
      ['an alias inside its own anchor', 'version: 1\nname: a-api\ncors: &c {allowOrigins: *c}\n', 'alias-cycle'],
      [
        'a list that contains itself',
        'version: 1\nname: a-api\ncors: {allowOrigins: &o [https://a.example.com, *o]}\n',
        'alias-cycle',
      ],
    ];
    for (const [label, text, code] of cases) {
      const dir = mkdtempSync(path.join(workRoot, 'classic-'));
      const spec = path.join(dir, 'cors-gen.yaml');
      writeFileSync(spec, text);
      const out = capture();
      const started = performance.now();
      const exit = await run(['validate', '--json', '--spec', spec], out);
      const ms = performance.now() - started;
      expect(exit, label).toBe(1);
      expect(ms, label).toBeLessThan(RUN_LIMIT_MS);
      const doc = JSON.parse(out.stdout()) as { errors: Array<{ code: string }> };
      expect(
        doc.errors.map((e) => e.code),
        label,
      ).toEqual([code]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unreadable spec files', () => {
  it('exit 2 with a message and write nothing: missing, a folder, a device', async () => {
    const dir = mkdtempSync(path.join(workRoot, 'unreadable-'));
    for (const spec of [path.join(dir, 'missing.yaml'), dir, '/dev/null', '/dev/zero']) {
      for (const command of ['validate', 'generate']) {
        const out = capture();
        const started = performance.now();
        const exit = await run(
          command === 'validate'
            ? ['validate', '--spec', spec]
            : ['generate', '--spec', spec, '--out', path.join(dir, 'out')],
          out,
        );
        runTime.add(performance.now() - started);
        exits.add(`${command} exit ${exit}`);
        expect(exit, `${command} ${spec}`).toBe(2);
        expect(out.text(), spec).toMatch(/^cors-gen: .+/);
        expect(out.text(), spec).not.toMatch(STACK_TRACE);
        expect(readdirSync(dir), spec).toEqual([]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the built binary under a small heap', () => {
  beforeAll(() => {
    // The binary is what users run; a stale build would test yesterday's code.
    expect(existsSync(BIN), `${BIN} is missing: run "npm run build" first`).toBe(true);
    const built = statSync(path.join(ROOT, 'dist/cli.cjs')).mtimeMs;
    for (const f of ['src/spec/parse.ts', 'src/spec/load.ts', 'src/spec/validate.ts', 'src/cli/main.ts']) {
      expect(statSync(path.join(ROOT, f)).mtimeMs, `dist is older than ${f}: run "npm run build"`).toBeLessThanOrEqual(
        built + 1000,
      );
    }
  });

  const megabyte = (unit: string, prefix: string, suffix: string) =>
    prefix + unit.repeat(Math.floor((MAX_SPEC_BYTES - 1000) / unit.length)) + suffix;
  const cases: Array<{ label: string; bytes: Buffer; args?: string[]; heapMb: number; expect: number }> = [
    {
      label: 'a megabyte flow list (JSON)',
      bytes: Buffer.from(megabyte('"a",', '{"version":1,"name":"a-api","cors":{"allowOrigins":[', '"b"]}}')),
      heapMb: 64,
      expect: 1,
    },
    { label: 'a megabyte of keys', bytes: Buffer.from(megabyte('k: 1\n', 'version: 1\n', '')), heapMb: 64, expect: 1 },
    {
      label: 'nesting 300000 deep',
      bytes: Buffer.from(`x: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`),
      heapMb: 64,
      expect: 1,
    },
    {
      label: 'alias bomb',
      bytes: Buffer.from(
        `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
      ),
      heapMb: 64,
      expect: 1,
    },
    {
      label: 'invalid UTF-8 after a megabyte of U+FFFD',
      bytes: Buffer.concat([Buffer.from(`# ${'\uFFFD'.repeat(340_000)}\n`), Buffer.from([0xff])]),
      heapMb: 64,
      expect: 1,
    },
    {
      label: 'random bytes',
      bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      heapMb: 64,
      expect: 1,
    },
    {
      label: 'generate: a megabyte of keys',
      bytes: Buffer.from(megabyte('k: 1\n', 'version: 1\n', '')),
      args: ['generate'],
      heapMb: 64,
      expect: 1,
    },
    {
      label: 'generate: a valid spec',
      bytes: readFileSync(path.join(ROOT, 'examples/orders-api/cors-gen.yaml')),
      args: ['generate'],
      heapMb: 256,
      expect: 0,
    },
  ];
  it.each(cases.map((c) => [c.label, c] as const))('%s: exits cleanly within the bounds', async (_label, c) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-bin-'));
    try {
      const spec = path.join(dir, 'cors-gen.yaml');
      writeFileSync(spec, c.bytes);
      const command = c.args?.[0] ?? 'validate';
      const args =
        command === 'generate'
          ? ['generate', '--spec', spec, '--out', path.join(dir, 'out')]
          : ['validate', '--spec', spec];
      const r = await runNode(BIN, args, {
        nodeArgs: [`--max-old-space-size=${c.heapMb}`],
        cwd: dir,
        timeoutMs: CHILD_LIMIT_MS,
      });
      childRuns++;
      childTime.add(r.ms);
      if (r.maxRssKb !== undefined) childRss.add(r.maxRssKb);
      const context = `${c.label}\n${(r.stdout + r.stderr).slice(0, 2000)}`;
      expect(r.timedOut, context).toBe(false);
      expect(r.signal, context).toBeNull();
      expect(r.code, context).toBe(c.expect);
      expect(r.stdout + r.stderr, context).not.toMatch(STACK_TRACE);
      expect((r.stdout + r.stderr).trim().length, context).toBeGreaterThan(0);
      expect(r.maxRssKb, context).toBeDefined();
      if (c.expect !== 0) expect(readdirSync(dir), context).toEqual(['cors-gen.yaml']);
      else expect(readdirSync(path.join(dir, 'out'))).toEqual(['orders-api']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
