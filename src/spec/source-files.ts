import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { isWithin, MODULE_MANIFEST } from './spec-paths.js';

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
 * folder) are never code either, nor is Terraform state (local state and its backups, `terraform.tfstate` and
 * `terraform.tfstate.backup`: https://developer.hashicorp.com/terraform/language/backend/local), which holds
 * every secret of the deployment.
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
  '**/*.tfstate',
  '**/*.tfstate.*',
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
 * At most this many files and folders are visited. archive_file zips a folder reached through a link once per
 * path, so links to each other multiply: ten links in each of seven folders are ten million paths (a zip no one
 * meant, and a walk that never ends). A real function's code, production dependencies included, is far below.
 */
export const MAX_SOURCE_ENTRIES = 100_000;

/**
 * The longest path a file may have inside the zip: Linux's PATH_MAX (4,096 bytes with the terminating NUL,
 * https://man7.org/linux/man-pages/man3/realpath.3.html) less Lambda's task root, "/var/task/". A longer path
 * cannot be opened on Lambda, and only links nest folders that deep (a chain of them, one per folder).
 */
export const MAX_SOURCE_PATH_BYTES = 4095 - '/var/task/'.length;

export interface WalkError {
  /**
   * `link` (a link out of the repository, nowhere, onto the repository, onto what the zip leaves out or onto a
   * module), `excluded` (the folder itself is, or is inside, what the zip leaves out: `.git`, `.terraform`, state),
   * `entries` (too many), `deep` (a path longer than MAX_SOURCE_PATH_BYTES), `name` (a file name that is not
   * UTF-8), `unreadable`.
   */
  readonly kind: 'link' | 'excluded' | 'entries' | 'deep' | 'name' | 'unreadable';
  readonly message: string;
  readonly fix: string;
}

/**
 * Calls `visit` for every file the zip of `dir` holds, in a stable order; `visit` returns false to stop early.
 * archive_file follows symbolic links, so a link's target is zipped. A link is followed only when its target
 * stays inside `root` (the repository), otherwise the walk stops with an error naming the link and the fix: a
 * file from outside the repository would ship in the zip (npm's `file:` dependencies are such links). A link to
 * the repository itself (its root, or a folder that holds `dir`), to what ARCHIVE_EXCLUDES leaves out (its `.git`,
 * a `.terraform`, Terraform state: the excludes match the link's own name, not its target's) or to a module cors-gen
 * generated is refused too, and so is a `dir` that is itself inside `.git`, `.terraform` or the like: each would
 * put the repository's history, credentials or Terraform state into the function's code.
 */
export function walkSource(
  dir: string,
  root: string,
  visit: (file: SourceFile) => boolean | void,
): { readonly error?: WalkError } {
  const realRoot = realpathSync.native(root);
  /**
   * The first name on `real`'s way down from the repository's root that the zip leaves out, and how `real` stands
   * to it ("inside .git, " or "" when it is that name), for a message.
   */
  const excludedOnTheWay = (real: string): { name: string; within: string } | undefined => {
    const segments = path.relative(realRoot, real).split(path.sep);
    const at = segments.findIndex(isExcluded);
    if (at < 0) return undefined;
    const name = segments[at]!;
    return { name, within: at === segments.length - 1 ? '' : `inside ${name}, ` };
  };
  let realDir: string;
  try {
    realDir = realpathUtf8(dir);
  } catch (e) {
    return {
      error:
        (e as NodeJS.ErrnoException).code === NOT_UTF8
          ? {
              kind: 'name',
              message: 'leads through a symbolic link to a folder whose name is not valid UTF-8',
              fix: 'rename the folder to a UTF-8 name',
            }
          : unreadable('.', e),
    };
  }
  const excludedDir = excludedOnTheWay(realDir);
  if (excludedDir !== undefined)
    return {
      error: {
        kind: 'excluded',
        message: `is ${realDir} (its real path), ${excludedDir.within}${whatIsLeftOut(excludedDir.name)}: zipped whole, it would become the function's code`,
        fix: `point lambda.source at the folder of your code (e.g. "backend"), outside ${excludedDir.name}`,
      },
    };
  // The real paths of the folders being walked, from the top down to the current one: a link to one of them is a
  // cycle. A folder reached twice by other paths (pnpm's node_modules/x -> .pnpm/...) is zipped twice, as
  // archive_file does, so it is walked twice.
  const ancestors = new Set<string>();
  let visited = 0;
  let stopped = false;
  let error: WalkError | undefined;
  /** `via`: the first link on the way to `real`, when there is one (its path in the zip and its target). */
  const walk = (real: string, rel: string, via?: { rel: string; target: string }): void => {
    if (ancestors.has(real)) return; // a link back up the tree: its files are already counted
    ancestors.add(real);
    let entries: Dirent<Buffer>[];
    try {
      // Names as bytes: a name that is not UTF-8 would otherwise be decoded with U+FFFD and name no file.
      entries = readdirSync(real, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      error = unreadable(rel || '.', e);
      return;
    }
    const named = entries
      .map((entry) => ({ entry, name: entry.name.toString('utf8') }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (via !== undefined && named.some((e) => e.name === MODULE_MANIFEST)) {
      error = {
        kind: 'link',
        message: `${via.rel} is a symbolic link to ${via.target}, ${rel === via.rel ? 'which is' : `whose ${rel.slice(via.rel.length + 1)} is`} a module cors-gen generated (it holds ${MODULE_MANIFEST}): the zip would carry its Terraform files, and every generate would change the function's code`,
        fix: 'remove the link: the function needs nothing of the module; point lambda.source at the folder of your code alone',
      };
      return;
    }
    for (const { entry, name } of named) {
      if (stopped || error !== undefined) return;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      // Every entry counts, those the zip leaves out too: they are read and matched on every visit, and links
      // can make a folder of a million *.pyc visited a million times.
      if (++visited > MAX_SOURCE_ENTRIES) {
        error = {
          kind: 'entries',
          message: `holds more than ${MAX_SOURCE_ENTRIES.toLocaleString('en-US')} files and folders with its links followed, those the zip leaves out included (the last: ${childRel}); archive_file zips a folder once for every path that reaches it, so links to folders multiply`,
          fix: 'remove the links that lead to the same folders again and again (or replace them with copies), or point lambda.source at a build output with only what runs',
        };
        return;
      }
      if (isExcluded(name)) continue;
      if (!Buffer.from(name, 'utf8').equals(entry.name)) {
        error = {
          kind: 'name',
          message: `holds ${rel === '' ? '' : `${rel}/`}${escapeBytes(entry.name)}: the file name is not valid UTF-8 (Terraform's archive provider and the preview cannot carry it)`,
          fix: 'rename it to a UTF-8 name',
        };
        return;
      }
      if (Buffer.byteLength(childRel) > MAX_SOURCE_PATH_BYTES) {
        error = {
          kind: 'deep',
          message: `holds ${childRel.slice(0, 60)}... (${childRel.split('/').length} folders deep with its links followed), a path longer than Linux allows (4,096 bytes with /var/task/, PATH_MAX): the function could not open it`,
          fix: 'remove the links that chain folders into each other, or replace them with copies',
        };
        return;
      }
      const childAbs = path.join(real, name);
      let target: string;
      let stats: Stats;
      try {
        // The folder walked is a real path, so only a link has a real path of its own.
        const link = entry.isSymbolicLink();
        target = link ? realpathUtf8(childAbs) : childAbs;
        stats = link ? statSync(target) : lstatSync(childAbs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        error =
          code === 'ENOENT' || code === 'ELOOP'
            ? {
                kind: 'link',
                message: `${childRel} is a symbolic link that points nowhere; archive_file cannot zip it`,
                fix: 'remove the link, or replace it with the file it should point to',
              }
            : code === NOT_UTF8
              ? {
                  kind: 'name',
                  message: `${childRel} is a symbolic link to a path whose name is not valid UTF-8 (Terraform's archive provider and the preview cannot carry it)`,
                  fix: 'rename what it points to with a UTF-8 name',
                }
              : unreadable(childRel, e);
        return;
      }
      if (target !== childAbs) {
        if (!isWithin(realRoot, target)) {
          error = {
            kind: 'link',
            message: `${childRel} is a symbolic link to ${target}, outside the repository ${realRoot}: the zip would carry files from outside it`,
            fix: 'replace the link with a copy of what it points to (for an npm "file:" dependency: npm install --install-links), or move the target into the repository',
          };
          return;
        }
        const excluded = excludedOnTheWay(target);
        if (excluded !== undefined) {
          error = {
            kind: 'link',
            message: `${childRel} is a symbolic link to ${target}, ${excluded.within}${whatIsLeftOut(excluded.name)}: the zip leaves out ${excluded.name} by its name, not a link to it, so it would carry it under the link's name`,
            fix: `remove the link; the function's code needs nothing of ${excluded.name}`,
          };
          return;
        }
        if (stats.isDirectory() && isWithin(target, realDir) && target !== realDir) {
          error = {
            kind: 'link',
            message: `${childRel} is a symbolic link to ${target}, a folder that holds this folder: the zip would carry the repository itself (its history, other code, Terraform state)`,
            fix: 'remove the link; point lambda.source at the folder of your code alone and keep links to what the function needs',
          };
          return;
        }
      }
      if (stats.isDirectory())
        walk(target, childRel, via ?? (target !== childAbs ? { rel: childRel, target } : undefined));
      else if (stats.isFile() && visit({ rel: childRel, real: target, size: stats.size }) === false) stopped = true;
    }
    ancestors.delete(real);
  };
  walk(realDir, '');
  return error === undefined ? {} : { error };
}

/** What a name ARCHIVE_EXCLUDES leaves out holds, in the words of an error message. */
function whatIsLeftOut(name: string): string {
  if (name === '.git')
    return "Git's folder (the repository's history, and its config, where actions/checkout writes the token it fetched with: http.extraheader)";
  if (name === '.terraform') return "Terraform's working folder (providers, modules, the backend's settings)";
  if (name.includes('.tfstate')) return 'Terraform state (every secret of the deployment)';
  return 'a name the zip leaves out';
}

const NOT_UTF8 = 'CORS_GEN_NOT_UTF8';

/** realpathSync.native, failing with code NOT_UTF8 when the real path's bytes are not UTF-8. */
function realpathUtf8(p: string): string {
  const bytes = realpathSync.native(p, { encoding: 'buffer' });
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw Object.assign(new Error(`${p}: the real path is not UTF-8`), { code: NOT_UTF8 });
  return text;
}

/** A name as bytes, printable ASCII as it is and every other byte as \xNN, so the user can find the file. */
function escapeBytes(name: Buffer): string {
  return [...name]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function unreadable(rel: string, e: unknown): WalkError {
  return {
    kind: 'unreadable',
    message: `${rel} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    fix: 'make the folder readable by the user that runs cors-gen, or leave it out of lambda.source',
  };
}
