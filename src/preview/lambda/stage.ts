/**
 * The staged copy of a function's code: what the module's zips will hold, laid out as Lambda lays them out. The
 * function's folder (with the archive's excludes applied) becomes the task root (Lambda's /var/task) and its
 * layers are extracted, in order, into a stand-in for /opt. Both live in a new folder under the OS temporary
 * folder, outside the repository: Node resolves `node_modules` upwards from the code, so a dependency found only
 * in a parent folder of the repository must fail here as it fails in Lambda. Removed on close and on exit.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../spec/spec-paths.js';
import { walkSource } from '../../spec/source-files.js';
import { ModuleError } from '../errors.js';
import type { LambdaCode } from './environments.js';

export interface StagedCode {
  /** The code to run: `dir` is the staged task root and `optDir` the staged /opt (unchanged when not staged). */
  readonly code: LambdaCode;
  /** Removes the copy; safe to call twice. */
  cleanup(): void;
}

export function stageCode(code: LambdaCode): StagedCode {
  if (!code.staged) return { code, cleanup: () => {} };
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-staged-'));
  let removed = false;
  const cleanup = () => {
    if (removed) return;
    removed = true;
    process.off('exit', cleanup);
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  try {
    const task = path.join(root, 'task');
    const opt = path.join(root, 'opt');
    copyTree(code, code.dir, task);
    // Later layers replace earlier layers' files of the same path, as Lambda extracts them in order.
    for (const layer of code.staged.layers) copyTree(code, layer, opt);
    mkdirSync(task, { recursive: true });
    mkdirSync(opt, { recursive: true });
    return { code: { ...code, dir: task, optDir: opt }, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

function copyTree(code: LambdaCode, from: string, to: string): void {
  const walked = walkSource(from, repositoryRoot(from), (file) => {
    const target = path.join(to, ...file.rel.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(file.real, target);
  });
  if (walked.error)
    throw new ModuleError(`${from}: ${walked.error.message}; ${walked.error.fix}`, { address: code.address });
}
