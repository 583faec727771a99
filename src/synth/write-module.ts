import { constants as fsConstants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { CorsGenError } from '../errors.js';
import { MANIFEST_FILE, sha256, type ModuleFiles } from './module-files.js';
import { checkEntries, entryKind, ModulePathError, notAFileError, type EntryKind } from './module-paths.js';

/**
 * Writing a module: plan (compare with disk and the previous manifest), then commit atomically.
 *
 * Atomicity: a journal naming the files to stage is written first (atomically, by rename); every new file is
 * written beside its target as `<file>.cors-gen-new`; the journal is replaced by one listing the swaps; each
 * target is moved to `<file>.cors-gen-old` and the new file renamed into place; the journal is then marked
 * committed (the commit point), and the `.cors-gen-old` files and the journal are removed. A failure before the
 * commit point restores every old file and removes every staged one; after it, the run succeeds and the next run
 * finishes the clean-up. A crash leaves the journal, and the next run rolls back (or finishes) before doing
 * anything else. A lock file keeps two runs from interleaving, and the plan is made again under it.
 *
 * Confinement: every path read back from the folder (manifest, journal) must be one cors-gen writes
 * (`module-paths.ts`), and nothing in the folder is followed if it is a link: entries are inspected with lstat,
 * new files are created exclusively without following links, and links where a folder should be are refused.
 */

/** The part of node:fs/promises the writer uses, injectable so tests can make any call fail. */
export type WriterFs = Pick<
  typeof nodeFs,
  'readFile' | 'writeFile' | 'rename' | 'unlink' | 'mkdir' | 'rm' | 'rmdir' | 'open' | 'lstat'
>;

export interface Manifest {
  readonly generator: 'cors-gen';
  readonly version: string;
  readonly spec: { readonly file: string; readonly sha256: string };
  readonly format: 'hcl' | 'json';
  /** Generated files and the hash of what cors-gen wrote. */
  readonly files: Record<string, string>;
  /** Files written once for the user and then left alone. */
  readonly userOwned: readonly string[];
  /**
   * REST: the addresses the module forgets with `removed` blocks, so the next generation carries them forward
   * without parsing main.tf (read back as untrusted, like every entry here).
   */
  readonly retired?: readonly string[];
}

export type FileChange =
  | { readonly path: string; readonly kind: 'create' | 'update' | 'delete' }
  /** A generated file whose content on disk is not what cors-gen last wrote. */
  | { readonly path: string; readonly kind: 'edited'; readonly reason: string };

export interface WritePlan {
  readonly changes: readonly FileChange[];
  /** User-owned files that are missing and will be written. */
  readonly userFiles: readonly string[];
  readonly manifest: Manifest;
  readonly manifestText: string;
  /**
   * Debris of an interrupted or failed run (`<file>.cors-gen-new`, `<file>.cors-gen-old`, the journal, a lock
   * whose process is gone), removed (or, for a journal, rolled back or finished) by the next write.
   */
  readonly leftovers: readonly string[];
  /** True when nothing on disk would change. */
  readonly upToDate: boolean;
  /** What the manifest on disk says about the run that wrote the module, when there is one. */
  readonly previous?: { readonly version: string; readonly specChanged: boolean };
}

export class ModuleWriteError extends CorsGenError {
  override readonly name = 'ModuleWriteError';
  readonly kind = 'invalid';
  get code(): string {
    return this.reason;
  }
  constructor(
    message: string,
    /** `edited`: a hand-edited file would be overwritten; `locked`: another run holds the module's lock. */
    readonly reason: 'edited' | 'locked',
  ) {
    super(message);
  }
}

const JOURNAL = '.cors-gen.journal';
const LOCK = '.cors-gen.lock';
const NEW = '.cors-gen-new';
const OLD = '.cors-gen-old';

export async function planWrite(
  dir: string,
  files: ModuleFiles,
  meta: { version: string; specFile: string; specText: string; format: 'hcl' | 'json' },
  fs: WriterFs = nodeFs,
): Promise<WritePlan> {
  const manifest: Manifest = {
    generator: 'cors-gen',
    version: meta.version,
    spec: { file: meta.specFile.replace(/\\/g, '/'), sha256: sha256(meta.specText) },
    format: meta.format,
    files: Object.fromEntries([...files.generated].map(([p, text]) => [p, sha256(text)])),
    userOwned: [...files.userOwned.keys()],
    ...retiredOf(files.document),
  };
  return planAgainst(dir, files, manifest, fs);
}

function retiredOf(document: ModuleFiles['document']): { retired?: string[] } {
  const removed = (document.removed ?? []) as ReadonlyArray<{ from?: unknown }>;
  const retired = removed.map((r) => r.from).filter((f): f is string => typeof f === 'string');
  return retired.length > 0 ? { retired } : {};
}

/** Compares the module on disk (and the manifest cors-gen last wrote there) with `files`. */
async function planAgainst(dir: string, files: ModuleFiles, manifest: Manifest, fs: WriterFs): Promise<WritePlan> {
  const previous = await readManifest(dir, fs);
  const recorded = (p: string) => (previous && Object.hasOwn(previous.files, p) ? previous.files[p] : undefined);
  await checkFolders(
    dir,
    [
      ...files.generated.keys(),
      ...files.userOwned.keys(),
      ...Object.keys(previous?.files ?? {}),
      ...(previous?.userOwned ?? []),
    ],
    fs,
  );
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const changes: FileChange[] = [];
  for (const [p, text] of files.generated) {
    const onDisk = await readModuleText(dir, p, fs);
    if (onDisk === text) continue;
    if (onDisk === undefined) changes.push({ path: p, kind: 'create' });
    else if (recorded(p) === sha256(onDisk)) changes.push({ path: p, kind: 'update' });
    else
      changes.push({
        path: p,
        kind: 'edited',
        reason: recorded(p)
          ? 'edited by hand since cors-gen wrote it'
          : 'not written by cors-gen (no manifest records it)',
      });
  }
  for (const p of Object.keys(previous?.files ?? {})) {
    if (files.generated.has(p) || files.userOwned.has(p)) continue;
    const onDisk = await readModuleText(dir, p, fs);
    if (onDisk === undefined) continue;
    if (sha256(onDisk) === recorded(p)) changes.push({ path: p, kind: 'delete' });
    else changes.push({ path: p, kind: 'edited', reason: 'edited by hand and no longer generated' });
  }
  const userFiles: string[] = [];
  for (const p of files.userOwned.keys()) if ((await kindOf(path.join(dir, p), fs)) === 'missing') userFiles.push(p);
  const manifestOnDisk = await readModuleText(dir, MANIFEST_FILE, fs);
  // Listed like any other file, so `--check` never reports "stale" with nothing to show (a spec edit that
  // changes no output still changes the manifest). A manifest that differs only in the version of cors-gen
  // that wrote it is not a change: an upgrade that changes no output leaves the module (and its check) alone.
  const sameButVersion =
    previous !== undefined &&
    `${JSON.stringify({ ...previous.raw, version: manifest.version }, null, 2)}\n` === manifestText;
  if (manifestOnDisk !== manifestText && !sameButVersion)
    changes.push({ path: MANIFEST_FILE, kind: manifestOnDisk === undefined ? 'create' : 'update' });
  const leftovers: string[] = [];
  // A journal is checked here too, so `--check` refuses one that names paths cors-gen never writes.
  const journal = await readModuleText(dir, JOURNAL, fs);
  if (journal !== undefined) {
    await checkFolders(dir, journalEntries(parseJournal(dir, journal)), fs);
    leftovers.push(JOURNAL);
  }
  const known = new Set([
    ...files.generated.keys(),
    ...files.userOwned.keys(),
    ...Object.keys(previous?.files ?? {}),
    ...(previous?.userOwned ?? []),
    MANIFEST_FILE,
    JOURNAL,
  ]);
  for (const p of known) {
    for (const suffix of [NEW, OLD]) {
      const kind = await kindOf(path.join(dir, p) + suffix, fs);
      // A folder under a staging name is refused now, before the write has removed any other debris.
      if (kind === 'folder') throw notAFileError(path.join(dir, p) + suffix, kind, 'file');
      if (kind !== 'missing') leftovers.push(p + suffix);
    }
  }
  if (await staleLock(path.join(dir, LOCK), fs)) leftovers.push(LOCK);
  const upToDate = changes.length === 0 && userFiles.length === 0 && leftovers.length === 0;
  const written = previous && { version: previous.version, specChanged: previous.specSha256 !== manifest.spec.sha256 };
  return { changes, userFiles, manifest, manifestText, leftovers, upToDate, ...(written ? { previous: written } : {}) };
}

/**
 * Applies a plan. Refuses (ModuleWriteError, nothing touched) when a hand-edited file would be overwritten
 * unless `force`; with `force`, a hand-edited file that is no longer generated is deleted. The plan is made
 * again under the lock, so a concurrent run or an edit made since `planWrite` is never overwritten blindly.
 * Returns the plan that was applied. Folders it creates are removed again when the write fails.
 */
export interface CommitOptions {
  /** Overwrite (or delete) generated files edited by hand. */
  readonly force?: boolean;
  /** Told once when the run has to wait for another run's lock, so a wait never looks like a hang. */
  readonly onLockWait?: (message: string) => void;
}

export async function commitWrite(
  dir: string,
  files: ModuleFiles,
  plan: WritePlan,
  options: CommitOptions = {},
  fs: WriterFs = nodeFs,
): Promise<WritePlan> {
  refuseEdited(dir, plan, options);
  const madeFolders = await makeFolders(dir, fs);
  try {
    const release = await lock(dir, fs, options.onLockWait);
    try {
      // Debris first: a crashed run's journal is rolled back, stray staged and old files are removed.
      await recover(dir, fs);
      await sweep(dir, [...files.generated.keys(), ...files.userOwned.keys()], fs);
      const current = await planAgainst(dir, files, plan.manifest, fs);
      refuseEdited(dir, current, options);
      if (current.upToDate) return current;
      const writes = new Map<string, string>();
      const deletes: string[] = [];
      for (const c of current.changes) {
        if (c.path === MANIFEST_FILE) continue;
        const text = files.generated.get(c.path);
        if (c.kind === 'delete' || text === undefined) deletes.push(c.path);
        else writes.set(c.path, text);
      }
      for (const p of current.userFiles) writes.set(p, files.userOwned.get(p)!);
      writes.set(MANIFEST_FILE, current.manifestText);
      await swap(dir, writes, deletes, fs);
      return current;
    } finally {
      await release();
    }
  } catch (e) {
    await removeEmptyFolders(madeFolders, fs);
    throw e;
  }
}

function refuseEdited(dir: string, plan: WritePlan, options: { force?: boolean }): void {
  const edited = plan.changes.filter((c): c is Extract<FileChange, { kind: 'edited' }> => c.kind === 'edited');
  if (edited.length > 0 && !options.force) {
    throw new ModuleWriteError(
      // Relative to the working directory, as every other path cors-gen prints (and no user's home folder in logs).
      `refusing to overwrite ${edited.map((c) => `${path.relative(process.cwd(), path.resolve(dir, c.path))} (${c.reason})`).join(', ')}; ` +
        'move your change into the spec or into the user-owned app file, or pass --force to overwrite',
      'edited',
    );
  }
}

interface Journal {
  /** Files staged as `<file>.cors-gen-new` (written first, before anything is staged). */
  readonly staged: string[];
  /** Subfolders the swap creates (`lambda`, `stages`), removed again by a rollback when empty. */
  readonly folders?: string[];
  /** Targets that existed and are moved to `.cors-gen-old`; absent while staging. */
  readonly replaced?: string[];
  /** Targets that did not exist before; absent while staging. */
  readonly created?: string[];
  /** Set once every file is in place (the commit point): recovery then removes the old files instead. */
  readonly committed?: boolean;
}

async function swap(dir: string, writes: Map<string, string>, deletes: string[], fs: WriterFs): Promise<void> {
  const abs = (p: string) => path.join(dir, p);
  const staged = [...writes.keys()];
  // Subfolders (lambda/, stages/) this run creates, outermost first: a rollback, even after a crash, removes them.
  const folders: string[] = [];
  // Every folder on the way (layer/nodejs/cors-gen needs layer/ and layer/nodejs/ first); sorted, parents first.
  const ancestors = new Set<string>();
  for (const p of staged)
    for (let d = path.posix.dirname(p); d !== '.' && d !== '/'; d = path.posix.dirname(d)) ancestors.add(d);
  for (const d of [...ancestors].sort()) {
    if ((await kindOf(abs(d), fs)) === 'missing') folders.push(d);
  }
  // 1. A journal naming what is about to be staged, so even a crash while staging is undone exactly.
  try {
    await writeJournal(dir, { staged, folders }, fs);
  } catch (e) {
    await sweep(dir, [JOURNAL], fs).catch(() => undefined);
    throw e;
  }
  const replaced: string[] = [];
  const created: string[] = [];
  try {
    // 2. Stage every new file beside its target.
    for (const d of folders) await fs.mkdir(abs(d));
    // Concurrently (the journal already names them all), and settled before any rollback looks at them.
    const written = await Promise.allSettled([...writes].map(([p, text]) => writeExclusive(abs(p) + NEW, text, fs)));
    const failed = written.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // 3. Record which targets exist (moved aside) and which are new (removed on rollback).
    for (const p of [...writes.keys(), ...deletes])
      ((await kindOf(abs(p), fs)) !== 'missing' ? replaced : created).push(p);
    await writeJournal(dir, { staged, folders, replaced, created }, fs);
    // 4. Swap.
    for (const p of replaced) await fs.rename(abs(p), abs(p) + OLD);
    for (const p of writes.keys()) await fs.rename(abs(p) + NEW, abs(p));
    // 5. The commit point: the journal says the new module stands.
    await writeJournal(dir, { staged, folders, replaced, created, committed: true }, fs);
  } catch (e) {
    await rollback(dir, fs);
    throw e;
  }
  // 6. Clean-up, best effort: whatever is left, the next run finishes from the committed journal.
  await finish(dir, replaced, fs).catch(() => undefined);
}

/** Removes the old files of a committed swap, then its journal. */
async function finish(dir: string, replaced: readonly string[], fs: WriterFs): Promise<void> {
  for (const p of replaced) await unlinkEntry(path.join(dir, p) + OLD, fs);
  await removeJournal(dir, fs);
}

/** Removes the journal (last, so a failure before leaves it for the next run) and any half-written successor. */
async function removeJournal(dir: string, fs: WriterFs): Promise<void> {
  await unlinkEntry(path.join(dir, JOURNAL) + NEW, fs);
  await fs.unlink(path.join(dir, JOURNAL));
}

/** Replaces the journal atomically (written beside it, then renamed over it). */
async function writeJournal(dir: string, journal: Journal, fs: WriterFs): Promise<void> {
  const file = path.join(dir, JOURNAL);
  await writeExclusive(file + NEW, JSON.stringify(journal), fs);
  await fs.rename(file + NEW, file);
}

/**
 * The journal as this run reads it: written by cors-gen, so anything else (not JSON, another shape, a path
 * that is not one of the module's files) is refused before anything is touched.
 */
function parseJournal(dir: string, text: string): Journal {
  const file = path.join(dir, JOURNAL);
  const fix = `If no cors-gen run is writing this folder, delete ${file} (cors-gen keeps it only while a write is under way) and run cors-gen generate again.`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const lists = ['staged', 'replaced', 'created'] as const;
  const j = data as Record<string, unknown> | undefined;
  const wellFormed =
    typeof j === 'object' &&
    j !== null &&
    !Array.isArray(j) &&
    Array.isArray(j.staged) &&
    [...lists, 'folders'].every((k) => j[k] === undefined || Array.isArray(j[k])) &&
    (j.committed === undefined || typeof j.committed === 'boolean');
  if (!wellFormed)
    throw new ModulePathError(
      `${file} is not a journal cors-gen wrote (expected {"staged": [...], ...}); nothing was deleted or written. ${fix}`,
    );
  for (const k of lists) checkEntries(dir, JOURNAL, (j[k] as unknown[] | undefined) ?? [], fix);
  checkEntries(dir, JOURNAL, (j.folders as unknown[] | undefined) ?? [], fix, 'folder');
  return j as unknown as Journal;
}

function journalEntries(journal: Journal): string[] {
  return [...journal.staged, ...(journal.replaced ?? []), ...(journal.created ?? [])];
}

/** Undoes an interrupted swap as recorded in the journal, or finishes one that reached its commit point. */
async function rollback(dir: string, fs: WriterFs): Promise<void> {
  const abs = (p: string) => path.join(dir, p);
  const text = await readModuleText(dir, JOURNAL, fs);
  if (text === undefined) {
    await sweep(dir, [JOURNAL], fs);
    return;
  }
  const journal = parseJournal(dir, text);
  await checkFolders(dir, journalEntries(journal), fs);
  if (journal.committed) return finish(dir, journal.replaced ?? [], fs);
  for (const p of journal.created ?? []) await unlinkEntry(abs(p), fs);
  for (const p of journal.replaced ?? []) {
    if ((await kindOf(abs(p) + OLD, fs)) !== 'missing') {
      await unlinkEntry(abs(p), fs);
      await fs.rename(abs(p) + OLD, abs(p));
    }
  }
  for (const p of journal.staged) await unlinkEntry(abs(p) + NEW, fs);
  await removeEmptyFolders((journal.folders ?? []).map(abs), fs);
  await removeJournal(dir, fs);
}

/**
 * Rolls back (or, past its commit point, finishes) a swap a crashed run left behind (its journal), then removes
 * stray staged files of the files the manifest records. Returns whether there was a journal.
 */
export async function recover(dir: string, fs: WriterFs = nodeFs): Promise<boolean> {
  const rolledBack = (await kindOf(path.join(dir, JOURNAL), fs)) !== 'missing';
  if (rolledBack) await rollback(dir, fs);
  const manifest = await readManifest(dir, fs);
  await sweep(dir, [...Object.keys(manifest?.files ?? {}), ...(manifest?.userOwned ?? []), MANIFEST_FILE, JOURNAL], fs);
  return rolledBack;
}

/**
 * Removes `<file>.cors-gen-new` and `<file>.cors-gen-old` for the given files, whatever they are (a link is
 * removed, never followed). Only ever called when no journal exists: a staged file then belongs to a run that
 * failed before its swap began, and an old one to a run that committed.
 */
async function sweep(dir: string, files: readonly string[], fs: WriterFs): Promise<void> {
  await checkFolders(dir, files, fs);
  for (const p of new Set(files)) for (const suffix of [NEW, OLD]) await unlinkEntry(path.join(dir, p) + suffix, fs);
}

/** Unlinks a file or link (never what a link points to), if there; refuses a folder where cors-gen keeps a file. */
async function unlinkEntry(abs: string, fs: WriterFs): Promise<void> {
  const kind = await kindOf(abs, fs);
  if (kind === 'missing') return;
  if (kind === 'folder') throw notAFileError(abs, kind, 'file');
  try {
    await fs.unlink(abs);
  } catch (e) {
    // Gone in between (a concurrent run released its lock, say): what we wanted.
    if (!isMissing(e)) throw e;
  }
}

/**
 * Every folder on the way to `files` (e.g. `lambda/`) is absent or a real folder: a link there would carry
 * every read, write and delete below it out of the module folder.
 */
async function checkFolders(dir: string, files: Iterable<string>, fs: WriterFs): Promise<void> {
  const folders = new Set<string>();
  for (const p of files)
    for (let d = path.posix.dirname(p); d !== '.' && d !== '/'; d = path.posix.dirname(d)) folders.add(d);
  for (const d of [...folders].sort()) {
    const abs = path.join(dir, d);
    const kind = await kindOf(abs, fs);
    if (kind !== 'missing' && kind !== 'folder') throw notAFileError(abs, kind, 'folder');
  }
}

/**
 * Creates `dir` and its missing parents one by one, returning the folders it created, outermost first. Not
 * Node's recursive mkdir: where mkdir answers ENOENT although the parent exists (under /proc, or below a
 * dangling link), it steps back and forth forever at 100% CPU (https://github.com/Kewton/CommandMate/issues/1774,
 * and the same walk in https://github.com/oven-sh/bun/pull/36162); here that ENOENT is the error.
 */
async function makeFolders(dir: string, fs: WriterFs): Promise<string[]> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); (await kindOf(d, fs)) === 'missing'; d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  // One mkdir per folder: a parent that is a file (or a link to one) fails here with ENOTDIR or EEXIST. A real
  // folder that appeared meanwhile was made by another run (two generates into one new folder): not ours to remove.
  const made: string[] = [];
  for (const d of missing) {
    try {
      await fs.mkdir(d);
      made.push(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || (await kindOf(d, fs)) !== 'folder') throw e;
    }
  }
  return made;
}

