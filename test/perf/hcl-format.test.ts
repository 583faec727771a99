/**
 * `src/synth/hcl-format.ts` replaces `@cdktf/hcl-tools`' `format()` (hclwrite.Format in Go-wasm) at run time.
 * These tests hold it to the original, byte for byte: on every generated module, re-spaced every way, on random
 * Terraform documents through the renderer, and on random HCL text covering the lexical grammar.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from '@cdktf/hcl-tools';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHcl, HclFormatError } from '../../src/synth/hcl-format.js';
import { renderHcl } from '../../src/synth/hcl.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { allModels } from './specs.js';

const models = await allModels();
const modules = await Promise.all(
  models.map(async ([name, model]) => {
    const files = await buildModuleFiles(model, { format: 'hcl', specFile: 'cors-gen.yaml', specText: '', version: '0.0.0' });
    return { name, files: [...files.generated].filter(([p]) => p.endsWith('.tf') || p.endsWith('.tfvars')) };
  }),
);

describe('generated modules', () => {
  it('is a test over real modules: every target and several .tf files each', () => {
    expect(modules.length).toBeGreaterThanOrEqual(8);
    for (const m of modules) expect(m.files.map(([p]) => p)).toEqual(expect.arrayContaining(['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']));
  });

  it.each(modules)('are terraform fmt-clean as generated: $name', async ({ files }) => {
    for (const [file, text] of files) expect(await format(text), file).toBe(text);
  });

  it.each(modules)('format exactly as format() does from any spacing: $name', async ({ files }) => {
    for (const [file, text] of files) {
      for (const [how, variant] of respaced(text)) expect(formatHcl(variant), `${file}, ${how}`).toBe(await format(variant));
    }
  });

  const tf = terraformBinary();
  it.runIf(tf)('pass `terraform fmt -check`', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-fmt-'));
    try {
      for (const m of modules) {
        for (const [file, text] of m.files) {
          const target = path.join(dir, m.name.replace(/[^a-z0-9]+/gi, '-'), file);
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, text);
        }
      }
      // -check lists the files it would change on stdout and exits 3 if there are any.
      const r = spawnSync(tf!, ['fmt', '-check', '-recursive', dir], { encoding: 'utf8' });
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The same text with its spacing damaged in several ways: what format() must repair. */
function respaced(text: string): Array<[string, string]> {
  return [
    ['as is', text],
    ['no indentation', text.replace(/^ +/gm, '')],
    ['no alignment', text.replace(/ +=/g, ' =')],
    ['spaces doubled', text.replace(/ /g, '  ')],
    ['spaces after brackets', text.replace(/([[({,]) ?/g, '$1 ')],
    ['trailing spaces', text.replace(/\n/g, '   \n')],
    ['indented by 3', text.replace(/^/gm, '   ')],
  ];
}

function terraformBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

// ---- random Terraform documents through the renderer --------------------------------------------------------

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const label = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/);
/** Keys of maps: identifiers, header-like names, and some that need quotes (dots, spaces, non-ASCII). */
const mapKey = fc.oneof(ident, fc.constantFrom('method.response.header.Access-Control-Allow-Origin', 'Content-Type', 'x y', 'héllo', '日本', 'e\u0301', '👩‍💻', 'a"b'));
const reference = fc.tuple(ident, ident, ident).map(([a, b, c]) => `${a}.${b}.${c}`);
const expression = fc.oneof(
  reference,
  fc.tuple(ident, reference, reference).map(([f, a, b]) => `${f}(${a}, ${b})`),
  fc.tuple(reference, reference).map(([a, b]) => `${a} == "*" ? [${b}] : []`),
  fc.tuple(reference).map(([a]) => `[for o in ${a} : o if !contains(o, "*")]`),
  fc.tuple(reference, fc.integer({ min: -9, max: 99 })).map(([a, n]) => `${a}[${n < 0 ? 0 : n}] - ${n}`),
  fc.constant('{ a = 1, b = "x" }'),
  fc.constant('sha1(jsonencode([aws_api_gateway_method.a, aws_api_gateway_integration.b]))'),
);
/** Strings as CDKTF writes them in JSON: literal text, `${...}` interpolations, `%{...}` directives, newlines. */
const templateString = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...[...'abc XYZ-_/:.,*()[]}\'"\\\t$%é😀'], '$${', '%%{'), maxLength: 12 }) },
      { weight: 2, arbitrary: expression.map((e) => '${' + e + '}') },
      { weight: 1, arbitrary: fc.constant('%{ if true }yes%{ else }no%{ endif }') },
      { weight: 1, arbitrary: fc.constant('\n') },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const heredocString = fc
  .array(fc.oneof(fc.stringMatching(/^[#a-z(){} "=.]{1,20}$/), expression.map((e) => '#set($x = ${jsonencode(' + e + ')})')), { minLength: 1, maxLength: 4 })
  .map((lines) => `${lines.map((l) => l.trimStart()).join('\n')}\n`);
const scalar = fc.oneof(
  { weight: 3, arbitrary: templateString },
  { weight: 2, arbitrary: expression.map((e) => '${' + e + '}') },
  { weight: 1, arbitrary: heredocString },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -1000, max: 100000 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.boolean(), fc.constant(null)) },
);
const { value } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(mapKey, tie('value'), { maxKeys: 5 }),
}));
const blockBody = fc.dictionary(ident, value, { maxKeys: 4 });
const body = fc.record(
  {
    attributes: fc.dictionary(fc.oneof(ident, fc.constantFrom('description', 'default')), value, { minKeys: 0, maxKeys: 8 }),
    // Nested blocks, as CDKTF writes them: one object, or a list of objects.
    blocks: fc.dictionary(fc.constantFrom('lifecycle', 'environment', 'cors', 'validation'), fc.oneof(blockBody, fc.array(blockBody, { minLength: 1, maxLength: 2 })), { maxKeys: 2 }),
    depends_on: fc.array(reference.map((r) => r.split('.').slice(0, 2).join('.')), { maxLength: 3 }),
  },
  { requiredKeys: ['attributes', 'blocks'] },
).map(({ attributes, blocks, ...rest }) => ({ ...attributes, ...blocks, ...rest }));
const document = fc.record(
  {
    terraform: fc.constant({ required_version: '>= 1.5.0', required_providers: { aws: { source: 'hashicorp/aws', version: '>= 6.0' } } }),
    variable: fc.dictionary(label, fc.record({ type: fc.constantFrom('string', 'list(string)', 'map(string)'), description: templateString, default: value })),
    locals: fc.dictionary(ident, value, { maxKeys: 4 }),
    resource: fc.dictionary(fc.constantFrom('aws_api_gateway_method', 'aws_lambda_function', 'aws_s3_bucket'), fc.dictionary(label, body, { minKeys: 1, maxKeys: 3 }), { maxKeys: 3 }),
    output: fc.dictionary(label, fc.record({ description: templateString, value: scalar })),
  },
  { requiredKeys: [] },
);

