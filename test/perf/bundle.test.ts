/**
 * The published CLI is a bundle (scripts/build.mjs): cdktf trimmed, templates precompiled, `terraform fmt`
 * done by the TypeScript port. It must write exactly what the source writes: every file of every module, and
 * the starter spec of `init`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { init } from '../../src/spec/init.js';
import { ROOT, variantSpecs } from './specs.js';

const BIN = path.join(ROOT, 'dist/cli/bin.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const specs: Array<[string, string]> = [
  ...readdirSync(path.join(ROOT, 'examples'))
    .sort()
    .map((name): [string, string] => [
      `examples/${name}`,
      readFileSync(path.join(ROOT, 'examples', name, 'cors-gen.yaml'), 'utf8'),
    ]),
  ...variantSpecs().map(([name, spec]): [string, string] => [name, stringify(spec)]),
];

function files(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) Object.assign(out, files(p, base));
    else out[path.relative(base, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

let n = 0;
/** A project folder holding the spec, at the same depth for both runs so relative paths match. */
function project(specText: string, side: string): string {
  const dir = path.join(tmp, `${n}`, side);
  mkdirSync(dir, { recursive: true });
  // An example with lambda.source needs its code folder beside the spec.
  const example = readdirSync(path.join(ROOT, 'examples')).find(
    (name) => readFileSync(path.join(ROOT, 'examples', name, 'cors-gen.yaml'), 'utf8') === specText,
  );
  if (example && /^\s+source:/m.test(specText)) cpSync(path.join(ROOT, 'examples', example), dir, { recursive: true });
  writeFileSync(path.join(dir, 'cors-gen.yaml'), specText);
  return dir;
}

describe('the bundled CLI', () => {
  it.each(specs)('generates byte for byte what the source generates (HCL and JSON): %s', async (_name, specText) => {
    n++;
    for (const format of ['hcl', 'json'] as const) {
      const fromBundle = project(specText, `bundle-${format}`);
      const r = spawnSync(process.execPath, [BIN, 'generate', '--format', format], {
        cwd: fromBundle,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      const fromSource = project(specText, `source-${format}`);
      const result = await generate({ cwd: fromSource, format });
      expect(result.ok).toBe(true);
      const bundled = files(path.join(fromBundle, 'generated'));
      expect(Object.keys(bundled).length).toBeGreaterThan(8);
      expect(bundled).toEqual(files(path.join(fromSource, 'generated')));
    }
  });

  it('writes the same starter spec as the source with init', async () => {
    const a = path.join(tmp, 'init-bundle');
    const b = path.join(tmp, 'init-source');
    for (const d of [a, b]) mkdirSync(d, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'init',
        '--yes',
        '--name',
        'shop',
        '--api',
        'http',
        '--origin',
        'https://shop.example.com',
        '--credentials',
      ],
      { cwd: a, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(
      (await init({ dir: b, name: 'shop', api: 'http', origins: ['https://shop.example.com'], credentials: true })).ok,
    ).toBe(true);
    expect(readFileSync(path.join(a, 'cors-gen.yaml'), 'utf8')).toBe(
      readFileSync(path.join(b, 'cors-gen.yaml'), 'utf8'),
    );
  });

  it('runs from an installed copy: templates, schema and version are found from dist/', () => {
    const copy = path.join(tmp, 'installed');
    for (const p of ['dist', 'package.json']) cpSync(path.join(ROOT, p), path.join(copy, p), { recursive: true });
    const version = spawnSync(process.execPath, [path.join(copy, 'dist/cli/bin.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    // No templates/ folder in the copy: the bundle carries them precompiled.
    const dir = project(specs[0]![1], 'installed-run');
    const r = spawnSync(process.execPath, [path.join(copy, 'dist/cli/bin.js'), 'generate'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(
      readFileSync(path.join(dir, 'generated', readdirSync(path.join(dir, 'generated'))[0]!, 'main.tf'), 'utf8'),
    ).toMatch(/^# Generated by cors-gen/);
  });
});