/** Removes folders a failed write created, innermost first, when they are empty (best effort). */
async function removeEmptyFolders(folders: readonly string[], fs: WriterFs): Promise<void> {
  for (const d of [...folders].reverse()) await fs.rmdir(d).catch(() => undefined);
}

/** Lock files this process holds: a lock naming our own pid but not listed here was left by a failed release. */
const heldLocks = new Set<string>();

/** A lock file naming a process that is gone (or this process, which does not hold it). */
async function staleLock(file: string, fs: WriterFs): Promise<boolean> {
  if ((await kindOf(file, fs)) !== 'file') return false;
  const text = await readText(file, fs);
  if (text === undefined || text === '') return false;
  return !holderAlive(file, Number(text));
}

/** Whether `holder`, read from lock `file`, is a process that still holds it. */
function holderAlive(file: string, holder: number): boolean {
  return Number.isInteger(holder) && holder > 0 && (holder === process.pid ? heldLocks.has(file) : isAlive(holder));
}

/**
 * Takes the module's lock: a file created exclusively, holding our pid. A lock whose holder is gone is taken
 * over; a live one is waited for, LOCK_WAIT_MS at a time, at most LOCK_TIMEOUT_MS in all, then refused with
 * the holder and how to remove a stale lock. Anything but a regular file there is refused at once.
 */
