/**
 * Every sink of generated output at once: random valid specs whose free strings (header names, route path
 * segments, the index document, the spec file's own path) are drawn from hostile alphabets, and the same specs
 * with values the validator would refuse put straight into the model (escaping must hold at the sink by itself).
 * For each, the module is synthesized in-process and compared with a baseline: the same spec with harmless
 * strings in the same places. The generated artifacts must parse (HCL through `@cdktf/hcl2json`, `.tf.json`
 * through JSON, VTL through the preview's emulator; in batches at the end: the Lambda code through Node's module
 * parser and `python3 -m py_compile`, a sample of folders through `terraform fmt -check` when terraform is
 * installed) and every hostile string must appear in them only as literal data:
 * - Terraform: the interpolations and directives of every file are exactly the baseline's, and each hostile
 *   value is found in the decoded text of some string;
 * - comments: the header stays one line; the same blocks exist as in the baseline;
 * - VTL: every mapping template is the baseline's, and renders with a hostile Origin header;
 * - API Gateway static values: one pair of single quotes around text without a quote;
 * - JavaScript and Python: every line but the one-line header comment is the baseline's;
 * - README: the same lines, line kinds and table cells as the baseline.
 *
 * About 100 runs in `npm test`; 1000 when the reliability report runs it (CORS_GEN_RELIABILITY_DIR is set). The
 * seed is printed; CORS_GEN_RELIABILITY_SEED replays a run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceSlug } from '../../src/constructs/logical-ids.js';
import { compileTemplate } from '../../src/preview/rest/vtl.js';
import type { CorsModel, PathSegment } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';
import { buildModuleFiles, type ModuleFiles } from '../../src/synth/module-files.js';
import { recordFigures, Stat, Tally } from '../support/reliability-report.js';

const SEED = Number(process.env['CORS_GEN_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
const RUNS = process.env['CORS_GEN_RELIABILITY_DIR'] ? 1000 : 100;
/** Modules whose folder goes through `terraform fmt -check` (one process for all). */
const FMT_SAMPLE = 20;
const TERRAFORM = '/usr/local/bin/terraform';

// ---- hostile alphabets --------------------------------------------------------------------------------------

/** Anything: what a folder name or a model built past validation may hold. */
const HOSTILE = [
  '${file("/etc/hostname")}',
  '${',
  '%{ if true }x%{ endif }',
  '%{',
  '$${',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\t',
  '\u2028',
  '\u2029',
  '#set($x = 1)',
  '$input.body',
  '$context.requestId',
  '#if(true)',
  '*/',
  '/*',
  '//',
  '-->',
  '<!--',
  '<b>x</b>',
  '`',
  '```',
  '|',
  '# ',
  '[a](javascript:x)',
  '_x_',
  '*x*',
  '\u0085',
  '\u007f',
  'é',
  '😀',
  'EOT',
  '\u0000',
  ' ',
  'a',
  'Z9',
];
/** RFC 9110 token characters and VTL/shell/Markdown look-alikes made of them. */
const TOKEN_PIECES = [
  'X',
  'a',
  '9',
  '#set',
  '$input',
  '$',
  '%',
  "'",
  '`',
  '|',
  '*',
  '_',
  '~',
  '^',
  '&',
  '!',
  '#',
  '+',
  '.',
  '-',
  '$context',
  '*x*',
];
/**
 * What validation accepts in a literal route segment: the characters API Gateway accepts in a path part
 * (letters, digits, "." "_" "-" and ":"). Hostile segments reach the generator through `bypass.segment`.
 */
const SEGMENT_PIECES = ['a', '9', 'Z', ':', '.', '-', '_', 'input'];
/** S3's safe key characters, which the validator accepts in an index document. */
const INDEX_PIECES = ['index', '.', 'html', '!', '*', '(', ')', '-', '_', 'A9'];

const joined = (pieces: readonly string[], min: number, max: number) =>
  fc.array(fc.constantFrom(...pieces), { minLength: min, maxLength: max }).map((p) => p.join(''));

interface Shape {
  readonly api: 'rest' | 'http' | 'function-url';
  readonly runtime: 'nodejs22.x' | 'python3.13';
  readonly frontend: boolean;
  readonly credentials: boolean;
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Per route: literal segments (hostile), with a parameter after the first when `param` is set. */
  readonly routes: ReadonlyArray<{ readonly literals: readonly string[]; readonly param: boolean }>;
  readonly indexDocument: string;
  readonly stage: boolean;
  readonly specFile: string;
  /** Values the validator refuses, put into the model directly; undefined for a valid spec as it is. */
  readonly bypass?: { readonly indexDocument: string; readonly header: string; readonly segment: string };
}

