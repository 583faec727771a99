/**
 * The module with the user's own code (`lambda.source` + `lambda.handler`): the folder zipped as it is from the
 * `lambda_source_dir` input, the CORS wrapper as a layer, the function's handler redirected to it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArchiveProvider } from '@cdktf/provider-archive/lib/provider/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CorsWrapperLayer } from '../../src/constructs/index.js';
import { cli } from '../cli/capture.js';
import { loadSpec } from '../../src/spec/load.js';
import { generate } from '../../src/synth/generate.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { doc, functionEnvironment, modelOf, resource, spec, synth, type Body } from '../support/synth.js';

const NODE = spec({ lambda: { source: 'backend', handler: 'src/app.handler' } });
const PYTHON = spec({ lambda: { runtime: 'python3.12', source: 'backend', handler: 'api/main.handler' } });
const data = (d: Body, name: string) => ((d.data as Record<string, Record<string, Body>>).archive_file ?? {})[name]!;
const variable = (d: Body, name: string) => (d.variable as Record<string, Body> | undefined)?.[name];

describe('lambda.source', () => {
  it('zips the folder from the lambda_source_dir input, whose null default is the folder seen from the module', async () => {
    const d = await doc(NODE);
    expect(variable(d, 'lambda_source_dir')).toMatchObject({ type: 'string', default: null });
    expect(JSON.stringify(variable(d, 'lambda_source_dir')!.validation)).toContain('var.lambda_source_dir == null');
    expect((d.locals as Body).lambda_source_dir).toBe(
      '${var.lambda_source_dir != null ? var.lambda_source_dir : "${path.module}/../../backend"}',
    );
    expect(data(d, 'lambda').source_dir).toBe('${local.lambda_source_dir}');
    expect(data(d, 'lambda').excludes).toContain('**/__pycache__');
  });

  it('takes the folder relative to where generate writes the module', async () => {
    const { document } = await buildModuleFiles(modelOf(NODE), {
      format: 'json',
      specFile: 'cors-gen.yaml',
      specText: '',
      version: '0',
      lambdaSourceDir: '../../../services/api/backend',
    });
    expect((document.locals as Body).lambda_source_dir).toContain('"${path.module}/../../../services/api/backend"');
  });

  it("ships the wrapper as a layer, first among the function's layers, and redirects the handler to it (Node)", async () => {
    const d = await doc(NODE);
    const layer = resource(d, 'aws_lambda_layer_version', 'cors_wrapper');
    expect(layer).toMatchObject({
      layer_name: '${var.name_prefix}-cors',
      compatible_runtimes: ['nodejs22.x'],
      filename: '${data.archive_file.layer.output_path}',
      source_code_hash: '${data.archive_file.layer.output_base64sha256}',
    });
    expect(data(d, 'layer').source_dir).toBe('${path.module}/layer');
    const fn = resource(d, 'aws_lambda_function', 'handler');
    expect(fn.handler).toBe('/opt/nodejs/cors-gen/wrapper.handler');
    expect(fn.layers).toBe('${concat([aws_lambda_layer_version.cors_wrapper.arn], var.layers)}');
    expect(functionEnvironment(d).CORS_GEN_HANDLER).toBe('src/app.handler');
  });

  it('redirects a Python function to the wrapper package in /opt/python', async () => {
    const d = await doc(PYTHON);
    expect(resource(d, 'aws_lambda_function', 'handler').handler).toBe('_cors_gen.wrapper.handler');
    expect(functionEnvironment(d).CORS_GEN_HANDLER).toBe('api/main.handler');
  });

  it("writes the layer's files into the module and nothing of the user's code, no lambda/ stub", async () => {
    const node = await synth(NODE);
    expect([...node.generated.keys()].filter((p) => p.startsWith('layer/'))).toEqual([
      'layer/nodejs/cors-gen/cors.mjs',
      'layer/nodejs/cors-gen/load-handler.mjs',
      'layer/nodejs/cors-gen/wrapper.mjs',
    ]);
    expect([...node.generated.keys(), ...node.userOwned.keys()].some((p) => p.startsWith('lambda/'))).toBe(false);
    const python = await synth(PYTHON);
    expect([...python.generated.keys()].filter((p) => p.startsWith('layer/'))).toEqual([
      'layer/python/_cors_gen/__init__.py',
      'layer/python/_cors_gen/cors.py',
      'layer/python/_cors_gen/wrapper.py',
    ]);
  });

  it('changes nothing without lambda.source: no input, no layer, the generated stub', async () => {
    const d = await doc(spec());
    expect(variable(d, 'lambda_source_dir')).toBeUndefined();
    expect((d.resource as Body).aws_lambda_layer_version).toBeUndefined();
    const fn = resource(d, 'aws_lambda_function', 'handler');
    expect(fn.handler).toBe('index.handler');
    expect(fn.layers).toBe('${var.layers}');
    expect(functionEnvironment(d)).not.toHaveProperty('CORS_GEN_HANDLER');
  });
});