async function lock(dir: string, fs: WriterFs, onWait?: (message: string) => void): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK);
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let tookOverEmpty = false;
  let told = false;
  for (let attempt = 0; ; attempt++) {
    // Every path through this loop counts: even a lock that keeps vanishing and reappearing cannot spin it.
    if (attempt > 2 * LOCK_MAX_ATTEMPTS)
      throw new ModuleWriteError(
        `could not take ${file}: other processes kept creating and removing it; run again`,
        'locked',
      );
    let handle: Awaited<ReturnType<WriterFs['open']>> | undefined;
    try {
      handle = await fs.open(file, CREATE_EXCLUSIVE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const kind = await kindOf(file, fs);
      // A dangling link also makes an exclusive create fail with EEXIST: never wait for one, never follow it.
      if (kind !== 'file' && kind !== 'missing') throw notAFileError(file, kind, 'file');
      const text = kind === 'file' ? await readText(file, fs) : undefined;
      if (text === undefined) continue; // released in between: try again
      const holder = Number(text);
      // An empty file is a lock being taken right now (created, pid not yet written): wait for it too.
      const live = text === '' || holderAlive(file, holder);
      if (live && attempt < LOCK_MAX_ATTEMPTS && Date.now() < deadline) {
        if (!told)
          onWait?.(
            `waiting for ${text === '' ? 'another cors-gen' : `another cors-gen (pid ${holder})`}, which holds ${file} (at most ${LOCK_TIMEOUT_MS / 1000} s)`,
          );
        told = true;
        await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
        continue;
      }
      if (live && (text !== '' || tookOverEmpty)) {
        const who = text === '' ? 'another cors-gen (its pid not yet written)' : `another cors-gen (pid ${holder})`;
        throw new ModuleWriteError(
          `${who} holds ${file}; waited ${LOCK_TIMEOUT_MS / 1000} s for it to finish writing ${dir}. Run again when it has finished; ` +
            `if no cors-gen is running (the lock outlived a crash, or a run on another machine sharing the folder), delete ${file} and run again.`,
          'locked',
        );
      }
      // The holder died without releasing (or, empty for the whole wait, never wrote its pid): the journal (if
      // any) is rolled back next.
      if (text === '') tookOverEmpty = true;
      await unlinkEntry(file, fs);
      continue;
    }
    try {
      await handle.writeFile(String(process.pid));
      await handle.close();
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.rm(file, { force: true }).catch(() => undefined);
      throw e;
    }
    heldLocks.add(file);
    return async () => {
      heldLocks.delete(file);
      // Best effort: a lock left behind names a process that is gone (or, in this process, is not held) and
      // is taken over by the next run.
      await fs.rm(file, { force: true }).catch(() => undefined);
    };
  }
}

