import {
  closeSync,
  constants,
  createReadStream,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createDeflateRaw } from 'node:zlib';
import type { SpecIssue } from './issue.js';
import { isPythonRuntime, type LambdaSourceModel, type Runtime } from './model.js';
import { PYTHON_PRELOADED_MODULES, PYTHON_STDLIB_MODULES } from './python-stdlib.js';
import { isExcluded, walkSource, WRAPPER_PYTHON_PACKAGE, type WalkError } from './source-files.js';
import { isWithin, resolveSpecPath } from './spec-paths.js';

/**
 * What `validate` can check of `lambda.source` on disk before anything is deployed: the folder is in the
 * repository (a folder not built yet is only a warning), the zip it makes holds nothing from outside the
 * repository nor the repository itself, the handler's file exists, the file exports the handler in the form the
 * runtime calls (where a static reading is conclusive), the folder fits Lambda's code size quotas, and (Node) its
 * dependencies are in it. Read-only and bounded: at most MAX_SOURCE_ENTRIES paths walked, files read only when
 * small, regular and inside the repository, and deflated only when the folder may be above the zipped quota.
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
 * The errors and warnings of `lambda.source` / `lambda.handler` found on disk (each with the spec path and the
 * fix), for a spec file at `specFile` (absolute). The folder is walked first, as the zip will be: a link out of
 * the repository or onto it stops the check before any file is read, so no file is read through such a link.
 */
export async function checkLambdaSource(
  specFile: string,
  runtime: Runtime,
  source: LambdaSourceModel,
): Promise<SpecIssue[]> {
  const resolved = resolveSpecPath(specFile, SOURCE, source.dir);
  if (!resolved.ok) {
    const prefix = `${specFile}: ${SOURCE}: `;
    const message = resolved.error.startsWith(prefix) ? resolved.error.slice(prefix.length) : resolved.error;
    return [{ severity: 'error', code: 'lambda-source-outside', path: SOURCE, message }];
  }
  const dir = resolved.path;
  const shown = JSON.stringify(source.dir);
  if (!existsSync(dir))
    // A build output (backend/dist) is often not built where validate runs (CI, a pre-commit hook), and the module
    // holds nothing of it: only `terraform apply` and `preview` need it.
    return [
      {
        severity: 'warning',
        code: 'lambda-source-missing',
        path: SOURCE,
        message: `${shown} does not exist yet (the path is relative to this spec's folder); the handler is not checked`,
        fix: 'build it before "terraform apply" or "cors-gen preview"; if it is not a build output, write the folder of your handler code relative to this spec\'s folder, e.g. "backend"',
      },
    ];
  if (!statSync(dir).isDirectory())
    return error({
      code: 'lambda-source-not-folder',
      path: SOURCE,
      message: `${shown} is a file; Lambda's zip is made from a folder`,
      fix: `write the folder that holds it, e.g. ${JSON.stringify(path.posix.dirname(source.dir))}, and name the file in lambda.handler`,
    });

  const root = realpathSync(resolved.root);
  const sizes = await sizeIssues(dir, root, shown);
  if ('walk' in sizes) return error(sizes.walk);
  const issues: Issue[] = [];
  const python = isPythonRuntime(runtime);
  if (python) {
    // Lambda puts the folder first on sys.path: a package, module or extension module named like the wrapper's
    // package would be imported instead of it (https://docs.python.org/3/reference/import.html#path-entry-finders).
    for (const name of readdirNames(dir).filter((n) => !isExcluded(n) && isWrapperName(n)))
      issues.push({
        code: 'lambda-source-shadows-wrapper',
        path: SOURCE,
        message: `${shown} holds ${name}; Lambda puts your folder first on sys.path, so Python would import it instead of the CORS wrapper's package ${WRAPPER_PYTHON_PACKAGE} and every request would fail`,
        fix: `rename ${name} in your code`,
      });
  }
  const files = new SafeReader(root);
  issues.push(
    ...(python ? pythonHandler(dir, source.handler, files) : nodeHandler(dir, source.handler, runtime, files)),
  );
  issues.push(...sizes.issues);
  const errors = issues.map((i) => ({ ...i, severity: 'error' as const }));
  const warnings = python ? [] : dependencyWarnings(dir, source.handler, shown, files);
  return [...errors, ...warnings.map((i) => ({ ...i, severity: 'warning' as const }))];

  function error(issue: Issue): SpecIssue[] {
    return [{ ...issue, severity: 'error' }];
  }
}