describe('random documents through the renderer', () => {
  it('render to text that format() leaves unchanged', async () => {
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(document, async (doc) => {
        let text: string;
        try {
          text = renderHcl(doc);
        } catch (e) {
          // The renderer refuses some random strings (an unterminated `${`); that is its contract, not ours.
          if ((e as Error).message.startsWith('renderHcl:')) return;
          throw e;
        }
        rendered++;
        expect(text).toBe(await format(text));
      }),
      { numRuns: 400 },
    );
    expect(rendered).toBeGreaterThan(300);
  });
});

// ---- random HCL text -------------------------------------------------------------------------------------------

const sp = fc.constantFrom('', ' ', '  ', '   ');
const nl = fc.constantFrom('\n', '\n\n', ' \n', '\r\n');
const word = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
  fc.constantFrom('in', 'for', 'if', 'null', 'true', 'var', 'local', 'each', 'count', 'héllo', 'x日本'),
);
const number = fc.constantFrom('0', '1', '42', '1.5', '1e3', '2.5E-7', '10.');
const ops = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '?', ':', '=>', '...', '.', ','];

const { hclExpr } = fc.letrec<{ hclExpr: string; quoted: string }>((tie) => ({
  hclExpr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fc.oneof(word, number) },
    { weight: 2, arbitrary: fc.tuple(word, sp, fc.constantFrom('.', '[', '[*].', '.*.'), sp, fc.oneof(word, number)).map(([a, s1, op, s2, b]) => (op === '[' ? `${a}${s1}[${s2}${b}]` : `${a}${s1}${op}${s2}${b}`)) },
    { weight: 2, arbitrary: fc.tuple(tie('hclExpr'), sp, fc.constantFrom(...ops), sp, tie('hclExpr')).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('-', '!'), sp, tie('hclExpr')).map((p) => p.join('')) },
    { weight: 2, arbitrary: fc.tuple(word, sp, fc.array(fc.tuple(sp, tie('hclExpr'), sp), { maxLength: 3 }), fc.boolean()).map(([f, s, args, dots]) => `${f}${s}(${args.map((a) => a.join('')).join(',')}${dots ? '...' : ''})`) },
    { weight: 2, arbitrary: fc.tuple(fc.array(fc.tuple(sp, tie('hclExpr'), sp), { maxLength: 4 }), fc.boolean(), fc.boolean()).map(([items, trailing, multi]) => bracket('[', ']', items.map((i) => i.join('')), trailing, multi)) },
    { weight: 2, arbitrary: fc.tuple(fc.array(fc.tuple(fc.oneof(word, tie('quoted')), sp, fc.constantFrom('=', ':'), sp, tie('hclExpr')), { maxLength: 3 }), fc.boolean()).map(([items, multi]) => bracket('{', '}', items.map((i) => i.join('')), false, multi)) },
    { weight: 1, arbitrary: fc.tuple(sp, word, sp, tie('hclExpr'), sp, tie('hclExpr'), sp, tie('hclExpr')).map(([s1, v, s2, coll, s3, body, s4, cond]) => `[${s1}for ${v} in${s2} ${coll} :${s3}${body}${s4} if ${cond}]`) },
    { weight: 1, arbitrary: fc.tuple(sp, word, word, tie('hclExpr'), sp, tie('hclExpr')).map(([s1, k, v, coll, s2, val]) => `{${s1}for ${k}, ${v} in ${coll} : ${k} =>${s2}${val}... }`) },
    { weight: 1, arbitrary: fc.tuple(tie('hclExpr'), sp, tie('hclExpr'), sp, tie('hclExpr')).map(([c, s1, a, s2, b]) => `${c}${s1}?${s2}${a} : ${b}`) },
    { weight: 1, arbitrary: fc.tuple(sp, tie('hclExpr'), sp).map(([a, e, b]) => `(${a}${e}${b})`) },
    { weight: 3, arbitrary: tie('quoted') },
  ),
  quoted: fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...[...'ab -:/=,}[]()#é日😀'], '\\"', '\\\\', '\\n', '$${', '%%{', '$a', '%b'), maxLength: 8 }) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom('${', '${~'), sp, tie('hclExpr'), sp, fc.constantFrom('}', '~}')).map((p) => p.join('')) },
        { weight: 1, arbitrary: fc.tuple(sp, word, sp).map(([a, w, b]) => `%{${a}if ${w}${b}}x%{${a}endif${b}}`) },
        { weight: 1, arbitrary: fc.tuple(sp, tie('hclExpr'), sp).map(([a, e, b]) => `\${${a}{ k = ${e} }${b}}`) },
      ),
      { maxLength: 4 },
    )
    .map((parts) => `"${parts.join('')}"`),
}));

