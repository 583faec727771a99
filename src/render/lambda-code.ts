import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNTIME_DIR } from '../paths.js';
import type { CorsModel, Runtime } from '../spec/model.js';
import { isPythonRuntime } from '../spec/model.js';
import { generatedHeader } from './header.js';
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

/** What the entry and app templates receive; nothing else varies, so the code only depends on these and the runtime. */
interface LambdaCodeView {
  readonly version: string;
  /** The generated-file header, already comment text. */
  readonly header: string;
}

const runtimeSources = new Map<string, string>();

/**
 * A generated copy of a file of `src/runtime/lambda/` (the CORS wrapper, the same for every spec): the header,
 * an empty comment line, then the file as it is in the repository.
 */
function runtimeCopy(file: 'cors.mjs' | 'cors.py', header: string): string {
  let source = runtimeSources.get(file);
  if (source === undefined) {
    source = readFileSync(path.join(RUNTIME_DIR, 'lambda', file), 'utf8');
    runtimeSources.set(file, source);
  }
  const marker = file.endsWith('.py') ? '#' : '//';
  return `${marker} ${header}\n${marker}\n${source}`;
}

/**
 * The Lambda code for the model's runtime: Node (`index.mjs`, `cors.mjs`, `app.mjs`) or Python (`handler.py`,
 * `cors.py`, `app.py`). The CORS wrapper is copied from `src/runtime/lambda/`; the entry point and the app stub
 * are rendered from `templates/lambda/`. The code is the same for every spec; its behaviour comes from the
 * environment variables of `corsEnvironment`.
 */
export function renderLambdaCode(model: CorsModel, opts: LambdaCodeOptions): LambdaFiles {
  const view: LambdaCodeView = { version: opts.version, header: generatedHeader(opts.specFile) };
  if (isPythonRuntime(model.lambda.runtime)) {
    return {
      generated: {
        'lambda/handler.py': render('pythonHandler', view),
        'lambda/cors.py': runtimeCopy('cors.py', view.header),
      },
      userOwned: { 'lambda/app.py': render('pythonApp', view) },
    };
  }
  return {
    generated: {
      'lambda/index.mjs': render('nodeIndex', view),
      'lambda/cors.mjs': runtimeCopy('cors.mjs', view.header),
    },
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
export function corsEnvironment(
  model: CorsModel,
  allowedOrigins: readonly string[],
): CorsEnvironment & Record<string, string> {
  return {
    ALLOWED_ORIGINS: allowedOrigins.join(' '),
    ALLOW_CREDENTIALS: model.cors.allowCredentials ? 'true' : 'false',
    ALLOW_HEADERS: model.cors.allowHeaders.join(','),
    CORS_MODE: model.api === 'rest' ? 'lambda' : 'service',
    ENFORCE_ORIGIN: model.cors.enforceOrigin ? 'true' : 'false',
    EXPOSE_HEADERS: model.cors.exposeHeaders.join(','),
  };
}
