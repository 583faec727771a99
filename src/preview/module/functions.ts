/**
 * The module's `aws_lambda_function` resources as plain data the preview can run: the folder the `archive_file`
 * zips, the handler, the runtime and the evaluated environment variables; and the function's resource policy
 * (its `aws_lambda_permission` resources), which API Gateway and Function URLs check before invoking (a missing
 * permission fails on AWS, so it fails here).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HclValue } from '../../terraform/expression/ast.js';
import { asBody, asList } from '../../terraform/document.js';
import { ENV_NAME, RESERVED_ENV_NAMES } from '../../spec/lambda-config.js';
import { LAMBDA_HANDLER } from '../../spec/schema.js';
import { repositoryRoot } from '../../spec/spec-paths.js';
import { ModuleError } from '../errors.js';
import type { LambdaCode } from '../lambda/environments.js';
import type { PoolResult } from '../lambda/pool.js';
import { arn, PREVIEW_REGION, stringArgument, type ComputedAttributes } from './attributes.js';
import type { AddressedBlock } from './load.js';
import type { ModuleResolver } from './resolve.js';

/** Arguments of aws_lambda_function that change nothing the preview emulates, or that it emulates. */
const LAMBDA_ARGUMENTS = new Set([
  'function_name',
  'role',
  'handler',
  'runtime',
  'filename',
  'source_code_hash',
  'memory_size',
  'timeout',
  'environment',
  'tags',
  'description',
  'architectures',
  'publish',
  'logging_config',
  'tracing_config',
  'ephemeral_storage',
  'reserved_concurrent_executions',
  'skip_destroy',
  'region',
  'timeouts',
  'code_sha256',
  'dead_letter_config',
  'kms_key_arn',
  'layers',
  'vpc_config',
  'dynamic',
]);

/**
 * Attributes Lambda computes:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function#attribute-reference.
 */
export const lambdaAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_lambda_function: (r, block, attr) => {
    const functionArn = () => arn('lambda', `function:${stringArgument(r, block, 'function_name')}`);
    if (attr === 'arn') return functionArn();
    if (attr === 'invoke_arn')
      return `arn:aws:apigateway:${PREVIEW_REGION}:lambda:path/2015-03-31/functions/${functionArn()}/invocations`;
    if (attr === 'qualified_arn') return `${functionArn()}:$LATEST`;
    if (attr === 'version') return '$LATEST';
    return undefined;
  },
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_layer_version#attribute-reference
  aws_lambda_layer_version: (r, block, attr) => {
    const layerArn = () => arn('lambda', `layer:${stringArgument(r, block, 'layer_name')}`);
    if (attr === 'layer_arn') return layerArn();
    if (attr === 'arn') return `${layerArn()}:1`;
    if (attr === 'version') return '1';
    return undefined;
  },
};

/** One statement of a function's resource policy, evaluated. */
export interface LambdaPermission {
  readonly address: string;
  readonly action: HclValue;
  readonly principal: HclValue;
  readonly sourceArn: HclValue;
  readonly functionUrlAuthType: HclValue;
  readonly invokedViaFunctionUrl: HclValue;
}

export interface FunctionModel {
  readonly address: string;
  readonly code: LambdaCode;
  /** The values API Gateway's `uri` and a permission's `function_name` may hold for this function. */
  readonly invokeArn: string;
  readonly names: ReadonlySet<string>;
  /** The `aws_lambda_permission` resources whose `function_name` names this function. */
  readonly permissions: readonly LambdaPermission[];
}

