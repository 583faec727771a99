import path from 'node:path';
import { packageVersion } from '../paths.js';
import type { SpecIssue } from '../spec/issue.js';
import { loadSpec, resolveSpecFile } from '../spec/load.js';
import { DEFAULT_OUT_DIR, holdsModuleIssue } from '../spec/spec-paths.js';
import type { CorsModel } from '../spec/model.js';
import type { FileChange } from './write-module.js';

export interface GenerateOptions {
  /** The spec file. @default cors-gen.yaml, else cors-gen.json, in `cwd` */
  readonly spec?: string;
  /** The folder that receives `<name>/`. @default "generated" */
  readonly out?: string;
  /** @default "hcl" */
  readonly format?: 'hcl' | 'json';
  /** Write nothing; report what differs. */
  readonly check?: boolean;
  /** Write nothing; return a unified diff of what would change (implies `check`). */
  readonly diff?: boolean;
  /** Overwrite generated files edited by hand. */
  readonly force?: boolean;
  /**
   * Write through a module folder (or an output folder inside the working directory) that is a symbolic link.
   * @default false: such a link could lead anywhere, so it is refused
   */
  readonly allowSymlinkedModule?: boolean;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Progress worth telling while the command runs (e.g. waiting for another run's lock); the CLI prints it on stderr. */
  readonly onProgress?: (message: string) => void;
}

/** Another module folder under the output folder generated from the same spec: what a `name:` change leaves behind. */
export interface OtherModule {
  /** The folder, relative to cwd. */
  readonly dir: string;
  /** The user's own files in it (e.g. `lambda/app.mjs`), relative to it. */
  readonly userFiles: readonly string[];
}

export type GenerateResult =
  | {
      readonly ok: false;
      readonly reason: 'invalid';
      readonly file: string;
      readonly errors: readonly SpecIssue[];
      readonly warnings: readonly SpecIssue[];
    }
  | {
      readonly ok: boolean;
      /**
       * `stale`: with `check`, the module on disk differs (or another folder holds a module of the same spec);
       * `edited`: a hand-edited file would be overwritten (nothing written); `locked`: another run is writing the
       * module; `unsafe`: the module folder holds a path or link cors-gen refuses to act on (exit 2, nothing
       * touched); `write-failed`: the file system refused a read or a write (exit 2; the previous module is left
       * as it was).
       */
      readonly reason?: 'stale' | 'edited' | 'locked' | 'unsafe' | 'write-failed';
      /** The module folder, relative to cwd. */
      readonly dir: string;
      readonly model: CorsModel;
      readonly changes: readonly FileChange[];
      /** User-owned files written (or, with check, missing). */
      readonly userFiles: readonly string[];
      readonly warnings: readonly SpecIssue[];
      /** Module folders of the same spec under another name (left by a rename). */
      readonly otherModules: readonly OtherModule[];
      /** The cors-gen that wrote the module on disk, when it is not this one. */
      readonly writtenBy?: { readonly version: string; readonly specChanged: boolean };
      /** The cors-gen running now. */
      readonly version: string;
      /** With `diff`: a unified diff of every change, empty when there is none. */
      readonly diff?: string;
      readonly message?: string;
    };

/**
 * spec -> validated model -> synthesized files -> atomic write (or, with `check`, a diff). Returns; the CLI
 * decides what to print and which exit code that means.
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  // Started before the spec is read, so loading CDKTF overlaps reading and validating it.
  const synthesis = Promise.all([
    import('./module-files.js'),
    import('./write-module.js'),
    import('./module-paths.js'),
  ]);
  synthesis.catch(() => undefined);
  const loaded = await loadSpec(resolveSpecFile(options.spec, cwd), cwd);
  if (!loaded.ok)
    return { ok: false, reason: 'invalid', file: loaded.file, errors: loaded.errors, warnings: loaded.warnings };
  const model = loaded.model;
  // validate's warning assumes the default module folder; the real one is checked below.
  const warnings = loaded.warnings.filter((w) => w.code !== 'lambda-source-holds-module');
  const format = options.format ?? 'hcl';
  const absOut = path.resolve(cwd, options.out ?? DEFAULT_OUT_DIR);
  const absDir = path.join(absOut, model.name);
  const dir = path.relative(cwd, absDir) || '.';
  const absSpec = path.resolve(cwd, loaded.file);
  // The spec as seen from the module: the same on every machine and from every working directory.
  const specFile = path.relative(absDir, absSpec).split(path.sep).join('/');
  const check = options.check || options.diff;
  const holds =
    model.lambda.source &&
    holdsModuleIssue(
      'error',
      model.lambda.source.dir,
      path.resolve(path.dirname(absSpec), model.lambda.source.dir),
      absDir,
      dir,
    );
  if (holds)
    return { ok: false, reason: 'invalid', file: loaded.file, warnings, errors: [{ ...holds, file: loaded.file }] };

  // Loaded only here: validate, init and check never pay for CDKTF.
  const [
    { buildModuleFiles, MANIFEST_FILE },
    { planWrite, commitWrite, readModuleText, readManifest, ModuleWriteError },
    { ModulePathError, symlinkedFolder, modulesOfSpec },
  ] = await synthesis;
  const version = packageVersion();
  const meta = { version, specFile, specText: loaded.text, format };
  const base = {
    dir,
    model,
    changes: [] as FileChange[],
    userFiles: [] as string[],
    warnings,
    otherModules: [] as OtherModule[],
    version,
  };
  // A refused path or link, or a file system error (EACCES, ENOSPC, ENOTDIR, ...), is the environment's, not a bug.
  const refused = (e: unknown, doing: string) => {
    if (e instanceof ModulePathError) return { ...base, ok: false, reason: 'unsafe' as const, message: e.message };
    if (e instanceof ModuleWriteError) return { ...base, ok: false, reason: e.reason, message: e.message };
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw e;
    return {
      ...base,
      ok: false,
      reason: 'write-failed' as const,
      message: `cannot ${doing} ${dir}: ${(e as Error).message}`,
    };
  };

  try {
    if (!options.allowSymlinkedModule) {
      const link = await symlinkedFolder(cwd, absOut, absDir);
      if (link) {
        const message =
          `${path.relative(cwd, link.folder) || '.'} is a symbolic link (to ${link.target}); cors-gen does not write a module through a link, which could lead anywhere. ` +
          'Nothing was written. Pass --allow-symlinked-module if the link is intended, or choose a real folder with --out.';
        return { ...base, ok: false, reason: 'unsafe', message };
      }
    }
    base.otherModules.push(
      ...(await modulesOfSpec(absOut, model.name, absSpec)).map((m) => ({
        dir: path.relative(cwd, m.dir),
        userFiles: m.userFiles,
      })),
    );
  } catch (e) {
    return refused(e, 'read');
  }

  let retired: string[] = [];
  if (model.api === 'rest') {
    try {
      // The module being replaced may be from an older cors-gen: its per-resource objects become `removed` blocks.
      // This version records them in the manifest; only a module without that record is parsed (once, on upgrade).
      const { retiredAddresses, recordedRetired } = await import('./retired-addresses.js');
      retired =
        recordedRetired((await readManifest(absDir))?.raw) ??
        (await retiredAddresses((p) => readModuleText(absDir, p)));
    } catch (e) {
      return refused(e, 'read');
    }
  }
  const files = await buildModuleFiles(model, {
    ...meta,
    retiredAddresses: retired,
    ...(model.lambda.source ? { lambdaSourceDir: moduleRelativeSource(absDir, absSpec, model.lambda.source.dir) } : {}),
  });
  let plan: Awaited<ReturnType<typeof planWrite>>;
  try {
    plan = await planWrite(absDir, files, meta);
  } catch (e) {
    return refused(e, 'read');
  }
  if (model.lambda.source) base.warnings = [...base.warnings, ...(await unusedStarterCode(absDir, dir, loaded.file))];
  // Debris of an interrupted run is listed (and removed by the write) like a file to delete.
  const debris = plan.leftovers.map((l) => ({ path: l, kind: 'delete' as const }));
  const planned = {
    ...base,
    changes: [...plan.changes, ...debris],
    userFiles: plan.userFiles,
    ...(plan.previous && plan.previous.version !== version ? { writtenBy: plan.previous } : {}),
  };
  if (check) {
    const ok = plan.upToDate && planned.otherModules.length === 0;
    const result = { ...planned, ok, ...(ok ? {} : { reason: 'stale' as const }) };
    if (!options.diff) return result;
    try {
      return {
        ...result,
        diff: await unifiedDiff(
          dir,
          plan,
          (p) => (p === MANIFEST_FILE ? plan.manifestText : (files.generated.get(p) ?? files.userOwned.get(p) ?? '')),
          (p) => readModuleText(absDir, p),
        ),
      };
    } catch (e) {
      return refused(e, 'read');
    }
  }
  if (plan.upToDate) return { ...planned, ok: true };
  try {
    // The plan is made again under the module's lock; report what was actually written.
    const applied = await commitWrite(absDir, files, plan, { force: options.force, onLockWait: options.onProgress });
    return { ...planned, changes: [...applied.changes, ...debris], userFiles: applied.userFiles, ok: true };
  } catch (e) {
    const failure = refused(e, 'write');
    return {
      ...failure,
      changes: planned.changes,
      userFiles: planned.userFiles,
      ...(failure.reason === 'write-failed' ? { message: `${failure.message}; the previous module was kept` } : {}),
    };
  }
}

/**
 * The starter handler (`lambda/app.mjs` or `app.py`, the user's since the first generate, so never deleted) left in
 * a module whose function now runs `lambda.source`: nothing deploys it any more, which nothing else would say.
 */
async function unusedStarterCode(absDir: string, dir: string, specFile: string): Promise<SpecIssue[]> {
  const { lstat } = await import('node:fs/promises');
  const found: SpecIssue[] = [];
  for (const name of ['app.mjs', 'app.py']) {
    const file = path.join(absDir, 'lambda', name);
    // A regular file only: no link is followed in the module folder.
    if (
      !(await lstat(file).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      continue;
    const shown = path.join(dir, 'lambda', name);
    found.push({
      severity: 'warning',
      code: 'starter-code-unused',
      path: 'lambda.source',
      file: specFile,
      message: `${shown} is no longer deployed: the function runs your code from lambda.source`,
      fix: `move what you still need from ${shown} into your code's folder, then delete ${path.join(dir, 'lambda')}`,
    });
  }
  return found;
}

/**
 * The changes of a plan as one unified diff in the shape of `git diff` (`a/` and `b/` paths, `/dev/null` for a
 * created or deleted file; no headers, no jsdiff "====" separator). `after` gives a file's new text, `before`
 * its text on disk.
 */
async function unifiedDiff(
  dir: string,
  plan: { readonly changes: readonly FileChange[]; readonly userFiles: readonly string[] },
  after: (p: string) => string,
  before: (p: string) => Promise<string | undefined>,
): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const show = (p: string) => path.join(dir, p).split(path.sep).join('/');
  const patch = (from: string, to: string, a: string, b: string) =>
    createTwoFilesPatch(from, to, a, b, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
  const patches: string[] = [];
  for (const c of plan.changes) {
    const old = await before(c.path);
    const gone = c.kind === 'delete' || (c.kind === 'edited' && after(c.path) === '');
    patches.push(
      patch(
        old === undefined ? '/dev/null' : `a/${show(c.path)}`,
        gone ? '/dev/null' : `b/${show(c.path)}`,
        old ?? '',
        gone ? '' : after(c.path),
      ),
    );
  }
  for (const p of plan.userFiles) patches.push(patch('/dev/null', `b/${show(p)}`, '', after(p)));
  return patches.join('');
}

/**
 * The user's code folder (`lambda.source`, relative to the spec) as seen from the module folder, "/"-separated:
 * the same text on every machine and operating system.
 */
export function moduleRelativeSource(moduleDir: string, specFile: string, source: string): string {
  const relative = path.relative(moduleDir, path.resolve(path.dirname(specFile), source));
  return relative.split(path.sep).join('/') || '.';
}
