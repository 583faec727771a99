import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, cli, plainEnv, ROOT } from './capture.js';

const EXAMPLES = readdirSync(path.join(ROOT, 'examples')).filter((e) =>
  existsSync(path.join(ROOT, 'examples', e, 'cors-gen.yaml')),
);

const SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com, https://admin.example.com]
  allowHeaders: [Content-Type]
routes:
  - path: /orders
    methods: [GET, POST]
frontend:
  enabled: true
stages:
  dev:
    allowOrigins: [http://localhost:3000]
`;

let tmp = '';
let n = 0;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-cli-generate-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh project folder with a spec; returns its path. */
function project(spec = SPEC): string {
  const dir = path.join(tmp, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cors-gen.yaml'), spec);
  return dir;
}

/** Every file under `dir`, with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out[path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')] = readFileSync(
        path.join(e.parentPath, e.name),
        'utf8',
      );
  }
  return out;
}

/** A path as the in-process CLI shows it: relative to the working directory. */
const rel = (p: string) => path.relative(process.cwd(), p);

const gen = (dir: string, ...args: string[]) =>
  cli(['generate', '--spec', path.join(dir, 'cors-gen.yaml'), '--out', path.join(dir, 'generated'), ...args]);

describe('cors-gen generate', () => {
  it('writes the module and exits 0; run again, writes nothing', async () => {
    const dir = project();
    const first = await gen(dir);
    expect(first.code, first.stderr).toBe(0);
    // The report is the result: stdout (`cors-gen generate > report.txt` keeps it); nothing on stderr.
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/create +\S*main\.tf/);
    expect(first.stdout).toMatch(/create +\S*lambda\/app\.mjs/);
    expect(first.stdout).toContain('wrote');
    const files = Object.keys(snapshot(path.join(dir, 'generated/shop')));
    expect(files.sort()).toEqual(
      [
        '.cors-gen.json',
        '.gitignore',
        'README.md',
        'lambda/app.mjs',
        'lambda/cors.mjs',
        'lambda/index.mjs',
        'main.tf',
        'outputs.tf',
        'stages/dev.tfvars',
        'variables.tf',
        'versions.tf',
      ].sort(),
    );
    const again = await gen(dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is up to date; nothing written');
  });

  it('exits 1 on an invalid spec, names the problem and writes nothing', async () => {
    const dir = project(SPEC.replace('https://admin.example.com]', 'https://admin.example.com/]'));
    const r = await gen(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cors.allowOrigins[1]');
    expect(r.stdout).toContain('nothing was written');
    expect(existsSync(path.join(dir, 'generated'))).toBe(false);
  });

  it('--check exits 0 when the module is up to date and 1 listing the stale files, writing nothing', async () => {
    const dir = project();
    await gen(dir);
    expect((await gen(dir, '--check')).code).toBe(0);
    writeFileSync(
      path.join(dir, 'cors-gen.yaml'),
      SPEC.replace('https://admin.example.com]', 'https://admin.example.com, https://ops.example.com]'),
    );
    const before = snapshot(path.join(dir, 'generated'));
    const r = await gen(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('differs from what');
    // The origins' default lives in variables.tf; main.tf computes everything else from the variable.
    for (const f of ['variables.tf', '.cors-gen.json', 'README.md'])
      expect(r.stdout).toMatch(new RegExp(`update +\\S*shop[/\\\\]${f.replace('.', '\\.')}`));
    expect(snapshot(path.join(dir, 'generated'))).toEqual(before);
  });

  it('refuses (exit 1, naming the file) to overwrite a generated file edited by hand, unless --force', async () => {
    const dir = project();
    await gen(dir);
    const main = path.join(dir, 'generated/shop/main.tf');
    writeFileSync(main, `${readFileSync(main, 'utf8')}# my change\n`);
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('[Content-Type]', '[Content-Type, X-Trace]'));
    const before = snapshot(path.join(dir, 'generated'));
    const r = await gen(dir);
    expect(r.code).toBe(1);
    // Named relative to the working directory, as the rest of generate's output names files.
    expect(r.stderr).toContain(`refusing to overwrite ${path.relative(process.cwd(), main)} (edited by hand`);
    expect(r.stderr).toContain('edited by hand');
    expect(r.stderr).toContain('Nothing was written.');
    expect(snapshot(path.join(dir, 'generated'))).toEqual(before);
    const forced = await gen(dir, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(main, 'utf8')).not.toContain('# my change');
    expect(readFileSync(main, 'utf8')).toContain('Content-Type,X-Trace');
  });

  it("never overwrites the user's lambda/app.mjs", async () => {
    const dir = project();
    await gen(dir);
    const app = path.join(dir, 'generated/shop/lambda/app.mjs');
    writeFileSync(app, 'export async function handle() { return { statusCode: 200, body: "mine" }; }\n');
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('[Content-Type]', '[Content-Type, X-Trace]'));
    expect((await gen(dir)).code).toBe(0);
    expect((await gen(dir, '--force')).code).toBe(0);
    expect(readFileSync(app, 'utf8')).toContain('"mine"');
  });

  it('exits 2 when the output folder cannot be written', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    const r = await cli([
      'generate',
      '--spec',
      path.join(dir, 'cors-gen.yaml'),
      '--out',
      path.join(dir, 'not-a-folder'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write');
  });

  it('--format json writes *.tf.json that parse, with no CDKTF metadata but our header', async () => {
    const dir = project();
    const r = await gen(dir, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const files = snapshot(path.join(dir, 'generated/shop'));
    const tf = Object.keys(files).filter((f) => /\.tf(\.json)?$/.test(f));
    expect(tf.sort()).toEqual(['main.tf.json', 'outputs.tf.json', 'variables.tf.json', 'versions.tf.json']);
    for (const f of tf) {
      const parsed = JSON.parse(files[f]!) as Record<string, unknown>;
      expect(parsed['//']).toMatch(/^Generated by cors-gen from \.\.\/\.\.\/cors-gen\.yaml\. Do not edit/);
      expect(files[f]!.match(/"\/\/"/g), f).toHaveLength(1);
      expect(files[f]).not.toMatch(/"metadata"|"stackName"|"backend"|"provider"\s*:/);
    }
    expect(JSON.parse(files['.cors-gen.json']!)).toMatchObject({ format: 'json' });
  });
});

describe('cors-gen generate --json', () => {
  it.each([
    ['success', [] as string[], 0, { ok: true, check: false }],
    ['--check on a fresh folder', ['--check'], 1, { ok: false, reason: 'stale', check: true }],
  ])('prints exactly one JSON document on stdout (%s)', async (_name, args, code, expected) => {
    const dir = project();
    const r = await binary(['generate', '--json', '--spec', 'cors-gen.yaml', ...args], { cwd: dir, env: plainEnv() });
    expect(r.code, r.stderr).toBe(code);
    const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; change: string }> };
    expect(doc).toMatchObject({ ...expected, dir: path.join('generated', 'shop') });
    expect(doc.files).toContainEqual(
      expect.objectContaining({ path: path.join('generated', 'shop', 'main.tf'), change: 'create' }),
    );
  });

  it('prints the validation errors as JSON for an invalid spec', async () => {
    const dir = project(SPEC.replace('https://app.example.com,', '"*",'));
    const r = await binary(['generate', '--json'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; reason: string; errors: Array<{ path: string }> };
    expect(doc).toMatchObject({ ok: false, reason: 'invalid' });
    expect(doc.errors.length).toBeGreaterThan(0);
  });

  it('reports a hand edit as JSON, naming the file', async () => {
    const dir = project();
    expect((await gen(dir)).code).toBe(0);
    writeFileSync(path.join(dir, 'generated/shop/variables.tf'), '# mine\n');
    const r = await gen(dir, '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      reason: string;
      files: Array<{ path: string; change: string }>;
      message: string;
    };
    expect(doc.reason).toBe('edited');
    expect(doc.files).toContainEqual(
      expect.objectContaining({ change: 'edited', path: expect.stringMatching(/variables\.tf$/) }),
    );
    expect(doc.message).toContain('variables.tf');
  });
});

