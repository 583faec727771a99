// The function's entry point when it runs the user's own code (`lambda.source`): this file reaches Lambda in a
// layer (`/opt/nodejs/cors-gen/wrapper.mjs`), the function's `handler` points here, and CORS_GEN_HANDLER carries
// the user's own handler setting ("src/app.handler"). Handler redirection as Datadog's and New Relic's layers
// do it (https://docs.datadoghq.com/serverless/guide/handler_wrapper/; for Node the handler is the absolute
// "/opt/nodejs/node_modules/datadog-lambda-js/handler.handler", with DD_LAMBDA_HANDLER naming the user's,
// https://docs.datadoghq.com/serverless/installation/nodejs/?tab=custom). The Node runtime resolves an absolute
// module root as it is: path.resolve(appRoot, "/opt/...", file) in its UserFunction.js, see load-handler.mjs.
//
// The user's handler is loaded once, at cold start, as the runtime would load it. Every answer then goes through
// cors.mjs: in CORS_MODE "lambda" (REST API) each one carries the CORS headers, including the 500 that answers
// a thrown error and the 500 that answers every request when the handler cannot be loaded (the load error is
// logged with its Runtime.* type, as Lambda would log it).
// @ts-check
import { configFromEnv, createHandler } from './cors.mjs';
import { loadHandler, promiseHandler } from './load-handler.mjs';

/**
 * The user's handler, or the error that loading it raised (rethrown on every invocation).
 * @param {Record<string, string | undefined>} env
 * @returns {Promise<(event: unknown, context: unknown) => Promise<unknown>>}
 */
export async function userHandler(env) {
  const setting = env.CORS_GEN_HANDLER;
  try {
    if (setting === undefined || setting === '')
      throw Object.assign(new Error('CORS_GEN_HANDLER is not set: the module sets it to lambda.handler'), {
        name: 'Runtime.MalformedHandlerName',
      });
    // LAMBDA_TASK_ROOT is where Lambda unpacks the function's zip (/var/task), the root of the handler setting.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
    return promiseHandler(await loadHandler(env.LAMBDA_TASK_ROOT ?? process.cwd(), setting), env.AWS_EXECUTION_ENV);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    console.error(`cors-gen: cannot load the handler ${JSON.stringify(setting)}: ${error.name}: ${error.message}`);
    return () => Promise.reject(error);
  }
}

export const handler = createHandler(await userHandler(process.env), configFromEnv(process.env));