function isWrapperName(name: string): boolean {
  return name === WRAPPER_PYTHON_PACKAGE || name.startsWith(`${WRAPPER_PYTHON_PACKAGE}.`);
}

// ---- Node ----------------------------------------------------------------------------------------------------

/**
 * The Node runtime's candidates for a handler (aws/aws-lambda-nodejs-runtime-interface-client
 * src/UserFunction.js): the file is the part of the last path segment before its first ".", tried extensionless,
 * then ".js", ".mjs", ".cjs". TypeScript is not among them: Lambda runs the JavaScript a build emits
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-typescript.html).
 */
const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

/**
 * The handler's module as the Node runtime resolves it: `file` (relative, without extension), the export, and
 * what it found: a file, or `folder` for a folder `require` loads (the extensionless candidate passes existsSync
 * as a folder and is require()d: its index.js or package.json "main", whose exports a static reading cannot
 * follow), or nothing.
 */
function nodeModule(dir: string, handler: string): { file: string; exported: string; found?: string | 'folder' } {
  const slash = handler.lastIndexOf('/');
  const last = handler.slice(slash + 1);
  const file = handler.slice(0, slash + 1) + last.slice(0, last.indexOf('.'));
  const exported = last.slice(last.indexOf('.') + 1).split('.')[0]!;
  const folder = path.join(dir, file);
  if (
    isDirectory(folder) &&
    (['index.js', 'index.json', 'index.node'].some((f) => isFile(path.join(folder, f))) ||
      isFile(path.join(folder, 'package.json')))
  )
    return { file, exported, found: 'folder' };
  return { file, exported, found: NODE_EXTENSIONS.map((ext) => file + ext).find((f) => isFile(path.join(dir, f))) };
}

function nodeHandler(dir: string, handler: string, runtime: Runtime, files: SafeReader): Issue[] {
  const { file, exported, found } = nodeModule(dir, handler);
  const extensions = NODE_EXTENSIONS;
  if (found === 'folder') return [];
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
  const text = files.text(path.join(dir, found));
  if (text === undefined) return [];
  let esm = found.endsWith('.mjs');
  let typeModule: string | undefined;
  if (found.endsWith('.js')) {
    const pkg = packageType(dir, path.dirname(found), files);
    if (pkg === undefined) return []; // a package.json that cannot be read: which loader runs the file is unknown
    esm = pkg.module;
    if (pkg.module) typeModule = pkg.file;
  }
  const verdict = esm ? esmExports(text, exported) : cjsExports(text, exported);
  if (verdict === true) {
    const major = Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? 0);
    const params = major >= 24 ? handlerArity(text, exported) : undefined;
    if (params === undefined || params < 3) return [];
    return [
      {
        code: 'lambda-handler-callback',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: ${found} defines ${exported} with three parameters (event, context, callback); from Node.js 24 the Lambda runtime refuses callback handlers (Runtime.CallbackHandlerDeprecated), so every request to ${runtime} would fail`,
        fix: `make it "async (event, context) => {...}" and return the response instead of calling the callback (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html), or keep runtime: nodejs22.x`,
      },
    ];
  }
  if (verdict === undefined) return [];
  if (typeModule !== undefined && cjsExports(text, exported) === true)
    return [
      {
        code: 'lambda-handler-export-missing',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: ${found} assigns exports.${exported} as CommonJS, but ${typeModule} says "type": "module", so Node loads it as an ES module where "exports" does not exist`,
        fix: `rename the file to ${found.slice(0, -'.js'.length)}.cjs (and lambda.handler stays ${JSON.stringify(handler)}), or remove "type": "module" from ${typeModule}`,
      },
    ];
  return [
    {
      code: 'lambda-handler-export-missing',
      path: HANDLER,
      message: `${JSON.stringify(handler)}: ${found} (${esm ? 'an ES module' : 'CommonJS'}) does not export ${JSON.stringify(exported)}${
        esm && /\bexport\s+default\b/.test(text)
          ? `; the runtime calls the export lambda.handler names, so the default export is ${JSON.stringify(`${file}.default`)}`
          : ''
      }`,
      fix: esm
        ? `export it by name (${exported === 'default' ? 'export default async (event, context) => {...}' : `export const ${exported} = async (event, context) => {...}`}), or name the export the file has in lambda.handler`
        : `assign it (exports.${exported} = async (event, context) => {...}), or name the export the file has in lambda.handler`,
    },
  ];
}