export function planFunctions(r: ModuleResolver): Map<string, FunctionModel> {
  const permissions = lambdaPermissions(r);
  const out = new Map<string, FunctionModel>();
  for (const block of r.ofType('aws_lambda_function')) {
    const { address, file } = block;
    for (const arg of Object.keys(block.body)) {
      if (!LAMBDA_ARGUMENTS.has(arg) && !['depends_on', 'lifecycle', 'provider'].includes(arg)) {
        throw new ModuleError(
          `"${arg}" is not supported by the preview (it runs zip-packaged Node and Python functions)`,
          { file, address: `${address}.${arg}` },
        );
      }
    }
    const str = (attr: string): string => {
      const v = r.attribute(address, attr);
      if (typeof v !== 'string')
        throw new ModuleError(`${attr} must be a string`, { file, address: `${address}.${attr}` });
      return v;
    };
    const num = (attr: string, fallback: number): number => {
      const v = r.optional(address, attr, fallback);
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
        throw new ModuleError(`${attr} must be a positive number`, { file, address: `${address}.${attr}` });
      return v;
    };
    const runtime = str('runtime');
    if (!/^(nodejs|python)\d/.test(runtime))
      throw new ModuleError(`runtime "${runtime}" is not one the preview runs (nodejs*, python*)`, {
        file,
        address: `${address}.runtime`,
      });
    const handler = str('handler');
    if (!/^[A-Za-z0-9_./-]+\.[A-Za-z_$][A-Za-z0-9_$]*$/.test(handler))
      throw new ModuleError(`handler "${handler}" is not "<file>.<function>"`, { file, address: `${address}.handler` });
    const layers = layerDirs(r, address, file);
    // A Node handler may name a file of a layer by its absolute path under /opt, where Lambda extracts layers
    // (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html); the preview maps /opt to its copy.
    const inLayer = layers.length > 0 && handler.startsWith('/opt/') && !runtime.startsWith('python');
    // Lambda resolves the file part inside the deployment package (LAMBDA_TASK_ROOT); a path that starts with
    // "/" or holds "." or ".." segments would make the preview load a file the zip cannot contain.
    // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
    if (
      handler
        .slice(inLayer ? '/opt/'.length : 0, handler.lastIndexOf('.'))
        .split('/')
        .some((s) => s === '' || s === '.' || s === '..')
    ) {
      throw new ModuleError(
        `handler "${handler}" leaves source_dir; name a file inside it, e.g. "index.handler" or "src/index.handler"`,
        { file, address: `${address}.handler` },
      );
    }
    const environment: Record<string, string> = {};
    const vars = r.nested(address, 'environment')?.['variables'];
    if (vars !== undefined && vars !== null) {
      if (typeof vars !== 'object' || Array.isArray(vars))
        throw new ModuleError('environment.variables must be a map', { file, address: `${address}.environment` });
      for (const [k, v] of Object.entries(vars as Record<string, HclValue>)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          throw new ModuleError(`environment variable ${k} is not a string`, {
            file,
            address: `${address}.environment.variables`,
          });
        environment[k] = String(v);
      }
    }
    checkEnvironment(r, block, runtime, environment);
    checkPreconditions(r, block);
    checkPlacement(r, block);
    const functionName = str('function_name');
    const { dir, staged } = codeDir(r, address, str('filename'), layers.length > 0);
    // The handler's file itself may be a symlink out of the folder; the runtime would follow it. (A staged
    // folder is copied, links checked, by src/preview/lambda/stage.ts.)
    const base = handler.slice(0, handler.lastIndexOf('.'));
    const extensions = runtime.startsWith('python') ? ['.py'] : ['.js', '.mjs', '.cjs'];
    for (const ext of staged || inLayer ? [] : extensions) {
      const candidate = path.join(dir, base + ext);
      if (existsSync(candidate) && !isInside(dir, realpathSync(candidate))) {
        throw new ModuleError(
          `handler "${handler}": ${base}${ext} is a symlink to a file outside the module folder; the preview runs only code inside the module`,
          { file, address: `${address}.handler` },
        );
      }
    }
    const code: LambdaCode = {
      address,
      functionName,
      dir,
      handler,
      runtime,
      environment,
      timeoutSeconds: num('timeout', 3),
      memoryMb: num('memory_size', 128),
      ...(layers.length > 0 ? { staged: { layers } } : {}),
    };
    const functionArn = r.attribute(address, 'arn') as string;
    const names = new Set([functionName, functionArn, `${functionArn}:$LATEST`]);
    out.set(address, {
      address,
      code,
      invokeArn: r.attribute(address, 'invoke_arn') as string,
      names,
      permissions: permissions
        .filter((p) => typeof p.functionName === 'string' && names.has(p.functionName))
        .map((p) => p.permission),
    });
  }
  return out;
}

/**
 * The evaluated `environment.variables`, as Lambda and the CORS wrapper would take them. Lambda refuses names that
 * are not `[a-zA-Z]([a-zA-Z0-9_])+` and the names it sets itself (`LAMBDA_TASK_ROOT`, `AWS_REGION`, ...: "The keys
 * for these environment variables are reserved and cannot be set in your function configuration",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime), so a
 * module that sets one fails at apply, and here: in the preview it would move the task root the wrapper loads
 * from. CORS_GEN_HANDLER is the user's handler, which the wrapper resolves against the task root: a path that is
 * absolute or climbs with ".." would load a file outside the function's code, which the zip cannot contain.
 * Variables that change how this machine starts `python3` (PATH, LD_*, DYLD_*) are not applied to it (warned).
 */