const LOCK_TIMEOUT_MS = 5_000;
const LOCK_WAIT_MS = 100;
/** Bounds the loop even when the clock does not move (a frozen or mocked clock). */
const LOCK_MAX_ATTEMPTS = LOCK_TIMEOUT_MS / LOCK_WAIT_MS + 10;

/**
 * Open flags for every file cors-gen creates in a module folder: create, fail if anything (a file, or a link,
 * even a dangling one) is already there, and never follow a link (O_EXCL and O_NOFOLLOW in open(2),
 * https://man7.org/linux/man-pages/man2/open.2.html). O_NOFOLLOW is 0 where the platform has none (Windows).
 */
const CREATE_EXCLUSIVE =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);
const READ_NOFOLLOW = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeExclusive(file: string, text: string, fs: WriterFs): Promise<void> {
  const handle = await fs.open(file, CREATE_EXCLUSIVE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The manifest as read back: its entries checked, its raw object kept for comparison. */
export interface PreviousManifest extends Manifest {
  readonly raw: Record<string, unknown>;
  readonly specSha256: string | undefined;
}

/**
 * The manifest cors-gen last wrote in `dir`, or undefined when there is none (or it is not JSON with a file
 * list). Its paths are checked against the confinement rule; a manifest naming anything else is refused.
 */
export async function readManifest(dir: string, fs: WriterFs = nodeFs): Promise<PreviousManifest | undefined> {
  const text = await readModuleText(dir, MANIFEST_FILE, fs);
  if (text === undefined) return undefined;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m) || typeof m.files !== 'object' || m.files === null)
    return undefined;
  const files = m.files as Record<string, unknown>;
  const userOwned = Array.isArray(m.userOwned) ? (m.userOwned as unknown[]) : [];
  const fix = `Restore it from version control or delete it (cors-gen then treats the files there as not its own and asks before overwriting them).`;
  checkEntries(dir, MANIFEST_FILE, [...Object.keys(files), ...userOwned], fix);
  const spec = m.spec as { sha256?: unknown } | undefined;
  return {
    ...(m as unknown as Manifest),
    files: Object.fromEntries(Object.entries(files).map(([p, h]) => [p, typeof h === 'string' ? h : ''])),
    userOwned: userOwned as string[],
    version: typeof m.version === 'string' ? m.version : 'an unknown version',
    raw: m,
    specSha256: typeof spec?.sha256 === 'string' ? spec.sha256 : undefined,
  };
}

