// The worker thread in which `cors-gen preview` runs a module's Node Lambda code (src/preview/lambda/
// environments.ts starts it): it loads the handler once, as the Node runtime does at a cold start, then answers
// one message per invocation. Plain JavaScript, found beside the bundle at run time; the JSDoc types are checked:
// @ts-check
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadHandler } from '../lambda/load-handler.mjs';

/**
 * What the preview passes to the worker.
 * @typedef {object} WorkerData
 * @property {string} dir the function's code folder (`archive_file.source_dir`)
 * @property {string} handler `<file>.<export>`, e.g. `index.handler`
 * @property {string} functionName
 * @property {number} memoryMb
 * @property {string} arn
 * @property {string} [optDir] the staged layers (Lambda's /opt), when the function has layers
 * @property {Record<string, string>} afterStart variables set only now, after the module loader has read the
 *   environment (environments.ts, LOADER_VARIABLES)
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
Object.assign(process.env, data.afterStart);

/** @type {Promise<Handler> | undefined} */
let loaded;

/**
 * Loads the handler as the Node runtime does (load-handler.mjs, the Lambda wrapper's own loader), with the task
 * root at `dir`; a handler under /opt (a layer's file) is looked up in the staged copy of the layers.
 * @returns {Promise<Handler>}
 */
function load() {
  const handler =
    data.optDir !== undefined && data.handler.startsWith('/opt/')
      ? path.join(data.optDir, data.handler.slice('/opt/'.length))
      : data.handler;
  return loadHandler(data.dir, handler).then((fn) => /** @type {Handler} */ (fn));
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
