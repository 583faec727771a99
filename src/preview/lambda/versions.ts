/**
 * The local Node and Python that run a staged function against the runtime the module deploys: the user's own
 * code may use what one version has and another lacks (a newer Node API, Python syntax), so a difference is
 * told once, at start.
 */
import type { LambdaCode } from './environments.js';

/**
 * One warning per runtime that differs from the local interpreter: Node by major version (`nodejs22.x`), Python
 * by `3.<minor>` (`python3.12`). `pythonVersion` is what `python3 --version` printed, when it ran.
 */
export function runtimeVersionWarnings(codes: readonly LambdaCode[], pythonVersion: string | undefined): string[] {
  const warnings = new Set<string>();
  const localNode = process.versions.node.split('.')[0]!;
  const localPython = /Python (\d+\.\d+)/.exec(pythonVersion ?? '')?.[1];
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
