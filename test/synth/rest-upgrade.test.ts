/**
 * Upgrading a REST module generated before the API moved into `body`: the per-resource objects in its state are
 * forgotten with `removed` blocks (the body's overwrite then owns them), named from the current routes and from the
 * module the new one replaces, so a state of any older version upgrades in one apply.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { synthesizeModule } from '../../src/synth/synthesize.js';
import { modelOf, spec, synth } from '../support/synth.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLUGINS = '/opt/tf-plugins';
const TERRAFORM = [
  '/usr/local/bin/terraform',
  ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'terraform')),
].find((f) => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-rest-upgrade-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const removedOf = (d: Record<string, unknown>) => ((d.removed ?? []) as Array<{ from: string }>).map((r) => r.from);

describe('removed blocks for the per-resource REST module', () => {
  it('names every address the per-resource module declared for the current routes, with its naming', () => {
    const d = synthesizeModule(modelOf(spec({ routes: [{ path: '/orders/{orderId}', methods: ['GET', 'DELETE'] }] })));
    expect(removedOf(d)).toEqual([
      // The per-resource module's deployment is forgotten too: see legacyDeploymentAddress.
      'aws_api_gateway_deployment.api',
      'aws_api_gateway_gateway_response.default_4xx',
      'aws_api_gateway_gateway_response.default_5xx',
      'aws_api_gateway_integration.orders_options',
      'aws_api_gateway_integration.orders_var_orderid_delete',
      'aws_api_gateway_integration.orders_var_orderid_get',
      'aws_api_gateway_integration.orders_var_orderid_options',
      'aws_api_gateway_integration_response.orders_options',
      'aws_api_gateway_integration_response.orders_var_orderid_options',
      'aws_api_gateway_method.orders_options',
      'aws_api_gateway_method.orders_var_orderid_delete',
      'aws_api_gateway_method.orders_var_orderid_get',
      'aws_api_gateway_method.orders_var_orderid_options',
      'aws_api_gateway_method_response.orders_options',
      'aws_api_gateway_method_response.orders_var_orderid_options',
      'aws_api_gateway_resource.orders',
      'aws_api_gateway_resource.orders_var_orderid',
    ]);
    for (const r of d.removed as Array<Record<string, unknown>>) expect(r.lifecycle).toEqual({ destroy: false });
  });

  it('keeps only well-formed addresses of the per-resource types among those it is given', () => {
    const d = synthesizeModule(modelOf(spec({ routes: [{ path: '/a', methods: ['GET'] }] })), {
      retiredAddresses: [
        'aws_api_gateway_method.legacy_get',
        'aws_iam_role.lambda',
        'aws_api_gateway_method.x\n}\nresource "aws_iam_role" "evil" {',
        'aws_api_gateway_method.${file("/etc/passwd")}',
        'aws_api_gateway_method',
        // The module's own deployment: forgetting it would orphan the stage's deployment.
        'aws_api_gateway_deployment.openapi',
      ],
    });
    expect(removedOf(d)).toContain('aws_api_gateway_method.legacy_get');
    expect(removedOf(d)).not.toContain('aws_api_gateway_deployment.openapi');
    expect(removedOf(d).filter((a) => !/^aws_api_gateway_[a-z_]+\.[A-Za-z_][\w-]*$/.test(a))).toEqual([]);
    expect(removedOf(d)).not.toContain('aws_iam_role.lambda');
  });

  it('adds none to HTTP API and Function URL modules', async () => {
    for (const api of ['http', 'function-url'] as const)
      expect(
        (await synth(spec({ api, routes: [{ path: '/', methods: ['GET'] }], cors: { allowMethods: ['GET'] } })))
          .document.removed,
      ).toBeUndefined();
  });
});

describe('generate over a module of an older cors-gen', () => {
  const project = () => {
    const dir = mkdtempSync(path.join(tmp, 'project-'));
    cpSync(path.join(ROOT, 'examples/orders-api/cors-gen.yaml'), path.join(dir, 'cors-gen.yaml'));
    return dir;
  };
  const main = (dir: string, file = 'main.tf') => readFileSync(path.join(dir, 'generated/orders-api', file), 'utf8');

  it.each(['hcl', 'json'] as const)(
    'carries the per-resource addresses and removed blocks of the module it replaces (%s), and keeps them on the next run',
    async (format) => {
      const cwd = project();
      const file = format === 'hcl' ? 'main.tf' : 'main.tf.json';
      mkdirSync(path.join(cwd, 'generated/orders-api'), { recursive: true });
      // What a module two versions back could hold: a resource of a route since deleted, the removed block of a
      // route deleted before, and resources of other types, which must not be forgotten.
      const old =
        format === 'hcl'
          ? [
              'resource "aws_api_gateway_method" "reports_get" {',
              '  rest_api_id = aws_api_gateway_rest_api.api.id',
              '}',
              'resource "aws_iam_role" "lambda" {',
              '  name = "x"',
              '}',
              'removed {',
              '  from = aws_api_gateway_integration.archive_get',
              '  lifecycle {',
              '    destroy = false',
              '  }',
              '}',
              '',
            ].join('\n')
          : JSON.stringify({
              resource: {
                aws_api_gateway_method: { reports_get: { rest_api_id: '${aws_api_gateway_rest_api.api.id}' } },
                aws_iam_role: { lambda: { name: 'x' } },
              },
              removed: [{ from: 'aws_api_gateway_integration.archive_get', lifecycle: { destroy: false } }],
            });
      writeFileSync(path.join(cwd, 'generated/orders-api', file), old);
      // force: the old file is not in a manifest of this test's making.
      const first = await generate({ cwd, spec: 'cors-gen.yaml', format, force: true });
      expect(first.ok).toBe(true);
      const text = main(cwd, file);
      for (const address of [
        'aws_api_gateway_method.reports_get',
        'aws_api_gateway_integration.archive_get',
        'aws_api_gateway_method.orders_get', // from the current routes
      ])
        expect(text).toContain(format === 'hcl' ? `from = ${address}\n` : `"from": "${address}"`);
      expect(text).not.toContain('aws_iam_role.lambda"');
      expect(text).not.toMatch(/from.*aws_iam_role/);
      // The next run reads its own removed blocks back: nothing changes.
      const again = await generate({ cwd, spec: 'cors-gen.yaml', format, check: true });
      expect(again.ok).toBe(true);
    },
  );

  it('reads what it forgot from its own manifest, not from main.tf, and only well-formed addresses', async () => {
    const cwd = project();
    expect((await generate({ cwd, spec: 'cors-gen.yaml' })).ok).toBe(true);
    const manifestFile = path.join(cwd, 'generated/orders-api/.cors-gen.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(manifest.retired).toContain('aws_api_gateway_method.orders_get');
    // An address only the manifest names (main.tf is not parsed again), and one that is not an address.
    manifest.retired.push('aws_api_gateway_method.only_in_manifest', 'aws_iam_role.lambda\n}');
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    expect((await generate({ cwd, spec: 'cors-gen.yaml' })).ok).toBe(true);
    const text = main(cwd);
    expect(text).toContain('from = aws_api_gateway_method.only_in_manifest\n');
    expect(text).not.toMatch(/from = aws_iam_role/);
  });
});

describe.runIf(TERRAFORM !== undefined && existsSync(PLUGINS))(
  `terraform validate with the real AWS provider ${TERRAFORM && existsSync(PLUGINS) ? '' : '(terraform or /opt/tf-plugins missing: skipped)'}`,
  () => {
    it.each(['hcl', 'json'] as const)(
      'accepts the REST module with its removed blocks (%s)',
      async (format) => {
        const files = await synth(spec(), format);
        const dir = path.join(tmp, `validate-${format}`);
        for (const [rel, text] of files.generated) {
          if (!rel.endsWith('.tf') && !rel.endsWith('.tf.json')) continue;
          mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
          // The plugin directory has the AWS provider 5.100 but not the archive provider: the copy asks for the
          // former's 5.x line and stands a local in for the zip.
          let t = text.replace(/>= 6\.\d+/, '>= 5.0');
          if (rel.startsWith('versions'))
            t = format === 'hcl' ? t.replace(/\s*archive = \{[^}]*\}/, '') : dropArchive(t);
          if (rel.startsWith('main')) t = format === 'hcl' ? standInZip(t) : standInZipJson(t);
          writeFileSync(path.join(dir, rel), t);
        }
        const env = {
          ...process.env,
          TF_CLI_CONFIG_FILE: path.join(tmp, 'none.tfrc'),
          CHECKPOINT_DISABLE: '1',
          TF_INPUT: '0',
        };
        writeFileSync(path.join(tmp, 'none.tfrc'), '');
        const run = (args: string[]) =>
          spawnSync(TERRAFORM!, args, { cwd: dir, encoding: 'utf8', env, timeout: 120_000 });
        const init = run(['init', '-backend=false', `-plugin-dir=${PLUGINS}`, '-no-color']);
        expect(init.status, init.stderr).toBe(0);
        const validate = run(['validate', '-no-color']);
        expect(validate.status, `${validate.stdout}\n${validate.stderr}`).toBe(0);
        expect(validate.stdout).toContain('The configuration is valid');
        expect(removedOf(files.document).length).toBeGreaterThan(10);
      },
      180_000,
    );
  },
);

const ZIP = { output_path: 'lambda.zip', output_base64sha256: 'AAAA' };

function standInZip(text: string): string {
  return text
    .replace(
      /data "archive_file" "lambda" \{[\s\S]*?\n\}\n/,
      `locals {\n  lambda_zip = ${JSON.stringify(ZIP).replace(/:/g, ' = ')}\n}\n`,
    )
    .replaceAll('data.archive_file.lambda.', 'local.lambda_zip.');
}

function standInZipJson(text: string): string {
  const doc = JSON.parse(text) as Record<string, any>;
  delete doc.data.archive_file;
  if (Object.keys(doc.data).length === 0) delete doc.data;
  doc.locals.lambda_zip = ZIP;
  return JSON.stringify(doc).replaceAll('data.archive_file.lambda.', 'local.lambda_zip.');
}

function dropArchive(text: string): string {
  const doc = JSON.parse(text) as Record<string, any>;
  delete doc.terraform.required_providers.archive;
  return JSON.stringify(doc);
}
