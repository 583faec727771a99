import { execFileSync, spawn } from 'node:child_process';
import * as nodeFs from 'node:fs/promises';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  readlinkSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, sha256, type ModuleFiles } from '../../src/synth/module-files.js';
import { ModulePathError } from '../../src/synth/module-paths.js';
import {
  commitWrite,
  ModuleWriteError,
  planWrite,
  readManifest,
  recover,
  type WriterFs,
} from '../../src/synth/write-module.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = path.join(root, `m${n++}`, 'shop');
});

type Files = Record<string, string>;
const module = (generated: Files, userOwned: Files = {}): ModuleFiles => ({
  generated: new Map(Object.entries(generated).sort(([a], [b]) => (a < b ? -1 : 1))),
  userOwned: new Map(Object.entries(userOwned)),
  document: {},
});
const meta = (version = '1.0.0', specText = `spec ${version}`) => ({
  version,
  specFile: '../cors-gen.yaml',
  specText,
  format: 'hcl' as const,
});

/** The previous module: going from A to B needs every kind of change (kept small: every write is fsynced). */
const A = module(
  { 'main.tf': 'main A\n', 'variables.tf': 'variables\n', 'outputs.tf': 'no longer generated\n' },
  { 'lambda/app.mjs': 'app A\n' },
);
const B = module(
  { 'main.tf': 'main B\n', 'variables.tf': 'variables\n', 'versions.tf': 'new file\n', 'stages/qa.tfvars': 'qa\n' },
  { 'lambda/app.mjs': "app B (never written over the user's)\n", 'lambda/app.py': 'extra\n' },
);

/** plan + commit, as `generate` does; returns the plan. */
async function write(
  target: string,
  files: ModuleFiles,
  version = '1.0.0',
  options: { force?: boolean } = {},
  fs: WriterFs = nodeFs,
  specText?: string,
) {
  const plan = await planWrite(target, files, meta(version, specText), fs);
  if (!plan.upToDate) await commitWrite(target, files, plan, options, fs);
  return plan;
}

/** Every file under `target` (dot files and leftovers included) with its content. */
function snapshot(target: string): Files {
  const out: Files = {};
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      // Links and FIFOs are recorded as what they are: reading a FIFO would block.
      else
        out[path.relative(target, p).split(path.sep).join('/')] = e.isFile()
          ? readFileSync(p, 'utf8')
          : e.isSymbolicLink()
            ? `-> ${readlinkSync(p)}`
            : '(not a file)';
    }
  };
  walk(target);
  return out;
}

function restore(target: string, files: Files): void {
  rmSync(target, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(target, rel)), { recursive: true });
    writeFileSync(path.join(target, rel), text);
  }
}

