/**
 * The hooks of .pre-commit-hooks.yaml, run the way pre-commit runs them (https://pre-commit.com/#new-hooks):
 * the files git tracks, filtered by the hook's `files` pattern; `entry` split into words, then `args`, then
 * the file names unless `pass_filenames: false`; a hook with no matching file is skipped; the working directory
 * is the repository root. `cors-gen` is the built dist/cli/bin.js, as `language: node` would install it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, plainEnv, ROOT, type Captured } from '../cli/capture.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files?: string;
  exclude?: string;
  args?: string[];
  pass_filenames?: boolean;
}

const HOOKS = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

function hook(id: string): Hook {
  const h = HOOKS.find((x) => x.id === id);
  if (!h) throw new Error(`no hook ${id}`);
  return h;
}

const GOOD = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users
    methods: [GET]
`;

const BAD = GOOD.replace('name: shop', 'name: admin').replace(
  'https://app.example.com]',
  'https://admin.example.com/]',
);

let repo = '';

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo },
  });
}

/** The files pre-commit would hand to the hook (`--all-files`: every tracked file), filtered by its patterns. */
function matching(h: Hook, files: readonly string[]): string[] {
  // pre-commit searches (Python re.search) the patterns in repository-relative paths; these patterns read the
  // same in JavaScript.
  const include = new RegExp(h.files ?? '');
  const exclude = new RegExp(h.exclude ?? '^$');
  return files.filter((f) => include.test(f) && !exclude.test(f));
}

/** Runs the hook as pre-commit would; `undefined` when pre-commit would skip it (no matching file). */
async function runHook(h: Hook, files: readonly string[]): Promise<Captured | undefined> {
  const matched = matching(h, files);
  if (matched.length === 0) return undefined;
  const [command, ...entryArgs] = h.entry.split(/\s+/);
  expect(command).toBe('cors-gen');
  return binary([...entryArgs, ...(h.args ?? []), ...(h.pass_filenames === false ? [] : matched)], {
    cwd: repo,
    env: plainEnv({ NO_COLOR: '1' }),
  });
}

beforeAll(async () => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-pre-commit-'));
  git('init', '-q');
  writeFileSync(path.join(repo, 'cors-gen.yaml'), GOOD);
  mkdirSync(path.join(repo, 'admin'));
  writeFileSync(path.join(repo, 'admin', 'cors-gen.yaml'), GOOD.replace('name: shop', 'name: admin'));
  writeFileSync(path.join(repo, 'README.md'), '# app\n');
  expect((await binary(['generate'], { cwd: repo, env: plainEnv() })).code).toBe(0);
  git('add', '-A');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('.pre-commit-hooks.yaml', () => {
  it('declares the two node hooks, with the files each runs on', () => {
    expect(HOOKS.map((h) => h.id)).toEqual(['cors-gen-validate', 'cors-gen-generate-check']);
    for (const h of HOOKS)
      expect(h).toMatchObject({
        language: 'node',
        name: expect.any(String),
        entry: expect.stringMatching(/^cors-gen /),
      });
    expect(hook('cors-gen-validate').pass_filenames).not.toBe(false);
    expect(hook('cors-gen-generate-check').pass_filenames).toBe(false);
    const tracked = git('ls-files').trim().split('\n');
    expect(
      matching(hook('cors-gen-validate'), [...tracked, 'x/cors-gen.yml', 'x/cors-gen.json', 'not-cors-gen.yaml']),
    ).toEqual(['admin/cors-gen.yaml', 'cors-gen.yaml', 'x/cors-gen.yml', 'x/cors-gen.json']);
    expect(matching(hook('cors-gen-generate-check'), ['README.md', 'src/app.ts'])).toEqual([]);
    expect(matching(hook('cors-gen-generate-check'), ['generated/shop/main.tf', 'cors-gen.yaml'])).toHaveLength(2);
  });

  it('is what the sample .pre-commit-config.yaml of the README uses', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const sample = /### pre-commit\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    const config = parse(sample ?? '') as { repos: { hooks: { id: string }[] }[] };
    expect(config.repos[0]!.hooks.map((h) => h.id)).toEqual(HOOKS.map((h) => h.id));
  });

  it('cors-gen-validate passes valid specs and fails on a mistake, naming the file and line', async () => {
    const h = hook('cors-gen-validate');
    expect((await runHook(h, git('ls-files').trim().split('\n')))?.code).toBe(0);
    writeFileSync(path.join(repo, 'admin', 'cors-gen.yaml'), BAD);
    try {
      const r = await runHook(h, ['README.md', 'admin/cors-gen.yaml', 'cors-gen.yaml']);
      expect(r?.code).toBe(1);
      expect(`${r?.stdout}${r?.stderr}`).toMatch(
        /admin\/cors-gen\.yaml:5:18 cors\.allowOrigins\[0\]: "https:\/\/admin\.example\.com\/" has a trailing slash/,
      );
      // Only the staged spec files are validated: README.md alone skips the hook.
      expect(await runHook(h, ['README.md'])).toBeUndefined();
    } finally {
      writeFileSync(path.join(repo, 'admin', 'cors-gen.yaml'), GOOD.replace('name: shop', 'name: admin'));
    }
  });

  it('cors-gen-generate-check passes an up-to-date module and fails when a generated file drifts', async () => {
    const h = hook('cors-gen-generate-check');
    expect((await runHook(h, ['cors-gen.yaml']))?.code).toBe(0);
    expect(await runHook(h, ['README.md'])).toBeUndefined();
    const main = path.join(repo, 'generated/shop/main.tf');
    const before = readFileSync(main, 'utf8');
    writeFileSync(main, `${before}# edited\n`);
    try {
      const r = await runHook(h, ['generated/shop/main.tf']);
      expect(r?.code).toBe(1);
      expect(`${r?.stdout}${r?.stderr}`).toContain('generated/shop/main.tf');
      expect(`${r?.stdout}${r?.stderr}`).toContain('cors-gen generate');
    } finally {
      writeFileSync(main, before);
    }
  });

  it('cors-gen-generate-check checks a spec elsewhere with args, as the README shows', async () => {
    const h = { ...hook('cors-gen-generate-check'), args: ['--spec', 'admin/cors-gen.yaml'] };
    // The admin module was never generated: the check must say so (exit 1), not pass.
    const r = await runHook(h, ['admin/cors-gen.yaml']);
    expect(r?.code).toBe(1);
    expect(`${r?.stdout}${r?.stderr}`).toContain('generated/admin');
  });
});
