/**
 * The AWS SDK that Lambda's runtimes provide next to the function's code, stood in for by this machine's copy and
 * nothing else. Lambda's Python runtimes run code "in an environment that includes the SDK for Python (Boto3)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html) and its Node.js 18 and later runtimes include
 * the AWS SDK for JavaScript v3 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html), so a handler
 * that imports them without shipping them works on AWS and must work here; anything else it imports must come
 * from its own zip or layers, as on AWS.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { isWithin, repositoryRoot } from '../../spec/spec-paths.js';

/**
 * boto3 and botocore, and the packages they need (their install requirements: jmespath, s3transfer,
 * python-dateutil, urllib3, and six for dateutil): the runtime's SDK works only with all of them.
 */
const PYTHON_SDK = ['boto3', 'botocore', 'jmespath', 's3transfer', 'dateutil', 'urllib3', 'six'] as const;

/**
 * A Python expression for where the interpreter keeps the SDK's packages, each a package folder or a one-file
 * module (`six.py`), or None: `find_spec` locates a top-level package without importing it. Evaluated by the one
 * probe of the interpreter (versions.ts, localPython), with `-I`: no PYTHONPATH, no user site, not the current
 * folder.
 */
export const PYTHON_SDK_LOCATIONS = `[None if s is None else (list(s.submodule_search_locations or [])[:1] or [s.origin])[0] for s in [importlib.util.find_spec(n) for n in ${JSON.stringify(PYTHON_SDK)}]]`;

/** The SDK's packages from what PYTHON_SDK_LOCATIONS gave; undefined without boto3 or botocore. */
export function pythonSdkPackages(found: unknown): string[] | undefined {
  if (!Array.isArray(found) || found.length !== PYTHON_SDK.length) return undefined;
  // Only what is named like the package it stands for, as an absolute path, is linked.
  const paths = PYTHON_SDK.map((name, i) => {
    const p: unknown = found[i];
    return typeof p === 'string' &&
      path.isAbsolute(p) &&
      (path.basename(p) === name || path.basename(p) === `${name}.py`) &&
      existsSync(p)
      ? p
      : undefined;
  });
  if (paths[0] === undefined || paths[1] === undefined) return undefined;
  return paths.filter((p): p is string => p !== undefined);
}

/**
 * A folder of links to the SDK's packages (pythonSdkPackages), which the runner appends last to `sys.path` as
 * Lambda keeps its SDK after the task root, the layers and the standard library: the SDK and only the SDK, not
 * the rest of the site-packages it lies in.
 */
export function linkPythonSdk(packages: readonly string[], into: string): void {
  mkdirSync(into, { recursive: true });
  for (const p of packages) symlinkSync(p, path.join(into, path.basename(p)));
}

/**
 * The repository's `@aws-sdk` folder for a Node function whose code is in `sourceDir` (a real path): the nearest
 * `node_modules/@aws-sdk` from that folder up to the repository's root, usually the devDependency the handler's
 * types come from. Undefined when there is none, or when it leads out of the repository.
 */
export function findNodeSdk(sourceDir: string): string | undefined {
  const repository = realpathSync(repositoryRoot(sourceDir));
  for (let d = sourceDir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', '@aws-sdk');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) {
      const real = realpathSync(candidate);
      if (real !== repository && isWithin(repository, real)) return real;
    }
    if (d === repository || path.dirname(d) === d) return undefined;
  }
}

/**
 * Makes `@aws-sdk/*` resolvable from a staged task root whose parent is `stagingRoot`, after the code's own
 * node_modules: `require` and `import` both look in `node_modules` of every parent folder
 * (https://nodejs.org/api/modules.html#loading-from-node_modules-folders,
 * https://nodejs.org/api/esm.html#resolution-algorithm), and a link's real path is where the SDK's own
 * dependencies (`@smithy/*`) are then found. Each package of the folder is linked on its own, and only when its
 * real path is inside the repository: an entry may itself be a link to anywhere on this machine. Returns a warning
 * for each entry left out.
 */
export function linkNodeSdk(sourceDir: string, stagingRoot: string): string[] {
  const sdk = findNodeSdk(sourceDir);
  if (sdk === undefined) return [];
  const repository = realpathSync(repositoryRoot(sourceDir));
  const into = path.join(stagingRoot, 'node_modules', '@aws-sdk');
  mkdirSync(into, { recursive: true });
  const warnings: string[] = [];
  for (const name of readdirSync(sdk).sort()) {
    let real: string;
    try {
      real = realpathSync(path.join(sdk, name));
    } catch {
      continue; // a link to nothing: there is nothing to import either way
    }
    if (real === repository || !isWithin(repository, real))
      warnings.push(
        `${path.relative(repository, path.join(sdk, name))} is a symbolic link to ${real}, outside the repository; the preview does not give it to the function as the runtime's AWS SDK (install the package into the repository instead of linking it)`,
      );
    else if (statSync(real).isDirectory()) symlinkSync(real, path.join(into, name), 'dir');
  }
  return warnings;
}

/**
 * What to do when a line the function logs says that it could not import the runtime's SDK: Lambda would have
 * it, the preview did not find it here. `pythonSdk`: whether the Python SDK was found (then a missing boto3 is
 * something else).
 */
export function missingSdkHint(line: string, runtime: string, pythonSdk: boolean): string | undefined {
  if (runtime.startsWith('python')) {
    const name = /No module named '(boto3|botocore)'/.exec(line)?.[1];
    if (name === undefined || pythonSdk) return undefined;
    return `Lambda's ${runtime} runtime provides ${name} (the AWS SDK for Python), but the preview does not find boto3 and botocore in this machine's python3; install them for the preview (python3 -m pip install boto3) or vendor them into the function's folder`;
  }
  const name = /Cannot find (?:package|module) '(@aws-sdk\/[^'/]+)/.exec(line)?.[1];
  if (name === undefined) return undefined;
  return `Lambda's ${runtime} runtime provides the AWS SDK for JavaScript v3; the preview stands in for it with the repository's own copy, looked for in the node_modules folders from the function's folder up to the repository's root, and none has ${name}: install it as a dev dependency there (npm i -D ${name}, in the repository's root or the function's package)`;
}
