/**
 * Execution environments for the module's Lambda code, run for real: Node code in a worker thread (its own
 * module graph, `process.env` and heap limit), Python code in a long-lived `python3` child process that speaks
 * JSON lines. One environment serves one invocation at a time and keeps its module state between invocations,
 * like a warm Lambda container; a crash or a timeout discards it, and the next invocation starts a new one
 * (a cold start).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';

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

/** The variables Lambda sets in every execution environment, then the module's own. */
export function lambdaEnv(code: LambdaCode, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    AWS_LAMBDA_FUNCTION_NAME: code.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(code.memoryMb),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: `AWS_Lambda_${code.runtime}`,
    LAMBDA_TASK_ROOT: code.dir,
    ...extra,
    ...code.environment,
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
      resolve?.(m.ok ? { ok: true, payload: m.payload } : { ok: false, errorType: m.errorType, errorMessage: m.errorMessage });
    },
    invoke(event: unknown, context: InvokeContext): Promise<InvokeResult> {
      if (!alive) return Promise.resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: 'the execution environment has ended' });
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ id, event, context });
      });
    },
  };
}

// ---- Node --------------------------------------------------------------------------------------------------

/**
 * The worker's code (CommonJS, run with `eval`, so it works from TypeScript sources and from dist alike). It
 * resolves the handler as the Node runtime does: `<file>.<export>`, trying .js, .mjs, .cjs.
 */
const NODE_WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
let loaded;
function load() {
  const dot = workerData.handler.lastIndexOf('.');
  const file = workerData.handler.slice(0, dot);
  const name = workerData.handler.slice(dot + 1);
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => path.join(workerData.dir, file + ext));
  const found = candidates.find((f) => existsSync(f));
  if (!found) return Promise.reject(Object.assign(new Error('Cannot find module ' + file + ' (looked for ' + candidates.map((c) => path.basename(c)).join(', ') + ')'), { name: 'Runtime.ImportModuleError' }));
  return import(pathToFileURL(found).href).then((mod) => {
    const fn = mod[name] ?? (mod.default && mod.default[name]);
    if (typeof fn !== 'function') throw Object.assign(new Error(path.basename(found) + ' does not export a function named ' + name), { name: 'Runtime.HandlerNotFound' });
    return fn;
  });
}
parentPort.on('message', async ({ id, event, context }) => {
  try {
    loaded ??= load();
    const fn = await loaded;
    const ctx = {
      awsRequestId: context.awsRequestId,
      functionName: workerData.functionName,
      functionVersion: '$LATEST',
      memoryLimitInMB: String(workerData.memoryMb),
      invokedFunctionArn: workerData.arn,
      logGroupName: '/aws/lambda/' + workerData.functionName,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
    };
    const result = await new Promise((resolve, reject) => {
      const r = fn(event, ctx, (err, value) => (err ? reject(err) : resolve(value)));
      if (r && typeof r.then === 'function') r.then(resolve, reject);
      else if (fn.length < 3) resolve(r);
    });
    const payload = JSON.stringify(result === undefined ? null : result);
    parentPort.postMessage({ id, ok: true, payload: payload === undefined ? 'null' : payload });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    console.error(error.stack || error.message);
    parentPort.postMessage({ id, ok: false, errorType: error.name || 'Error', errorMessage: error.message });
  }
});
`;

export function nodeEnvironment(code: LambdaCode, log: LogSink): Environment {
  const worker = new Worker(NODE_WORKER, {
    eval: true,
    workerData: { dir: code.dir, handler: code.handler, functionName: code.functionName, memoryMb: code.memoryMb, arn: `arn:aws:lambda:us-east-1:123456789012:function:${code.functionName}` },
    env: lambdaEnv(code),
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
    log(`${code.address}: ${oom ? `out of memory (memory_size ${code.memoryMb} MB)` : `the execution environment crashed: ${e.stack ?? e.message}`}`);
    calls.fail(oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError', oom ? 'Runtime exited with error: out of memory' : `Runtime exited with error: ${e.message}`);
  });
  worker.on('exit', (exitCode) => calls.fail('Runtime.ExitError', `Runtime exited with error: exit status ${exitCode}`));
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
 * The Python runner: imports `<module>.<function>` once (the cold start), then answers one JSON line per
 * invocation on the original stdout. The handler's own prints go to stderr, so they cannot corrupt the channel.
 */
export const PYTHON_RUNNER = String.raw`
import importlib, json, os, sys, time, traceback
channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr
code_dir, handler_spec, function_name, memory = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, code_dir)
module_name, _, function = handler_spec.rpartition(".")
handler, init_error = None, None
try:
    handler = getattr(importlib.import_module(module_name), function)
except Exception as error:
    traceback.print_exc()
    init_error = {"errorType": "Runtime.ImportModuleError", "errorMessage": "Unable to import module '%s': %s" % (module_name, error)}

class Context:
    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
        self.log_group_name = "/aws/lambda/" + function_name
        self._deadline_ms = deadline_ms
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

for line in sys.stdin:
    request = json.loads(line)
    answer = {"id": request["id"]}
    if init_error is not None:
        answer.update(ok=False, **init_error)
    else:
        try:
            result = handler(request["event"], Context(request["context"]["awsRequestId"], request["context"]["deadlineMs"]))
            answer.update(ok=True, payload=json.dumps(result))
        except Exception as error:
            traceback.print_exc()
            answer.update(ok=False, errorType=type(error).__name__, errorMessage=str(error))
    channel.write(json.dumps(answer) + "\n")
    channel.flush()
`;

export function pythonEnvironment(code: LambdaCode, log: LogSink, python = 'python3'): Environment {
  const child: ChildProcessWithoutNullStreams = spawn(python, ['-u', '-c', PYTHON_RUNNER, code.dir, code.handler, code.functionName, String(code.memoryMb)], {
    cwd: code.dir,
    env: lambdaEnv(code, { PATH: process.env['PATH'], LANG: process.env['LANG'] ?? 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
  child.on('exit', (status, signal) => calls.fail('Runtime.ExitError', `Runtime exited with error: ${signal ?? `exit status ${status}`}`));
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

function pipeLines(stream: NodeJS.ReadableStream, sink: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', sink);
}