describe('the committed examples (what CI checks)', () => {
  it.each(EXAMPLES)('generate --check passes on generated/%s', async (name) => {
    const r = await binary(['generate', '--check', '--spec', `examples/${name}/cors-gen.yaml`, '--out', 'generated'], {
      cwd: ROOT,
      env: plainEnv(),
    });
    expect(r.stdout).toContain('is up to date');
    expect(r.code, r.stdout).toBe(0);
  });

  it('passes on a fresh copy elsewhere, and from another working directory', async () => {
    const clone = path.join(tmp, 'clone');
    cpSync(path.join(ROOT, 'examples'), path.join(clone, 'examples'), { recursive: true });
    cpSync(path.join(ROOT, 'generated'), path.join(clone, 'generated'), { recursive: true });
    const fromRoot = await binary(
      ['generate', '--check', '--spec', 'examples/orders-api/cors-gen.yaml', '--out', 'generated'],
      { cwd: clone, env: plainEnv() },
    );
    expect(fromRoot.code, fromRoot.stderr).toBe(0);
    const fromSpecFolder = await binary(
      ['generate', '--check', '--spec', 'cors-gen.yaml', '--out', '../../generated'],
      { cwd: path.join(clone, 'examples/orders-api'), env: plainEnv() },
    );
    expect(fromSpecFolder.code, fromSpecFolder.stderr).toBe(0);
  });

  it('gives byte-identical modules for the same spec in two places', async () => {
    const a = project();
    const b = project();
    await gen(a);
    await gen(b);
    expect(snapshot(path.join(b, 'generated'))).toEqual(snapshot(path.join(a, 'generated')));
  });
});