describe('CorsWrapperLayer in a CDKTF user’s stack', () => {
  it('zips a folder into a layer version for one runtime', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'user');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new ArchiveProvider(stack, 'archive', {});
    new CorsWrapperLayer(stack, 'cors', {
      layerName: 'orders-cors',
      zipName: 'orders-cors-layer',
      runtime: 'python3.13',
      sourceDir: '${path.module}/wrapper',
    });
    const json = JSON.parse(Testing.synth(stack)) as { resource: Body; data: Body };
    const layer = (json.resource.aws_lambda_layer_version as Record<string, Body>).cors_wrapper!;
    expect(layer).toMatchObject({ layer_name: 'orders-cors', compatible_runtimes: ['python3.13'] });
    const archive = (json.data.archive_file as Record<string, Body>).layer!;
    expect(archive).toMatchObject({
      source_dir: '${path.module}/wrapper',
      output_path: '${path.root}/.terraform/cors-gen/orders-cors-layer.zip',
      output_file_mode: '0644',
    });
  });
});

describe('generate with lambda.source', () => {
  it('writes the folder relative to wherever --out puts the module, and switches a stub module over cleanly', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-own-generate-'));
    try {
      mkdirSync(path.join(root, '.git'));
      mkdirSync(path.join(root, 'services/api/backend'), { recursive: true });
      writeFileSync(path.join(root, 'services/api/backend/app.mjs'), 'export const handler = async () => ({});');
      const base = `version: 1\nname: own\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\n`;
      writeFileSync(path.join(root, 'services/api/cors-gen.yaml'), base);
      const out = path.join(root, 'infra/modules');
      const spec = 'services/api/cors-gen.yaml';
      expect((await generate({ cwd: root, spec, out })).ok).toBe(true);
      expect(existsSync(path.join(out, 'own/lambda/index.mjs'))).toBe(true);
      writeFileSync(path.join(root, spec), `${base}lambda:\n  source: backend\n  handler: app.handler\n`);
      const switched = await generate({ cwd: root, spec, out });
      expect(switched.ok).toBe(true);
      // The starter handler stays (it is the user's), and the user is told nothing deploys it any more.
      expect(switched.warnings).toContainEqual(
        expect.objectContaining({
          code: 'starter-code-unused',
          message: `${path.join('infra/modules/own/lambda/app.mjs')} is no longer deployed: the function runs your code from lambda.source`,
        }),
      );
      expect(readFileSync(path.join(out, 'own/main.tf'), 'utf8')).toContain(
        '"${path.module}/../../../services/api/backend"',
      );
      // The stub's generated entry point and wrapper go; the user's app.mjs stays (cors-gen never deletes it).
      expect(existsSync(path.join(out, 'own/lambda/index.mjs'))).toBe(false);
      expect(existsSync(path.join(out, 'own/lambda/app.mjs'))).toBe(true);
      expect(existsSync(path.join(out, 'own/layer/nodejs/cors-gen/wrapper.mjs'))).toBe(true);
      // A module inside the code's folder would be zipped into the function: refused, nothing written.
      const inside = await generate({ cwd: root, spec, out: 'services/api/backend/generated' });
      expect(inside).toMatchObject({ ok: false, reason: 'invalid' });
      expect(!inside.ok && inside.reason === 'invalid' ? inside.errors.map((e) => e.code) : []).toEqual([
        'lambda-source-holds-module',
      ]);
      expect(existsSync(path.join(root, 'services/api/backend/generated'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('validate warns when the folder holds the module folder generate writes by default; generate --out elsewhere does not', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-own-holds-'));
    try {
      mkdirSync(path.join(root, '.git'));
      mkdirSync(path.join(root, 'be/src'), { recursive: true });
      writeFileSync(path.join(root, 'be/src/app.mjs'), 'export const handler = async () => ({});');
      const text = `version: 1\nname: dot\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\nlambda:\n  source: .\n  handler: be/src/app.handler\n`;
      writeFileSync(path.join(root, 'cors-gen.yaml'), text);
      const loaded = await loadSpec(path.join(root, 'cors-gen.yaml'), root);
      expect(loaded.ok).toBe(true);
      expect(loaded.warnings).toEqual([
        expect.objectContaining({
          code: 'lambda-source-holds-module',
          path: 'lambda.source',
          line: 9,
          message: expect.stringContaining(
            '"." holds the module folder generated/dot, where "cors-gen generate" writes',
          ),
          fix: expect.stringContaining('--out'),
        }),
      ]);
      const elsewhere = await generate({
        cwd: root,
        spec: 'cors-gen.yaml',
        out: path.join(root, '../', `${path.basename(root)}-out`),
      });
      expect(elsewhere.ok).toBe(true);
      expect(elsewhere.warnings.map((w) => w.code)).not.toContain('lambda-source-holds-module');
      rmSync(path.join(root, `../${path.basename(root)}-out`), { recursive: true, force: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses to write the module into the folder when a link makes it hold the module (backend -> .)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-own-link-'));
    try {
      mkdirSync(path.join(root, '.git'));
      mkdirSync(path.join(root, 'code/src'), { recursive: true });
      writeFileSync(path.join(root, 'code/src/app.mjs'), 'export const handler = async () => ({});');
      symlinkSync('.', path.join(root, 'backend'));
      writeFileSync(
        path.join(root, 'cors-gen.yaml'),
        `version: 1\nname: loop\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\nlambda:\n  source: backend\n  handler: code/src/app.handler\n`,
      );
      const result = await generate({ cwd: root, spec: 'cors-gen.yaml' });
      expect(!result.ok && result.reason === 'invalid' ? result.errors : []).toEqual([
        expect.objectContaining({
          code: 'lambda-source-holds-module',
          message: expect.stringContaining('"backend" holds the module folder generated/loop'),
        }),
      ]);
      expect(existsSync(path.join(root, 'generated/loop'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('generates and checks a module whose folder is a build output not built yet, with the warning', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-own-unbuilt-'));
    try {
      mkdirSync(path.join(root, '.git'));
      mkdirSync(path.join(root, 'backend/src'), { recursive: true });
      writeFileSync(
        path.join(root, 'cors-gen.yaml'),
        `version: 1\nname: ci\ncors:\n  allowOrigins: [https://app.example.com]\nroutes:\n  - path: /a\n    methods: [GET]\nlambda:\n  source: backend/dist\n  handler: app.handler\n`,
      );
      const written = await generate({ cwd: root, spec: 'cors-gen.yaml' });
      expect(written.ok).toBe(true);
      expect(readFileSync(path.join(root, 'generated/ci/main.tf'), 'utf8')).toContain(
        '"${path.module}/../../backend/dist"',
      );
      // The preview runs the code: it refuses, naming the folder and the fix.
      const preview = await cli(['preview', '--spec', path.join(root, 'cors-gen.yaml'), '--json']);
      expect(preview.code).toBe(1);
      expect(JSON.parse(preview.stdout).error).toMatchObject({
        code: 'lambda-source-missing',
        message: expect.stringContaining('lambda.source: "backend/dist" does not exist yet'),
        fix: expect.stringContaining('build it'),
      });
      const checked = await generate({ cwd: root, spec: 'cors-gen.yaml', check: true });
      expect(checked.ok).toBe(true);
      expect(checked.warnings).toEqual([
        expect.objectContaining({
          code: 'lambda-source-missing',
          message: expect.stringContaining('"backend/dist" does not exist yet'),
          fix: expect.stringContaining('build it before "terraform apply" or "cors-gen preview"'),
        }),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
