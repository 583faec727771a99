/**
 * Red-team regressions about generated output that the sink escapes first missed. Each test asserts the exact
 * text written for a value the validator accepts.
 */
import { describe, expect, it } from 'vitest';
import { markdownText } from '../../src/render/escape.js';
import { buildModuleFiles } from '../../src/synth/module-files.js';
import { modelOf, spec } from '../support/synth.js';

const OPTIONS = { specFile: 'cors-gen.yaml', specText: '', version: '0.0.0-test', format: 'hcl' as const };

describe('README: a header name is text, never GitHub math', () => {
  // "$" is a token character, so "$input" and "x$" are valid header names; GitHub renders text between two
  // dollar signs as a math expression unless they are escaped as "\$".
  // https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/writing-mathematical-expressions
  it('escapes "$" in the CORS table', async () => {
    const model = modelOf(
      spec({ cors: { allowOrigins: ['https://app.example.com'], allowHeaders: ['$input', 'x$'] } }),
    );
    const readme = (await buildModuleFiles(model, OPTIONS)).generated.get('README.md')!;
    expect(readme).toContain('| request headers | \\$input, x\\$ |\n');
  });

  it('escapes "$" wherever text is written', () => {
    expect(markdownText('$a$ $$b$$')).toBe('\\$a\\$ \\$\\$b\\$\\$');
  });
});