function bracket(open: string, close: string, items: string[], trailingComma: boolean, multiline: boolean): string {
  if (!multiline || items.length === 0) return `${open}${items.join(open === '{' ? ', ' : ',')}${trailingComma && items.length > 0 ? ',' : ''}${close}`;
  return `${open}\n${items.map((i) => `  ${i},`).join('\n')}\n${close}`;
}

const heredoc = fc
  .tuple(fc.constantFrom('<<EOT', '<<-EOT', '<<EOF'), fc.array(fc.oneof(fc.stringMatching(/^ {0,4}[a-z#(){}=" ]{0,16}$/), hclExpr.map((e) => `  #set($a = \${${e}})`)), { maxLength: 4 }), fc.constantFrom('', '  ', '    '))
  .map(([open, lines, indent]) => {
    const marker = open.replace(/^<<-?/, '');
    return `${open}\n${lines.filter((l) => l.trim() !== marker).join('\n')}${lines.length > 0 ? '\n' : ''}${open.includes('-') ? indent : ''}${marker}`;
  });
const comment = fc.constantFrom('# a comment', '// another', '/* inline */', '#', '# é 日本');
const attribute = fc
  .tuple(sp, fc.oneof(word, fc.constantFrom('"quoted key"', '"héllo"')), sp, sp, fc.oneof({ weight: 5, arbitrary: hclExpr }, { weight: 1, arbitrary: heredoc }), sp, fc.option(comment, { freq: 4 }))
  // A heredoc's closing marker must end its line.
  .map(([a, k, b, c, v, d, cm]) => `${a}${k}${b}=${c}${v}${/^<</.test(v) ? '\n' : `${d}${cm ?? ''}`}`);
const { hclBody } = fc.letrec<{ hclBody: string[] }>((tie) => ({
  hclBody: fc.array(
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: attribute },
      { weight: 1, arbitrary: comment },
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.tuple(sp, word, fc.array(fc.tuple(sp, fc.oneof(word.map((w) => `"${w}"`), word)), { maxLength: 2 }), sp, tie('hclBody')).map(([a, type, labels, b, inner]) => `${a}${type}${labels.map((l) => l.join('')).join('')}${b}{\n${inner.join('\n')}\n}`) },
      { weight: 1, arbitrary: fc.tuple(sp, word, sp).map(([a, type, b]) => `${a}${type}${b}{}`) },
    ),
    { maxLength: 6 },
  ),
}));
const hclText = fc.tuple(hclBody, nl, fc.constantFrom('', '\n', '  ', '\n\n')).map(([lines, sep, end]) => lines.join(sep) + end);

describe('random HCL text', () => {
  it('formats exactly as format() does', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(hclText, async (text) => {
        const expected = await format(text);
        let actual: string;
        try {
          actual = formatHcl(text);
        } catch (e) {
          // The port refuses what the HCL scanner calls malformed (format() passes it through); the generator
          // rarely makes such text, and the count below makes sure nearly every case was compared.
          if (e instanceof HclFormatError) return;
          throw e;
        }
        compared++;
        expect(actual).toBe(expected);
      }),
      { numRuns: 2500 },
    );
    expect(compared).toBeGreaterThan(2000);
  });

  it.each([
    ['alignment stops at a blank line and at a nested block', 'a=1\nbbb=2\n\ncc=3\nblock {\nd=4\n}\neeeee=5\n'],
    ['a heredoc is one line for alignment', 'aa = <<-EOT\n    x ${foo( 1 )} y\n  EOT\nb = 2\n'],
    ['grapheme clusters, not bytes, align', 'x = {\n"héllo" = 1\n"👩‍💻" = 2\n"e\u0301" = 3\nb = 4\n}\n'],
    ['negation versus subtraction', 'a = -1\nb = 2 - -x\nc = [-1, - 2]\nd = (-a)\ne = x-1\n'],
    ['template directives and strip markers', 'a = "%{ if x ~}y%{~ endif }"\nb = "${ {a=1} }"\n'],
    ['for expressions and splats', 'a = [ for k , v in m : v if k != "x" ]\nb = { for k, v in m : k => v ... }\nc = x[*].y\nd = x.*.y\n'],
    ['comments align after assignments', 'a = 1 # one\nbbb = 22 # two\n/* c */ d = 3\n'],
    ['unbalanced brackets indent as upstream', 'a = f(\n1,\n2)\nb = [\n[1,\n2],\n3\n]\n'],
    ['trailing spaces at the end of the text are kept', 'a = 1\n   '],
    ['CRLF newlines', 'a = 1\r\nbb = 2\r\n'],
  ])('agrees with format() on %s', async (_name, text) => {
    expect(formatHcl(text)).toBe(await format(text));
  });

  it('refuses text the HCL scanner calls malformed instead of guessing', () => {
    expect(() => formatHcl('a = "unterminated\n')).toThrow(HclFormatError);
    expect(() => formatHcl('a = <<EOT\nno end\n')).toThrow(HclFormatError);
    expect(() => formatHcl('a =\t1\n')).toThrow(HclFormatError);
  });
});
