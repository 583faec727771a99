import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { CorsGenError } from '../errors.js';
import type { CorsModel } from '../spec/model.js';
import { STAGE_NAME } from '../spec/schema.js';
import { renderLambdaCode } from '../render/lambda-code.js';
import { MANIFEST_FILE, MODULE_SPLIT } from './module-files.js';

/**
 * The confinement rule for every path cors-gen reads back from a module folder (the manifest's file list, the
 * journal's entries, staged names). Those files sit in a repository, so anyone who can open a pull request can
 * write them: a path is acted on only when it is one cors-gen itself could have written there. Symbolic links
 * are never followed inside a module folder: a link planted where cors-gen writes would send the write (or a
 * clean-up's delete) anywhere on the machine.
 */

/** A path read back from a module folder that cors-gen refuses to act on; nothing has been touched. */
export class ModulePathError extends CorsGenError {
  override readonly name = 'ModulePathError';
  readonly kind = 'usage';
  readonly code = 'unsafe';
}

let lambdaFiles: ReadonlySet<string> | undefined;

/** The Lambda code's file names for every runtime, as the renderer writes them (not a second list to maintain). */
function lambdaFileNames(): ReadonlySet<string> {
  if (lambdaFiles) return lambdaFiles;
  const names = new Set<string>();
  for (const runtime of ['nodejs22.x', 'python3.12'] as const) {
    // With and without lambda.source: the generated stub in lambda/, or the wrapper layer in layer/.
    for (const source of [undefined, { dir: '.', handler: 'app.handler' }]) {
      const model = { lambda: { runtime, ...(source ? { source } : {}) } } as CorsModel;
      const code = renderLambdaCode(model, { specFile: 'cors-gen.yaml', version: '0' });
      for (const p of [...Object.keys(code.generated), ...Object.keys(code.userOwned)]) names.add(p);
    }
  }
  lambdaFiles = names;
  return names;
}

/**
 * Whether `p` is a path some generation writes: a `.tf` / `.tf.json` part of the module, a stage's `.tfvars`
 * (for any valid stage name), the Lambda code, the README, `.gitignore` or the manifest.
 */
export function isModuleFile(p: string): boolean {
  if (MODULE_SPLIT.some(([name]) => p === `${name}.tf` || p === `${name}.tf.json`)) return true;
  const stage = /^stages\/(.+)\.tfvars$/.exec(p);
  if (stage && STAGE_NAME.test(stage[1]!)) return true;
  return p === 'README.md' || p === '.gitignore' || p === MANIFEST_FILE || lambdaFileNames().has(p);
}

/** Whether `p` is a subfolder some generation writes into (`lambda`, `stages`): the folder of a module file. */
export function isModuleFolder(p: string): boolean {
  return p === 'stages' || [...lambdaFileNames()].some((f) => f.startsWith(`${p}/`));
}

/** Why `entry` (read from a module folder's file) is not a path cors-gen acts on, or undefined when it is. */
export function moduleEntryProblem(entry: unknown, kind: 'file' | 'folder' = 'file'): string | undefined {
  if (typeof entry !== 'string' || entry === '') return 'is not a file name';
  if (entry.includes('\0')) return 'contains a NUL character';
  if (entry.includes('\\')) return 'contains a backslash (module paths use "/")';
  if (path.posix.isAbsolute(entry) || /^[A-Za-z]:/.test(entry)) return 'is an absolute path';
  if (entry.split('/').some((s) => s === '..' || s === '.' || s === ''))
    return 'leaves the module folder or has an empty, "." or ".." segment';
  if (kind === 'file' ? !isModuleFile(entry) : !isModuleFolder(entry)) return `is not a ${kind} cors-gen writes`;
  return undefined;
}

/**
 * Checks every entry of a file read from the module folder; throws (before anything is touched) a
 * ModulePathError naming the file, the entry, the rule and `fix`.
 */
export function checkEntries(
  dir: string,
  file: string,
  entries: Iterable<unknown>,
  fix: string,
  kind: 'file' | 'folder' = 'file',
): void {
  for (const entry of entries) {
    const problem = moduleEntryProblem(entry, kind);
    const resolved = typeof entry === 'string' ? path.resolve(dir, entry) : '';
    const inside = resolved.startsWith(path.resolve(dir) + path.sep);
    if (problem || !inside) {
      throw new ModulePathError(
        `${path.join(dir, file)}: the entry ${quote(entry)} ${problem ?? 'resolves outside the module folder'}; cors-gen only acts on the files it writes ` +
          `(relative paths inside ${dir} such as main.tf, stages/<stage>.tfvars or lambda/index.mjs). Nothing was deleted or written. ${fix}`,
      );
    }
  }
}