/**
 * A module file's text, or undefined when it is absent. A link, folder, FIFO or device there is refused
 * (reading one could leave the folder, block forever or never end).
 */
export async function readModuleText(dir: string, p: string, fs: WriterFs = nodeFs): Promise<string | undefined> {
  const abs = path.join(dir, p);
  const stats = await fs.lstat(abs).catch((e: unknown) => {
    if (isMissing(e)) return undefined;
    throw e;
  });
  const kind = entryKind(stats);
  if (kind === 'missing') return undefined;
  if (kind !== 'file') throw notAFileError(abs, kind, 'file');
  if (stats!.size > MAX_MODULE_FILE_BYTES) {
    throw new ModulePathError(
      `${abs} is ${stats!.size} bytes, far more than any file cors-gen writes (at most ${MAX_MODULE_FILE_BYTES}); cors-gen does not read it. ` +
        'Nothing was deleted or written. Restore it from version control or delete it, and run cors-gen generate again.',
    );
  }
  return readText(abs, fs);
}

/** Generated files are kilobytes (a spec is at most 1 MB); a module file larger than this was not written by cors-gen. */
const MAX_MODULE_FILE_BYTES = 16 * 1024 * 1024;

async function readText(file: string, fs: WriterFs): Promise<string | undefined> {
  try {
    return await fs.readFile(file, { encoding: 'utf8', flag: READ_NOFOLLOW });
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** What is at `abs`, without following a link there. */
async function kindOf(abs: string, fs: WriterFs): Promise<EntryKind> {
  try {
    return entryKind(await fs.lstat(abs));
  } catch (e) {
    if (isMissing(e)) return 'missing';
    throw e;
  }
}

/** An error saying the file (or a directory on its path) does not exist. */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
