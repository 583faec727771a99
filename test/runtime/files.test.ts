/**
 * src/runtime/ holds the code that runs outside cors-gen as ordinary files: every JavaScript file is type-checked
 * (it opts in with `// @ts-check`; `allowJs` alone checks nothing), and the build copies each file unchanged to
 * dist/runtime/, where the bundle looks for it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/capture.js';

const SRC = path.join(ROOT, 'src', 'runtime');
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(mjs|py)$/.test(f))
  .map((f) => f.split(path.sep).join('/'))
  .sort();

describe('src/runtime', () => {
  it('holds the Lambda wrappers and the preview worker and runner', () => {
    expect(files).toEqual([
      'lambda/cors.mjs',
      'lambda/cors.py',
      'lambda/load-handler.mjs',
      'lambda/wrapper.mjs',
      'lambda/wrapper.py',
      'preview/node-worker.mjs',
      'preview/python_runner.py',
    ]);
  });

  it.each(files.filter((f) => f.endsWith('.mjs')))('%s opts in to type checking before its first statement', (file) => {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const leading = text.slice(0, text.search(/^(?!\/\/)/m));
    expect(leading).toMatch(/^\/\/ @ts-check$/m);
  });

  it.each(files)('%s is copied unchanged to dist/runtime/', (file) => {
    const built = path.join(ROOT, 'dist', 'runtime', file);
    expect(existsSync(built), `${built} is missing: run "npm run build" (npm test does it first)`).toBe(true);
    expect(readFileSync(built, 'utf8')).toBe(readFileSync(path.join(SRC, file), 'utf8'));
  });
});