describe('writing a module', () => {
  it('writes a fresh module: generated files, user-owned files and a manifest with their hashes', async () => {
    const plan = await write(dir, A);
    expect(plan.changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      ...[...A.generated.keys()].map((p) => `create ${p}`),
      `create ${MANIFEST_FILE}`,
    ]);
    expect(plan.userFiles).toEqual(['lambda/app.mjs']);
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    expect(manifest).toEqual({
      generator: 'cors-gen',
      version: '1.0.0',
      spec: { file: '../cors-gen.yaml', sha256: sha256('spec 1.0.0') },
      format: 'hcl',
      files: Object.fromEntries([...A.generated].map(([p, t]) => [p, sha256(t)])),
      userOwned: ['lambda/app.mjs'],
    });
    expect(snapshot(dir)).toEqual({
      ...Object.fromEntries(A.generated),
      ...Object.fromEntries(A.userOwned),
      [MANIFEST_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
    });
  });

  it('writes into a folder another run created between its check and its mkdir (EEXIST on a real folder)', async () => {
    const target = path.join(dir, 'new', 'module');
    // The other run wins the race for the module folder and its parents (inside it, the lock orders the runs):
    // the folder exists by the time this run's mkdir reaches the disk.
    const racing: WriterFs = {
      ...nodeFs,
      mkdir: async (d, ...rest) => {
        if (String(d).startsWith(target + path.sep)) return nodeFs.mkdir(d, ...rest);
        await nodeFs.mkdir(d, ...rest).catch(() => undefined);
        throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${String(d)}'`), { code: 'EEXIST' });
      },
    } as WriterFs;
    await write(target, A, '1.0.0', {}, racing);
    expect(snapshot(target)['main.tf']).toBe('main A\n');
  });

  it('rewrites nothing when nothing changed: no file is touched', async () => {
    await write(dir, A);
    const before = Object.fromEntries(Object.keys(snapshot(dir)).map((p) => [p, statSync(path.join(dir, p)).mtimeMs]));
    await new Promise((r) => setTimeout(r, 20));
    const plan = await write(dir, A);
    expect(plan.upToDate).toBe(true);
    expect(plan.changes).toEqual([]);
    // Even a commit of an up-to-date plan (as a concurrent run might make) writes nothing.
    await commitWrite(dir, A, plan);
    expect(Object.fromEntries(Object.keys(snapshot(dir)).map((p) => [p, statSync(path.join(dir, p)).mtimeMs]))).toEqual(
      before,
    );
  });

  it('lists what is stale without writing anything (--check)', async () => {
    await write(dir, A);
    const before = snapshot(dir);
    const plan = await planWrite(dir, B, meta('1.1.0'));
    expect(plan.upToDate).toBe(false);
    expect(plan.changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual(
      [
        `update ${MANIFEST_FILE}`,
        'update main.tf',
        'create versions.tf',
        'create stages/qa.tfvars',
        'delete outputs.tf',
      ].sort(),
    );
    expect(plan.userFiles).toEqual(['lambda/app.py']);
    expect(plan.leftovers).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('lists the manifest when it is the only difference (a spec edit that changes no output)', async () => {
    await write(dir, A);
    const plan = await planWrite(dir, A, { ...meta(), specText: 'spec 1.0.0 with a comment' });
    expect(plan.changes).toEqual([{ path: MANIFEST_FILE, kind: 'update' }]);
    expect(plan.previous).toEqual({ version: '1.0.0', specChanged: true });
  });

  it('an upgrade of cors-gen that changes no output changes nothing: the manifest keeps the version that wrote the module', async () => {
    await write(dir, A);
    const before = snapshot(dir);
    const plan = await write(dir, A, '1.0.1', {}, nodeFs, 'spec 1.0.0');
    expect(plan.upToDate).toBe(true);
    expect(plan.previous).toEqual({ version: '1.0.0', specChanged: false });
    expect(snapshot(dir)).toEqual(before);
    // With a change, the manifest names the version that wrote it.
    await write(dir, B, '1.0.1', {}, nodeFs, 'spec 1.0.0');
    expect(await readManifest(dir)).toMatchObject({ version: '1.0.1' });
  });

  it("updates, creates and deletes generated files and never overwrites the user's app file", async () => {
    await write(dir, A);
    writeFileSync(path.join(dir, 'lambda/app.mjs'), 'my code\n');
    await write(dir, B, '1.1.0');
    const after = snapshot(dir);
    expect(after['lambda/app.mjs']).toBe('my code\n');
    expect(after['lambda/app.py']).toBe('extra\n');
    expect(after['outputs.tf']).toBeUndefined();
    for (const [p, text] of B.generated) expect(after[p], p).toBe(text);
    expect(Object.keys(after).filter((p) => /cors-gen-(new|old)$|\.cors-gen\.(lock|journal)$/.test(p))).toEqual([]);
    expect((await planWrite(dir, B, meta('1.1.0'))).upToDate).toBe(true);
  });

  it('writes a deleted user-owned file again (written once when missing)', async () => {
    await write(dir, A);
    rmSync(path.join(dir, 'lambda/app.mjs'));
    const plan = await write(dir, A);
    expect(plan.userFiles).toEqual(['lambda/app.mjs']);
    expect(readFileSync(path.join(dir, 'lambda/app.mjs'), 'utf8')).toBe('app A\n');
  });

  it('refuses to overwrite a generated file edited by hand, touching nothing, and overwrites it with force', async () => {
    await write(dir, A);
    writeFileSync(path.join(dir, 'main.tf'), 'main A, edited\n');
    const before = snapshot(dir);
    const plan = await planWrite(dir, B, meta('1.1.0'));
    expect(plan.changes).toContainEqual({
      path: 'main.tf',
      kind: 'edited',
      reason: 'edited by hand since cors-gen wrote it',
    });
    const error = await commitWrite(dir, B, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleWriteError);
    expect((error as ModuleWriteError).reason).toBe('edited');
    expect((error as Error).message).toBe(
      `refusing to overwrite ${path.relative(process.cwd(), path.join(dir, 'main.tf'))} (edited by hand since cors-gen wrote it); move your change into the spec or into the user-owned app file, or pass --force to overwrite`,
    );
    expect((error as Error).message).not.toContain(` ${path.resolve(dir)}`);
    expect(snapshot(dir)).toEqual(before);
    await commitWrite(dir, B, plan, { force: true });
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe('main B\n');
    expect((await planWrite(dir, B, meta('1.1.0'))).upToDate).toBe(true);
  });

  it('refuses a file cors-gen did not write (no manifest records it)', async () => {
    restore(dir, { 'main.tf': "someone else's\n" });
    const plan = await planWrite(dir, A, meta());
    expect(plan.changes).toContainEqual({
      path: 'main.tf',
      kind: 'edited',
      reason: 'not written by cors-gen (no manifest records it)',
    });
    await expect(commitWrite(dir, A, plan)).rejects.toThrow(/refusing to overwrite .*main\.tf/);
    expect(snapshot(dir)).toEqual({ 'main.tf': "someone else's\n" });
  });

  it('deletes a file no longer generated only when unmodified; an edited one is refused, and removed with force', async () => {
    await write(dir, A);
    writeFileSync(path.join(dir, 'outputs.tf'), 'edited, and no longer generated\n');
    const plan = await planWrite(dir, B, meta('1.1.0'));
    expect(plan.changes).toContainEqual({
      path: 'outputs.tf',
      kind: 'edited',
      reason: 'edited by hand and no longer generated',
    });
    await expect(commitWrite(dir, B, plan)).rejects.toBeInstanceOf(ModuleWriteError);
    expect(readFileSync(path.join(dir, 'outputs.tf'), 'utf8')).toBe('edited, and no longer generated\n');
    await commitWrite(dir, B, plan, { force: true });
    expect(snapshot(dir)['outputs.tf']).toBeUndefined();
    expect((await planWrite(dir, B, meta('1.1.0'))).upToDate).toBe(true);
  });

  it('refuses an edit made after planning (the plan is made again under the lock)', async () => {
    await write(dir, A);
    const plan = await planWrite(dir, B, meta('1.1.0'));
    writeFileSync(path.join(dir, 'main.tf'), 'edited meanwhile\n');
    await expect(commitWrite(dir, B, plan)).rejects.toThrow(/main\.tf/);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe('edited meanwhile\n');
  });
});

type Op =
  | 'readFile'
  | 'writeFile'
  | 'rename'
  | 'unlink'
  | 'mkdir'
  | 'rm'
  | 'rmdir'
  | 'lstat'
  | 'open'
  | 'handle.writeFile'
  | 'handle.sync'
  | 'handle.close';

/**
 * node:fs/promises with every call counted (handle methods included; `sync` is counted but skipped). `failAt`:
 * that call fails once with `code`. `deadAfter`: every call from that index on fails, as if the process had died there (nothing after it,
 * not even a rollback, reaches the disk).
 */
function faultyFs(options: { failAt?: number; deadAfter?: number; code?: string } = {}) {
  const log: Array<{ op: Op; target: string }> = [];
  const gate = (op: Op, target: string) => {
    const i = log.length;
    log.push({ op, target });
    if (i === options.failAt || (options.deadAfter !== undefined && i >= options.deadAfter)) {
      const code = options.code ?? 'EIO';
      throw Object.assign(new Error(`${code}: injected fault in ${op} ${target}`), { code });
    }
  };
  const wrap =
    <A extends unknown[], R>(op: Op, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      gate(op, String(args[0]));
      return fn(...args);
    };
  const fs = {
    readFile: wrap('readFile', nodeFs.readFile),
    writeFile: wrap('writeFile', nodeFs.writeFile),
    rename: wrap('rename', nodeFs.rename),
    unlink: wrap('unlink', nodeFs.unlink),
    mkdir: wrap('mkdir', nodeFs.mkdir),
    rm: wrap('rm', nodeFs.rm),
    rmdir: wrap('rmdir', nodeFs.rmdir),
    lstat: wrap('lstat', nodeFs.lstat),
    open: async (file: string, flags: string | number) => {
      gate('open', file);
      const handle = await nodeFs.open(file, flags);
      return {
        writeFile: async (data: string) => {
          gate('handle.writeFile', file);
          return handle.writeFile(data);
        },
        // Counted (and failed) like any call, but not performed: durability is not what these tests measure,
        // and thousands of fsyncs would only make them slow.
        sync: async () => {
          gate('handle.sync', file);
        },
        close: async () => {
          // The descriptor is closed whatever happens, so no test leaks one.
          try {
            gate('handle.close', file);
          } finally {
            await handle.close().catch(() => undefined);
          }
        },
      };
    },
  } as unknown as WriterFs;
  return { fs, log };
}

describe('atomic writes under injected faults', () => {
  /** What the module looks like before (A written) and after a clean write of B. */
  function baseline() {
    const before = path.join(root, `baseline-${n++}`);
    return (async () => {
      await write(before, A);
      writeFileSync(path.join(before, 'lambda/app.mjs'), "the user's code\n");
      const old = snapshot(before);
      const counted = faultyFs();
      await write(before, B, '1.1.0', {}, counted.fs);
      return { old, next: snapshot(before), calls: counted.log.length };
    })();
  }

  it('leaves the previous module byte-identical whenever any call fails, and a clean run then succeeds', async () => {
    const { old, next, calls } = await baseline();
    expect(calls).toBeGreaterThan(40);
    let faults = 0;
    let corruptions = 0;
    let committed = 0;
    for (const code of ['EACCES', 'ENOSPC']) {
      for (let i = 0; i < calls; i++) {
        restore(dir, old);
        const { fs, log } = faultyFs({ failAt: i, code });
        const outcome = await write(dir, B, '1.1.0', {}, fs).then(
          () => 'ok',
          (e: Error) => e,
        );
        expect(log.length).toBeGreaterThan(i); // the fault was injected
        faults++;
        const after = snapshot(dir);
        if (outcome === 'ok') {
          // The fault hit the clean-up after the commit point: the new module stands; leftovers are swept next run.
          committed++;
          const leftovers = Object.keys(after).filter((p) => !(p in next));
          for (const p of leftovers)
            expect(p, `fault ${code} at call ${i} (${log[i]!.op})`).toMatch(
              /\.cors-gen-old$|^\.cors-gen\.(lock|journal)$/,
            );
          for (const [p, text] of Object.entries(next)) expect(after[p], p).toBe(text);
        } else {
          expect((outcome as NodeJS.ErrnoException).code, String(outcome)).toBe(code);
          if (JSON.stringify(after) !== JSON.stringify(old)) corruptions++;
          expect(after, `fault ${code} at call ${i} (${log[i]!.op} ${log[i]!.target})`).toEqual(old);
        }
        await write(dir, B, '1.1.0', {}, faultyFs().fs);
        expect(snapshot(dir), `clean run after fault ${code} at call ${i}`).toEqual(next);
      }
    }
    console.info(
      `writer: ${faults} injected faults (${calls} call sites x EACCES, ENOSPC), ${committed} after the commit point, ${corruptions} corruptions`,
    );
    expect(corruptions).toBe(0);
  }, 180_000);

  it('rolls back a swap interrupted by a crash at any point, on the next run', async () => {
    const { old, next, calls } = await baseline();
    let crashes = 0;
    let rolledForward = 0;
    for (let i = 0; i < calls; i++) {
      restore(dir, old);
      const { fs, log } = faultyFs({ deadAfter: i });
      // A crash after the commit point only hits best-effort clean-up: the run still reports success.
      const outcome = await write(dir, B, '1.1.0', {}, fs).then(
        () => 'ok',
        (e: Error) => e.message,
      );
      crashes++;
      if (outcome !== 'ok') expect(outcome).toMatch(/injected fault/);
      await recover(dir);
      const after = snapshot(dir);
      delete after['.cors-gen.lock']; // a crashed run leaves its lock; the next writer takes it over
      const where = `crash at call ${i} (${log[i]?.op} ${log[i]?.target})`;
      if (outcome === 'ok') expect(after, where).toEqual(next);
      else expect([old, next], where).toContainEqual(after);
      if (JSON.stringify(after) === JSON.stringify(next)) rolledForward++;
      await write(dir, B, '1.1.0', {}, faultyFs().fs);
      expect(snapshot(dir), `clean run after crash at call ${i}`).toEqual(next);
    }
    console.info(
      `writer: ${crashes} simulated crashes, all recovered: ${crashes - rolledForward} to the previous module, ${rolledForward} (past the commit point) to the new one`,
    );
    expect(rolledForward).toBeGreaterThan(0);
    expect(rolledForward).toBeLessThan(crashes);
  }, 180_000);

  it('recovers from a journal left by a crash before the next write does anything else', async () => {
    const { old, next } = await baseline();
    restore(dir, old);
    // Crash right after the first rename of a target to .cors-gen-old.
    const probe = faultyFs();
    const probeDir = path.join(root, `probe-${n++}`);
    restore(probeDir, old);
    await write(probeDir, B, '1.1.0', {}, probe.fs);
    const crashAt = probe.log.findIndex((c) => c.op === 'rename' && c.target.endsWith('main.tf'));
    expect(crashAt).toBeGreaterThan(0);
    const crashed = faultyFs({ deadAfter: crashAt + 1 });
    await expect(write(dir, B, '1.1.0', {}, crashed.fs)).rejects.toThrow(/injected fault/);
    expect(snapshot(dir)['.cors-gen.journal']).toBeDefined();
    expect(snapshot(dir)['main.tf.cors-gen-old']).toBe('main A\n');
    // The next run (here: a clean write) rolls back first, then writes.
    await write(dir, B, '1.1.0');
    expect(snapshot(dir)).toEqual(next);
  });
});

describe('the lock', () => {
  const X = module({ 'main.tf': 'x\n', 'lambda/index.mjs': 'x\n' }, { 'lambda/app.mjs': 'x app\n' });
  const Y = module(
    { 'main.tf': 'y\n', 'lambda/handler.py': 'y\n', 'stages/dev.tfvars': 'y\n' },
    { 'lambda/app.py': 'y app\n' },
  );

  /** An fs that yields to other tasks before every call, so concurrent writers interleave as much as they can. */
  const slowFs = (): WriterFs => {
    const delay = () => new Promise((r) => setTimeout(r, Math.random() * 2));
    const wrapped = Object.fromEntries(
      (['readFile', 'writeFile', 'rename', 'unlink', 'mkdir', 'rm', 'rmdir', 'lstat', 'open'] as const).map((k) => [
        k,
        async (...args: unknown[]) => (await delay(), (nodeFs[k] as (...a: unknown[]) => Promise<unknown>)(...args)),
      ]),
    );
    return wrapped as unknown as WriterFs;
  };

  it('keeps concurrent writers of one folder from interleaving: the result is one of them, in full', async () => {
    const sequential = async (first: ModuleFiles, second: ModuleFiles) => {
      const d = path.join(root, `seq-${n++}`);
      await write(d, first, 'x');
      await write(d, second, 'y');
      return snapshot(d);
    };
    // Versions differ so each run's manifest differs too.
    const xThenY = await sequential(X, Y);
    const yThenX = await sequential(Y, X);
    for (let round = 0; round < 8; round++) {
      const d = path.join(root, `race-${n++}`);
      await Promise.all([write(d, X, 'x', {}, slowFs()), write(d, Y, 'y', {}, slowFs())]);
      const after = snapshot(d);
      // The second writer replaces the first one's generated files; the first one's user-owned code stays.
      const matches = [xThenY, yThenX].filter((s) => JSON.stringify(s) === JSON.stringify(after));
      expect(matches, `round ${round}: ${Object.keys(after).join(', ')}`).toHaveLength(1);
    }
  });

  it('waits for a lock that is being taken (empty file) instead of stealing it', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.cors-gen.lock'), '');
    let done = false;
    const running = write(dir, A).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    rmSync(path.join(dir, '.cors-gen.lock'));
    await running;
    expect(snapshot(dir)['main.tf']).toBe('main A\n');
  });

  it('waits for a live process holding the lock, and takes over when it dies', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, '.cors-gen.lock'), String(holder.pid));
      let done = false;
      const running = write(dir, A).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      await running;
      expect(snapshot(dir)['.cors-gen.lock']).toBeUndefined();
      expect(snapshot(dir)['main.tf']).toBe('main A\n');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.cors-gen.lock'), String(gone.pid));
    await write(dir, A);
    expect(await readManifest(dir)).toMatchObject({ version: '1.0.0' });
    expect(snapshot(dir)['.cors-gen.lock']).toBeUndefined();
  });
});

