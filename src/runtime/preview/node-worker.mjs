// The worker thread in which `cors-gen preview` runs a module's Node Lambda code (src/preview/lambda/
// environments.ts starts it): it loads the handler once, as the Node runtime does at a cold start, then answers
// one message per invocation. Plain JavaScript, found beside the bundle at run time; the JSDoc types are checked:
// @ts-check
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * What the preview passes to the worker.
 * @typedef {object} WorkerData
 * @property {string} dir the function's code folder (`archive_file.source_dir`)
 * @property {string} handler `<file>.<export>`, e.g. `index.handler`
 * @property {string} functionName
 * @property {number} memoryMb
 * @property {string} arn
 */

/**
 * One invocation, as the preview posts it.
 * @typedef {object} Invocation
 * @property {number} id
 * @property {unknown} event
 * @property {{ awsRequestId: string, deadlineMs: number }} context
 */

/** @typedef {(event: unknown, context: object, callback: (error: unknown, value?: unknown) => void) => unknown} Handler */

const data = /** @type {WorkerData} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {Promise<Handler> | undefined} */
let loaded;

/**
 * Resolves the handler as the Node runtime does: `<file>.<export>`, trying .js, .mjs, .cjs.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 * @returns {Promise<Handler>}
 */
function load() {
  const dot = data.handler.lastIndexOf('.');
  const file = data.handler.slice(0, dot);
  const name = data.handler.slice(dot + 1);
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => path.join(data.dir, file + ext));
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    const looked = candidates.map((c) => path.basename(c)).join(', ');
    return Promise.reject(
      Object.assign(new Error(`Cannot find module ${file} (looked for ${looked})`), {
        name: 'Runtime.ImportModuleError',
      }),
    );
  }
  return import(pathToFileURL(found).href).then((mod) => {
    const fn = mod[name] ?? (mod.default && mod.default[name]);
    if (typeof fn !== 'function') {
      throw Object.assign(new Error(`${path.basename(found)} does not export a function named ${name}`), {
        name: 'Runtime.HandlerNotFound',
      });
    }
    return fn;
  });
}

port.on('message', async (/** @type {Invocation} */ { id, event, context }) => {
  try {
    loaded ??= load();
    const fn = await loaded;
    // The context object of the Node runtime: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
    const ctx = {
      awsRequestId: context.awsRequestId,
      functionName: data.functionName,
      functionVersion: '$LATEST',
      memoryLimitInMB: String(data.memoryMb),
      invokedFunctionArn: data.arn,
      logGroupName: `/aws/lambda/${data.functionName}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
    };
    const result = await new Promise((resolve, reject) => {
      const r = fn(event, ctx, (err, value) => (err ? reject(err) : resolve(value)));
      if (r && typeof (/** @type {PromiseLike<unknown>} */ (r).then) === 'function')
        /** @type {PromiseLike<unknown>} */ (r).then(resolve, reject);
      else if (fn.length < 3) resolve(r);
    });
    const payload = JSON.stringify(result === undefined ? null : result);
    port.postMessage({ id, ok: true, payload: payload === undefined ? 'null' : payload });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    console.error(error.stack || error.message);
    port.postMessage({ id, ok: false, errorType: error.name || 'Error', errorMessage: error.message });
  }
});
