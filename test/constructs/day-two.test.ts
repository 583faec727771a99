/**
 * What a module needs to survive its second year: destroy with a site in the bucket, several stages and regions
 * in one account, applies that do not race themselves, and a zip that hashes the same on every machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_EXCLUDES } from '../../src/constructs/cors-lambda.js';
import { doc, resource, resources, spec, synth, type Body } from '../support/synth.js';

const APIS = ['rest', 'http', 'function-url'] as const;
const specFor = (api: (typeof APIS)[number], frontend = true) =>
  spec({
    api,
    routes: [{ path: '/orders', methods: ['GET'] }],
    cors: { allowMethods: ['GET'] },
    frontend: { enabled: frontend },
  });
const variable = (d: Body, name: string) => (d.variable as Record<string, Body>)[name]!;

describe('force_destroy', () => {
  it('is an input, false unless the caller sets it, that lets destroy empty the site bucket', async () => {
    const d = await doc(spec());
    expect(variable(d, 'force_destroy')).toMatchObject({ type: 'bool', default: false });
    expect(variable(d, 'force_destroy').description).toContain('BucketNotEmpty');
    expect(resource(d, 'aws_s3_bucket', 'site').force_destroy).toBe('${var.force_destroy}');
  });

  it('stays declared without a frontend, so a caller passing it keeps working when the frontend is turned off', async () => {
    const d = await doc(spec({ frontend: { enabled: false } }));
    expect(variable(d, 'force_destroy')).toMatchObject({ type: 'bool', default: false });
    expect(variable(d, 'force_destroy').description).toMatch(/no effect/);
  });
});

describe('names that two stages or two regions in one account do not share', () => {
  it.each(APIS)(
    'gives the IAM role (global per account) a unique suffix, replaced create-before-destroy (%s)',
    async (api) => {
      const role = resource(await doc(specFor(api)), 'aws_iam_role', 'lambda');
      expect(role).not.toHaveProperty('name');
      // The provider accepts at most 38 characters of name_prefix (64 minus its 26-character suffix).
      expect(role.name_prefix).toBe('${substr("${var.name_prefix}-", 0, 38)}');
      expect(role.lifecycle).toEqual({ create_before_destroy: true });
    },
  );

  it.each(APIS)('derives every other name from name_prefix, which each stage file sets apart (%s)', async (api) => {
    const d = await doc(specFor(api));
    const named: Array<[string, unknown]> = [];
    // A stage's name is scoped to its own API.
    const scoped = new Set(['aws_apigatewayv2_stage']);
    for (const [type, byName] of Object.entries(d.resource as Record<string, Record<string, Body>>))
      if (!scoped.has(type))
        for (const [name, body] of Object.entries(byName))
          for (const arg of ['name', 'function_name', 'bucket_prefix', 'name_prefix'])
            if (arg in body && !(arg === 'function_name' && String(body[arg]).startsWith('${aws_lambda_function.')))
              named.push([`${type}.${name}.${arg}`, body[arg]]);
    expect(named.length).toBeGreaterThanOrEqual(api === 'function-url' ? 4 : 5);
    for (const [address, value] of named) expect(String(value), address).toContain('var.name_prefix');
    // S3 bucket names are global across accounts: a prefix, never a fixed name.
    expect(resource(d, 'aws_s3_bucket', 'site')).not.toHaveProperty('bucket');
  });
});

describe('Function URL permissions', () => {
  it("wait for the URL, whose creation adds the provider's own statement to the same policy", async () => {
    const d = await doc(specFor('function-url'));
    const perms = resources(d, 'aws_lambda_permission');
    expect(Object.keys(perms).sort()).toEqual(['function_url', 'function_url_invoke']);
    for (const p of Object.values(perms)) expect(p.depends_on).toEqual(['aws_lambda_function_url.handler']);
  });
});

describe('the Lambda zip', () => {
  it.each(APIS)("is written under the calling root's .terraform folder, one file per name_prefix (%s)", async (api) => {
    const archive = (await doc(specFor(api))).data as Record<string, Record<string, Body>>;
    expect(archive.archive_file!.lambda!.output_path).toBe('${path.root}/.terraform/cors-gen/${var.name_prefix}.zip');
  });

  it('leaves out bytecode caches, Finder metadata and editor swap, backup and lock files, and nothing else', () => {
    // node:path's glob matcher stands in for the provider's doublestar: both treat "**/" as zero or more folders.
    const excluded = (p: string) => ARCHIVE_EXCLUDES.some((g) => path.matchesGlob(p, g));
    for (const p of [
      '__pycache__',
      'pkg/__pycache__',
      'cors.pyc',
      'pkg/app.cpython-312.pyc',
      '.DS_Store',
      'lib/.DS_Store',
      '.app.py.swp',
      '.index.mjs.swo',
      'app.mjs~',
      '.#app.py',
      '#app.py#',
    ])
      expect(excluded(p), p).toBe(true);
    for (const p of [
      'index.mjs',
      'cors.mjs',
      'app.mjs',
      'handler.py',
      'cors.py',
      'lib/util.mjs',
      'node_modules/x/index.js',
    ])
      expect(excluded(p), p).toBe(false);
  });
});

describe('the generated .gitignore', () => {
  it('keeps state, crash logs, the working folder and the zip out of git, and nothing the module needs', async () => {
    const files = await synth(spec({ stages: { dev: { allowOrigins: ['http://localhost:3000'] } } }));
    // A repository of its own, with no system or user git configuration (a global excludes file would interfere).
    const repo = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-gitignore-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', repo, ...args], {
          encoding: 'utf8',
          env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo, XDG_CONFIG_HOME: repo },
        });
      git('init', '-q');
      const module = path.join(repo, 'generated', 'shop');
      mkdirSync(module, { recursive: true });
      writeFileSync(path.join(module, '.gitignore'), files.generated.get('.gitignore')!);
      const ignored = (p: string) => {
        try {
          git('check-ignore', '-q', '--no-index', path.join('generated/shop', p));
          return true;
        } catch {
          return false;
        }
      };
      for (const p of [
        'terraform.tfstate',
        'terraform.tfstate.backup',
        '.terraform.tfstate.lock.info',
        'terraform.tfstate.d/dev/terraform.tfstate',
        'crash.log',
        'crash.20260101.log',
        '.terraform/cors-gen/shop.zip',
        '.terraform/providers/registry.terraform.io/x',
        'lambda.zip',
      ])
        expect(ignored(p), p).toBe(true);
      for (const p of [...files.generated.keys(), ...files.userOwned.keys(), '.terraform.lock.hcl', '.cors-gen.json'])
        expect(ignored(p), p).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