/**
 * The nearest package.json at or above `rel` (inside `dir`) as the runtime reads it for a ".js" file: whether it
 * says "type": "module", and its path relative to `dir`; undefined when it cannot be read.
 */
function packageType(dir: string, rel: string, files: SafeReader): { module: boolean; file?: string } | undefined {
  for (let d = rel; ; d = path.dirname(d)) {
    if (path.basename(d) === 'node_modules') return { module: false };
    const pj = path.join(dir, d, 'package.json');
    if (existsSync(pj)) {
      const text = files.text(pj);
      if (text === undefined) return undefined;
      const file = path.posix.join(d.split(path.sep).join('/'), 'package.json');
      try {
        return { module: (JSON.parse(text) as { type?: unknown } | null)?.type === 'module', file };
      } catch {
        return { module: false, file }; // the runtime ignores a package.json it cannot parse
      }
    }
    if (d === '.' || d === path.dirname(d)) return { module: false };
  }
}

/**
 * How many parameters the exported handler declares before the first default or rest parameter (what
 * `Function.length` counts, and the runtime reads), when a static reading finds its definition: the function
 * literal assigned to the export, else the function of that name. An export assigned anything else (a wrapper's
 * result, `middy(base)`) has a length no reading can tell.
 */
function handlerArity(text: string, name: string): number | undefined {
  const assigned = rightHandSide(text, `(?:\\bexports\\s*\\.\\s*|\\bexport\\s+(?:const|let|var)\\s+)${escape(name)}`);
  if (assigned === undefined) {
    // `export { run as handler }`, `module.exports = { handler: run }`: the function is defined under its own name.
    const n = escape(name);
    const renamed =
      new RegExp(`\\bexport\\s*\\{[^}]*?\\b([\\w$]+)\\s+as\\s+${n}\\s*[,}]`).exec(text)?.[1] ??
      new RegExp(`\\bmodule\\.exports\\s*=\\s*\\{[^}]*?\\b${n}\\s*:\\s*([\\w$]+)\\s*[,}]`).exec(text)?.[1];
    return definitionArity(text, renamed ?? name);
  }
  const literal = literalArity(assigned);
  if (literal !== undefined) return literal;
  const alias = /^([\w$]+)\s*(?:;|\n|$)/.exec(assigned)?.[1];
  return alias === undefined || alias === name ? undefined : definitionArity(text, alias);
}

/** The arity of `function name(...)` or `const name = <function literal>` in `text`. */
function definitionArity(text: string, name: string): number | undefined {
  const n = escape(name);
  const declared = new RegExp(`\\bfunction\\s*\\*?\\s*${n}\\s*\\(([^()]*)\\)`).exec(text)?.[1];
  if (declared !== undefined) return paramCount(declared);
  const bound = rightHandSide(text, `\\b(?:const|let|var)\\s+${n}`);
  return bound === undefined ? undefined : literalArity(bound);
}

/** What follows `<left> =` in `text` (a few hundred characters of it). */
function rightHandSide(text: string, left: string): string | undefined {
  return new RegExp(`${left}\\s*=(?!=)\\s*([\\s\\S]{0,500})`).exec(text)?.[1];
}

