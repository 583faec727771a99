// Loads the user's Node handler from a handler setting ("src/app.handler") exactly as the Lambda Node runtime does,
// so that code which works behind this wrapper works without it, and the other way round. The rules, and the
// error names, are those of the runtime interface client:
// https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/UserFunction.js
// - a handler containing ".." is refused (Runtime.MalformedHandlerName);
// - the folders before the last "/" are the module root, resolved against the task root (an absolute module root
//   stays absolute: that is how a layer's "/opt/..." handler works);
// - in the last part, the file is what comes before the first ".", the rest is a path of nested exports;
// - the file is tried extensionless (require), then ".js" with require unless the nearest package.json says
//   "type": "module", then ".js" with import when it does, ".mjs" with import, ".cjs" with require, then
//   Node's own resolution from the task root (a package in node_modules); never TypeScript, which Lambda runs
//   only as the JavaScript a build emits (https://docs.aws.amazon.com/lambda/latest/dg/lambda-typescript.html);
// - a missing module is Runtime.ImportModuleError, a syntax error Runtime.UserCodeSyntaxError, a missing or
//   non-function export Runtime.HandlerNotFound.
// Plain JavaScript so that Lambda runs it as it is; the JSDoc types are checked by TypeScript:
// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

/**
 * An error whose `name` is the runtime's error type (what Lambda reports as `errorType`).
 * @param {string} type
 * @param {string} message
 * @param {unknown} [cause]
 */
function runtimeError(type, message, cause) {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = type;
  return error;
}

/**
 * Whether the nearest package.json at or above `folder` has `"type": "module"`; a folder ending in
 * `/node_modules` or the file system's root ends the search with false.
 * @param {string} folder
 * @returns {boolean}
 */
function folderIsModule(folder) {
  if (folder.endsWith(`${path.sep}node_modules`)) return false;
  const pj = path.join(folder, 'package.json');
  if (existsSync(pj)) {
    try {
      const pkg = JSON.parse(readFileSync(pj, 'utf8'));
      if (pkg) return pkg.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  const parent = path.dirname(folder);
  return parent === folder ? false : folderIsModule(parent);
}

/**
 * @param {string} file
 * @param {string} extension
 */
function tryRequire(file, extension) {
  const full = file + extension;
  return existsSync(full) ? createRequire(full)(full) : undefined;
}

/**
 * @param {string} file
 * @param {string} extension
 */
async function tryImport(file, extension) {
  const full = file + extension;
  return existsSync(full) ? await import(pathToFileURL(full).href) : undefined;
}

/**
 * @param {string} appRoot
 * @param {string} moduleRoot
 * @param {string} module
 * @returns {Promise<unknown>}
 */
async function loadModule(appRoot, moduleRoot, module) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequire(lambdaStylePath, '');
  if (extensionless) return extensionless;
  const esm = folderIsModule(path.dirname(lambdaStylePath));
  if (!esm) {
    const loaded = tryRequire(lambdaStylePath, '.js');
    if (loaded) return loaded;
  }
  const loaded =
    (esm && (await tryImport(lambdaStylePath, '.js'))) ||
    (await tryImport(lambdaStylePath, '.mjs')) ||
    tryRequire(lambdaStylePath, '.cjs');
  if (loaded) return loaded;
  // Node's own resolution, from the task root and the module root (a handler in a package of node_modules).
  const require = createRequire(path.join(appRoot, 'noop.js'));
  return require(require.resolve(module, { paths: [appRoot, moduleRoot] }));
}

/**
 * The user's handler function for a handler setting, resolved inside `appRoot` (the task root, /var/task).
 * @param {string} appRoot
 * @param {string} fullHandlerString e.g. "app.handler", "src/app.handler", "app.routes.get"
 * @returns {Promise<Function>}
 */
export async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..'))
    throw runtimeError(
      'Runtime.MalformedHandlerName',
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  const match = handlerString.match(FUNCTION_EXPR);
  if (!match || match.length !== 3) throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, module = '', handlerPath = ''] = match;
  /** @type {unknown} */
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    const code = /** @type {{ code?: unknown }} */ (e)?.code;
    if (code === 'MODULE_NOT_FOUND') throw runtimeError('Runtime.ImportModuleError', `Error: ${String(e)}`, e);
    throw e;
  }
  /** @type {unknown} */
  const fn = handlerPath
    .split('.')
    .reduce((/** @type {any} */ nested, key) => nested && nested[key], /** @type {any} */ (app));
  if (!fn) throw runtimeError('Runtime.HandlerNotFound', `${fullHandlerString} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${fullHandlerString} is not a function`);
  return fn;
}

/**
 * A Lambda handler as a function of (event, context) that returns a promise: async handlers as they are, and
 * callback handlers (three parameters) through their callback on nodejs22.x. From Node.js 24 the runtime refuses
 * a handler that takes three parameters (src/function/callback-deprecation.ts of the runtime interface client,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html), and so does this.
 * @param {Function} fn
 * @param {string | undefined} executionEnv AWS_EXECUTION_ENV, e.g. "AWS_Lambda_nodejs22.x"
 * @returns {(event: unknown, context: unknown) => Promise<unknown>}
 */
export function promiseHandler(fn, executionEnv) {
  const major = Number(/^AWS_Lambda_nodejs(\d+)/.exec(executionEnv ?? '')?.[1] ?? 0);
  if (fn.length >= 3 && major >= 24)
    throw runtimeError(
      'Runtime.CallbackHandlerDeprecated',
      'AWS Lambda has removed support for callback-based function handlers starting with Node.js 24; use an async handler (event, context)',
    );
  return (event, context) =>
    new Promise((resolve, reject) => {
      const returned = fn(event, context, (/** @type {unknown} */ error, /** @type {unknown} */ value) =>
        error ? reject(error) : resolve(value),
      );
      if (returned && typeof (/** @type {PromiseLike<unknown>} */ (returned).then) === 'function')
        /** @type {PromiseLike<unknown>} */ (returned).then(resolve, reject);
      else if (fn.length < 3) resolve(returned);
    });
}
