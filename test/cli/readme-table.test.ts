import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './capture.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const COMMANDS = ['init', 'validate', 'schema', 'generate', 'check', 'preview'] as const;

/** The README's command table row of `cors-gen <command>`: its first cell. */
function tableRow(command: string): string | undefined {
  return README.split('\n').find(
    (l) => l.startsWith(`| \`cors-gen ${command} `) || l.startsWith(`| \`cors-gen ${command}\``),
  );
}

describe('the README command table', () => {
  for (const command of COMMANDS) {
    it(`lists every flag "cors-gen ${command} --help" shows`, async () => {
      const help = (await cli([command, '--help'])).stdout;
      const flags = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
      expect(flags.length).toBeGreaterThan(0);
      const row = tableRow(command);
      expect(row, `no row for cors-gen ${command}`).toBeDefined();
      const cell = row!.split(' | ')[0]!;
      expect(flags.filter((f) => !new RegExp(`${f}(?![a-z-])`).test(cell))).toEqual([]);
    });
  }
});