const shape: fc.Arbitrary<Shape> = fc
  .record({
    api: fc.constantFrom('rest', 'http', 'function-url'),
    runtime: fc.constantFrom('nodejs22.x', 'python3.13'),
    frontend: fc.boolean(),
    credentials: fc.boolean(),
    allowHeaders: fc.array(joined(TOKEN_PIECES, 1, 4), { maxLength: 3 }),
    exposeHeaders: fc.array(joined(TOKEN_PIECES, 1, 4), { maxLength: 2 }),
    routes: fc.array(
      fc.record({
        literals: fc.array(joined(SEGMENT_PIECES, 1, 4), { minLength: 1, maxLength: 2 }),
        param: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    indexDocument: joined(INDEX_PIECES, 1, 4),
    stage: fc.boolean(),
    specFile: fc.array(joined(HOSTILE, 1, 3), { maxLength: 2 }).map((dirs) => [...dirs, 'cors-gen.yaml'].join('/')),
    bypass: fc.option(
      fc.record({
        indexDocument: joined(HOSTILE, 1, 4),
        header: joined(HOSTILE, 1, 3),
        // Without "/": a segment holding one would be two path parts, a different tree and no sink's concern (the
        // REST body's postconditions refuse the module); every other hostile character stays.
        segment: joined(HOSTILE, 1, 3).map((v) => v.replaceAll('/', '_')),
      }),
      { nil: undefined, freq: 2 },
    ),
  })
  .map((s) => {
    // A quote is a valid token but not in a REST API's static values (refused by validation and by the construct).
    const noQuote = (h: string) => (s.api === 'rest' ? h.replace(/'/g, 'q') : h);
    return {
      ...s,
      allowHeaders: s.allowHeaders.map(noQuote),
      exposeHeaders: s.exposeHeaders.map(noQuote),
      ...(s.bypass ? { bypass: { ...s.bypass, header: noQuote(s.bypass.header) } } : {}),
    };
  });

// ---- specs: hostile and baseline ----------------------------------------------------------------------------

/** Route paths; the prefix r<i> keeps routes apart, so resource addresses never depend on a collision hash. */
function routePaths(s: Shape, literal: (value: string) => string): string[] {
  return s.routes.map(
    (r, i) =>
      '/' +
      r.literals
        .map((l, j) => literal(j === 0 ? `r${i}${l}` : l))
        .flatMap((l, j) => (j === 0 && r.param ? [l, '{id}'] : [l]))
        .join('/'),
  );
}

function specOf(s: Shape, harmless: boolean) {
  // The baseline keeps every Terraform address: a literal segment becomes its own slug.
  const literal = (v: string) => (harmless ? resourceSlug([{ kind: 'literal', value: v }]) : v);
  return {
    version: 1,
    name: 'sink-test',
    api: s.api,
    cors: {
      allowOrigins: ['https://app.example.com'],
      allowHeaders: harmless ? s.allowHeaders.map((_, i) => `X-A${i}`) : s.allowHeaders,
      exposeHeaders: harmless ? s.exposeHeaders.map((_, i) => `X-E${i}`) : s.exposeHeaders,
      allowCredentials: s.credentials,
    },
    routes: routePaths(s, literal).map((p) => ({ path: p, methods: ['GET', 'POST'] })),
    frontend: { enabled: s.frontend, indexDocument: harmless ? 'index.html' : s.indexDocument },
    lambda: { runtime: s.runtime },
    ...(s.stage ? { stages: { dev: { allowOrigins: ['http://localhost:3000'] } } } : {}),
  };
}

/** The model with the values validation refuses (for the hostile side) or their harmless stand-ins. */
function bypassed(model: CorsModel, s: Shape, harmless: boolean): CorsModel {
  if (!s.bypass) return model;
  const { indexDocument, header, segment } = s.bypass;
  const seg = harmless ? resourceSlug([{ kind: 'literal', value: segment }]) : segment;
  const routes = model.routes.map((r, i) => {
    if (i > 0) return r;
    const segments: PathSegment[] = [...r.segments, { kind: 'literal', value: seg }];
    return { ...r, segments, path: `${r.path}/${seg}` };
  });
  return {
    ...model,
    frontend: { enabled: true, indexDocument: harmless ? 'index.html' : indexDocument },
    cors: { ...model.cors, exposeHeaders: [...model.cors.exposeHeaders, harmless ? 'X-Bypass' : header] },
    routes,
  };
}

/** The hostile strings of a case: each must appear somewhere as decoded literal text. */
function hostileValues(s: Shape): string[] {
  // A Function URL has no routes: its module holds no path.
  const routed = s.api !== 'function-url';
  const values = [...s.allowHeaders, ...s.exposeHeaders, ...(routed ? s.routes.flatMap((r) => r.literals) : [])];
  if (s.frontend || s.bypass) values.push(s.bypass ? s.bypass.indexDocument : s.indexDocument);
  if (s.bypass) values.push(s.bypass.header, ...(routed ? [s.bypass.segment] : []));
  return values;
}

// ---- readers ------------------------------------------------------------------------------------------------

interface Strings {
  /** Every interpolation and directive, as its source (the REST trigger's configuration hash masked), in order. */
  readonly expressions: string[];
  /** The decoded literal text of every string, interpolations left out. */
  readonly texts: string[];
  /** Mapping templates (request/response templates), as written. */
  readonly templates: string[];
  /** API Gateway response parameter values, as written. */
  readonly parameters: string[];
}

/**
 * A Terraform template (JSON syntax, or hcl2json's reading of HCL) split as Terraform's template grammar does:
 * `$${` and `%%{` are literal text, `${...}` and `%{...}` are interpolations and directives (their extent found
 * by matching brackets, with string literals and their own nested templates skipped). Expressions are kept as
 * source; the text is decoded, with U+0001 where an expression was.
 * https://developer.hashicorp.com/terraform/language/expressions/strings
 */
function splitTemplate(s: string): { text: string; expressions: string[] } {
  let text = '';
  const expressions: string[] = [];
  let i = 0;
  while (i < s.length) {
    const two = s.slice(i, i + 2);
    if (s.startsWith('$${', i) || s.startsWith('%%{', i)) {
      text += s.slice(i + 1, i + 3);
      i += 3;
    } else if (two === '${' || two === '%{') {
      const end = expressionEnd(s, i + 2);
      if (end < 0) throw new Error(`unterminated template sequence in ${JSON.stringify(s)}`);
      expressions.push(s.slice(i, end));
      text += '\u0001';
      i = end;
    } else {
      text += s[i];
      i++;
    }
  }
  return { text, expressions };
}

function expressionEnd(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\') i += 2;
        else if ((s[i] === '$' || s[i] === '%') && s[i + 1] === '{') {
          i = expressionEnd(s, i + 2);
          if (i < 0) return -1;
        } else i++;
      }
      if (i >= s.length) return -1;
    } else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  return -1;
}

/** Reads every string of a document (JSON syntax: strings are templates), whatever nests it. */
function readStrings(
  value: unknown,
  out: Strings = { expressions: [], texts: [], templates: [], parameters: [] },
  key = '',
): Strings {
  if (typeof value === 'string') {
    // The configuration hash of the REST trigger is data about the spec; it may differ from the baseline's.
    const { text, expressions } = splitTemplate(value);
    out.texts.push(text);
    out.expressions.push(...expressions.map((e) => e.replace(/"[0-9a-f]{16}"/g, '"<hash>"')));
  } else if (Array.isArray(value)) {
    for (const v of value) readStrings(v, out, key);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // Terraform ignores "//" properties in JSON syntax: comments, never evaluated.
      // https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties
      if (k === '//') continue;
      // Object keys are templates too (the REST API's OpenAPI paths are keys): a spec value there is a sink.
      readStrings(k, out);
      if ((key === 'request_templates' || key === 'response_templates') && typeof v === 'string') out.templates.push(v);
      if (key === 'response_parameters' && typeof v === 'string') out.parameters.push(v);
      readStrings(v, out, k);
    }
  }
  return out;
}

/** Top-level blocks and resource addresses of a parsed document: what an injected line would add to. */
function addresses(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [kind, body] of Object.entries(doc)) {
    if (kind === '//') continue; // the .tf.json header comment
    for (const b of Array.isArray(body) ? body : [body]) {
      for (const [name, inner] of Object.entries((b ?? {}) as Record<string, unknown>)) {
        if (kind === 'resource' || kind === 'data')
          for (const i of Array.isArray(inner) ? inner : [inner])
            for (const n of Object.keys(i as object)) out.push(`${kind}.${name}.${n}`);
        else out.push(`${kind}.${name}`);
      }
    }
  }
  return out.sort();
}

interface Parsed {
  readonly files: ModuleFiles;
  /** Per Terraform file: the parsed document (hcl2json's reading for .tf and .tfvars, JSON.parse for .tf.json). */
  readonly docs: Map<string, Record<string, unknown>>;
}

async function parsed(model: CorsModel, format: 'hcl' | 'json', specFile: string): Promise<Parsed> {
  const files = await buildModuleFiles(model, { format, specFile, specText: '', version: '0.0.0-test' });
  const docs = new Map<string, Record<string, unknown>>();
  for (const [name, text] of files.generated) {
    if (name.endsWith('.tf.json')) docs.set(name, JSON.parse(text) as Record<string, unknown>);
    else if (name.endsWith('.tf') || name.endsWith('.tfvars'))
      docs.set(name, (await parseHcl(name, text)) as Record<string, unknown>);
  }
  return { files, docs };
}

/** A README's structure: per line, its kind and (for table rows) its cell count. */
function markdownShape(readme: string): string[] {
  // CommonMark ends a line at \n, \r\n or \r (https://spec.commonmark.org/0.31.2/#line-ending).
  return readme.split(/\r\n|\r|\n/).map((line) => {
    const kind = line.startsWith('|')
      ? 'row'
      : line.startsWith('#')
        ? 'heading'
        : line.startsWith('```')
          ? 'fence'
          : line.startsWith('- ')
            ? 'item'
            : line.startsWith('<!--')
              ? 'comment'
              : line === ''
                ? 'blank'
                : 'text';
    return kind === 'row' ? `row:${line.replace(/\\./g, '').split('|').length}` : kind;
  });
}

// ---- the run ------------------------------------------------------------------------------------------------

let work: string;
const codeFiles: { js: string[]; py: string[] } = { js: [], py: [] };
const fmtFolders: string[] = [];
const tally = new Tally();
const synthTime = new Stat();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-sinks-'));
  console.info(`[sink-property] seed ${SEED}, ${RUNS} runs (replay: CORS_GEN_RELIABILITY_SEED=${SEED})`);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  recordFigures('sink-property', {
    seed: SEED,
    'runs (hostile spec + baseline, synthesized in-process)': RUNS,
    cases: tally.toObject(),
    'Lambda files through the Node parser': codeFiles.js.length,
    'Lambda files through py_compile': codeFiles.py.length,
    'module folders through terraform fmt -check': existsSync(TERRAFORM)
      ? fmtFolders.length
      : 'terraform not installed',
    'max synthesis time per module (ms)': Math.round(synthTime.max),
  });
});

