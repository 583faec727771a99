import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createDeflateRaw } from 'node:zlib';
import type { SpecIssue } from './issue.js';
import { isPythonRuntime, type LambdaSourceModel, type Runtime } from './model.js';
import { walkSource, WRAPPER_PYTHON_PACKAGE } from './source-files.js';
import { resolveSpecPath } from './spec-paths.js';

/**
 * What `validate` can check of `lambda.source` on disk before anything is deployed: the folder is there and in
 * the repository, the handler's file exists, the file exports the handler (where a static reading is
 * conclusive), and the folder fits Lambda's code size quotas. Read-only and bounded: files are read only when
 * small, and deflated only when the folder is above the zipped quota unzipped.
 */

/**
 * Lambda's quotas for a function's code: 50 MB zipped when the zip is uploaded directly (the module's `filename`),
 * 250 MB unzipped, layers included (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * "Deployment package (.zip file archive) size"; CodeSizeZipped and CodeSizeUnzipped in
 * https://docs.aws.amazon.com/lambda/latest/api/API_AccountLimit.html). The wrapper layer's few kilobytes are
 * left to the margin: the quotas are in MiB (52,428,800 and 262,144,000 bytes).
 */
export const LAMBDA_CODE_QUOTAS = { zipped: 50 * 1024 * 1024, unzipped: 250 * 1024 * 1024 } as const;

/** Files larger than this are not read for the export check (a bundle that large says nothing conclusive). */
const MAX_STATIC_BYTES = 1024 * 1024;

type Issue = Omit<SpecIssue, 'severity' | 'file' | 'line' | 'column'>;

const SOURCE = 'lambda.source';
const HANDLER = 'lambda.handler';

/**
 * The errors of `lambda.source` / `lambda.handler` found on disk (each with the spec path and the fix), for a spec
 * file at `specFile` (absolute).
 */
export async function checkLambdaSource(
  specFile: string,
  runtime: Runtime,
  source: LambdaSourceModel,
): Promise<SpecIssue[]> {
  const issues: Issue[] = [];
  const resolved = resolveSpecPath(specFile, SOURCE, source.dir);
  if (!resolved.ok) {
    const prefix = `${specFile}: ${SOURCE}: `;
    const message = resolved.error.startsWith(prefix) ? resolved.error.slice(prefix.length) : resolved.error;
    return [{ severity: 'error', code: 'lambda-source-outside', path: SOURCE, message }];
  }
  const dir = resolved.path;
  const shown = JSON.stringify(source.dir);
  if (!existsSync(dir))
    return error({
      code: 'lambda-source-missing',
      path: SOURCE,
      message: `${shown} does not exist (the path is relative to this spec's folder)`,
      fix: 'write the folder of your handler code relative to this spec\'s folder, e.g. "backend" or "backend/dist" (build it first if it is a build output)',
    });
  if (!statSync(dir).isDirectory())
    return error({
      code: 'lambda-source-not-folder',
      path: SOURCE,
      message: `${shown} is a file; Lambda's zip is made from a folder`,
      fix: `write the folder that holds it, e.g. ${JSON.stringify(path.posix.dirname(source.dir))}, and name the file in lambda.handler`,
    });

  const python = isPythonRuntime(runtime);
  if (python) {
    for (const name of [WRAPPER_PYTHON_PACKAGE, `${WRAPPER_PYTHON_PACKAGE}.py`]) {
      if (existsSync(path.join(dir, name)))
        issues.push({
          code: 'lambda-source-shadows-wrapper',
          path: SOURCE,
          message: `${shown} holds ${name}; Lambda puts your folder first on sys.path, so it would replace the CORS wrapper's package of that name`,
          fix: `rename ${name} in your code`,
        });
    }
  }
  issues.push(...(python ? pythonHandler(dir, source.handler) : nodeHandler(dir, source.handler)));
  issues.push(...(await sizeIssues(dir, resolved.root, shown)));
  return issues.map((i) => ({ ...i, severity: 'error' as const }));

  function error(issue: Issue): SpecIssue[] {
    return [{ ...issue, severity: 'error' }];
  }
}

// ---- Node ----------------------------------------------------------------------------------------------------

/**
 * The Node runtime's candidates for a handler (aws/aws-lambda-nodejs-runtime-interface-client
 * src/UserFunction.js): the file is the part of the last path segment before its first ".", tried extensionless,
 * then ".js", ".mjs", ".cjs". TypeScript is not among them: Lambda runs the JavaScript a build emits
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-typescript.html).
 */
