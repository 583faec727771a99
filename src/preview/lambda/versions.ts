/**
 * The local Node and Python that run a staged function against the runtime the module deploys: the user's own
 * code may use what one version has and another lacks (a newer Node API, Python syntax), so a difference is
 * told once, at start.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PreviewSetupError } from '../errors.js';
import type { LambdaCode } from './environments.js';
import { PYTHON_SDK_LOCATIONS, pythonSdkPackages } from './runtime-sdk.js';

/**
 * The interpreter that runs the module's Python code: its absolute path, its version (`3.11.7`), and the packages
 * of the AWS SDK it has (runtime-sdk.ts), which stand in for the runtime's.
 */
export interface LocalPython {
  readonly executable: string;
  readonly version: string;
  readonly sdk?: readonly string[];
}

/**
 * What `python` (a command such as `python3`, or a path) runs when the user types it: asked once, of the
 * interpreter itself (`sys.executable`), in the preview's own environment and folder, so that a launcher (pyenv's
 * or asdf's shim, a bash script that reads PYENV_VERSION, `.python-version` and BASH_ENV) chooses as it would for
 * the user. That one path then serves the SDK probe and every execution environment, started directly, and the
 * version is that interpreter's own: nothing of the function (its variables, its files) can choose another.
 * `-I`: the probe ignores PYTHON* variables and the user's site-packages.
 */
export function localPython(python: string): LocalPython {
  const probe = spawnSync(
    python,
    [
      '-I',
      '-c',
      `import importlib.util, json, platform, sys; print(json.dumps([sys.executable, platform.python_version(), ${PYTHON_SDK_LOCATIONS}]))`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  let found: unknown;
  try {
    found = JSON.parse(probe.stdout ?? '');
  } catch {
    found = undefined;
  }
  const [executable, version, sdkLocations] = Array.isArray(found) ? (found as unknown[]) : [];
  if (typeof executable === 'string' && path.isAbsolute(executable) && typeof version === 'string') {
    const sdk = pythonSdkPackages(sdkLocations);
    return { executable, version, ...(sdk ? { sdk } : {}) };
  }
  const cause = probe.error?.message ?? (probe.stderr?.trim() || `it printed ${JSON.stringify(probe.stdout ?? '')}`);
  throw new PreviewSetupError(
    `the module's Lambda code is Python and "${python}" cannot be run to find its interpreter (${cause.slice(0, 300)})`,
    { code: 'python-missing', fix: `install Python 3 so that "${python}" runs it, then run cors-gen preview again` },
  );
}

/**
 * One warning per runtime that differs from the local interpreter: Node by major version (`nodejs22.x`), Python
 * by `3.<minor>` (`python3.12`). `pythonVersion`: the local interpreter's (localPython), when one runs Python code.
 */
export function runtimeVersionWarnings(codes: readonly LambdaCode[], pythonVersion: string | undefined): string[] {
  const warnings = new Set<string>();
  const localNode = process.versions.node.split('.')[0]!;
  const localPython = /^(\d+\.\d+)/.exec(pythonVersion ?? '')?.[1];
  for (const code of codes) {
    if (!code.staged) continue;
    const node = /^nodejs(\d+)/.exec(code.runtime)?.[1];
    if (node !== undefined && node !== localNode)
      warnings.add(
        `the function runs on ${code.runtime} but the preview runs your code with the local Node ${process.versions.node}; code that needs Node ${node} may behave differently here (use Node ${node} locally to match)`,
      );
    const python = /^python(\d+\.\d+)/.exec(code.runtime)?.[1];
    if (python !== undefined && localPython !== undefined && python !== localPython)
      warnings.add(
        `the function runs on ${code.runtime} but the preview runs your code with the local Python ${localPython}; code that needs Python ${python} may behave differently here (put a python3 that is Python ${python} first on PATH to match)`,
      );
  }
  return [...warnings];
}
