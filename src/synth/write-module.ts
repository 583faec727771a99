import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, sha256, type ModuleFiles } from './module-files.js';

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
 */

/** The part of node:fs/promises the writer uses, injectable so tests can make any call fail. */
export type WriterFs = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'rename' | 'unlink' | 'mkdir' | 'rm' | 'open'>;

export interface Manifest {
  readonly generator: 'cors-gen';
  readonly version: string;
  readonly spec: { readonly file: string; readonly sha256: string };
  readonly format: 'hcl' | 'json';
  /** Generated files and the hash of what cors-gen wrote. */
  readonly files: Record<string, string>;
  /** Files written once for the user and then left alone. */
  readonly userOwned: readonly string[];
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
}

export class ModuleWriteError extends Error {
  override readonly name = 'ModuleWriteError';
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
  };
  return planAgainst(dir, files, manifest, fs);
}

/** Compares the module on disk (and the manifest cors-gen last wrote there) with `files`. */
async function planAgainst(dir: string, files: ModuleFiles, manifest: Manifest, fs: WriterFs): Promise<WritePlan> {
  const previous = await readManifest(dir, fs);
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const changes: FileChange[] = [];
  for (const [p, text] of files.generated) {
    const onDisk = await readText(path.join(dir, p), fs);
    if (onDisk === text) continue;
    if (onDisk === undefined) changes.push({ path: p, kind: 'create' });
    else if (previous?.files[p] === sha256(onDisk)) changes.push({ path: p, kind: 'update' });
    else changes.push({ path: p, kind: 'edited', reason: previous?.files[p] ? 'edited by hand since cors-gen wrote it' : 'not written by cors-gen (no manifest records it)' });
  }
  for (const [p, recorded] of Object.entries(previous?.files ?? {})) {
    if (files.generated.has(p) || files.userOwned.has(p)) continue;
    const onDisk = await readText(path.join(dir, p), fs);
    if (onDisk === undefined) continue;
    if (sha256(onDisk) === recorded) changes.push({ path: p, kind: 'delete' });
    else changes.push({ path: p, kind: 'edited', reason: 'edited by hand and no longer generated' });
  }
  const userFiles: string[] = [];
  for (const p of files.userOwned.keys()) if ((await readText(path.join(dir, p), fs)) === undefined) userFiles.push(p);
  const manifestOnDisk = await readText(path.join(dir, MANIFEST_FILE), fs);
  // Listed like any other file, so `--check` never reports "stale" with nothing to show (a new cors-gen
  // version or a spec edit that changes no output still changes the manifest).
  if (manifestOnDisk !== manifestText) changes.push({ path: MANIFEST_FILE, kind: manifestOnDisk === undefined ? 'create' : 'update' });
  const leftovers: string[] = [];
  if (await exists(path.join(dir, JOURNAL), fs)) leftovers.push(JOURNAL);
  const known = new Set([...files.generated.keys(), ...files.userOwned.keys(), ...Object.keys(previous?.files ?? {}), ...(previous?.userOwned ?? []), MANIFEST_FILE, JOURNAL]);
  for (const p of known) for (const suffix of [NEW, OLD]) if (await exists(path.join(dir, p) + suffix, fs)) leftovers.push(p + suffix);
  if (await staleLock(path.join(dir, LOCK), fs)) leftovers.push(LOCK);
  const upToDate = changes.length === 0 && userFiles.length === 0 && leftovers.length === 0;
  return { changes, userFiles, manifest, manifestText, leftovers, upToDate };
}

/**
 * Applies a plan. Refuses (ModuleWriteError, nothing touched) when a hand-edited file would be overwritten
 * unless `force`; with `force`, a hand-edited file that is no longer generated is deleted. The plan is made
 * again under the lock, so a concurrent run or an edit made since `planWrite` is never overwritten blindly.
 * Returns the plan that was applied.
 */
export async function commitWrite(dir: string, files: ModuleFiles, plan: WritePlan, options: { force?: boolean } = {}, fs: WriterFs = nodeFs): Promise<WritePlan> {
  refuseEdited(dir, plan, options);
  await fs.mkdir(dir, { recursive: true });
  const release = await lock(dir, fs);
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
}

function refuseEdited(dir: string, plan: WritePlan, options: { force?: boolean }): void {
  const edited = plan.changes.filter((c): c is Extract<FileChange, { kind: 'edited' }> => c.kind === 'edited');
  if (edited.length > 0 && !options.force) {
    throw new ModuleWriteError(
      `refusing to overwrite ${edited.map((c) => `${path.join(dir, c.path)} (${c.reason})`).join(', ')}; ` +
        'move your change into the spec or into the user-owned app file, or pass --force to overwrite',
      'edited',
    );
  }
}

interface Journal {
  /** Files staged as `<file>.cors-gen-new` (written first, before anything is staged). */
  readonly staged: string[];
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
  // 1. A journal naming what is about to be staged, so even a crash while staging is undone exactly.
  try {
    await writeJournal(dir, { staged }, fs);
  } catch (e) {
    await sweep(dir, [JOURNAL], fs).catch(() => undefined);
    throw e;
  }
  const replaced: string[] = [];
  const created: string[] = [];
  try {
    // 2. Stage every new file beside its target.
    for (const [p, text] of writes) {
      await fs.mkdir(path.dirname(abs(p)), { recursive: true });
      await writeDurably(abs(p) + NEW, text, fs);
    }
    // 3. Record which targets exist (moved aside) and which are new (removed on rollback).
    for (const p of [...writes.keys(), ...deletes]) ((await exists(abs(p), fs)) ? replaced : created).push(p);
    await writeJournal(dir, { staged, replaced, created }, fs);
    // 4. Swap.
    for (const p of replaced) await fs.rename(abs(p), abs(p) + OLD);
    for (const p of writes.keys()) await fs.rename(abs(p) + NEW, abs(p));
    // 5. The commit point: the journal says the new module stands.
    await writeJournal(dir, { staged, replaced, created, committed: true }, fs);
  } catch (e) {
    await rollback(dir, fs);
    throw e;
  }
  // 6. Clean-up, best effort: whatever is left, the next run finishes from the committed journal.
  await finish(dir, replaced, fs).catch(() => undefined);
}