function nodeHandler(dir: string, handler: string): Issue[] {
  const slash = handler.lastIndexOf('/');
  const folder = handler.slice(0, slash + 1);
  const last = handler.slice(slash + 1);
  const file = folder + last.slice(0, last.indexOf('.'));
  const exported = last.slice(last.indexOf('.') + 1).split('.')[0]!;
  const extensions = ['', '.js', '.mjs', '.cjs'];
  // The extensionless candidate is tried with existsSync, which a folder passes, and then require()d: a folder
  // with an index.js or a package.json "main" is a handler module, whose exports a static reading cannot follow.
  if (isDirectory(path.join(dir, file))) return [];
  const found = extensions.map((ext) => file + ext).find((f) => isFile(path.join(dir, f)));
  if (found === undefined) {
    // The runtime's last resort is Node's own resolution: a package of that name in node_modules.
    if (existsSync(path.join(dir, 'node_modules', file))) return [];
    return [
      {
        code: 'lambda-handler-file-missing',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: the folder has no ${extensions
          .filter((e) => e !== '')
          .map((e) => file + e)
          .join(', ')} (the files the Node runtime tries)`,
        fix: ['.ts', '.mts', '.cts'].some((e) => isFile(path.join(dir, file + e)))
          ? 'Lambda runs JavaScript: build your TypeScript (tsc, esbuild) and point lambda.source at the build output folder'
          : `write the file's path relative to lambda.source without its extension, then the export: e.g. "${file}.handler" for ${file}.mjs`,
      },
    ];
  }
  const text = smallText(path.join(dir, found));
  if (text === undefined) return [];
  const esm = found.endsWith('.mjs') || (found.endsWith('.js') && packageTypeModule(dir, path.dirname(found)));
  const verdict = esm ? esmExports(text, exported) : cjsExports(text, exported);
  if (verdict !== false) return [];
  return [
    {
      code: 'lambda-handler-export-missing',
      path: HANDLER,
      message: `${JSON.stringify(handler)}: ${found} (${esm ? 'an ES module' : 'CommonJS'}) does not export ${JSON.stringify(exported)}${
        esm && /\bexport\s+default\b/.test(text) ? '; the runtime does not use the default export' : ''
      }`,
      fix: esm
        ? `export it by name (export const ${exported} = async (event, context) => {...}), or name the export the file has in lambda.handler`
        : `assign it (exports.${exported} = async (event, context) => {...}), or name the export the file has in lambda.handler`,
    },
  ];
}

/** Whether the nearest package.json at or above `rel` (inside `dir`) says "type": "module", as the runtime reads it. */
function packageTypeModule(dir: string, rel: string): boolean {
  for (let d = rel; ; d = path.dirname(d)) {
    if (path.basename(d) === 'node_modules') return false;
    const pj = path.join(dir, d, 'package.json');
    if (existsSync(pj)) {
      try {
        return (JSON.parse(readFileSync(pj, 'utf8')) as { type?: unknown })?.type === 'module';
      } catch {
        return false;
      }
    }
    if (d === '.' || d === path.dirname(d)) return false;
  }
}

