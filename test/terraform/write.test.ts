/**
 * The writer emits HCL that is already `terraform fmt`-clean. `@cdktf/hcl-tools`' `format()` (hclwrite.Format
 * compiled to wasm, the code behind `terraform fmt`) is the oracle: it must leave the writer's output unchanged,
 * byte for byte, on every generated module and on random Terraform documents.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from '@cdktf/hcl-tools';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { renderHcl, renderTfvars } from '../../src/terraform/write.js';
import { allModels, modelOf, variantSpecs } from '../perf/specs.js';

const models = await allModels();
const modules = await Promise.all(
  models.map(async ([name, model]) => {
    const files = await buildModuleFiles(model, {
      format: 'hcl',
      specFile: 'cors-gen.yaml',
      specText: '',
      version: '0.0.0',
    });
    return { name, files: [...files.generated].filter(([p]) => p.endsWith('.tf') || p.endsWith('.tfvars')) };
  }),
);

describe('generated modules', () => {
  it('is a test over real modules: every target and several .tf files each', () => {
    expect(modules.length).toBeGreaterThanOrEqual(8);
    for (const m of modules)
      expect(m.files.map(([p]) => p)).toEqual(
        expect.arrayContaining(['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']),
      );
  });

  it.each(modules)('are terraform fmt-clean as generated: $name', async ({ files }) => {
    for (const [file, text] of files) expect(await format(text), file).toBe(text);
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
const mapKey = fc.oneof(
  ident,
  fc.constantFrom(
    'method.response.header.Access-Control-Allow-Origin',
    'Content-Type',
    'x y',
    'héllo',
    '日本',
    'e\u0301',
    '👩‍💻',
    'a"b',
  ),
);
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
      {
        weight: 4,
        arbitrary: fc.string({
          unit: fc.constantFrom(...[...'abc XYZ-_/:.,*()[]}\'"\\\t$%é😀'], '$${', '%%{'),
          maxLength: 12,
        }),
      },
      // An object literal goes inside a longer template only as `${ {...} }` (fmt's spacing); the constructs never
      // write one there, so the arbitrary does not either.
      { weight: 2, arbitrary: expression.filter((e) => !e.startsWith('{')).map((e) => '${' + e + '}') },
      // Directives as cors-gen would write them: the writer copies expressions as they are, in fmt's spacing.
      { weight: 1, arbitrary: fc.constant('%{if true}yes%{else}no%{endif}') },
      { weight: 1, arbitrary: fc.constant('\n') },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const heredocString = fc
  .array(
    fc.oneof(
      fc.stringMatching(/^[#a-z(){} "=.]{1,20}$/),
      expression.map((e) => '#set($x = ${jsonencode(' + e + ')})'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((lines) => `${lines.map((l) => l.trimStart()).join('\n')}\n`);
const scalar = fc.oneof(
  { weight: 3, arbitrary: templateString },
  { weight: 2, arbitrary: expression.map((e) => '${' + e + '}') },
  { weight: 1, arbitrary: heredocString },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: -1000, max: 100000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      fc.boolean(),
      fc.constant(null),
    ),
  },
);
const { value } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(mapKey, tie('value'), { maxKeys: 5 }),
}));
const blockBody = fc.dictionary(ident, value, { maxKeys: 4 });
const body = fc
  .record(
    {
      attributes: fc.dictionary(fc.oneof(ident, fc.constantFrom('description', 'default')), value, {
        minKeys: 0,
        maxKeys: 8,
      }),
      // Nested blocks, as CDKTF writes them: one object, or a list of objects.
      blocks: fc.dictionary(
        fc.constantFrom('lifecycle', 'environment', 'cors', 'validation'),
        fc.oneof(blockBody, fc.array(blockBody, { minLength: 1, maxLength: 2 })),
        { maxKeys: 2 },
      ),
      depends_on: fc.array(
        reference.map((r) => r.split('.').slice(0, 2).join('.')),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ['attributes', 'blocks'] },
  )
  .map(({ attributes, blocks, ...rest }) => ({ ...attributes, ...blocks, ...rest }));
const document = fc.record(
  {
    terraform: fc.constant({
      required_version: '>= 1.5.0',
      required_providers: { aws: { source: 'hashicorp/aws', version: '>= 6.0' } },
    }),
    variable: fc.dictionary(
      label,
      fc.record({
        type: fc.constantFrom('string', 'list(string)', 'map(string)'),
        description: templateString,
        default: value,
      }),
    ),
    locals: fc.dictionary(ident, value, { maxKeys: 4 }),
    resource: fc.dictionary(
      fc.constantFrom('aws_api_gateway_method', 'aws_lambda_function', 'aws_s3_bucket'),
      fc.dictionary(label, body, { minKeys: 1, maxKeys: 3 }),
      { maxKeys: 3 },
    ),
    output: fc.dictionary(label, fc.record({ description: templateString, value: scalar })),
  },
  { requiredKeys: [] },
);

describe('random specs through generate', () => {
  const [, base] = variantSpecs()[0]!;
  const cors = base.cors as Record<string, unknown>;
  const randomSpec = fc.record({
    api: fc.constantFrom('rest', 'http', 'function-url'),
    routes: fc.integer({ min: 1, max: 12 }),
    origins: fc.subarray(
      ['https://app.example.com', 'https://*.example.org', 'http://localhost:3000', 'https://api.example.net'],
      { minLength: 1 },
    ),
    credentials: fc.boolean(),
    frontend: fc.boolean(),
    runtime: fc.constantFrom('nodejs22.x', 'python3.13'),
  });
  it('give modules format() leaves unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(randomSpec, async (r) => {
        const routes = (base.routes as unknown[]).slice(0, r.routes);
        const spec = {
          ...base,
          api: r.api,
          routes: r.api === 'function-url' ? [] : routes,
          cors: {
            ...cors,
            allowOrigins: r.api === 'rest' ? r.origins : ['https://app.example.com'],
            allowCredentials: r.credentials,
          },
          frontend: { enabled: r.frontend },
          lambda: { runtime: r.runtime, memorySize: 128, timeout: 3 },
        };
        const files = await buildModuleFiles(modelOf(spec), {
          format: 'hcl',
          specFile: 'cors-gen.yaml',
          specText: '',
          version: '0.0.0',
        });
        for (const [file, text] of files.generated)
          if (file.endsWith('.tf') || file.endsWith('.tfvars')) expect(await format(text), file).toBe(text);
      }),
      { numRuns: 15 },
    );
  });
});

describe('alignment, as terraform fmt does it', () => {
  it.each([
    [
      'a blank line and a nested block end a run of attributes',
      { resource: { aws_x: { a: { a: 1, bbb: 2, lifecycle: { create_before_destroy: true }, eeeee: 3 } } } },
      'resource "aws_x" "a" {\n  a   = 1\n  bbb = 2\n  lifecycle {\n    create_before_destroy = true\n  }\n  eeeee = 3\n}\n',
    ],
    [
      'a value that opens a bracket on its line ends a run and is not padded',
      { locals: { a: 1, list: Array.from({ length: 9 }, (_, i) => `origin-${i}.example.com`), bb: 2 } },
      `locals {\n  a = 1\n  list = [\n${Array.from({ length: 9 }, (_, i) => `    "origin-${i}.example.com",\n`).join('')}  ]\n  bb = 2\n}\n`,
    ],
    [
      'a heredoc belongs to the line it opens on, so the run goes on after it',
      { locals: { aa: 'x\ny\n', b: 2 } },
      'locals {\n  aa = <<-EOT\n    x\n    y\n  EOT\n  b  = 2\n}\n',
    ],
    [
      'keys are measured in grapheme clusters, not bytes or code units',
      { locals: { m: { héllo: 1, '👩‍💻': 2, 'e\u0301': 3, bb: 4 } } },
      'locals {\n  m = {\n    "héllo" = 1\n    "👩‍💻"     = 2\n    "e\u0301"     = 3\n    bb      = 4\n  }\n}\n',
    ],
  ])('%s', async (_name, doc, expected) => {
    const text = renderHcl(doc);
    expect(text).toBe(expected);
    expect(await format(text)).toBe(text);
  });

  it('quotes an object key named for, which Terraform would read as a for expression', async () => {
    const text = renderHcl({ locals: { m: { for: 1, in: 2 } } });
    expect(text).toBe('locals {\n  m = {\n    "for" = 1\n    in    = 2\n  }\n}\n');
    expect(await format(text)).toBe(text);
    const tf = terraformBinary();
    if (tf) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-for-key-'));
      try {
        writeFileSync(path.join(dir, 'main.tf'), text);
        writeFileSync(path.join(dir, 'terraformrc'), '');
        const r = spawnSync(tf, ['console'], {
          cwd: dir,
          input: 'local.m.for\n',
          encoding: 'utf8',
          env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, 'terraformrc') },
        });
        expect(r.stdout.trim(), r.stderr).toBe('1');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('aligns a .tfvars file and writes its strings as literals', async () => {
    const text = renderTfvars({ allowed_origins: ['https://a.example.com', '${x}'], name_prefix: 'orders-dev' });
    expect(text).toBe('allowed_origins = ["https://a.example.com", "$${x}"]\nname_prefix     = "orders-dev"\n');
    expect(await format(text)).toBe(text);
  });
});

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
      { numRuns: 1000 },
    );
    expect(rendered).toBeGreaterThan(750);
  });
});
