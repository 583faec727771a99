/**
 * `check` must never load CDKTF (slow, and archived upstream): nothing reachable by static imports from the check
 * command or the checker imports cdktf, and the command loads the checker lazily.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)]
    .filter((m) => !/^\s*import\s+type\s/.test(m[0]))
    .map((m) => m[1]!);
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else seen.add(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('check loads no CDKTF', () => {
  it.each(['cli/commands/check.ts', 'check/index.ts'])('%s reaches no cdktf module by static imports', (entry) => {
    const modules = [...reachable(path.join(SRC, entry))];
    expect(modules.filter((m) => /cdktf|constructs/.test(m))).toEqual([]);
  });

  it('the command imports the checker lazily', () => {
    const command = readFileSync(path.join(SRC, 'cli/commands/check.ts'), 'utf8');
    expect(staticImports(path.join(SRC, 'cli/commands/check.ts')).some((s) => s.includes('/check/'))).toBe(false);
    expect(command).toContain("await import('../../check/index.js')");
  });
});
