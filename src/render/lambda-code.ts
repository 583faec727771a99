import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNTIME_DIR } from '../paths.js';
import type { CorsModel, LambdaSourceModel, Runtime } from '../spec/model.js';
import { isPythonRuntime } from '../spec/model.js';
import { WRAPPER_PYTHON_PACKAGE } from '../spec/source-files.js';
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

type RuntimeFile = 'cors.mjs' | 'cors.py' | 'wrapper.mjs' | 'load-handler.mjs' | 'wrapper.py';

/**
 * Where the wrapper layer's files sit in the module (`layer/`, zipped as the layer) and so, once Lambda extracts
 * the layer into /opt, in the function. Node: any folder under /opt works, because the function's handler names
 * the file by its absolute path (see wrapper.mjs); not under `node_modules`, which many repositories' .gitignore
 * would leave out of the commit. Python: /opt/python is on sys.path ("Layer paths for each Lambda runtime",
 * https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths).
 */
export const WRAPPER_LAYER = {
  dir: 'layer',
  node: { folder: 'layer/nodejs/cors-gen', handler: '/opt/nodejs/cors-gen/wrapper.handler' },
  python: { folder: `layer/python/${WRAPPER_PYTHON_PACKAGE}`, handler: `${WRAPPER_PYTHON_PACKAGE}.wrapper.handler` },
} as const;

/**
 * A generated copy of a file of `src/runtime/lambda/` (the CORS wrapper, the same for every spec): the header,
 * an empty comment line, then the file as it is in the repository.
 */
function runtimeCopy(file: RuntimeFile, header: string): string {
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
  if (model.lambda.source) return { generated: wrapperLayerFiles(model.lambda.runtime, view.header), userOwned: {} };
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

/**
 * The wrapper layer's files for a runtime (with `lambda.source`): the entry point the function's handler names,
 * the CORS wrapper and, for Node, the handler loader, all copied from `src/runtime/lambda/`. The user's own code
 * is never among them: it is zipped from its folder as it is.
 */
function wrapperLayerFiles(runtime: Runtime, header: string): Record<string, string> {
  if (isPythonRuntime(runtime)) {
    const dir = WRAPPER_LAYER.python.folder;
    return {
      [`${dir}/__init__.py`]: `# ${header}\n`,
      [`${dir}/cors.py`]: runtimeCopy('cors.py', header),
      [`${dir}/wrapper.py`]: runtimeCopy('wrapper.py', header),
    };
  }
  const dir = WRAPPER_LAYER.node.folder;
  return {
    [`${dir}/cors.mjs`]: runtimeCopy('cors.mjs', header),
    [`${dir}/load-handler.mjs`]: runtimeCopy('load-handler.mjs', header),
    [`${dir}/wrapper.mjs`]: runtimeCopy('wrapper.mjs', header),
  };
}

/**
 * The Lambda `handler` setting: the generated entry point in `lambda/`, or, with `lambda.source`, the wrapper in
 * the layer (the user's handler then travels in CORS_GEN_HANDLER).
 */
export function lambdaHandlerName(runtime: Runtime, source?: LambdaSourceModel): string {
  const python = isPythonRuntime(runtime);
  if (source) return python ? WRAPPER_LAYER.python.handler : WRAPPER_LAYER.node.handler;
  return python ? 'handler.handler' : 'index.handler';
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
  /**
   * With `lambda.source` only: the user's handler setting ("src/app.handler"), which the wrapper in the layer
   * (the function's real handler) loads as the Lambda runtime would.
   */
  readonly CORS_GEN_HANDLER?: string;
}

/**
 * The values of the Lambda's CORS environment variables (keys in alphabetical order). `allowedOrigins` is the
 * effective list (the spec's or a stage's, plus the website origin); an element may be a Terraform expression
 * that yields the space-separated list. `CORS_MODE` is `lambda` for a REST API, whose proxy integration passes
 * the function's headers through, and `service` for the HTTP API and Function URL, which own the CORS headers.
 * With `lambda.source`, `CORS_GEN_HANDLER` carries the user's handler to the wrapper.
 */
export function corsEnvironment(
  model: CorsModel,
  allowedOrigins: readonly string[],
): CorsEnvironment & Record<string, string> {
  return {
    ALLOWED_ORIGINS: allowedOrigins.join(' '),
    ALLOW_CREDENTIALS: model.cors.allowCredentials ? 'true' : 'false',
    ALLOW_HEADERS: model.cors.allowHeaders.join(','),
    ...(model.lambda.source ? { CORS_GEN_HANDLER: model.lambda.source.handler } : {}),
    CORS_MODE: model.api === 'rest' ? 'lambda' : 'service',
    ENFORCE_ORIGIN: model.cors.enforceOrigin ? 'true' : 'false',
    EXPOSE_HEADERS: model.cors.exposeHeaders.join(','),
  };
}
