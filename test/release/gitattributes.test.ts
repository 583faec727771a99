/**
 * A Windows checkout with core.autocrlf=true turns text files into CRLF unless .gitattributes says otherwise;
 * `generate --check` compares with the LF bytes it would write, so every generated file would look stale.
 * `eol=lf` forces LF in the working tree on every platform (https://git-scm.com/docs/gitattributes#_eol).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/capture.js';

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
}

describe('.gitattributes', () => {
  it('checks out every generated file and spec with LF line endings, whatever core.autocrlf says', () => {
    const files = git('ls-files', '--', 'generated', 'examples').trim().split('\n');
    expect(files.length).toBeGreaterThan(10);
    const attrs = git('-c', 'core.autocrlf=true', 'check-attr', 'eol', '--', ...files)
      .trim()
      .split('\n');
    expect(attrs.filter((line) => !line.endsWith(': eol: lf'))).toEqual([]);
  });

  it('keeps every generated file type, specs and templates LF, wherever they are', () => {
    const out = git(
      'check-attr',
      'eol',
      '--',
      'a/main.tf',
      'a/dev.tfvars',
      'a/main.tf.json',
      'templates/x.hbs',
      'a/cors-gen.yaml',
      'b/cors-gen.json',
      'generated/x/lambda/index.mjs',
      'generated/x/lambda/handler.py',
      'generated/x/.cors-gen.json',
    );
    expect(
      out
        .trim()
        .split('\n')
        .every((line) => line.endsWith(': eol: lf')),
    ).toBe(true);
  });
});