function checkEnvironment(
  r: ModuleResolver,
  block: AddressedBlock,
  runtime: string,
  environment: Readonly<Record<string, string>>,
): void {
  const where = { file: block.file, address: `${block.address}.environment.variables` };
  const names = Object.keys(environment);
  const invalid = names.filter((k) => !ENV_NAME.test(k));
  if (invalid.length > 0)
    throw new ModuleError(
      `environment variable ${invalid.map((k) => JSON.stringify(k)).join(', ')}: Lambda refuses names that do not match [a-zA-Z]([a-zA-Z0-9_])+`,
      where,
      { code: 'environment-name', fix: 'rename it: a letter, then letters, digits or "_"' },
    );
  const reserved = names.filter((k) => RESERVED_ENV_NAMES.includes(k));
  if (reserved.length > 0)
    throw new ModuleError(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      where,
      {
        code: 'environment-reserved',
        fix: `remove ${reserved.join(', ')}: Lambda sets it in every execution environment`,
      },
    );
  const handler = environment['CORS_GEN_HANDLER'];
  if (handler !== undefined && !LAMBDA_HANDLER.test(handler))
    throw new ModuleError(
      `CORS_GEN_HANDLER ${JSON.stringify(handler)} is not a handler inside the function's code ("<file>.<export>", folders separated by "/", no leading "/" and no ".."); the preview runs only code inside the module's source folder`,
      where,
      {
        code: 'handler-outside',
        fix: 'set lambda.handler in the spec (e.g. "src/app.handler") and run cors-gen generate instead of editing main.tf',
      },
    );
  if (runtime.startsWith('python'))
    for (const k of names.filter((n) => n === 'PATH' || /^(LD|DYLD)_/.test(n)))
      r.warnings.push(
        `${block.address} sets ${k}; the preview does not apply it to this machine's python3 (it would change which programs and libraries it loads), your code sees the preview's own`,
      );
}

/** The function's `lifecycle` preconditions, which `terraform plan` checks before anything is created. */
function checkPreconditions(r: ModuleResolver, block: AddressedBlock): void {
  const conditions = asList(block.body['lifecycle']).flatMap((l) => asList(asBody(l)['precondition']));
  conditions.forEach((c, i) => {
    const where = { file: block.file, address: `${block.address}.lifecycle.precondition[${i}]` };
    const { condition, error_message: message } = asBody(c);
    if (condition === undefined) return;
    if (r.evalRaw(condition, where) !== true)
      throw new ModuleError(
        `precondition failed: ${typeof message === 'string' ? message : 'its condition is false'}`,
        where,
      );
  });
}

/**
 * The folders of the function's layers, in order: each entry of `layers` must be the `arn` of an
 * `aws_lambda_layer_version` of the module, built by an `archive_file` from a folder inside the module. A layer
 * from elsewhere (an ARN the caller passes) holds code the preview does not have.
 */
function layerDirs(r: ModuleResolver, address: string, file: string): string[] {
  const value = r.optional(address, 'layers', []);
  if (!Array.isArray(value))
    throw new ModuleError('layers must be a list of layer version ARNs', { file, address: `${address}.layers` });
  return value.map((arnValue) => {
    const layer = r.ofType('aws_lambda_layer_version').find((l) => r.attribute(l.address, 'arn') === arnValue);
    if (!layer)
      throw new ModuleError(
        `layer ${JSON.stringify(arnValue)} is not built by this module; the preview runs only layers whose code the module holds`,
        { file, address: `${address}.layers` },
        { fix: "run the preview with --var 'layers=[]' if your code runs without them" },
      );
    const filename = r.attribute(layer.address, 'filename');
    if (typeof filename !== 'string')
      throw new ModuleError('filename must be a string', { file: layer.file, address: `${layer.address}.filename` });
    const { dir, staged } = codeDir(r, layer.address, filename, false);
    if (staged) throw new ModuleError('a layer is built from a folder of the module', { address: layer.address });
    return dir;
  });
}

/**
 * A VPC, as the module's inputs set it, only changes what the function can reach on the network (the preview runs
 * it on this machine's): reported. (Layers the module does not build are refused by layerDirs.)
 */
function checkPlacement(r: ModuleResolver, block: AddressedBlock): void {
  const { file, address } = block;
  const dynamic = asBody(block.body['dynamic'])['vpc_config'];
  const forEach = dynamic === undefined ? undefined : asBody(asList(dynamic)[0])['for_each'];
  const items =
    forEach === undefined ? [] : r.evalRaw(forEach, { file, address: `${address}.dynamic.vpc_config.for_each` });
  const repeated = Array.isArray(items)
    ? items.length
    : items !== null && typeof items === 'object'
      ? Object.keys(items).length
      : 0;
  if (block.body['vpc_config'] !== undefined || repeated > 0)
    r.warnings.push(`${address} runs in a VPC on AWS; the preview runs it with this machine's network`);
}