/**
 * The arity of the function literal an expression starts with (`function (a, b)`, `async (a, b) => ...`);
 * undefined for anything else, such as a call or a comma expression (`(0, wrap)(base)`, as bundlers write).
 */
function literalArity(expression: string): number | undefined {
  const m = /^(?:async\s+)?(?:function\s*\*?\s*[\w$]*\s*\(([^()]*)\)|\(([^()]*)\)\s*=>)/.exec(expression);
  return m === null ? undefined : paramCount(m[1] ?? m[2]!);
}

function paramCount(params: string): number {
  let count = 0;
  for (const p of params.split(',').map((x) => x.trim())) {
    if (p === '' || p.startsWith('...') || p.includes('=') || /[{[]/.test(p)) break;
    count++;
  }
  return count;
}

/** true: exported; false: conclusively not; undefined: cannot tell statically. */
function esmExports(text: string, name: string): boolean | undefined {
  // "file.default" names the default export, which the runtime looks up like any other (UserFunction.js).
  if (name === 'default' && /\bexport\s+default\b/.test(text)) return true;
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
function pythonHandler(dir: string, handler: string, files: SafeReader): Issue[] {
  const dot = handler.lastIndexOf('.');
  const modname = handler.slice(0, dot).replace(/\//g, '.');
  const fname = handler.slice(dot + 1);
  const parts = modname.split('.');
  const base = path.join(dir, ...parts);
  const stdlib = stdlibModule(dir, handler, parts);
  if (stdlib !== undefined) return [stdlib];
  const file = [`${base}.py`, path.join(base, '__init__.py')].find(isFile);
  if (file === undefined) {
    if (extensionModule(path.dirname(base), path.basename(base))) return [];
    const rel = parts.join('/');
    return [
      {
        code: 'lambda-handler-file-missing',
        path: HANDLER,
        message: `${JSON.stringify(handler)}: the folder has no ${rel}.py (nor ${rel}/__init__.py or an extension module ${rel}.so), the module the Python runtime imports`,
        fix: `write the module's path relative to lambda.source, then the function: e.g. "${rel}.handler" for ${rel}.py`,
      },
    ];
  }
  const text = files.text(file);
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

/**
 * The error of a handler module whose top-level name (`parts[0]`) Python finds in its standard library instead of
 * the folder: one the runtime has already imported (whatever the folder holds), or one the folder has no module of
 * that name for. Lambda puts the folder first on sys.path, so its `top.py`, `top/__init__.py` or extension module
 * wins over the standard library's; a `top/` without `__init__.py` does not: it is a namespace package, which Python
 * uses only when no module of that name is found anywhere on sys.path (https://peps.python.org/pep-0420/#specification),
 * and then `import top.app` fails with "No module named 'top.app'".
 */
function stdlibModule(dir: string, handler: string, parts: readonly string[]): Issue | undefined {
  const top = parts[0]!;
  if (!PYTHON_STDLIB_MODULES.has(top)) return undefined;
  const modname = parts.join('.');
  const regular = isFile(path.join(dir, `${top}.py`))
    ? `${top}.py`
    : isFile(path.join(dir, top, '__init__.py'))
      ? `${top}/__init__.py`
      : extensionModule(dir, top)
        ? `the extension module ${top}`
        : undefined;
  const namespace = regular === undefined && isDirectory(path.join(dir, top)) ? `${top}/` : undefined;
  const where = `${JSON.stringify(handler)}: ${top} is a module of Python's standard library`;
  const issue = (message: string, fix: string): Issue => ({
    code: 'lambda-handler-stdlib',
    path: HANDLER,
    message,
    fix,
  });
  const own = regular ?? namespace;
  const noneOfYours =
    'write the path of your module relative to lambda.source, then the function: e.g. "app.handler" for app.py (a module of your own needs a name the standard library does not use)';
  if (PYTHON_PRELOADED_MODULES.has(top))
    return issue(
      `${where} that the runtime has already imported when it loads the handler, so "import ${modname}" gets the standard library's ${top}${own === undefined ? '' : `, not the folder's ${own}`} (https://docs.python.org/3/reference/import.html#the-module-cache)`,
      own === undefined
        ? noneOfYours
        : `rename ${own} to a name the standard library does not use, and write that name in lambda.handler (e.g. "app.handler" for app.py)`,
    );
  if (regular !== undefined) return undefined;
  if (namespace !== undefined)
    return issue(
      `${where}, and the folder's ${top}/ has no __init__.py: a folder without one is a namespace package, which loses to the standard library's ${top}, so the runtime would fail with "No module named '${modname}'"`,
      `add ${top}/__init__.py or rename the folder`,
    );
  return issue(
    `${where} and the folder has no ${top}.py (nor ${top}/), so the runtime would import the standard library's ${modname}`,
    noneOfYours,
  );
}

/**
 * Whether `folder` holds an extension module `stem` (importlib.machinery.EXTENSION_SUFFIXES on Linux:
 * ".cpython-312-x86_64-linux-gnu.so", ".abi3.so", ".so"; ".pyd" on Windows). No other file is importable under
 * that name, and never a .pyc: the zip leaves it out.
 */
function extensionModule(folder: string, stem: string): boolean {
  const n = escape(stem);
  const extension = new RegExp(`^${n}(?:\\.cpython-[^./]+|\\.abi3)?\\.so$|^${n}\\.pyd$`);
  return readdirNames(folder).some((f) => extension.test(f) && isFile(path.join(folder, f)));
}

// ---- Sizes ---------------------------------------------------------------------------------------------------

const WALK_ERROR_CODES: Record<WalkError['kind'], string> = {
  link: 'lambda-source-link-outside',
  excluded: 'lambda-source-excluded',
  name: 'lambda-source-file-name',
  entries: 'lambda-source-too-many-files',
  deep: 'lambda-source-too-deep',
  unreadable: 'lambda-source-unreadable',
};

/**
 * The folder measured as the zip will hold it. `walk`: the walk stopped (a link out of or onto the repository, too
 * many entries, an unreadable folder), and nothing else is worth checking; else the quota errors.
 */
async function sizeIssues(dir: string, root: string, shown: string): Promise<{ walk: Issue } | { issues: Issue[] }> {
  const files: { rel: string; real: string; size: number }[] = [];
  let unzipped = 0;
  // Each entry costs the zip its local header and central directory record (30 + 46 bytes) and its name twice,
  // whatever its size: a million empty files are a large zip.
  let headers = 22;
  const walked = walkSource(dir, root, (f) => {
    files.push(f);
    unzipped += f.size;
    headers += 76 + 2 * Buffer.byteLength(f.rel);
    return unzipped <= LAMBDA_CODE_QUOTAS.unzipped && headers <= LAMBDA_CODE_QUOTAS.zipped;
  });
  if (walked.error !== undefined)
    return {
      walk: {
        code: WALK_ERROR_CODES[walked.error.kind],
        path: SOURCE,
        message: `${shown}: ${walked.error.message}`,
        fix: walked.error.fix,
      },
    };
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (unzipped > LAMBDA_CODE_QUOTAS.unzipped)
    return {
      issues: [
        {
          code: 'lambda-source-too-large',
          path: SOURCE,
          message: `${shown} holds more than ${mb(LAMBDA_CODE_QUOTAS.unzipped)} of files; Lambda allows 250 MB unzipped (function code and layers together)`,
          fix: 'point lambda.source at a build output with only what runs (e.g. a bundle, production dependencies only), or package the function as a container image',
        },
      ],
    };
  if (unzipped + headers <= LAMBDA_CODE_QUOTAS.zipped) return { issues: [] };
  // Only now worth the time: deflate every file (archive_file writes Deflate entries).
  let zipped = headers;
  for (const f of files) {
    if (zipped > LAMBDA_CODE_QUOTAS.zipped) break;
    // A file that cannot be read now counts as stored, not deflated: the estimate stays an estimate.
    zipped += await deflatedSize(f.real).catch(() => f.size);
  }
  if (zipped <= LAMBDA_CODE_QUOTAS.zipped) return { issues: [] };
  return {
    issues: [
      {
        code: 'lambda-source-too-large',
        path: SOURCE,
        message: `${shown} zips to more than ${mb(LAMBDA_CODE_QUOTAS.zipped)}; Lambda allows 50 MB for a zip uploaded directly, as the module does`,
        fix: 'point lambda.source at a build output with only what runs (e.g. a bundle, production dependencies only)',
      },
    ],
  };
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

// ---- Dependencies -------------------------------------------------------------------------------------------

/**
 * Node resolves packages from the `node_modules` of the importing file's folder and each folder above it
 * (https://nodejs.org/api/modules.html#loading-from-node_modules-folders). On Lambda the folder is /var/task, so
 * only the zipped folder's own `node_modules` counts; on a developer's disk the repository's others answer too,
 * and the handler works everywhere but on Lambda. Warned when the folder has no `node_modules` and the handler's
 * file imports a package: not a Node built-in, and not the AWS SDK v3, which the Node.js 18 and later runtimes
 * provide (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html). A bundled handler imports none.
 */
function dependencyWarnings(dir: string, handler: string, shown: string, files: SafeReader): Issue[] {
  if (isDirectory(path.join(dir, 'node_modules'))) return [];
  const { found } = nodeModule(dir, handler);
  const text = found === undefined || found === 'folder' ? undefined : files.text(path.join(dir, found));
  if (text === undefined) return [];
  const packages = [...bareImports(text)].filter((n) => !isBuiltin(n) && !n.startsWith('@aws-sdk/')).sort();
  if (packages.length === 0) return [];
  const names = packages.slice(0, 3).join(', ') + (packages.length > 3 ? ', ...' : '');
  return [
    {
      code: 'lambda-source-dependencies-outside',
      path: SOURCE,
      message: `${shown} has no node_modules, but ${found} imports ${names}: only the folder is zipped, so these imports fail on Lambda and in preview`,
      fix: isFile(path.join(dir, 'package.json'))
        ? `install them into the folder: npm ci --omit=dev --prefix ${shown} (npm install --omit=dev without a package-lock.json), or bundle the handler with its dependencies into one file`
        : `copy package.json and package-lock.json into ${shown}, then run npm ci --omit=dev --prefix ${shown} (or bundle the handler with its dependencies into one file)`,
    },
  ];
}

/** Package names a module's text imports or requires by a bare specifier (`zod`, `@scope/pkg/sub` -> `@scope/pkg`). */
function bareImports(text: string): Set<string> {
  const names = new Set<string>();
  const specifiers = /\b(?:from|import)\s*\(?\s*(['"])([^'"\n]+)\1|\brequire\s*\(\s*(['"])([^'"\n]+)\3\s*\)/g;
  for (const m of text.matchAll(specifiers)) {
    const spec = m[2] ?? m[4]!;
    if (/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(spec)) continue; // relative, absolute, node:, data:, file:
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return names;
}

// ---- Helpers -------------------------------------------------------------------------------------------------

/**
 * Reads the small text files of the static checks. Everything in a repository is written by whoever opens the
 * pull request: a file here may be a link to a device (/dev/zero never ends), to /proc (EIO), to a FIFO (blocks
 * forever) or to a secret outside the repository. So a file is read only when its real path is inside the
 * repository and it is a regular file once open (O_NONBLOCK: opening a FIFO does not wait for a writer), and at
 * most MAX_STATIC_BYTES of it; anything else, read errors included, is "cannot tell".
 */
class SafeReader {
  constructor(private readonly root: string) {}

  text(file: string): string | undefined {
    let fd: number | undefined;
    try {
      const real = realpathSync(file);
      if (!isWithin(this.root, real)) return undefined;
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
      if (!fstatSync(fd).isFile()) return undefined;
      const buf = Buffer.alloc(MAX_STATIC_BYTES + 1);
      let length = 0;
      for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0;) length += n;
      return length > MAX_STATIC_BYTES ? undefined : buf.toString('utf8', 0, length);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
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