describe('concurrent runs', () => {
  it('leave one complete module when two processes write the same folder at once', async () => {
    const dir = project();
    const [hcl, json] = await Promise.all([
      binary(['generate', '--spec', 'cors-gen.yaml', '--format', 'hcl'], { cwd: dir, env: plainEnv() }),
      binary(['generate', '--spec', 'cors-gen.yaml', '--format', 'json'], { cwd: dir, env: plainEnv() }),
    ]);
    expect(hcl.code, hcl.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const files = Object.keys(snapshot(path.join(dir, 'generated/shop')));
    const formats = ['hcl', 'json'].filter((f) => files.some((p) => (f === 'hcl' ? /\.tf$/ : /\.tf\.json$/).test(p)));
    expect(formats, files.join(', ')).toHaveLength(1);
    const check = await binary(['generate', '--check', '--spec', 'cors-gen.yaml', '--format', formats[0]!], {
      cwd: dir,
      env: plainEnv(),
    });
    expect(check.code, check.stderr).toBe(0);
  });
});

describe('cors-gen generate: hostile module folders', () => {
  it('refuses (exit 2) a committed journal naming a file outside the module, and deletes nothing', async () => {
    const dir = project();
    await gen(dir);
    writeFileSync(path.join(dir, 'victim.txt'), 'keep\n');
    const journal = path.join(dir, 'generated/shop/.cors-gen.journal');
    writeFileSync(journal, '{"staged":[],"created":["../../../victim.txt"]}');
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('[Content-Type]', '[Content-Type, X-Trace]'));
    const r = await gen(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error ${journal}: the entry "../../../victim.txt" leaves the module folder or has an empty, "." or ".." segment;`,
    );
    expect(r.stderr).toContain(
      `Nothing was deleted or written. If no cors-gen run is writing this folder, delete ${journal}`,
    );
    expect(readFileSync(path.join(dir, 'victim.txt'), 'utf8')).toBe('keep\n');
  });

  it('--check refuses (exit 2) that journal too, and a manifest entry outside the module with or without --force', async () => {
    const dir = project();
    await gen(dir);
    const shop = path.join(dir, 'generated/shop');
    writeFileSync(path.join(shop, '.cors-gen.journal'), '{"staged":["/etc/hostname"]}');
    const check = await gen(dir, '--check');
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(
      `error ${path.join(shop, '.cors-gen.journal')}: the entry "/etc/hostname" is an absolute path;`,
    );
    rmSync(path.join(shop, '.cors-gen.journal'));
    writeFileSync(path.join(dir, 'x'), 'x\n');
    const manifestFile = path.join(shop, '.cors-gen.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, string> };
    manifest.files['../../x'] = createHash('sha256').update('x\n').digest('hex');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    for (const args of [[], ['--force'], ['--check']]) {
      const r = await gen(dir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(
        `error ${manifestFile}: the entry "../../x" leaves the module folder or has an empty, "." or ".." segment;`,
      );
      expect(r.stderr).toContain('Restore it from version control or delete it');
    }
    expect(readFileSync(path.join(dir, 'x'), 'utf8')).toBe('x\n');
  });

  it("tells on stderr that it waits for another run's lock; the result stays on stdout", async () => {
    const dir = project();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      const lock = path.join(dir, 'generated/shop/.cors-gen.lock');
      mkdirSync(path.dirname(lock), { recursive: true });
      writeFileSync(lock, String(holder.pid));
      const running = gen(dir);
      await new Promise((r) => setTimeout(r, 500));
      holder.kill('SIGKILL');
      const r = await running;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`waiting for another cors-gen (pid ${holder.pid}), which holds ${lock} (at most 5 s)\n`);
      expect(r.stdout).toContain('wrote');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('refuses (exit 2) a symlinked module folder unless --allow-symlinked-module', async () => {
    const dir = project();
    mkdirSync(path.join(dir, 'elsewhere'));
    mkdirSync(path.join(dir, 'generated'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'generated/shop'));
    const r = await gen(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error ${rel(path.join(dir, 'generated/shop'))} is a symbolic link (to ${JSON.stringify(path.join(dir, 'elsewhere'))}); cors-gen does not write a module through a link, which could lead anywhere. ` +
        'Nothing was written. Pass --allow-symlinked-module if the link is intended, or choose a real folder with --out.\n',
    );
    expect(readdirSync(path.join(dir, 'elsewhere'))).toEqual([]);
    const allowed = await gen(dir, '--allow-symlinked-module');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'elsewhere'))).toContain('main.tf');
  });

  it('refuses (exit 2) a symlinked output folder inside the working directory', async () => {
    const dir = project();
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'generated'));
    const r = await binary(['generate', 'cors-gen.yaml'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error generated is a symbolic link (to ${JSON.stringify(path.join(dir, 'elsewhere'))});`,
    );
  });

  it('exits 2 at once, with the reason, for an output folder under /proc (no endless mkdir)', async () => {
    const dir = project();
    const started = Date.now();
    const r = await cli(['generate', '--spec', path.join(dir, 'cors-gen.yaml'), '--out', '/proc/cors-gen-x']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^error cannot write ${rel('/proc/cors-gen-x/shop')}: ENOENT: .*; the previous module was kept\n$`),
    );

    // Below a dangling link (allowed by the flag) the same walk would spin too.
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    const below = await cli([
      'generate',
      '--spec',
      path.join(dir, 'cors-gen.yaml'),
      '--out',
      path.join(dir, 'dangling', 'out'),
      '--allow-symlinked-module',
    ]);
    expect(below.code).toBe(2);
    expect(below.stderr).toMatch(/^error cannot write \S+dangling\/out\/shop: ENOENT: /);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('cors-gen generate: the spec as an argument', () => {
  it('takes the spec as a positional argument, like --spec', async () => {
    const dir = project();
    const r = await binary(['generate', 'cors-gen.yaml'], { cwd: dir, env: plainEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'generated/shop/main.tf'))).toBe(true);
    const same = await binary(['generate', 'cors-gen.yaml', '--spec', './cors-gen.yaml', '--check'], {
      cwd: dir,
      env: plainEnv(),
    });
    expect(same.code, same.stderr).toBe(0);
  });

  it('is a usage error (exit 2) to name two different specs', async () => {
    const dir = project();
    const r = await binary(['generate', 'a.yaml', '--spec', 'b.yaml', '--json'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cors-gen: two different specs were given: a.yaml and --spec b.yaml; pass one of them\n');
    expect(JSON.parse(r.stdout)).toMatchObject({
      schemaVersion: 1,
      ok: false,
      error: { code: 'usage', message: 'two different specs were given: a.yaml and --spec b.yaml; pass one of them' },
    });
  });
});

describe('cors-gen generate --check: how to get out of every state', () => {
  it('a hand edit: names the spec field that produces it and --force, never plain "generate" (which would refuse)', async () => {
    const dir = project();
    await gen(dir);
    const tfvars = path.join(dir, 'generated/shop/stages/dev.tfvars');
    writeFileSync(tfvars, `${readFileSync(tfvars, 'utf8')}# mine\n`);
    writeFileSync(path.join(dir, 'generated/shop/.gitignore'), '# mine\n');
    const r = await gen(dir, '--check');
    expect(r.code).toBe(1);
    const shop = rel(path.join(dir, 'generated/shop'));
    expect(r.stdout).toBe(
      [
        `stale ${shop} differs from what \`cors-gen generate\` would write:`,
        `  edited  ${path.join(shop, '.gitignore')}: edited by hand since cors-gen wrote it: no spec field produces it; \`cors-gen generate --force\` discards the edit`,
        `  edited  ${path.join(shop, 'stages/dev.tfvars')}: edited by hand since cors-gen wrote it: move the change into the spec's \`stages.dev\` (origins, authorizers, domain), or, for other inputs such as environment_variables, into a .tfvars of your own outside the module folder, passed after it with a second -var-file, or discard it with \`cors-gen generate --force\``,
        'Move each hand edit you want to keep into the spec as shown, then run `cors-gen generate --force` (it overwrites the edited files) and commit the result.',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('Run `cors-gen generate` and');
    // The advice works: --force gets the module back in step.
    expect((await gen(dir, '--force')).code).toBe(0);
    expect((await gen(dir, '--check')).code).toBe(0);
  });

  it('missing, stale, orphaned and debris files: each with its fix, then "Run cors-gen generate"', async () => {
    const dir = project();
    await gen(dir);
    const shop = rel(path.join(dir, 'generated/shop'));
    rmSync(path.join(shop, 'README.md'));
    rmSync(path.join(shop, 'lambda/app.mjs'));
    writeFileSync(path.join(shop, 'main.tf.cors-gen-new'), 'half written');
    writeFileSync(
      path.join(dir, 'cors-gen.yaml'),
      SPEC.replace(/stages:[\s\S]*$/, '').replace('[Content-Type]', '[Content-Type, X-Trace]'),
    );
    const r = await gen(dir, '--check');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`  create  ${path.join(shop, 'README.md')}: missing: \`cors-gen generate\` writes it`);
    expect(lines).toContain(`  update  ${path.join(shop, 'main.tf')}: out of date: \`cors-gen generate\` rewrites it`);
    expect(lines).toContain(
      `  delete  ${path.join(shop, 'stages/dev.tfvars')}: no longer generated: \`cors-gen generate\` deletes it`,
    );
    expect(lines).toContain(
      `  delete  ${path.join(shop, 'main.tf.cors-gen-new')}: left by an interrupted run: \`cors-gen generate\` cleans it up`,
    );
    expect(lines).toContain(
      `  missing ${path.join(shop, 'lambda/app.mjs')}: your code file is missing: \`cors-gen generate\` writes the starter again`,
    );
    expect(lines.at(-2)).toBe('Run `cors-gen generate` and commit the result.');
    expect((await gen(dir)).code).toBe(0);
    expect((await gen(dir, '--check')).code).toBe(0);
  });

  it('says the generator changed (which version wrote the module, which is running) instead of only "stale"', async () => {
    const dir = project();
    await gen(dir);
    const manifestFile = path.join(dir, 'generated/shop/.cors-gen.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      version: string;
      files: Record<string, string>;
    };
    const running = manifest.version;
    // As if an older cors-gen had written a different main.tf.
    const main = path.join(dir, 'generated/shop/main.tf');
    writeFileSync(main, `${readFileSync(main, 'utf8')}# older output\n`);
    manifest.version = '0.0.1';
    manifest.files['main.tf'] = createHash('sha256').update(readFileSync(main, 'utf8')).digest('hex');
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const r = await gen(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `The generator changed: cors-gen 0.0.1 wrote ${rel(path.join(dir, 'generated/shop'))}, this is cors-gen ${running} (the spec did not change).\n`,
    );
    const json = await gen(dir, '--check', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      reason: 'stale',
      version: running,
      writtenBy: { version: '0.0.1', specChanged: false },
    });
  });

  it('an upgrade that changes no output passes the check and rewrites nothing', async () => {
    const dir = project();
    await gen(dir);
    const manifestFile = path.join(dir, 'generated/shop/.cors-gen.json');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/"version": "[^"]+"/, '"version": "0.0.1"'));
    const before = snapshot(path.join(dir, 'generated'));
    const r = await gen(dir, '--check');
    expect(r.code, r.stdout).toBe(0);
    expect((await gen(dir)).stdout).toContain('is up to date; nothing written');
    expect(snapshot(path.join(dir, 'generated'))).toEqual(before);
  });
});

