import path from 'node:path';
import { packageVersion } from '../paths.js';
import type { SpecIssue } from '../spec/issue.js';
import { loadSpec, resolveSpecFile } from '../spec/load.js';
import type { CorsModel } from '../spec/model.js';
import type { FileChange } from '../synth/write-module.js';

/** The folder that receives `<name>/` when no `--out` is given; `preview --spec` looks there too. */
export const DEFAULT_OUT_DIR = 'generated';

export interface GenerateOptions {
  /** The spec file. @default cors-gen.yaml, else cors-gen.json, in `cwd` */
  readonly spec?: string;
  /** The folder that receives `<name>/`. @default "generated" */
  readonly out?: string;
  /** @default "hcl" */
  readonly format?: 'hcl' | 'json';
  /** Write nothing; report what differs. */
  readonly check?: boolean;
  /** Overwrite generated files edited by hand. */
  readonly force?: boolean;
  /** @default process.cwd() */
  readonly cwd?: string;
}

export type GenerateResult =
  | { readonly ok: false; readonly reason: 'invalid'; readonly file: string; readonly errors: readonly SpecIssue[]; readonly warnings: readonly SpecIssue[] }
  | {
      readonly ok: boolean;
      /**
       * `stale`: with `check`, the module on disk differs; `edited`: a hand-edited file would be overwritten
       * (nothing written); `locked`: another run is writing the module; `write-failed`: the file system refused
       * a read or a write (exit 2; the previous module is left as it was).
       */
      readonly reason?: 'stale' | 'edited' | 'locked' | 'write-failed';
      /** The module folder, relative to cwd. */
      readonly dir: string;
      readonly model: CorsModel;
      readonly changes: readonly FileChange[];
      /** User-owned files written (or, with check, missing). */
      readonly userFiles: readonly string[];
      readonly warnings: readonly SpecIssue[];
      readonly message?: string;
    };

/**
 * spec -> validated model -> synthesized files -> atomic write (or, with `check`, a diff). Returns; the CLI
 * decides what to print and which exit code that means.
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadSpec(resolveSpecFile(options.spec, cwd), cwd);
  if (!loaded.ok) return { ok: false, reason: 'invalid', file: loaded.file, errors: loaded.errors, warnings: loaded.warnings };
  const model = loaded.model;
  const format = options.format ?? 'hcl';
  const absDir = path.resolve(cwd, options.out ?? DEFAULT_OUT_DIR, model.name);
  const dir = path.relative(cwd, absDir) || '.';
  // The spec as seen from the module: the same on every machine and from every working directory.
  const specFile = path.relative(absDir, path.resolve(cwd, loaded.file)).split(path.sep).join('/');

  // Loaded only here: validate, init and check never pay for CDKTF.
  const [{ buildModuleFiles }, { planWrite, commitWrite, ModuleWriteError }] = await Promise.all([
    import('../synth/module-files.js'),
    import('../synth/write-module.js'),
  ]);
  const meta = { version: packageVersion(), specFile, specText: loaded.text, format };
  const files = await buildModuleFiles(model, meta);
  // A file system error (EACCES, ENOSPC, ENOTDIR, ...) is the environment's, not a bug: report it as such.
  const fsFailure = (e: unknown, doing: string) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw e;
    return { dir, model, changes: [], userFiles: [], warnings: loaded.warnings, ok: false, reason: 'write-failed' as const, message: `cannot ${doing} ${dir}: ${(e as Error).message}` };
  };
  let plan: Awaited<ReturnType<typeof planWrite>>;
  try {
    plan = await planWrite(absDir, files, meta);
  } catch (e) {
    return fsFailure(e, 'read');
  }
  // Debris of an interrupted run is listed (and removed by the write) like a file to delete.
  const debris = plan.leftovers.map((l) => ({ path: l, kind: 'delete' as const }));
  const base = { dir, model, changes: [...plan.changes, ...debris], userFiles: plan.userFiles, warnings: loaded.warnings };
  if (options.check) return { ...base, ok: plan.upToDate, ...(plan.upToDate ? {} : { reason: 'stale' as const }) };
  if (plan.upToDate) return { ...base, ok: true };
  try {
    // The plan is made again under the module's lock; report what was actually written.
    const applied = await commitWrite(absDir, files, plan, { force: options.force });
    return { ...base, changes: [...applied.changes, ...debris], userFiles: applied.userFiles, ok: true };
  } catch (e) {
    if (e instanceof ModuleWriteError) return { ...base, ok: false, reason: e.reason, message: e.message };
    const failure = fsFailure(e, 'write');
    return { ...failure, changes: base.changes, userFiles: base.userFiles, message: `${failure.message}; the previous module was kept` };
  }
}
