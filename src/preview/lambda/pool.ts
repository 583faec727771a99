/**
 * Invokes one Lambda function: a bounded set of execution environments (Lambda runs one request per
 * environment at a time and starts more for concurrent requests), a bounded queue in front of them, and the
 * function's `timeout`. Past the queue's limit an invocation is throttled, as Lambda throttles past its
 * concurrency limit, so a flood of requests costs bounded memory.
 */
import path from 'node:path';
import {
  nodeEnvironment,
  pythonEnvironment,
  type Environment,
  type InvokeResult,
  type LambdaCode,
  type LogSink,
} from './environments.js';
import { missingSdkHint } from './runtime-sdk.js';
import { sharedAncestorEntry } from './stage.js';

export interface PoolOptions {
  /** Concurrent execution environments. @default 4 */
  readonly maxEnvironments?: number;
  /** Invocations waiting for an environment before further ones are throttled. @default 1000 */
  readonly maxQueued?: number;
  /**
   * The Python interpreter: the absolute path the preview resolved `python3` to (versions.ts, localPython), which
   * every execution environment of a Python function starts. @default "python3"
   */
  readonly python?: string;
  /** A folder of links to this machine's boto3 and its dependencies (runtime-sdk.ts). @default none */
  readonly pythonSdkDir?: string;
  readonly log?: LogSink;
}

export type PoolResult =
  | InvokeResult
  | {
      readonly ok: false;
      readonly errorType: 'TooManyRequestsException';
      readonly errorMessage: string;
      readonly throttled: true;
    };

export class LambdaPool {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly queue: (() => void)[] = [];
  private closed = false;
  private readonly maxEnvironments: number;
  private readonly maxQueued: number;
  private readonly log: LogSink;

  constructor(
    readonly code: LambdaCode,
    private readonly options: PoolOptions = {},
  ) {
    this.maxEnvironments = options.maxEnvironments ?? 4;
    this.maxQueued = options.maxQueued ?? 1000;
    const log = options.log ?? (() => {});
    let hinted = false;
    this.log = (line) => {
      log(`[${code.functionName}] ${line}`);
      // Once per function: an import of the SDK Lambda provides failed, and why the preview lacks it.
      const hint = hinted ? undefined : missingSdkHint(line, code.runtime, options.pythonSdkDir !== undefined);
      if (hint === undefined) return;
      hinted = true;
      log(`[${code.functionName}] warning: ${hint}`);
    };
  }

  get isPython(): boolean {
    return this.code.runtime.startsWith('python');
  }

  async invoke(event: unknown, awsRequestId: string): Promise<PoolResult> {
    if (this.closed)
      return {
        ok: false,
        errorType: 'TooManyRequestsException',
        errorMessage: 'the preview is shutting down',
        throttled: true,
      };
    const env = await this.acquire();
    if (!env)
      return { ok: false, errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', throttled: true };
    const timeoutMs = this.code.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InvokeResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.code.timeoutSeconds.toFixed(2)} seconds`,
          }),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([
        env.invoke(event, { awsRequestId, deadlineMs: Date.now() + timeoutMs }),
        timedOut,
      ]);
      if (!result.ok && result.errorType === 'Sandbox.Timedout') {
        this.log(`${awsRequestId} ${result.errorMessage}`);
        await this.discard(env);
      }
      return result;
    } finally {
      clearTimeout(timer);
      this.release(env);
    }
  }

  private async acquire(): Promise<Environment | undefined> {
    for (;;) {
      const env = this.idle.pop();
      if (env?.alive) return env;
      if (env) {
        this.all.delete(env);
        continue;
      }
      if (this.all.size < this.maxEnvironments) {
        const shared = this.sharedAncestor();
        if (shared !== undefined) return shared;
        const created = this.isPython
          ? pythonEnvironment(this.code, this.log, this.options.python ?? 'python3', this.options.pythonSdkDir)
          : nodeEnvironment(this.code, this.log);
        this.all.add(created);
        return created;
      }
      if (this.queue.length >= this.maxQueued) return undefined;
      await new Promise<void>((resolve) => this.queue.push(resolve));
      if (this.closed) return undefined;
    }
  }

  /**
   * For staged Node code, a `node_modules` or `package.json` that appeared above the staged copy since the preview
   * started (stage.ts): the cold start fails rather than load it.
   */
  private sharedAncestor(): Environment | undefined {
    if (!this.code.staged || this.isPython) return undefined;
    const found = sharedAncestorEntry(path.dirname(this.code.dir));
    if (found === undefined) return undefined;
    const errorMessage = `${found} appeared in a folder above the staged copy of the code; the preview does not start the function next to it (remove it, or restart the preview with TMPDIR set to a private folder)`;
    this.log(errorMessage);
    return {
      alive: false,
      invoke: () => Promise.resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage }),
      destroy: () => Promise.resolve(),
    };
  }

  private release(env: Environment): void {
    if (env.alive && !this.closed) this.idle.push(env);
    else this.all.delete(env);
    this.queue.shift()?.();
  }

  private async discard(env: Environment): Promise<void> {
    this.all.delete(env);
    await env.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.queue.splice(0)) wake();
    await Promise.all([...this.all].map((e) => e.destroy()));
    this.all.clear();
    this.idle.length = 0;
  }
}