describe('cors-gen generate --diff', () => {
  it('prints a unified diff of what would change, writes nothing, exits 1; 0 with no difference', async () => {
    const dir = project();
    await gen(dir);
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('http://localhost:3000', 'http://localhost:5173'));
    rmSync(path.join(dir, 'generated/shop/outputs.tf'));
    const before = snapshot(path.join(dir, 'generated'));
    const r = await gen(dir, '--diff');
    // A missing file is diffed from /dev/null, as git does.
    expect(r.stdout).toContain(
      `--- /dev/null\n+++ b/${rel(path.join(dir, 'generated/shop/outputs.tf')).split(path.sep).join('/')}\n@@ -0,0 +1,`,
    );
    expect(r.code).toBe(1);
    const tfvars = rel(path.join(dir, 'generated/shop/stages/dev.tfvars')).split(path.sep).join('/');
    expect(r.stdout).toContain(`--- a/${tfvars}\n+++ b/${tfvars}\n`);
    expect(r.stdout).toMatch(/^-allowed_origins += \["http:\/\/localhost:3000"\]$/m);
    expect(r.stdout).toMatch(/^\+allowed_origins += \["http:\/\/localhost:5173"\]$/m);
    expect(snapshot(path.join(dir, 'generated'))).toEqual(before);
    await gen(dir);
    const clean = await gen(dir, '--diff');
    expect(clean.code).toBe(0);
    expect(clean.stdout).not.toContain('---');
  });
});

describe('cors-gen generate after a rename', () => {
  it('warns that the old module folder is left behind, naming the user code to move; --check fails on it', async () => {
    const dir = project();
    await gen(dir);
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('name: shop', 'name: store'));
    const r = await gen(dir);
    expect(r.code).toBe(0);
    const old = rel(path.join(dir, 'generated/shop'));
    const now = rel(path.join(dir, 'generated/store'));
    const warning =
      `warning ${old} holds a module generated from the same spec under another name (the spec's \`name:\` changed?); this spec now writes ${now}. ` +
      `Move your code across (${path.join(old, 'lambda/app.mjs')} to ${path.join(now, 'lambda/app.mjs')}, replacing the starter cors-gen wrote), then delete ${old}. ` +
      "The old module's resources are still in whatever Terraform state applied it.";
    expect(r.stdout.split('\n')).toContain(warning);
    const check = await gen(dir, '--check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(warning);
    expect(check.stdout).toContain(
      '1 other module folder(s) of the same spec (see the warning above): move your code out of them, then delete them.',
    );
    rmSync(path.join(dir, 'generated/shop'), { recursive: true });
    expect((await gen(dir, '--check')).code).toBe(0);
  });
});
