/**
 * Loads one of the CLI's CommonJS bundles (`dist/cli.cjs`, `dist/cdktf-vendor.cjs`) through V8's code cache.
 *
 * A run of cors-gen is short, and compiling its JavaScript is most of it: the CLI and CDKTF are 3.5 MB of source.
 * Node 22.1+ keeps compiled code between runs itself (`module.enableCompileCache()`,
 * https://nodejs.org/api/module.html#module-compile-cache); Node 20 has no such switch for files, but
 * `vm.Script` accepts the code V8 compiled in an earlier run (`cachedData`, `createCachedData()`,
 * https://nodejs.org/api/vm.html#scriptcreatecacheddata). The code is cached *after* the run, so it holds every
 * function the command ran, not only the top level.
 *
 * The cache is a convenience: any failure to read or write it only costs the compilation. It lives in a folder of
 * the OS temp folder that only the user can write (checked, never followed through a link), one file per bundle
 * and command, keyed by Node's version, the architecture and a hash of the bundle's bytes; data V8 rejects (other
 * flags, a damaged file: `script.cachedDataRejected`) is replaced. `NODE_DISABLE_COMPILE_CACHE=1`, Node's own
 * switch for its compile cache, turns it off here too.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** What `require` returns for a CommonJS file. */
type Exports = Record<string, unknown>;

/**
 * Node 22.1+: turns on Node's own compile cache, in this user's checked folder (not Node's default, a folder of
 * the OS temp folder shared by every user). Returns whether it is on.
 */
export function startNodeCompileCache(): boolean {
  const enable = (module as { enableCompileCache?: (dir: string) => { status: number } }).enableCompileCache;
  if (enable === undefined || process.env['NODE_DISABLE_COMPILE_CACHE']) return false;
  const dir = cacheDirectory();
  if (dir === undefined) return false;
  const { ENABLED, ALREADY_ENABLED } = (
    module as unknown as { constants: { compileCacheStatus: { ENABLED: number; ALREADY_ENABLED: number } } }
  ).constants.compileCacheStatus;
  const { status } = enable(path.join(dir, 'node'));
  return status === ENABLED || status === ALREADY_ENABLED;
}

/**
 * Runs a CommonJS bundle as `require(file)` would: through Node's own compile cache when it is on (see
 * {@link startNodeCompileCache}), otherwise with its compiled code from this cache when there is one.
 */
export function requireBundle(file: string): Exports {
  const nodeCache = (module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  return nodeCache === undefined ? requireWithCodeCache(file) : (createRequire(file)(file) as Exports);
}

function requireWithCodeCache(file: string): Exports {
  const bytes = fs.readFileSync(file);
  const cacheFile = cacheFileFor(file, bytes);
  const cachedData = cacheFile === undefined ? undefined : readCache(cacheFile);
  // `vm.Script` rather than `vm.compileFunction`: only a script's cached data includes the functions compiled
  // while it ran. The wrapper is the one Node gives every CommonJS module.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString()}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile !== undefined && (!cachedData || script.cachedDataRejected)) {
    process.once('exit', () => writeCache(cacheFile, script));
  }
  const loaded = { exports: {} as Exports };
  const wrapper = script.runInThisContext() as (
    exports: Exports,
    require: NodeJS.Require,
    module: { exports: Exports },
    filename: string,
    dirname: string,
  ) => void;
  wrapper(loaded.exports, createRequire(file), loaded, file, path.dirname(file));
  return loaded.exports;
}

/** The commands of the CLI: each runs other code, so each has its own cache file. */
const COMMANDS = new Set(['init', 'validate', 'generate', 'check', 'preview', 'schema']);

function cacheFileFor(file: string, bytes: Buffer): string | undefined {
  if (process.env['NODE_DISABLE_COMPILE_CACHE']) return undefined;
  const dir = cacheDirectory();
  if (dir === undefined) return undefined;
  const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const role = command !== undefined && COMMANDS.has(command) ? command : 'cli';
  // V8 checks only that cached code was compiled from a source of the same length
  // (https://github.com/v8/v8/blob/main/src/snapshot/code-serializer.cc, SerializedCodeData::SanityCheck): the
  // key names the exact bytes, since an upgrade or a patch may keep the length (and npm gives every installed
  // file the same modification time).
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  return path.join(dir, `${path.basename(file, '.cjs')}.${role}.${process.version}-${process.arch}-${hash}.v8`);
}

/** `<tmp>/cors-gen-code-cache-<uid>`, when it is a directory of this user that no one else may write. */
function cacheDirectory(): string | undefined {
  const uid = process.getuid?.();
  const dir = path.join(os.tmpdir(), `cors-gen-code-cache-${uid ?? 'user'}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return undefined;
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.lstatSync(file).isFile() ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the code compiled so far, replacing the caches of other builds of the same bundle and command. */
function writeCache(file: string, script: vm.Script): void {
  const dir = path.dirname(file);
  const [bundle, role] = path.basename(file).split('.');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    for (const old of fs.readdirSync(dir)) {
      if (old.startsWith(`${bundle}.${role}.`) && old !== path.basename(file)) fs.rmSync(path.join(dir, old));
    }
    fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    // In an `exit` listener: nothing may throw (it would replace the exit code).
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // left for the next writer's clean-up
    }
  }
}
