/**
 * The module's `aws_lambda_function` resources as code the preview can run: the folder the `archive_file` zips,
 * the handler, the runtime and the evaluated environment variables; and the `aws_lambda_permission` check
 * API Gateway and Function URLs make before invoking (a missing permission fails on AWS, so it fails here).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HclValue } from '../../terraform/expression/ast.js';
import { ModuleError } from '../errors.js';
import type { ModuleResolver } from '../module/resolve.js';
import type { LambdaCode, LogSink } from './environments.js';
import { LambdaPool } from './pool.js';

/** Arguments of aws_lambda_function that change nothing the preview emulates, or that it emulates. */
const LAMBDA_ARGUMENTS = new Set([
  'function_name', 'role', 'handler', 'runtime', 'filename', 'source_code_hash', 'memory_size', 'timeout', 'environment',
  'tags', 'description', 'architectures', 'publish', 'logging_config', 'tracing_config', 'ephemeral_storage',
  'reserved_concurrent_executions', 'skip_destroy', 'region', 'timeouts', 'code_sha256', 'dead_letter_config', 'kms_key_arn',
]);

export interface ModuleFunction {
  readonly address: string;
  readonly code: LambdaCode;
  readonly pool: LambdaPool;
  /** The values API Gateway's `uri` and a permission's `function_name` may hold for this function. */
  readonly invokeArn: string;
  readonly names: ReadonlySet<string>;
}

export function moduleFunctions(r: ModuleResolver, options: { log: LogSink; maxEnvironments?: number; maxQueued?: number; python?: string }): Map<string, ModuleFunction> {
  const out = new Map<string, ModuleFunction>();
  for (const block of r.ofType('aws_lambda_function')) {
    const { address, file } = block;
    for (const arg of Object.keys(block.body)) {
      if (!LAMBDA_ARGUMENTS.has(arg) && !['depends_on', 'lifecycle', 'provider'].includes(arg)) {
        throw new ModuleError(`"${arg}" is not supported by the preview (it runs zip-packaged Node and Python functions)`, { file, address: `${address}.${arg}` });
      }
    }
    const str = (attr: string, fallback?: string): string => {
      const v = attr in block.body || fallback === undefined ? r.attribute(address, attr) : fallback;
      if (typeof v !== 'string') throw new ModuleError(`${attr} must be a string`, { file, address: `${address}.${attr}` });
      return v;
    };
    const num = (attr: string, fallback: number): number => {
      const v = r.optional(address, attr, fallback);
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ModuleError(`${attr} must be a positive number`, { file, address: `${address}.${attr}` });
      return v;
    };
    const runtime = str('runtime');
    if (!/^(nodejs|python)\d/.test(runtime)) throw new ModuleError(`runtime "${runtime}" is not one the preview runs (nodejs*, python*)`, { file, address: `${address}.runtime` });
    const handler = str('handler');
    if (!/^[A-Za-z0-9_./-]+\.[A-Za-z_$][A-Za-z0-9_$]*$/.test(handler)) throw new ModuleError(`handler "${handler}" is not "<file>.<function>"`, { file, address: `${address}.handler` });
    const environment: Record<string, string> = {};
    const vars = r.nested(address, 'environment')?.['variables'];
    if (vars !== undefined && vars !== null) {
      if (typeof vars !== 'object' || Array.isArray(vars)) throw new ModuleError('environment.variables must be a map', { file, address: `${address}.environment` });
      for (const [k, v] of Object.entries(vars as Record<string, HclValue>)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ModuleError(`environment variable ${k} is not a string`, { file, address: `${address}.environment.variables` });
        environment[k] = String(v);
      }
    }
    const functionName = str('function_name');
    const code: LambdaCode = {
      address,
      functionName,
      dir: codeDir(r, address, str('filename')),
      handler,
      runtime,
      environment,
      timeoutSeconds: num('timeout', 3),
      memoryMb: num('memory_size', 128),
    };
    const invokeArn = r.attribute(address, 'invoke_arn') as string;
    const arn = r.attribute(address, 'arn') as string;
    out.set(address, {
      address,
      code,
      pool: new LambdaPool(code, { log: options.log, ...(options.maxEnvironments ? { maxEnvironments: options.maxEnvironments } : {}), ...(options.maxQueued ? { maxQueued: options.maxQueued } : {}), ...(options.python ? { python: options.python } : {}) }),
      invokeArn,
      names: new Set([functionName, arn, `${arn}:$LATEST`]),
    });
  }
  return out;
}

/** The folder a function's zip is built from: the `archive_file` whose `output_path` is the function's `filename`. */
function codeDir(r: ModuleResolver, address: string, filename: string): string {
  for (const data of r.doc.data.values()) {
    if (data.type !== 'archive_file') continue;
    if (r.attribute(data.address, 'output_path') !== filename) continue;
    const source = r.optional(data.address, 'source_dir');
    if (typeof source !== 'string') throw new ModuleError('the preview runs an archive_file built from source_dir', { file: data.file, address: data.address });
    const dir = path.resolve(r.doc.dir, source);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModuleError(`source_dir ${source} is not a folder`, { file: data.file, address: `${data.address}.source_dir` });
    return dir;
  }
  throw new ModuleError(`filename ${JSON.stringify(filename)} is not the output_path of an archive_file in the module; the preview runs code it can find`, { address: `${address}.filename` });
}

/**
 * Whether a service may invoke the function, as Lambda's resource policy decides: an `aws_lambda_permission` for
 * the function, with the action, the principal and (when set) a `source_arn` pattern that matches.
 */
export function permitted(r: ModuleResolver, fn: ModuleFunction, request: { principal: string; actions: readonly string[]; sourceArn?: string; functionUrlAuthType?: string; viaFunctionUrl?: boolean }): boolean {
  for (const p of r.ofType('aws_lambda_permission')) {
    const name = r.attribute(p.address, 'function_name');
    if (typeof name !== 'string' || !fn.names.has(name)) continue;
    const action = r.attribute(p.address, 'action');
    if (typeof action !== 'string' || !(request.actions.includes(action) || action === 'lambda:*')) continue;
    const principal = r.attribute(p.address, 'principal');
    if (principal !== request.principal && principal !== '*') continue;
    const sourceArn = r.optional(p.address, 'source_arn');
    if (sourceArn !== null && (request.sourceArn === undefined || typeof sourceArn !== 'string' || !arnGlob(sourceArn).test(request.sourceArn))) continue;
    const authType = r.optional(p.address, 'function_url_auth_type');
    if (authType !== null && authType !== request.functionUrlAuthType) continue;
    // A grant limited to calls through the function URL (provider >= 6.28) does not let anything else in.
    if (r.optional(p.address, 'invoked_via_function_url') === true && !request.viaFunctionUrl) continue;
    return true;
  }
  return false;
}

/** An IAM ARN pattern: `*` any run of characters (slashes included), `?` one character. */
function arnGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}
