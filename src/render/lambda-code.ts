import type { CorsModel, Runtime } from '../spec/model.js';
import { isPythonRuntime } from '../spec/model.js';
import { displaySpecFile } from './escape.js';
import { render } from './templates.js';

/** The Lambda code of a module, keyed by paths relative to the module folder (`lambda/index.mjs`, ...). */
export interface LambdaFiles {
  /** Regenerated on every `generate`: the entry point and the CORS wrapper. */
  readonly generated: Record<string, string>;
  /** The app's code: written once when missing, never overwritten. */
  readonly userOwned: Record<string, string>;
}

export interface LambdaCodeOptions {
  /** The spec file, as the header names it; relative to the project (an absolute path is cut to its base name). */
  readonly specFile: string;
  /** The cors-gen version. Not written into the files: the manifest records it, so an upgrade that changes no output changes no file. */
  readonly version: string;
}

/** What every Lambda template receives; nothing else varies, so the code only depends on these and the runtime. */
interface LambdaCodeView {
  readonly version: string;
  readonly specFile: string;
}

/**
 * Renders the Lambda code for the model's runtime: Node (`index.mjs`, `cors.mjs`, `app.mjs`) or Python
 * (`handler.py`, `cors.py`, `app.py`). The code is the same for every spec; its behaviour comes from the
 * environment variables of `corsEnvironment`.
 */
export function renderLambdaCode(model: CorsModel, opts: LambdaCodeOptions): LambdaFiles {
  const view: LambdaCodeView = { version: opts.version, specFile: displaySpecFile(opts.specFile) };
  if (isPythonRuntime(model.lambda.runtime)) {
    return {
      generated: { 'lambda/handler.py': render('pythonHandler', view), 'lambda/cors.py': render('pythonCors', view) },
      userOwned: { 'lambda/app.py': render('pythonApp', view) },
    };
  }
  return {
    generated: { 'lambda/index.mjs': render('nodeIndex', view), 'lambda/cors.mjs': render('nodeCors', view) },
    userOwned: { 'lambda/app.mjs': render('nodeApp', view) },
  };
}

/** The Lambda `handler` setting for a runtime. */
export function lambdaHandlerName(runtime: Runtime): 'index.handler' | 'handler.handler' {
  return isPythonRuntime(runtime) ? 'handler.handler' : 'index.handler';
}

/** The environment variables that configure the Lambda code: the contract between the module and the code. */
export interface CorsEnvironment {
  /** Origins and one-label patterns separated by single spaces, or `*`. */
  readonly ALLOWED_ORIGINS: string;
  readonly ALLOW_CREDENTIALS: 'true' | 'false';
  /** Comma-separated. */
  readonly ALLOW_HEADERS: string;
  /** Comma-separated. */
  readonly CORS_MODE: 'lambda' | 'service';
  readonly ENFORCE_ORIGIN: 'true' | 'false';
  /** Comma-separated. */
  readonly EXPOSE_HEADERS: string;
}

/**
 * The values of the Lambda's CORS environment variables (keys in alphabetical order). `allowedOrigins` is the
 * effective list (the spec's or a stage's, plus the website origin); an element may be a Terraform expression
 * that yields the space-separated list. `CORS_MODE` is `lambda` for a REST API, whose proxy integration passes
 * the function's headers through, and `service` for the HTTP API and Function URL, which own the CORS headers.
 */
export function corsEnvironment(model: CorsModel, allowedOrigins: readonly string[]): CorsEnvironment & Record<string, string> {
  return {
    ALLOWED_ORIGINS: allowedOrigins.join(' '),
    ALLOW_CREDENTIALS: model.cors.allowCredentials ? 'true' : 'false',
    ALLOW_HEADERS: model.cors.allowHeaders.join(','),
    CORS_MODE: model.api === 'rest' ? 'lambda' : 'service',
    ENFORCE_ORIGIN: model.cors.enforceOrigin ? 'true' : 'false',
    EXPOSE_HEADERS: model.cors.exposeHeaders.join(','),
  };
}
