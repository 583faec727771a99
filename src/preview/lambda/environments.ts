/**
 * Execution environments for the module's Lambda code, run for real: Node code in a worker thread (its own
 * module graph, `process.env` and heap limit), Python code in a long-lived `python3` child process that speaks
 * JSON lines. One environment serves one invocation at a time and keeps its module state between invocations,
 * like a warm Lambda container; a crash or a timeout discards it, and the next invocation starts a new one
 * (a cold start).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { RUNTIME_DIR } from '../../paths.js';

export interface LambdaCode {
  /** Terraform address, for messages. */
  readonly address: string;
  readonly functionName: string;
  /** The folder the zip is built from (`archive_file.source_dir`). */
  readonly dir: string;
  /** `index.handler` or `handler.handler`. */
  readonly handler: string;
  readonly runtime: string;
  /** `environment.variables`, evaluated. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * Code the preview runs from a staged copy (src/preview/lambda/stage.ts): a function with layers, or whose
   * folder lies outside the module. `layers`: the layers' folders, in the function's order.
   */
  readonly staged?: { readonly layers: readonly string[] };
  /** Where the staged layers are extracted: the preview's stand-in for /opt. */
  readonly optDir?: string;
}

export interface InvokeContext {
  readonly awsRequestId: string;
  readonly deadlineMs: number;
}

/** What Lambda's Invoke API returns: the serialized result, or the function error. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: string }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export interface Environment {
  invoke(event: unknown, context: InvokeContext): Promise<InvokeResult>;
  /** Ends it now (timeout, crash or shutdown). */
  destroy(): Promise<void>;
  /** False once it crashed or was destroyed. */
  readonly alive: boolean;
}

export type LogSink = (line: string) => void;

/**
 * The environment of one execution environment: `defaults` of this machine that the module may replace (LANG), the
 * module's own variables, then the variables Lambda sets itself, which always win (planFunctions refuses a module
 * that sets them, as Lambda does), then `forced`: what the preview needs to start the process (PATH).
 */
export function lambdaEnv(
  code: LambdaCode,
  defaults: Record<string, string | undefined> = {},
  forced: Record<string, string | undefined> = {},
): Record<string, string> {
  const base: Record<string, string | undefined> = {
    ...defaults,
    ...code.environment,
    AWS_LAMBDA_FUNCTION_NAME: code.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(code.memoryMb),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: `AWS_Lambda_${code.runtime}`,
    LAMBDA_TASK_ROOT: code.dir,
    ...forced,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

// ---- Shared ------------------------------------------------------------------------------------------------

/** The bookkeeping both environments share: invocations sent by id, answered (or failed all at once) by id. */
function pendingCalls(send: (message: { id: number; event: unknown; context: InvokeContext }) => void) {
  let alive = true;
  let nextId = 0;
  const pending = new Map<number, (r: InvokeResult) => void>();
  return {
    get alive() {
      return alive;
    },
    /** Ends the environment (no more invocations); what is pending stays pending, as before. */
    end() {
      alive = false;
    },
    fail(errorType: string, errorMessage: string) {
      alive = false;
      for (const resolve of pending.values()) resolve({ ok: false, errorType, errorMessage });
      pending.clear();
    },
    answer(m: { id: number } & InvokeResult) {
      const resolve = pending.get(m.id);
      pending.delete(m.id);
      resolve?.(
        m.ok ? { ok: true, payload: m.payload } : { ok: false, errorType: m.errorType, errorMessage: m.errorMessage },
      );
    },
    invoke(event: unknown, context: InvokeContext): Promise<InvokeResult> {
      if (!alive)
        return Promise.resolve({
          ok: false,
          errorType: 'Runtime.ExitError',
          errorMessage: 'the execution environment has ended',
        });
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ id, event, context });
      });
    },
  };
}

// ---- Node --------------------------------------------------------------------------------------------------

/** The worker's code: a file of `src/runtime/preview/` (see RUNTIME_DIR), type-checked like the rest. */
const NODE_WORKER = path.join(RUNTIME_DIR, 'preview', 'node-worker.mjs');

/**
 * Variables that Node's CommonJS loader reads once, when the worker starts, to add folders to every `require`'s
 * search (NODE_PATH, and HOME for ~/.node_modules: https://nodejs.org/api/modules.html#loading-from-the-global-folders).
 * A module's value names a folder of Lambda's file system, which on this machine could be any folder, so the
 * worker starts without them and the code sees them only once its loader is set up.
 */
const LOADER_VARIABLES = new Set(['NODE_PATH', 'HOME']);

