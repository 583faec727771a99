import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, resolveSpecPath } from '../../src/spec/spec-paths.js';

const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cors-gen-spec-paths-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A repository (a `.git` folder) with the spec in `infra/`, inside a folder that also holds things outside it. */
function repo(options: { git?: boolean } = {}) {
  const base = path.join(root, `r${n++}`);
  const repoDir = path.join(base, 'repo');
  mkdirSync(path.join(repoDir, 'infra'), { recursive: true });
  mkdirSync(path.join(repoDir, 'src/api'), { recursive: true });
  mkdirSync(path.join(base, 'outside'), { recursive: true });
  if (options.git !== false) mkdirSync(path.join(repoDir, '.git'));
  const spec = path.join(repoDir, 'infra/cors-gen.yaml');
  writeFileSync(spec, 'version: 1\n');
  return { base, repoDir, spec };
}

const RULE =
  "paths in a spec are relative to its folder and must stay inside the repository that holds it (or the spec's folder when it is in none)";

describe('paths written in a spec', () => {
  it("resolves a path inside the repository relative to the spec's folder (existing or not yet)", () => {
    const { repoDir, spec } = repo();
    expect(resolveSpecPath(spec, 'lambda.source', '../src/api')).toEqual({
      ok: true,
      path: path.join(repoDir, 'src/api'),
      root: repoDir,
    });
    expect(resolveSpecPath(spec, 'openapi', 'openapi.yaml')).toEqual({
      ok: true,
      path: path.join(repoDir, 'infra/openapi.yaml'),
      root: repoDir,
    });
  });

  it('refuses a ".." path that leaves the repository', () => {
    const { base, repoDir, spec } = repo();
    expect(resolveSpecPath(spec, 'lambda.source', '../../outside')).toEqual({
      ok: false,
      error: `${spec}: lambda.source: "../../outside" resolves to ${path.join(base, 'outside')}, outside ${repoDir}; ${RULE}. Move what it names into ${repoDir}, or the spec next to it.`,
    });
  });

  it('refuses an absolute path, even one inside the repository', () => {
    const { repoDir, spec } = repo();
    for (const value of [path.join(repoDir, 'src/api'), '/etc', 'C:\\src', '\\\\server\\share']) {
      expect(resolveSpecPath(spec, 'openapi', value)).toEqual({
        ok: false,
        error: `${spec}: openapi: ${JSON.stringify(value)} is an absolute path; ${RULE}. Write it relative to the spec's folder.`,
      });
    }
  });

  it('follows symbolic links: a link inside the repository that points out is refused, one that points inside is not', () => {
    const { base, repoDir, spec } = repo();
    symlinkSync(path.join(base, 'outside'), path.join(repoDir, 'infra/escape'));
    symlinkSync(path.join(repoDir, 'src'), path.join(repoDir, 'infra/code'));
    expect(resolveSpecPath(spec, 'lambda.source', 'escape/app')).toEqual({
      ok: false,
      error: `${spec}: lambda.source: "escape/app" resolves to ${path.join(repoDir, 'infra/escape/app')} (through a symbolic link, to ${path.join(base, 'outside/app')}), outside ${repoDir}; ${RULE}. Move what it names into ${repoDir}, or the spec next to it.`,
    });
    expect(resolveSpecPath(spec, 'lambda.source', 'code/api')).toMatchObject({
      ok: true,
      path: path.join(repoDir, 'infra/code/api'),
    });
    symlinkSync(path.join(base, 'nowhere'), path.join(repoDir, 'infra/dangling'));
    expect(resolveSpecPath(spec, 'lambda.source', 'dangling/x')).toMatchObject({
      ok: false,
      error: expect.stringContaining('goes through a symbolic link that points nowhere'),
    });
  });

  it("without a repository, the spec's folder is the limit", () => {
    const { repoDir, spec } = repo({ git: false });
    // The temporary folder may itself sit in a repository on some machines; this test needs it not to.
    expect(repositoryRoot(path.join(repoDir, 'infra'))).toBe(path.join(repoDir, 'infra'));
    expect(resolveSpecPath(spec, 'openapi', 'api/openapi.yaml')).toMatchObject({
      ok: true,
      root: path.join(repoDir, 'infra'),
    });
    expect(resolveSpecPath(spec, 'lambda.source', '../src/api')).toMatchObject({
      ok: false,
      error: expect.stringContaining(`outside ${path.join(repoDir, 'infra')}; ${RULE}`),
    });
  });

  it('finds the repository from a .git file (worktrees, submodules)', () => {
    const { repoDir } = repo({ git: false });
    writeFileSync(path.join(repoDir, '.git'), 'gitdir: /elsewhere\n');
    expect(repositoryRoot(path.join(repoDir, 'infra'))).toBe(repoDir);
  });
});
