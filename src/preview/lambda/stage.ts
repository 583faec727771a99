/**
 * The staged copy of a function's code: what the module's zips will hold, laid out as Lambda lays them out. The
 * function's folder (with the archive's excludes applied) becomes the task root (Lambda's /var/task) and its
 * layers are extracted, in order, into a stand-in for /opt. Both live in a new folder under the OS temporary
 * folder, outside the repository: Node resolves `node_modules` upwards from the code, so a dependency found only
 * in a parent folder of the repository must fail here as it fails in Lambda. Removed on close and on exit.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../spec/spec-paths.js';
import { walkSource } from '../../spec/source-files.js';
import { ModuleError, PreviewSetupError } from '../errors.js';
import type { LambdaCode } from './environments.js';
import { linkNodeSdk } from './runtime-sdk.js';

export interface StagedCode {
  /** The code to run: `dir` is the staged task root and `optDir` the staged /opt (unchanged when not staged). */
  readonly code: LambdaCode;
  /** Removes the copy; safe to call twice. */
  cleanup(): void;
  /** What the copy leaves out that the code may miss (an `@aws-sdk` package linked from outside the repository). */
  readonly warnings: readonly string[];
}

/** The temporary folders not removed yet, removed at exit by one listener (not one per folder). */
const removeAtExit = new Set<() => void>();
let listening = false;

/** A new folder under the OS temporary folder, removed by `cleanup` (safe to call twice) or when the process exits. */
export function temporaryFolder(prefix: string): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const cleanup = () => {
    if (!removeAtExit.delete(cleanup)) return;
    rmSync(dir, { recursive: true, force: true });
  };
  if (!listening) {
    listening = true;
    process.on('exit', () => removeAtExit.forEach((c) => c()));
  }
  removeAtExit.add(cleanup);
  return { dir, cleanup };
}

export function stageCode(code: LambdaCode): StagedCode {
  if (!code.staged) return { code, cleanup: () => {}, warnings: [] };
  const { dir: root, cleanup } = temporaryFolder('cors-gen-staged-');
  try {
    refuseSharedAncestors(root);
    const task = path.join(root, 'task');
    const opt = path.join(root, 'opt');
    copyTree(code, code.dir, task);
    // Later layers replace earlier layers' files of the same path, as Lambda extracts them in order.
    for (const layer of code.staged.layers) copyTree(code, layer, opt);
    mkdirSync(task, { recursive: true });
    mkdirSync(opt, { recursive: true });
    // The runtime's own SDK, found after the code's node_modules (runtime-sdk.ts); on purpose beside task/.
    const warnings = code.runtime.startsWith('python') ? [] : linkNodeSdk(code.dir, root);
    return { code: { ...code, dir: task, optDir: opt }, cleanup, warnings };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/**
 * Node looks for packages in `node_modules` of every folder above the code and reads the nearest `package.json`'s
 * "type" to decide how a `.js` file loads (https://nodejs.org/api/modules.html#loading-from-node_modules-folders,
 * https://nodejs.org/api/packages.html#type), so one of them in a folder above the staged copy, such as a shared
 * /tmp that any local user can write to, would put its code into the function or change how the function loads.
 * On Lambda nothing is above /var/task. The check is on the real path, whose folders Node walks.
 */
function refuseSharedAncestors(root: string): void {
  const found = sharedAncestorEntry(root);
  if (found !== undefined)
    throw new PreviewSetupError(
      `${found} is in a folder above the preview's staged copy of the function's code (${root}); Node would load it into your function as if it were part of the zip`,
      {
        code: 'staging-folder-shared',
        fix: `remove ${found} if it is not yours, or set TMPDIR to a private folder (e.g. TMPDIR=$HOME/.cache/cors-gen-tmp after mkdir -p)`,
      },
    );
}

/**
 * The first `node_modules` or `package.json` in a folder above `root` (real paths), if any. Checked again at each
 * cold start (pool.ts): one made there after the preview started would be loaded just the same.
 */
export function sharedAncestorEntry(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  for (let d = path.dirname(realpathSync(root)); ; d = path.dirname(d)) {
    const found = ['node_modules', 'package.json'].find((name) => existsSync(path.join(d, name)));
    if (found !== undefined) return path.join(d, found);
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Copies the zip's files of `from` into `to`. A copy that fails is the preview's problem, not the code's, and is
 * told as such: most often a path too long, since the staged task root is longer than Lambda's /var/task/ and a
 * path that fits Linux's 4,096 bytes there (src/spec/source-files.ts, MAX_SOURCE_PATH_BYTES) may not fit here.
 */
function copyTree(code: LambdaCode, from: string, to: string): void {
  const walked = walkSource(from, repositoryRoot(from), (file) => {
    const target = path.join(to, ...file.rel.split('/'));
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(file.real, target);
    } catch (e) {
      throw copyError(code, from, file.rel, to, e as NodeJS.ErrnoException);
    }
  });
  if (walked.error)
    throw new ModuleError(`${from}: ${walked.error.message}; ${walked.error.fix}`, { address: code.address });
}

/** A copy into the staged root `to` failed: the file, where, the cause and what to do. */
function copyError(
  code: LambdaCode,
  from: string,
  rel: string,
  to: string,
  e: NodeJS.ErrnoException,
): PreviewSetupError {
  const shown = rel.length > 60 ? `${rel.slice(0, 60)}... (${rel.split('/').length - 1} folders deep)` : rel;
  const tmp = path.dirname(path.dirname(to));
  const message = `${code.address}: the preview cannot copy ${shown} of ${from} into its staged copy under ${tmp} (${[e.syscall, e.code ?? e.message].filter(Boolean).join(': ')})`;
  if (e.code === 'ENAMETOOLONG') {
    const longer = Buffer.byteLength(`${to}/`) - Buffer.byteLength('/var/task/');
    return new PreviewSetupError(
      `${message}: its path there is ${Buffer.byteLength(path.join(to, rel))} bytes, more than this system allows; on Lambda, under /var/task/, it is ${Buffer.byteLength(`/var/task/${rel}`)} bytes`,
      {
        code: 'staging-path-too-long',
        fix: `set TMPDIR to a shorter folder than ${tmp} (the staged copy's paths are ${longer} bytes longer than on Lambda), or shorten the folder names of ${rel.split('/')[0]}/ in your code`,
      },
    );
  }
  return new PreviewSetupError(message, {
    code: 'staging-failed',
    fix: `free space in ${tmp} or make it writable, or set TMPDIR to a writable folder with room`,
  });
}
