/**
 * One regression test per finding about generated output (security review, findings 3 and 6): a spec value or
 * the spec's own path must reach every generated file as literal data. Each test asserts the exact text written,
 * or the exact validation message where the value is now refused. Values the validator refuses are also fed to
 * the generator directly (a model built past validation), because escaping must hold at the sink by itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/terraform/expression/parse.js';
import type { CorsModel } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';
import { buildModuleFiles, type ModuleFiles } from '../../src/synth/module-files.js';
import { modelOf, spec, type SpecInput } from '../support/synth.js';

const TERRAFORM = '/usr/local/bin/terraform';
const OPTIONS = { specFile: 'cors-gen.yaml', specText: '', version: '0.0.0-test' };

/** The module of a model that may hold values the validator refuses. */
function build(model: CorsModel, format: 'hcl' | 'json' = 'hcl', specFile = 'cors-gen.yaml'): Promise<ModuleFiles> {
  return buildModuleFiles(model, { ...OPTIONS, format, specFile });
}

function withIndexDocument(indexDocument: string): CorsModel {
  const model = modelOf(spec());
  return { ...model, frontend: { enabled: true, indexDocument } };
}

/** What `terraform console` says `expression` is, in a folder holding `files` (no provider needed). */
function consoleValue(files: Record<string, string>, expression: string): unknown {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-sink-console-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const r = spawnSync(TERRAFORM, ['console', '-no-color'], {
      cwd: dir,
      input: `jsonencode(${expression})\n`,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(JSON.parse(r.stdout.trim()) as string);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorsOf(input: SpecInput) {
  const result = validateSpec(input);
  return result.ok ? [] : result.errors.map((e) => ({ code: e.code, path: e.path, message: e.message, fix: e.fix }));
}

describe('Terraform strings: a spec value is never an interpolation or a directive', () => {
  it('writes the index document x${file("/etc/hostname")} as the literal x$${file(...)} in .tf and .tf.json', async () => {
    const model = withIndexDocument('x${file("/etc/hostname")}');
    const hcl = (await build(model)).generated.get('main.tf')!;
    expect(hcl).toContain('    suffix = "x$${file(\\"/etc/hostname\\")}"\n');
    const json = JSON.parse((await build(model, 'json')).generated.get('main.tf.json')!) as {
      resource: Record<string, Record<string, { index_document?: { suffix: string } }>>;
    };
    const suffix = json.resource['aws_s3_bucket_website_configuration']!['site']!.index_document!.suffix;
    expect(suffix).toBe('x$${file("/etc/hostname")}');
    // Terraform's own reading of that template (the preview's parser follows its grammar): one literal.
    expect(parseTemplate(suffix)).toEqual({ kind: 'literal', value: 'x${file("/etc/hostname")}' });
  });

  it('writes %{ directives as the literal %%{', async () => {
    const hcl = (await build(withIndexDocument('%{ for x in ["a"] }x%{ endfor }'))).generated.get('main.tf')!;
    expect(hcl).toContain('    suffix = "%%{ for x in [\\"a\\"] }x%%{ endfor }"\n');
  });

  it('generates a module for an unterminated a${ instead of failing with an internal error', async () => {
    const files = await build(withIndexDocument('a${'));
    expect(files.generated.get('main.tf')).toContain('    suffix = "a$${"\n');
    const json = (await build(withIndexDocument('a${'), 'json')).generated.get('main.tf.json')!;
    expect(json).toContain('"suffix": "a$${"');
  });

  it('escapes header names and route paths wherever they become Terraform strings', async () => {
    const base = modelOf(
      spec({
        api: 'http',
        cors: { allowHeaders: ['X-A'], exposeHeaders: ['X-B'] },
        routes: [{ path: '/a', methods: ['GET'] }],
      }),
    );
    const model: CorsModel = {
      ...base,
      cors: { ...base.cors, allowHeaders: ['X${var.a}'], exposeHeaders: ['X%{if}'] },
      routes: [{ ...base.routes[0]!, path: '/a${b}' }],
    };
    const main = (await build(model)).generated.get('main.tf')!;
    expect(main).toContain('allow_headers     = ["X$${var.a}"]');
    expect(main).toContain('expose_headers    = ["X%%{if}"]');
    expect(main).toContain('route_key = "GET /a$${b}"');
    expect(main).toContain('ALLOW_HEADERS     = "X$${var.a}"');
  });

  it('writes a variable default as a literal: escaped in .tf, as it is in .tf.json, where defaults are never templates', async () => {
    const base = modelOf(spec());
    const model: CorsModel = { ...base, cors: { ...base.cors, allowOrigins: ['https://a.example.com${x}'] } };
    expect((await build(model)).generated.get('variables.tf')).toContain(
      'default     = ["https://a.example.com$${x}"]\n',
    );
    const json = JSON.parse((await build(model, 'json')).generated.get('variables.tf.json')!) as {
      variable: Record<string, { default: unknown }>;
    };
    expect(json.variable['allowed_origins']!.default).toEqual(['https://a.example.com${x}']);
  });

  it('writes .tfvars values as literals', async () => {
    const base = modelOf(spec({ stages: { dev: { allowOrigins: ['http://localhost:3000'] } } }));
    const model: CorsModel = { ...base, stages: [{ name: 'dev', allowOrigins: ['http://${file("x")}'] }] };
    expect((await build(model)).generated.get('stages/dev.tfvars')).toContain(
      'allowed_origins = ["http://$${file(\\"x\\")}"]\n',
    );
  });

  it.runIf(existsSync(TERRAFORM))(
    'is read by terraform console as the literal, in .tf and .tf.json, under a hostile header',
    async () => {
      const value = 'x${file("/etc/hostname")}%{ if true }y%{ endif }';
      const specFile = 'a\nlocals { probe = file("/etc/hostname") }\n/cors-gen.yaml';
      const hcl = await build(withIndexDocument(value), 'hcl', specFile);
      const json = await build(withIndexDocument(value), 'json', specFile);
      const suffixLine = hcl.generated
        .get('main.tf')!
        .split('\n')
        .find((l) => l.trim().startsWith('suffix = '))!
        .trim();
      const jsonSuffix = (
        JSON.parse(json.generated.get('main.tf.json')!) as {
          resource: Record<string, Record<string, { index_document: { suffix: string } }>>;
        }
      ).resource['aws_s3_bucket_website_configuration']!['site']!.index_document.suffix;
      for (const [file, content] of [
        [
          'probe.tf',
          `# from main.tf\nlocals {\n  probe = ${suffixLine.slice('suffix = '.length)}\n}\n${hcl.generated.get('variables.tf')!}`,
        ],
        ['probe.tf.json', `${JSON.stringify({ locals: { probe: jsonSuffix } })}\n`],
      ] as const) {
        expect(consoleValue({ [file]: content }, 'local.probe')).toBe(value);
      }
    },
    60_000,
  );

  it.runIf(existsSync(TERRAFORM))(
    "keeps lambda.source's folder name as data in lambda_source_dir's fallback, in .tf and .tf.json",
    async () => {
      const dir = 's/%{if true}..%{endif}/q"u\\o${path.cwd}\nx';
      const base = modelOf(spec({ lambda: { source: 'backend', handler: 'app.handler' } }));
      const model: CorsModel = { ...base, lambda: { ...base.lambda, source: { ...base.lambda.source!, dir } } };
      const hclFiles = (await build(model, 'hcl')).generated;
      const line = hclFiles
        .get('main.tf')!
        .split('\n')
        .find((l) => l.trim().startsWith('lambda_source_dir = '))!;
      const jsonFiles = (await build(model, 'json')).generated;
      const json = JSON.parse(jsonFiles.get('main.tf.json')!) as { locals: Record<string, string> };
      // The module's own variables, whose description names the folder too: Terraform must still load them.
      for (const [file, content, variables] of [
        ['probe.tf', `locals {\n${line}\n}\n`, ['variables.tf', hclFiles.get('variables.tf')!]],
        [
          'probe.tf.json',
          `${JSON.stringify({ locals: { lambda_source_dir: json.locals.lambda_source_dir } })}\n`,
          ['variables.tf.json', jsonFiles.get('variables.tf.json')!],
        ],
      ] as const) {
        const files = { [file]: content, [variables[0]]: variables[1] };
        expect(consoleValue(files, 'local.lambda_source_dir'), file).toBe(`./../../${dir}`);
      }
    },
    60_000,
  );

  it('refuses backslashes, quotes and control characters in lambda.source', () => {
    const source = (value: string) => errorsOf(spec({ lambda: { source: value, handler: 'app.handler' } }));
    expect(source('backend\\dist')).toEqual([
      {
        code: 'lambda-source-characters',
        path: 'lambda.source',
        message:
          '"backend\\\\dist" contains "\\", a folder separator only on Windows; the module\'s path to the folder must read the same on every machine',
        fix: 'separate folders with "/", e.g. "backend/dist"',
      },
    ]);
    expect(source('a"b').map((e) => e.fix)).toEqual(['rename the folder without quotes or control characters']);
    // A value of the wrong type is the schema's error, not a crash of this rule (found by the spec fuzzer).
    expect(source(null as unknown as string).map((e) => e.path)).toEqual(['lambda.source']);
    expect(source('a\nb').map((e) => e.message)).toEqual([
      '"a\\nb" contains "\\n", which the module\'s Terraform path to the folder would have to carry',
    ]);
  });

  it('refuses such index documents in validation, saying what changed and why', () => {
    expect(errorsOf(spec({ frontend: { enabled: true, indexDocument: 'x${file("/etc/hostname")}' } }))).toEqual([
      {
        code: 'index-document',
        path: 'frontend.indexDocument',
        message:
          '"x${file(\\"/etc/hostname\\")}" contains "/", which S3 refuses in an index document: it is a file name that S3 appends to each folder\'s path (earlier versions of cors-gen passed it on and S3 refused it at apply time)',
        fix: 'name a file such as "index.html" that each folder of the site holds',
      },
    ]);
    expect(errorsOf(spec({ frontend: { enabled: true, indexDocument: 'a${' } }))).toEqual([
      {
        code: 'index-document',
        path: 'frontend.indexDocument',
        message:
          '"a${" contains "$"; an index document may hold only S3\'s safe object-key characters (letters, digits and ! - _ . * ( )), since others reach Terraform, S3\'s XML API and URLs as syntax (earlier versions of cors-gen accepted it)',
        fix: 'name a file such as "index.html" that each folder of the site holds',
      },
    ]);
    expect(errorsOf(spec({ frontend: { enabled: true, indexDocument: '..' } }))[0]?.message).toBe(
      '".." contains "..", a path segment rather than a file name (earlier versions of cors-gen accepted it)',
    );
    expect(errorsOf(spec({ frontend: { enabled: true, indexDocument: 'index\u0085.html' } }))[0]?.message).toMatch(
      /^"index\u0085\.html" contains U\+0085;/,
    );
    expect(errorsOf(spec({ frontend: { enabled: true, indexDocument: 'home.html' } }))).toEqual([]);
  });
});

describe("comments: the spec file's path never starts a line of its own", () => {
  const specFile = 'evil\nresource "null_resource" "x" {}\n<!-- -->\u2028/cors-gen.yaml';
  const shown = 'evil\\nresource \\"null_resource\\" \\"x\\" {}\\n\\u003c!-- --\\u003e\\u2028/cors-gen.yaml';

  it('keeps the header of every .tf, .tfvars, .gitignore and README on one line', async () => {
    const model = modelOf(spec({ stages: { dev: { allowOrigins: ['http://localhost:3000'] } } }));
    const files = await build(model, 'hcl', specFile);
    const header = `Generated by cors-gen from ${shown}. Do not edit: change the spec and run "cors-gen generate".`;
    for (const name of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'stages/dev.tfvars', '.gitignore']) {
      expect(files.generated.get(name)!.split('\n')[0], name).toBe(`# ${header}`);
    }
    // Below the header, only ignore patterns: nothing of the spec path.
    const ignoreLines = files.generated.get('.gitignore')!.split('\n').slice(1);
    expect(ignoreLines.filter((l) => l !== '' && !/^[\w.*/-]+$/.test(l))).toEqual([]);
    expect(files.generated.get('README.md')!.split('\n')[0]).toBe(`<!-- ${header} -->`);
    const parsed = (await parseHcl('main.tf', files.generated.get('main.tf')!)) as {
      resource: Record<string, unknown>;
    };
    expect(parsed.resource['null_resource']).toBeUndefined();
  });

  it('keeps it inside the "//" comment of the .tf.json files', async () => {
    const files = await build(modelOf(spec()), 'json', specFile);
    const main = JSON.parse(files.generated.get('main.tf.json')!) as Record<string, unknown>;
    expect(main['//']).toBe(
      `Generated by cors-gen from ${shown}. Do not edit: change the spec and run "cors-gen generate".`,
    );
  });
});

describe('API Gateway static values: a quote in a header name is refused, never written', () => {
  it("refuses X-It's in a REST API's headers, with the reason and the fix", () => {
    expect(errorsOf(spec({ cors: { allowHeaders: ["X-It's"] } }))).toEqual([
      {
        code: 'header-quote',
        path: 'cors.allowHeaders[0]',
        message:
          '"X-It\'s" contains "\'": a valid header-name character, but a REST API sends CORS headers as static values written between single quotes, which cannot hold one (earlier versions of cors-gen accepted it and wrote a value API Gateway refuses)',
        fix: 'rename the header without "\'", or use api: http, whose CORS configuration is a list',
      },
    ]);
  });

  it('accepts it for an HTTP API, whose CORS headers are a list', async () => {
    const input = spec({ api: 'http', cors: { allowOrigins: ['https://app.example.com'], exposeHeaders: ["X-It's"] } });
    expect(errorsOf(input)).toEqual([]);
    expect((await build(modelOf(input))).generated.get('main.tf')).toContain('expose_headers    = ["X-It\'s"]');
  });

  it('refuses it in the REST construct too, for callers that skip validation', async () => {
    const base = modelOf(spec());
    await expect(build({ ...base, cors: { ...base.cors, exposeHeaders: ["X-It's"] } })).rejects.toThrow(
      `API Gateway static values are single-quoted and cannot contain "'": "X-It's"`,
    );
  });

  it('writes other token characters as they are', async () => {
    const base = modelOf(spec());
    const main = (
      await build({ ...base, cors: { ...base.cors, exposeHeaders: ['X-$a', '#set', '%b'] } })
    ).generated.get('main.tf')!;
    expect(main).toContain(`"gatewayresponse.header.Access-Control-Expose-Headers" = "'X-$a,#set,%b'"`);
  });
});

describe('the module README: spec values add no Markdown or HTML structure', () => {
  it('shows header names and the spec path as text', async () => {
    const input = spec({
      api: 'http',
      cors: { allowOrigins: ['https://app.example.com'], allowHeaders: ['X|Y', '*_a_*', 'A`B', '&lt'] },
    });
    const readme = (await build(modelOf(input), 'hcl', 'a`b|c/cors-gen.yaml')).generated.get('README.md')!;
    expect(readme).toContain('| request headers | X\\|Y, \\*\\_a\\_\\*, A\\`B, \\&lt |\n');
    expect(readme).toContain('from ``a`b|c/cors-gen.yaml``: an API Gateway HTTP API\n');
  });

  it('says "an API Gateway REST API", and nothing about a website without a frontend', async () => {
    const readme = (await build(modelOf(spec({ frontend: { enabled: false } })))).generated.get('README.md')!;
    expect(readme).toContain(': an API Gateway REST API\n');
    expect(readme).not.toMatch(/website origin|frontend bucket|S3 website/);
    const withFrontend = (await build(modelOf(spec()))).generated.get('README.md')!;
    expect(withFrontend).toContain('plus the website origin');
  });
});