/** Removes the old files of a committed swap, then its journal. */
async function finish(dir: string, replaced: readonly string[], fs: WriterFs): Promise<void> {
  for (const p of replaced) await fs.rm(path.join(dir, p) + OLD, { force: true });
  await removeJournal(dir, fs);
}

/** Removes the journal (last, so a failure before leaves it for the next run) and any half-written successor. */
async function removeJournal(dir: string, fs: WriterFs): Promise<void> {
  await fs.rm(path.join(dir, JOURNAL) + NEW, { force: true });
  await fs.unlink(path.join(dir, JOURNAL));
}

/** Replaces the journal atomically (written beside it, then renamed over it). */
async function writeJournal(dir: string, journal: Journal, fs: WriterFs): Promise<void> {
  const file = path.join(dir, JOURNAL);
  await writeDurably(file + NEW, JSON.stringify(journal), fs);
  await fs.rename(file + NEW, file);
}

/** Undoes an interrupted swap as recorded in the journal, or finishes one that reached its commit point. */
async function rollback(dir: string, fs: WriterFs): Promise<void> {
  const abs = (p: string) => path.join(dir, p);
  const text = await readText(abs(JOURNAL), fs);
  if (text === undefined) {
    await sweep(dir, [JOURNAL], fs);
    return;
  }
  const journal = JSON.parse(text) as Journal;
  if (journal.committed) return finish(dir, journal.replaced ?? [], fs);
  for (const p of journal.created ?? []) await fs.rm(abs(p), { force: true });
  for (const p of journal.replaced ?? []) {
    if (await exists(abs(p) + OLD, fs)) {
      await fs.rm(abs(p), { force: true });
      await fs.rename(abs(p) + OLD, abs(p));
    }
  }
  for (const p of journal.staged) await fs.rm(abs(p) + NEW, { force: true });
  await removeJournal(dir, fs);
}

/**
 * Rolls back (or, past its commit point, finishes) a swap a crashed run left behind (its journal), then removes
 * stray staged files of the files the manifest records. Returns whether there was a journal.
 */
export async function recover(dir: string, fs: WriterFs = nodeFs): Promise<boolean> {
  const rolledBack = await exists(path.join(dir, JOURNAL), fs);
  if (rolledBack) await rollback(dir, fs);
  const manifest = await readManifest(dir, fs);
  await sweep(dir, [...Object.keys(manifest?.files ?? {}), ...(manifest?.userOwned ?? []), MANIFEST_FILE, JOURNAL], fs);
  return rolledBack;
}

/**
 * Removes `<file>.cors-gen-new` and `<file>.cors-gen-old` for the given files. Only ever called when no
 * journal exists: a staged file then belongs to a run that failed before its swap began, and an old one to a
 * run that committed.
 */
async function sweep(dir: string, files: readonly string[], fs: WriterFs): Promise<void> {
  for (const p of new Set(files)) {
    for (const suffix of [NEW, OLD]) {
      const file = path.join(dir, p) + suffix;
      if (await exists(file, fs)) await fs.rm(file, { force: true });
    }
  }
}

/** Lock files this process holds: a lock naming our own pid but not listed here was left by a failed release. */
const heldLocks = new Set<string>();

/** A lock file naming a process that is gone (or this process, which does not hold it). */
async function staleLock(file: string, fs: WriterFs): Promise<boolean> {
  const text = await readText(file, fs);
  if (text === undefined || text === '') return false;
  return !holderAlive(file, Number(text));
}

/** Whether `holder`, read from lock `file`, is a process that still holds it. */
function holderAlive(file: string, holder: number): boolean {
  return Number.isInteger(holder) && holder > 0 && (holder === process.pid ? heldLocks.has(file) : isAlive(holder));
}

async function lock(dir: string, fs: WriterFs): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    let handle: Awaited<ReturnType<WriterFs['open']>> | undefined;
    try {
      handle = await fs.open(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const text = await readText(file, fs);
      const holder = Number(text);
      // An empty file is a lock being taken right now (created, pid not yet written): wait for it too.
      const live = text === '' || holderAlive(file, holder);
      if (text === undefined || (live && attempt < LOCK_ATTEMPTS)) {
        if (text !== undefined) await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
        continue;
      }
      if (live && text !== '') throw new ModuleWriteError(`another cors-gen (pid ${holder}) is writing ${dir}; try again when it has finished`, 'locked');
      // The holder died without releasing: the journal (if any) is rolled back next.
      await fs.rm(file, { force: true });
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

const LOCK_ATTEMPTS = 50;
const LOCK_WAIT_MS = 100;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeDurably(file: string, text: string, fs: WriterFs): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readManifest(dir: string, fs: WriterFs = nodeFs): Promise<Manifest | undefined> {
  const text = await readText(path.join(dir, MANIFEST_FILE), fs);
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Manifest;
    return m && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

async function readText(file: string, fs: WriterFs): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

async function exists(file: string, fs: WriterFs): Promise<boolean> {
  try {
    await fs.readFile(file);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') return true;
    throw e;
  }
}

/** An error saying the file (or a directory on its path) does not exist. */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