/**
 * The folder a function's zip is built from: the `archive_file` whose `output_path` is the function's `filename`.
 * Inside the module folder, or, for a function with layers (the user's own code, `lambda_source_dir`), anywhere
 * inside the repository that holds the module; such a folder is `staged`: the preview runs a copy of it.
 */
function codeDir(
  r: ModuleResolver,
  address: string,
  filename: string,
  mayLeaveModule: boolean,
): { dir: string; staged: boolean } {
  for (const data of r.doc.data.values()) {
    if (data.type !== 'archive_file') continue;
    if (r.attribute(data.address, 'output_path') !== filename) continue;
    const source = r.optional(data.address, 'source_dir');
    if (typeof source !== 'string')
      throw new ModuleError('the preview runs an archive_file built from source_dir', {
        file: data.file,
        address: data.address,
      });
    const dir = path.resolve(r.doc.dir, source);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new ModuleError(
        `source_dir ${source} is not a folder`,
        { file: data.file, address: `${data.address}.source_dir` },
        // The user's own code (lambda.source) is often a build output that validate and generate let pass
        // unbuilt; a folder of the module is written by generate.
        mayLeaveModule
          ? {
              code: 'lambda-source-missing',
              fix: 'build it (your build writes that folder), then run "cors-gen preview" again',
            }
          : { fix: 'run "cors-gen generate" to write the module again, then run "cors-gen preview" again' },
      );
    // The module folder is as untrusted as the rest of the repository: the preview runs only code it holds,
    // compared as real paths so that neither ".." nor a symlinked folder leads elsewhere.
    const root = realpathSync(r.doc.dir);
    const real = realpathSync(dir);
    const repository = realpathSync(repositoryRoot(root));
    if (mayLeaveModule && !isInside(root, real) && (real === repository || isInside(repository, real)))
      return { dir: real, staged: true };
    if (real !== root && !isInside(root, real)) {
      throw new ModuleError(
        `source_dir ${JSON.stringify(source)} is outside the module folder (it resolves to ${real}); the preview runs only code inside the module`,
        {
          file: data.file,
          address: `${data.address}.source_dir`,
        },
      );
    }
    return { dir: real, staged: false };
  }
  throw new ModuleError(
    `filename ${JSON.stringify(filename)} is not the output_path of an archive_file in the module; the preview runs code it can find`,
    { address: `${address}.filename` },
  );
}

/** Whether the real path `real` is strictly inside the real folder `root`. */
function isInside(root: string, real: string): boolean {
  return real.startsWith(`${root}${path.sep}`);
}

/**
 * Whether a service may invoke the function, as Lambda's resource policy decides: a permission with the action,
 * the principal and (when set) a `source_arn` pattern that matches
 * (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
 */
/** Every aws_lambda_permission of the module, with the function it names (a name or an ARN, as written). */
export function lambdaPermissions(r: ModuleResolver): Array<{ functionName: unknown; permission: LambdaPermission }> {
  return r.ofType('aws_lambda_permission').map((p) => ({
    functionName: r.attribute(p.address, 'function_name'),
    permission: {
      address: p.address,
      action: r.attribute(p.address, 'action'),
      principal: r.attribute(p.address, 'principal'),
      sourceArn: r.optional(p.address, 'source_arn'),
      functionUrlAuthType: r.optional(p.address, 'function_url_auth_type'),
      invokedViaFunctionUrl: r.optional(p.address, 'invoked_via_function_url'),
    },
  }));
}

export function permitted(
  fn: Pick<FunctionModel, 'permissions'>,
  request: {
    principal: string;
    actions: readonly string[];
    sourceArn?: string;
    functionUrlAuthType?: string;
    viaFunctionUrl?: boolean;
  },
): boolean {
  return fn.permissions.some((p) => {
    if (typeof p.action !== 'string' || !(request.actions.includes(p.action) || p.action === 'lambda:*')) return false;
    if (p.principal !== request.principal && p.principal !== '*') return false;
    if (
      p.sourceArn !== null &&
      (request.sourceArn === undefined ||
        typeof p.sourceArn !== 'string' ||
        !arnGlob(p.sourceArn).test(request.sourceArn))
    )
      return false;
    if (p.functionUrlAuthType !== null && p.functionUrlAuthType !== request.functionUrlAuthType) return false;
    // A grant limited to calls through the function URL (provider >= 6.28) does not let anything else in.
    return !(p.invokedViaFunctionUrl === true && !request.viaFunctionUrl);
  });
}

/** An IAM ARN pattern: `*` any run of characters (slashes included), `?` one character. */
function arnGlob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** How an emulator runs a function of the model: the running preview's execution environments. */
export interface FunctionRuntime {
  invoke(fn: FunctionModel, event: unknown, requestId: string): Promise<PoolResult>;
  readonly log: (line: string) => void;
}