describe('a hostile module folder (paths and links read back from it)', () => {
  /** A module folder three levels below `base`, so `../../../x` from it lands in `base`. */
  function deepModule() {
    const base = path.join(root, `hostile-${n++}`);
    const target = path.join(base, 'a', 'b', 'shop');
    mkdirSync(target, { recursive: true });
    return { base, target };
  }
  const journalFix = (target: string) =>
    `If no cors-gen run is writing this folder, delete ${path.join(target, '.cors-gen.journal')} (cors-gen keeps it only while a write is under way) and run cors-gen generate again.`;
  const rule = (target: string) =>
    `cors-gen only acts on the files it writes (relative paths inside ${target} such as main.tf, stages/<stage>.tfvars or lambda/index.mjs). Nothing was deleted or written.`;

  it('refuses a journal that names a file outside the module, deleting nothing', async () => {
    const { base, target } = deepModule();
    writeFileSync(path.join(base, 'victim.txt'), 'keep me\n');
    writeFileSync(path.join(target, '.cors-gen.journal'), '{"staged":[],"created":["../../../victim.txt"]}');
    const error = await write(target, A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModulePathError);
    expect((error as Error).message).toBe(
      `${path.join(target, '.cors-gen.journal')}: the entry "../../../victim.txt" leaves the module folder or has an empty, "." or ".." segment; ${rule(target)} ${journalFix(target)}`,
    );
    expect(readFileSync(path.join(base, 'victim.txt'), 'utf8')).toBe('keep me\n');
    expect(snapshot(target)).toEqual({ '.cors-gen.journal': '{"staged":[],"created":["../../../victim.txt"]}' });
  });

  it.each([
    ['an absolute path', '/etc/hostname', 'is an absolute path'],
    ['a drive path', 'C:/x/main.tf', 'is an absolute path'],
    ['a backslash', 'lambda\\index.mjs', 'contains a backslash (module paths use "/")'],
    ['a NUL', 'main.tf\u0000', 'contains a NUL character'],
    ['a name cors-gen never writes', 'notes.txt', 'is not a file cors-gen writes'],
    ['a number', 7, 'is not a file name'],
  ])('refuses a journal entry that is %s', async (_label, entry, problem) => {
    const { target } = deepModule();
    writeFileSync(path.join(target, '.cors-gen.journal'), JSON.stringify({ staged: [entry] }));
    await expect(write(target, A)).rejects.toThrow(`the entry ${JSON.stringify(entry)} ${problem}; `);
    expect(Object.keys(snapshot(target))).toEqual(['.cors-gen.journal']);
  });

  it('refuses a journal that is not one cors-gen wrote', async () => {
    const { target } = deepModule();
    writeFileSync(path.join(target, '.cors-gen.journal'), '{"created": "main.tf"}');
    await expect(write(target, A)).rejects.toThrow(
      `${path.join(target, '.cors-gen.journal')} is not a journal cors-gen wrote (expected {"staged": [...], ...}); nothing was deleted or written. ${journalFix(target)}`,
    );
  });

  it.each([false, true])('refuses a manifest entry outside the module (force: %s), deleting nothing', async (force) => {
    const { base, target } = deepModule();
    await write(target, A);
    writeFileSync(path.join(base, 'x'), 'precious\n');
    const manifest = JSON.parse(readFileSync(path.join(target, MANIFEST_FILE), 'utf8')) as {
      files: Record<string, string>;
    };
    manifest.files['../../../x'] = sha256('precious\n');
    writeFileSync(path.join(target, MANIFEST_FILE), JSON.stringify(manifest));
    const before = snapshot(target);
    const error = await write(target, B, '1.1.0', { force }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModulePathError);
    expect((error as Error).message).toBe(
      `${path.join(target, MANIFEST_FILE)}: the entry "../../../x" leaves the module folder or has an empty, "." or ".." segment; ${rule(target)} ` +
        'Restore it from version control or delete it (cors-gen then treats the files there as not its own and asks before overwriting them).',
    );
    expect(readFileSync(path.join(base, 'x'), 'utf8')).toBe('precious\n');
    expect(snapshot(target)).toEqual(before);
  });

  it('removes a dangling staged link instead of writing through it', async () => {
    const { base, target } = deepModule();
    symlinkSync(path.join(base, 'planted'), path.join(target, '.gitignore.cors-gen-new'));
    const files = module({ 'main.tf': 'main\n', '.gitignore': 'lambda.zip\n' });
    await write(target, files);
    expect(existsSync(path.join(base, 'planted'))).toBe(false);
    expect(lstatSync(path.join(target, '.gitignore')).isFile()).toBe(true);
    expect(snapshot(target)).toEqual({
      'main.tf': 'main\n',
      '.gitignore': 'lambda.zip\n',
      [MANIFEST_FILE]: expect.any(String),
    });
  });

  it.each([
    [
      'a link to a file outside',
      (base: string, target: string) => (
        writeFileSync(path.join(base, 'outside.tf'), 'outside\n'),
        symlinkSync(path.join(base, 'outside.tf'), path.join(target, 'main.tf'))
      ),
      'main.tf',
      'a symbolic link',
      'regular file',
    ],
    [
      'a dangling link',
      (base: string, target: string) => symlinkSync(path.join(base, 'nowhere.tf'), path.join(target, 'main.tf')),
      'main.tf',
      'a symbolic link',
      'regular file',
    ],
    [
      'a link to a file inside',
      (_base: string, target: string) => (
        writeFileSync(path.join(target, 'variables.tf'), 'v\n'),
        symlinkSync('variables.tf', path.join(target, 'main.tf'))
      ),
      'main.tf',
      'a symbolic link',
      'regular file',
    ],
    [
      'a FIFO (reading it would block forever)',
      (_base: string, target: string) => execFileSync('mkfifo', [path.join(target, 'main.tf')]),
      'main.tf',
      'not a regular file',
      'regular file',
    ],
    [
      'a linked lambda folder',
      (base: string, target: string) => (
        mkdirSync(path.join(base, 'elsewhere')),
        symlinkSync(path.join(base, 'elsewhere'), path.join(target, 'lambda'))
      ),
      'lambda',
      'a symbolic link',
      'real folder',
    ],
    [
      'a linked manifest',
      (base: string, target: string) => (
        writeFileSync(path.join(base, 'm.json'), '{}'),
        symlinkSync(path.join(base, 'm.json'), path.join(target, MANIFEST_FILE))
      ),
      MANIFEST_FILE,
      'a symbolic link',
      'regular file',
    ],
  ])('refuses %s where it writes, touching nothing outside', async (_label, plant, entry, what, expected) => {
    const { base, target } = deepModule();
    plant(base, target);
    const outside = snapshot(base);
    const error = await write(target, module({ 'main.tf': 'main\n' }, { 'lambda/app.mjs': 'app\n' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModulePathError);
    expect((error as Error).message).toBe(
      `${path.join(target, entry)} is ${what}, where cors-gen reads and writes a ${expected}; cors-gen never follows links or writes through them inside a module folder. ` +
        `Nothing was deleted or written. Replace it with a ${expected} (or delete it) and run cors-gen generate again.`,
    );
    expect(snapshot(base)).toEqual(outside);
    expect(existsSync(path.join(target, MANIFEST_FILE)) && lstatSync(path.join(target, MANIFEST_FILE)).isFile()).toBe(
      false,
    );
  });

  it('refuses to read a module file larger than anything cors-gen writes', async () => {
    const { target } = deepModule();
    writeFileSync(path.join(target, 'main.tf'), '');
    truncateSync(path.join(target, 'main.tf'), 17 * 1024 * 1024);
    await expect(write(target, A)).rejects.toThrow(
      `${path.join(target, 'main.tf')} is ${17 * 1024 * 1024} bytes, far more than any file cors-gen writes (at most ${16 * 1024 * 1024}); cors-gen does not read it. Nothing was deleted or written.`,
    );
  });

  it('refuses a dangling-link lock at once instead of spinning', async () => {
    const { base, target } = deepModule();
    symlinkSync(path.join(base, 'gone'), path.join(target, '.cors-gen.lock'));
    const started = Date.now();
    await expect(write(target, A)).rejects.toThrow(
      `${path.join(target, '.cors-gen.lock')} is a symbolic link, where cors-gen reads and writes a regular file;`,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(path.join(base, 'gone'))).toBe(false);
  });

  it('gives up on a live lock after a bounded wait, naming the lock, its holder and how to remove a stale one', async () => {
    const { target } = deepModule();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      const lockFile = path.join(target, '.cors-gen.lock');
      writeFileSync(lockFile, String(holder.pid));
      const started = Date.now();
      const told: string[] = [];
      const plan = await planWrite(target, A, meta());
      const error = await commitWrite(target, A, plan, { onLockWait: (m) => told.push(m) }).catch((e: unknown) => e);
      expect(told).toEqual([`waiting for another cors-gen (pid ${holder.pid}), which holds ${lockFile} (at most 5 s)`]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
      expect(error).toBeInstanceOf(ModuleWriteError);
      expect((error as ModuleWriteError).reason).toBe('locked');
      expect((error as Error).message).toBe(
        `another cors-gen (pid ${holder.pid}) holds ${lockFile}; waited 5 s for it to finish writing ${target}. Run again when it has finished; ` +
          `if no cors-gen is running (the lock outlived a crash, or a run on another machine sharing the folder), delete ${lockFile} and run again.`,
      );
      expect(readFileSync(lockFile, 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  }, 15_000);

  it('removes the subfolders a crashed write created when the next run rolls it back', async () => {
    const { target } = deepModule();
    const probe = faultyFs();
    const probeDir = path.join(root, `probe-${n++}`);
    await write(probeDir, A, '1.0.0', {}, probe.fs);
    const mkdirLambda = probe.log.findIndex((c) => c.op === 'mkdir' && c.target.endsWith(`${path.sep}lambda`));
    expect(mkdirLambda).toBeGreaterThan(0);
    await expect(write(target, A, '1.0.0', {}, faultyFs({ deadAfter: mkdirLambda + 1 }).fs)).rejects.toThrow(
      /injected fault/,
    );
    expect(existsSync(path.join(target, 'lambda'))).toBe(true);
    expect(await recover(target)).toBe(true);
    expect(existsSync(path.join(target, 'lambda'))).toBe(false);
  });

  it('removes the folders a failed write created', async () => {
    const { target } = deepModule();
    const fresh = path.join(target, 'new-parent', 'shop');
    const { fs } = faultyFs();
    // The journal is written; the first swap of a module file fails, after lambda/ was made for staging.
    const failing = {
      ...fs,
      rename: async (from: string, to: string) =>
        from.includes('.cors-gen.journal')
          ? nodeFs.rename(from, to)
          : Promise.reject(Object.assign(new Error('EIO: injected'), { code: 'EIO' })),
    } as WriterFs;
    await expect(
      write(fresh, module({ 'main.tf': 'main\n', 'lambda/index.mjs': 'x\n' }), '1.0.0', {}, failing),
    ).rejects.toThrow('EIO');
    expect(existsSync(path.join(target, 'new-parent'))).toBe(false);
  });
});
