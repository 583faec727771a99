import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The files of a code folder as the module's `archive_file` zips them: what `validate` measures against Lambda's
 * quotas and what `preview` copies into its staged task root. One walk for both, so the preview runs what the zip
 * will hold.
 */

/**
 * Files that are on a developer's disk but not part of the code: Python's bytecode caches, macOS Finder
 * metadata, vim swap files and Emacs/vim backup and lock files. Zipping them would make `source_code_hash`
 * differ from machine to machine (and so update the function on every apply from another checkout). Git's
 * folder and Terraform's working folders (providers, and the zip itself when Terraform runs inside the code's
 * folder) are never code either.
 * Doublestar globs matched against each path inside `source_dir`; `**\/` also matches the top level
 * (hashicorp/terraform-provider-archive#354, released in 2.5.0).
 */
export const ARCHIVE_EXCLUDES: readonly string[] = [
  '**/__pycache__',
  '**/*.pyc',
  '**/.DS_Store',
  '**/.*.swp',
  '**/.*.swo',
  '**/*~',
  '**/.#*',
  '**/#*#',
  '**/.git',
  '**/.terraform',
];

/** Each exclude is "**\/<one segment>": it matches a file or folder of that name at any depth. */
const EXCLUDED_NAMES = ARCHIVE_EXCLUDES.map((g) => {
  const segment = g.slice('**/'.length);
  return new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\#~]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
});

/** Whether `name` (one path segment) is left out of the zip by ARCHIVE_EXCLUDES. */
export function isExcluded(name: string): boolean {
  return EXCLUDED_NAMES.some((re) => re.test(name));
}

/**
 * The Python package of the CORS wrapper layer (src/runtime/lambda/wrapper.py): the one top-level name the user's
 * folder must not hold, since Lambda puts the folder first on sys.path.
 */
export const WRAPPER_PYTHON_PACKAGE = '_cors_gen';

export interface SourceFile {
  /** "/"-separated path inside the folder, as the zip names it. */
  readonly rel: string;
  /** The file to read: its real path (links followed). */
  readonly real: string;
  readonly size: number;
}

/**
 * Calls `visit` for every file the zip of `dir` holds, in a stable order; `visit` returns false to stop early.
 * archive_file follows symbolic links, so a link's target is zipped; a link is followed only when its target
 * stays inside `root` (the repository), otherwise the walk stops with an error naming the link and the fix: a
 * file from outside the repository would ship in the zip (npm's `file:` dependencies are such links).
 */
export function walkSource(
  dir: string,
  root: string,
  visit: (file: SourceFile) => boolean | void,
): { readonly error?: { readonly message: string; readonly fix: string } } {
  const realRoot = realpathSync(root);
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);
  // The real paths of the folders being walked, from the top down to the current one: a link to one of them is a
  // cycle. A folder reached twice by other paths (pnpm's node_modules/x -> .pnpm/...) is zipped twice, as
  // archive_file does, so it is walked twice.
  const ancestors = new Set<string>();
  let stopped = false;
  let error: { message: string; fix: string } | undefined;
  const walk = (abs: string, rel: string): void => {
    const real = realpathSync(abs);
    if (ancestors.has(real)) return; // a link back up the tree: its files are already counted
    ancestors.add(real);
    walkEntries(abs, rel);
    ancestors.delete(real);
  };
  const walkEntries = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      if (stopped || error !== undefined) return;
      if (isExcluded(name)) continue;
      const childAbs = path.join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let target = childAbs;
      if (lstatSync(childAbs).isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = realpathSync(childAbs);
        } catch {
          error = {
            message: `${childRel} is a symbolic link that points nowhere; archive_file cannot zip it`,
            fix: 'remove the link, or replace it with the file it should point to',
          };
          return;
        }
        if (!inside(resolved)) {
          error = {
            message: `${childRel} is a symbolic link to ${resolved}, outside the repository ${realRoot}: the zip would carry files from outside it`,
            fix: 'replace the link with a copy of what it points to (for an npm "file:" dependency: npm install --install-links), or move the target into the repository',
          };
          return;
        }
        target = resolved;
      }
      const stats = statSync(target);
      if (stats.isDirectory()) walk(target, childRel);
      else if (stats.isFile() && visit({ rel: childRel, real: realpathSync(target), size: stats.size }) === false)
        stopped = true;
    }
  };
  walk(dir, '');
  return error === undefined ? {} : { error };
}