/** What lstat says about an entry of the module folder: absent, a regular file, a real folder, or something else. */
export type EntryKind = 'missing' | 'file' | 'folder' | 'symlink' | 'other';

export function entryKind(stats: Stats | undefined): EntryKind {
  if (!stats) return 'missing';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  return 'other';
}

/** The refusal for a link (or a device, FIFO, socket, folder) where cors-gen reads or writes a file. */
export function notAFileError(abs: string, kind: EntryKind, expected: 'file' | 'folder'): ModulePathError {
  const what =
    kind === 'symlink'
      ? 'a symbolic link'
      : kind === 'folder'
        ? 'a folder'
        : kind === 'file'
          ? 'a file'
          : 'not a regular file';
  return new ModulePathError(
    `${abs} is ${what}, where cors-gen reads and writes a ${expected === 'file' ? 'regular file' : 'real folder'}; cors-gen never follows links or writes through them inside a module folder. ` +
      `Nothing was deleted or written. Replace it with a ${expected === 'file' ? 'regular file' : 'real folder'} (or delete it) and run cors-gen generate again.`,
  );
}

/** A value from a file, quoted for a message: JSON escapes, plus C1 controls and line separators a terminal would act on. */
export function quote(value: unknown): string {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value)
      : String(JSON.stringify(value) ?? value).slice(0, 200);
  return text.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first folder on the way to the module that is a symbolic link: the module folder, the output folder, and
 * the output folder's parents inside `cwd` (links above the working directory, such as macOS's /tmp, are the
 * machine's business, not the repository's).
 */
export async function symlinkedFolder(
  cwd: string,
  absOut: string,
  absDir: string,
): Promise<{ folder: string; target: string } | undefined> {
  const folders = [absDir, absOut];
  const relOut = path.relative(cwd, absOut);
  if (relOut && !relOut.startsWith('..') && !path.isAbsolute(relOut)) {
    for (let d = path.dirname(absOut); d.length > path.resolve(cwd).length; d = path.dirname(d)) folders.push(d);
  }
  for (const folder of folders.reverse()) {
    const stats = await lstat(folder).catch(() => undefined);
    if (stats?.isSymbolicLink()) return { folder, target: quote(await readlink(folder)) };
  }
  return undefined;
}

/** At most this many folders are looked at under the output folder (it is normally a handful). */
const MAX_SIBLINGS = 1000;
/** A manifest is a few kilobytes; a larger file there is not one. */
const MAX_MANIFEST_BYTES = 1 << 20;

/**
 * The module folders under `absOut` other than `name` whose manifest says they were generated from `absSpec`
 * (what renaming `name:` leaves behind), with the user-owned files they still hold. Links are not followed.
 */
export async function modulesOfSpec(
  absOut: string,
  name: string,
  absSpec: string,
): Promise<Array<{ dir: string; userFiles: string[] }>> {
  const entries = await readdir(absOut, { withFileTypes: true }).catch(() => []);
  const found: Array<{ dir: string; userFiles: string[] }> = [];
  for (const entry of entries
    .filter((e) => e.isDirectory() && e.name !== name)
    .map((e) => e.name)
    .sort()
    .slice(0, MAX_SIBLINGS)) {
    const dir = path.join(absOut, entry);
    const manifestFile = path.join(dir, MANIFEST_FILE);
    const stats = await lstat(manifestFile).catch(() => undefined);
    if (!stats?.isFile() || stats.size > MAX_MANIFEST_BYTES) continue;
    let manifest: { spec?: { file?: unknown }; userOwned?: unknown };
    try {
      manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as typeof manifest;
    } catch {
      continue;
    }
    const specFile = manifest?.spec?.file;
    if (typeof specFile !== 'string' || path.resolve(dir, specFile) !== absSpec) continue;
    const userFiles: string[] = [];
    for (const p of Array.isArray(manifest.userOwned) ? manifest.userOwned : []) {
      if (
        moduleEntryProblem(p) === undefined &&
        (await lstat(path.join(dir, p as string)).catch(() => undefined))?.isFile()
      )
        userFiles.push(p as string);
    }
    found.push({ dir, userFiles });
  }
  return found;
}