describe('every sink of generated output keeps spec strings literal', () => {
  const cases = fc.sample(shape, { numRuns: RUNS, seed: SEED });

  it(`${RUNS} hostile specs parse everywhere and add no interpolation, directive, statement or Markdown structure`, async () => {
    for (const [n, s] of cases.entries()) {
      const label = `seed ${SEED}, case ${n}: ${JSON.stringify(s)}`;
      const hostile = validateSpec(specOf(s, false));
      const baseline = validateSpec(specOf(s, true));
      expect(baseline.ok, `baseline of ${label}: ${JSON.stringify(baseline.ok ? [] : baseline.errors)}`).toBe(true);
      if (!hostile.ok || !baseline.ok) {
        // The generator takes valid specs only; what validation refuses here is not a sink's business.
        tally.add(`refused by validation: ${hostile.ok ? '' : hostile.errors[0]!.code}`);
        continue;
      }
      tally.add(s.bypass ? 'valid spec + refused values in the model' : 'valid spec');
      const format = n % 2 === 0 ? 'hcl' : 'json';
      const started = performance.now();
      const h = await parsed(bypassed(hostile.model, s, false), format, s.specFile);
      synthTime.add(performance.now() - started);
      const b = await parsed(bypassed(baseline.model, s, true), format, 'cors-gen.yaml');

      // Terraform: the same blocks, the same interpolations and directives, the hostile values as text.
      expect([...h.docs.keys()], label).toEqual([...b.docs.keys()]);
      const hs = readStrings([...h.docs.values()]);
      const bs = readStrings([...b.docs.values()]);
      for (const [name, doc] of h.docs)
        expect(addresses(doc), `${name} of ${label}`).toEqual(addresses(b.docs.get(name)!));
      expect(hs.expressions, label).toEqual(bs.expressions);
      const text = hs.texts.join('\u0002');
      for (const v of hostileValues(s))
        expect(text.includes(v), `${JSON.stringify(v)} as literal text in ${label}`).toBe(true);

      // VTL: the baseline's templates, which compile and render whatever Origin arrives.
      expect(hs.templates, label).toEqual(bs.templates);
      for (const template of hs.templates) {
        // The Terraform interpolations (the origin lists, jsonencoded) stand as empty VTL lists.
        const vtl = splitTemplate(template).text.replace(/\u0001/g, '[]');
        const compiled = compileTemplate(vtl, { file: 'main.tf', address: 'template' });
        const origin = [s.specFile, ...hostileValues(s)].join('');
        const result = compiled.render({
          params: { path: {}, querystring: {}, header: { Origin: origin } },
          body: '',
          context: {},
        });
        expect(result.responseOverride.headers, label).toEqual({});
      }

      // API Gateway static values: one pair of quotes around quote-free text, or a mapping expression.
      for (const value of hs.parameters) {
        const flat = splitTemplate(value).text.replace(/\u0001/g, 'X');
        expect(flat, label).toMatch(/^('[^']*'|method\.request\.header\.[A-Za-z]+|X)$/);
      }

      // Comments: the header is one line in every file that has one.
      for (const [name, content] of h.files.generated) {
        const first = content.split('\n')[0]!;
        if (/\.(tf|tfvars|mjs|py)$|^\.gitignore$/.test(name))
          expect(first, `${name} of ${label}`).toMatch(/^(#|\/\/) Generated by cors-gen/);
        expect(first, `${name} of ${label}`).not.toMatch(/[\r\u2028\u2029\u0000]/);
      }

      // JavaScript and Python: the baseline's code after the header line.
      for (const [name, content] of h.files.generated) {
        if (!name.startsWith('lambda/')) continue;
        expect(content.split('\n').slice(1), `${name} of ${label}`).toEqual(
          b.files.generated.get(name)!.split('\n').slice(1),
        );
        const file = path.join(work, `case-${n}`, name);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
        (name.endsWith('.py') ? codeFiles.py : codeFiles.js).push(file);
      }

      // Markdown: the baseline's lines, line kinds and table cells.
      expect(markdownShape(h.files.generated.get('README.md')!), label).toEqual(
        markdownShape(b.files.generated.get('README.md')!),
      );

      if (format === 'hcl' && fmtFolders.length < FMT_SAMPLE) {
        const folder = path.join(work, 'fmt', `case-${n}`);
        for (const [name, content] of h.files.generated) {
          if (!/\.(tf|tfvars)$/.test(name)) continue;
          mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
          writeFileSync(path.join(folder, name), content);
        }
        fmtFolders.push(folder);
      }
    }
    expect(tally.get('valid spec') + tally.get('valid spec + refused values in the model')).toBeGreaterThan(RUNS / 2);
  }, 1_800_000);

  it("the Lambda code of every run passes Node's module parser", () => {
    expect(codeFiles.js.length).toBeGreaterThan(0);
    // One process for all files: vm.SourceTextModule parses ES modules without running or linking them.
    const script = `const vm = require('node:vm'); const fs = require('node:fs'); let bad = [];
for (const f of process.argv.slice(1)) { try { new vm.SourceTextModule(fs.readFileSync(f, 'utf8'), { identifier: f }); } catch (e) { bad.push(f + ': ' + e.message); } }
if (bad.length) { console.error(bad.join('\\n')); process.exit(1); }`;
    const r = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', '--no-warnings', '-e', script, ...codeFiles.js],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the Python code of every run passes py_compile', () => {
    expect(codeFiles.py.length).toBeGreaterThan(0);
    const r = spawnSync(
      'python3',
      ['-c', 'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)', ...codeFiles.py],
      {
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: path.join(work, 'pycache') },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.runIf(existsSync(TERRAFORM))('a sample of the HCL passes terraform fmt -check', () => {
    expect(fmtFolders.length).toBeGreaterThan(0);
    // One process for the whole sample: fmt -recursive lists every file it would change.
    const r = spawnSync(TERRAFORM, ['fmt', '-check', '-recursive', path.join(work, 'fmt')], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