/** true: exported; false: conclusively not; undefined: cannot tell statically. */
function esmExports(text: string, name: string): boolean | undefined {
  const n = escape(name);
  if (new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*${n}\\b`).test(text)) return true;
  if (new RegExp(`\\bexport\\s+(?:const|let|var|class)\\s+${n}\\b`).test(text)) return true;
  for (const list of text.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const item of list[1]!.split(',')) {
      const parts = item.trim().split(/\s+as\s+/);
      if (parts[parts.length - 1]!.trim().replace(/^["']|["']$/g, '') === name) return true;
    }
  }
  // Re-exports and destructuring exports name their exports elsewhere or in patterns: not conclusive.
  if (/\bexport\s*\*/.test(text) || /\bexport\s+(?:const|let|var)\s*[[{]/.test(text)) return undefined;
  return false;
}

function cjsExports(text: string, name: string): boolean | undefined {
  const n = escape(name);
  if (new RegExp(`\\b(?:module\\.)?exports\\s*\\.\\s*${n}\\s*=`).test(text)) return true;
  if (new RegExp(`\\bmodule\\.exports\\s*=\\s*\\{[^}]*\\b${n}\\b`).test(text)) return true;
  // Anything else that can add exports (a whole-object replacement that is not a literal, defineProperty,
  // bundlers' helpers, computed keys, ES syntax in a .js the runtime would load as ESM anyway): not conclusive.
  if (
    /\bmodule\.exports\s*=\s*(?!\{)/.test(text) ||
    /\bObject\.(?:defineProperty|defineProperties|assign)\s*\(\s*(?:module\.)?exports\b/.test(text) ||
    /\b(?:module\.)?exports\s*\[/.test(text) ||
    /\b__export\b|\b__exportStar\b|\bexport\s/.test(text)
  )
    return undefined;
  return false;
}

// ---- Python --------------------------------------------------------------------------------------------------

/**
 * The Python runtime's reading (awslambdaric bootstrap.py `_get_handler`): `rsplit(".", 1)` into module and
 * function, "/" in the module becomes "."; the module is a `.py` file or a package folder with `__init__.py`.
 */
function pythonHandler(dir: string, handler: string): Issue[] {
  const dot = handler.lastIndexOf('.');
  const modname = handler.slice(0, dot).replace(/\//g, '.');
  const fname = handler.slice(dot + 1);
  const parts = modname.split('.');
  const base = path.join(dir, ...parts);
  const file = [`${base}.py`, path.join(base, '__init__.py')].find(isFile);
  if (file === undefined) {
    // A compiled module (.so, .pyc) is importable too; only a folder without any of them is conclusive.
    const folder = path.dirname(base);
    const stem = path.basename(base);
    const other =
      isDirectory(folder) && readdirNames(folder).some((f) => f.startsWith(`${stem}.`) && !f.endsWith('.py'));
    if (other) return [];
    const rel = parts.join('/');
    return [
      {
        code: 'lambda-handler-file-missing',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: the folder has no ${rel}.py (nor ${rel}/__init__.py), the module the Python runtime imports`,
        fix: `write the module's path relative to lambda.source, then the function: e.g. "${rel}.handler" for ${rel}.py`,
      },
    ];
  }
  const text = smallText(file);
  if (text === undefined) return [];
  const shown = path.relative(dir, file).split(path.sep).join('/');
  const n = escape(fname);
  if (new RegExp(`^async\\s+def\\s+${n}\\s*\\(`, 'm').test(text))
    return [
      {
        code: 'lambda-handler-async',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: ${shown} defines "async def ${fname}"; the Python runtime calls the handler and does not await it, so every request would fail`,
        fix: `make it a plain "def ${fname}(event, context)" (run coroutines inside it with asyncio.run)`,
      },
    ];
  if (
    new RegExp(`^(?:def|class)\\s+${n}\\b`, 'm').test(text) ||
    new RegExp(`^${n}\\s*(?::[^=\\n]*)?=`, 'm').test(text) ||
    new RegExp(`^(?:from\\s+\\S+\\s+)?import\\s+[^\\n]*\\b${n}\\b`, 'm').test(text)
  )
    return [];
  // Star imports, module-level __getattr__, globals() and setattr can define names no reading can see.
  if (/^from\s+\S+\s+import\s+\*|\b__getattr__\b|\bglobals\(\)|\bsetattr\(|^\s*if\b|^\s*try\s*:/m.test(text)) return [];
  return [
    {
      code: 'lambda-handler-export-missing',
      path: HANDLER,
      message: `${JSON.stringify(handler)}: ${shown} has no top-level "def ${fname}" (nor "${fname} = ...")`,
      fix: `define "def ${fname}(event, context):" at the top level of ${shown}, or name the function it has in lambda.handler`,
    },
  ];
}

// ---- Sizes ---------------------------------------------------------------------------------------------------

async function sizeIssues(dir: string, root: string, shown: string): Promise<Issue[]> {
  const files: { rel: string; real: string; size: number }[] = [];
  let unzipped = 0;
  const walked = walkSource(dir, root, (f) => {
    files.push(f);
    unzipped += f.size;
    return unzipped <= LAMBDA_CODE_QUOTAS.unzipped;
  });
  if (walked.error !== undefined)
    return [
      {
        code: 'lambda-source-link-outside',
        path: SOURCE,
        message: `${shown}: ${walked.error.message}`,
        fix: walked.error.fix,
      },
    ];
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (unzipped > LAMBDA_CODE_QUOTAS.unzipped)
    return [
      {
        code: 'lambda-source-too-large',
        path: SOURCE,
        message: `${shown} holds more than ${mb(LAMBDA_CODE_QUOTAS.unzipped)} of files; Lambda allows 250 MB unzipped (function code and layers together)`,
        fix: 'point lambda.source at a build output with only what runs (e.g. a bundle, production dependencies only), or package the function as a container image',
      },
    ];
  if (unzipped <= LAMBDA_CODE_QUOTAS.zipped) return [];
  // Only now worth the time: deflate every file (archive_file writes Deflate entries) and add the zip's
  // per-entry headers (30 + 46 bytes plus the name twice) and the end record.
  let zipped = 22;
  for (const f of files) zipped += (await deflatedSize(f.real)) + 76 + 2 * Buffer.byteLength(f.rel);
  if (zipped <= LAMBDA_CODE_QUOTAS.zipped) return [];
  return [
    {
      code: 'lambda-source-too-large',
      path: SOURCE,
      message: `${shown} zips to about ${mb(zipped)}; Lambda allows 50 MB for a zip uploaded directly, as the module does`,
      fix: 'point lambda.source at a build output with only what runs (e.g. a bundle, production dependencies only)',
    },
  ];
}

async function deflatedSize(file: string): Promise<number> {
  let size = 0;
  await pipeline(
    createReadStream(file),
    createDeflateRaw(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done();
      },
    }),
  );
  return size;
}

// ---- Helpers -------------------------------------------------------------------------------------------------

function smallText(file: string): string | undefined {
  const stats = statSync(file);
  return stats.size <= MAX_STATIC_BYTES ? readFileSync(file, 'utf8') : undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&');
}
