import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { SpecIssue } from './issue.js';

/**
 * Paths written in a spec (a folder of the user's code, an OpenAPI document) are relative to the spec's folder
 * and must stay inside the repository that holds the spec: a spec arrives in pull requests, and a path that
 * leaves the repository (`../../..`, an absolute path, a symbolic link pointing out) would make cors-gen read or
 * package files from anywhere on the machine that runs it.
 */

/** Where `cors-gen generate` writes `<name>/`, relative to the working folder, unless `--out` says otherwise; `preview --spec` looks there too. */
export const DEFAULT_OUT_DIR = 'generated';

/**
 * Whether a module written to `moduleDir` lies in the user's code folder `sourceDir` (both absolute). The folder is
 * zipped whole, so the module would be zipped into the function's code with its Terraform files and providers,
 * and every generate or `terraform init` (its .terraform folder) would change the code's hash. Compared as real
 * paths, as archive_file reads them: `backend -> .` holds the module as surely as `.` does.
 */
function sourceHoldsModule(sourceDir: string, moduleDir: string): boolean {
  return isWithin(realpath(sourceDir) ?? sourceDir, realpath(moduleDir) ?? moduleDir);
}

/** Whether the absolute path `child` is `parent` or lies below it (a root such as "/" ends with the separator). */
export function isWithin(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/**
 * The manifest `cors-gen generate` writes into every module folder it owns: a folder holding it is a module, not
 * code (src/synth/module-files.ts writes it; validate must not load that file, which loads CDKTF).
 */
export const MODULE_MANIFEST = '.cors-gen.json';

/**
 * The issue of a `lambda.source` (`value`, resolved to `sourceDir`) that holds the module folder `moduleDir`
 * (shown as `moduleShown`), or undefined: an error where the module is written there (generate, init), a warning
 * where it only would be by default (validate).
 */
export function holdsModuleIssue(
  severity: SpecIssue['severity'],
  value: string,
  sourceDir: string,
  moduleDir: string,
  moduleShown: string,
): SpecIssue | undefined {
  if (!sourceHoldsModule(sourceDir, moduleDir)) return undefined;
  return {
    severity,
    code: 'lambda-source-holds-module',
    path: 'lambda.source',
    message: `${JSON.stringify(value)} holds the module folder ${moduleShown}, where "cors-gen generate" writes this spec's module; it would be zipped into the function's code with the Terraform files and providers`,
    fix: 'point lambda.source at the folder of your code alone (e.g. backend/ or its build output), or write the module elsewhere with --out',
  };
}

export type SpecPathResult =
  /** `path`: absolute, as written (links not resolved); `root`: the folder it must stay in. */
  { readonly ok: true; readonly path: string; readonly root: string } | { readonly ok: false; readonly error: string };

/**
 * Resolves `value` (written at `field` of `specFile`) against the spec's folder. Refused, with the path and the
 * rule, unless its real path (links followed, for the part that exists) lies inside the repository holding the
 * spec: the nearest ancestor folder with a `.git` entry, or the spec's folder when there is none.
 */
export function resolveSpecPath(specFile: string, field: string, value: string): SpecPathResult {
  const where = `${specFile}: ${field}: ${JSON.stringify(value)}`;
  const rule =
    "paths in a spec are relative to its folder and must stay inside the repository that holds it (or the spec's folder when it is in none)";
  if (value === '' || value.includes('\0')) return { ok: false, error: `${where} is not a path; ${rule}.` };
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value) || /^[A-Za-z]:/.test(value)) {
    return { ok: false, error: `${where} is an absolute path; ${rule}. Write it relative to the spec's folder.` };
  }
  const specDir = realpath(path.dirname(path.resolve(specFile))) ?? path.dirname(path.resolve(specFile));
  const root = repositoryRoot(specDir);
  const resolved = path.resolve(specDir, value);
  const real = realpath(resolved);
  if (real === undefined)
    return {
      ok: false,
      error: `${where} goes through a symbolic link that points nowhere (${resolved}); ${rule}. Remove the link or point it inside ${root}.`,
    };
  if (!isWithin(root, real)) {
    const via = real === resolved ? '' : ` (through a symbolic link, to ${real})`;
    return {
      ok: false,
      error: `${where} resolves to ${resolved}${via}, outside ${root}; ${rule}. Move what it names into ${root}, or the spec next to it.`,
    };
  }
  return { ok: true, path: resolved, root };
}

/** The nearest folder at or above `dir` with a `.git` entry (a folder, or a file in worktrees and submodules), else `dir`. */
export function repositoryRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (exists(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

/**
 * The real path of `p`: links followed as far as the path exists, the missing rest appended as written;
 * undefined when a dangling link is on the way (where it leads cannot be checked).
 */
function realpath(p: string): string | undefined {
  const rest: string[] = [];
  for (let d = p; ; d = path.dirname(d)) {
    try {
      return path.join(realpathSync(d), ...rest.reverse());
    } catch {
      if (exists(d)) return undefined;
      if (path.dirname(d) === d) return p;
      rest.push(path.basename(d));
    }
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