export function nodeEnvironment(code: LambdaCode, log: LogSink): Environment {
  const env = lambdaEnv(code);
  const worker = new Worker(NODE_WORKER, {
    workerData: {
      afterStart: Object.fromEntries(Object.entries(env).filter(([k]) => LOADER_VARIABLES.has(k))),
      dir: code.dir,
      handler: code.handler,
      functionName: code.functionName,
      memoryMb: code.memoryMb,
      arn: `arn:aws:lambda:us-east-1:123456789012:function:${code.functionName}`,
      ...(code.optDir !== undefined ? { optDir: code.optDir } : {}),
    },
    env: withoutKeys(env, (k) => LOADER_VARIABLES.has(k)),
    stdout: true,
    stderr: true,
    // The function's memory_size bounds its heap, as Lambda's does (never below what Node needs to start).
    resourceLimits: { maxOldGenerationSizeMb: Math.max(64, code.memoryMb) },
  });
  pipeLines(worker.stdout, (l) => log(l));
  pipeLines(worker.stderr, (l) => log(l));
  const calls = pendingCalls((message) => worker.postMessage(message));
  worker.on('message', calls.answer);
  worker.on('error', (e) => {
    const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    log(
      `${code.address}: ${oom ? `out of memory (memory_size ${code.memoryMb} MB)` : `the execution environment crashed: ${e.stack ?? e.message}`}`,
    );
    calls.fail(
      oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
      oom ? 'Runtime exited with error: out of memory' : `Runtime exited with error: ${e.message}`,
    );
  });
  worker.on('exit', (exitCode) =>
    calls.fail('Runtime.ExitError', `Runtime exited with error: exit status ${exitCode}`),
  );
  return {
    get alive() {
      return calls.alive;
    },
    invoke: calls.invoke,
    async destroy() {
      calls.end();
      await worker.terminate();
    },
  };
}

// ---- Python ------------------------------------------------------------------------------------------------

/**
 * The Python runner, a file of `src/runtime/preview/`: imports `<module>.<function>` once (the cold start), then
 * answers one JSON line per invocation.
 */
const PYTHON_RUNNER = path.join(RUNTIME_DIR, 'preview', 'python_runner.py');

/**
 * `python` is the interpreter's absolute path, resolved once by the preview (versions.ts, localPython): started by
 * that path with only the preview's own minimal environment, so that nothing of the function (its variables, a
 * `.python-version` in its folder) can choose or configure the interpreter; the function's variables reach its code
 * through the runner, which applies them to `os.environ` before importing the handler.
 */
export function pythonEnvironment(code: LambdaCode, log: LogSink, python: string, sdkDir?: string): Environment {
  // The preview's own environment, all the interpreter starts with: its locale, its PATH, and the library path an
  // interpreter built outside the system folders (conda, a custom build) may need to start, as in this shell.
  const own: Record<string, string> = { LANG: process.env['LANG'] ?? 'C.UTF-8' };
  for (const key of ['PATH', 'LD_LIBRARY_PATH', 'DYLD_LIBRARY_PATH']) {
    const value = process.env[key];
    if (value !== undefined) own[key] = value;
  }
  const settings = {
    dir: code.dir,
    handler: code.handler,
    runtime: code.runtime,
    functionName: code.functionName,
    memoryMb: code.memoryMb,
    // The dynamic loader's variables would change how the programs the code starts load (planFunctions warns);
    // PATH stays the preview's, which found those programs.
    environment: lambdaEnv(
      { ...code, environment: withoutKeys(code.environment, (k) => /^(LD|DYLD)_/.test(k)) },
      { LANG: own['LANG'] },
      { PATH: own['PATH'] },
    ),
    ...(code.optDir !== undefined ? { optDir: code.optDir } : {}),
    ...(sdkDir !== undefined ? { sdkDir } : {}),
  };
  // -I -S: only the task root, the layers, the standard library and the SDK (python_runner.py); -B: no
  // __pycache__ written into the code's folder; -X utf8: Lambda's LANG is en_US.UTF-8.
  const child: ChildProcessWithoutNullStreams = spawn(
    python,
    ['-I', '-S', '-B', '-u', '-X', 'utf8', PYTHON_RUNNER, JSON.stringify(settings)],
    {
      cwd: code.dir,
      env: own,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  pipeLines(child.stderr, (l) => log(l));
  const calls = pendingCalls((message) => child.stdin.write(`${JSON.stringify(message)}\n`));
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    let m: { id: number } & InvokeResult;
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      log(`${code.address}: unreadable answer from python3: ${line.slice(0, 200)}`);
      return;
    }
    calls.answer(m);
  });
  child.on('error', (e) => {
    log(`${code.address}: cannot run ${python}: ${e.message}`);
    calls.fail('Runtime.ExitError', `cannot run ${python}: ${e.message}`);
  });
  child.on('exit', (status, signal) =>
    calls.fail('Runtime.ExitError', `Runtime exited with error: ${signal ?? `exit status ${status}`}`),
  );
  child.stdin.on('error', () => calls.fail('Runtime.ExitError', 'Runtime exited'));
  return {
    get alive() {
      return calls.alive;
    },
    invoke: calls.invoke,
    destroy() {
      calls.end();
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}

function withoutKeys(record: Readonly<Record<string, string>>, drop: (key: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !drop(k)));
}

function pipeLines(stream: NodeJS.ReadableStream, sink: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', sink);
}
