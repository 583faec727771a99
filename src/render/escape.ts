import path from 'node:path';

/**
 * Escapes for the places generated files show text that came from outside (the spec file's path, spec values):
 * one function per kind of place, used where the text is written (the Handlebars helpers of `templates.ts`, the
 * file headers of `synth/module-files.ts`). Terraform strings have their own, in `constructs/terraform-literal.ts`.
 */

/**
 * Text that stays inside a one-line comment of any generated language (`#` in HCL, `.tfvars`, `.gitignore` and
 * Python, `//` in JavaScript, `<!-- -->` in Markdown): the JSON string escapes (so no line feed or carriage
 * return), plus \u escapes for what ends a line or a comment elsewhere: U+2028 and U+2029 end a `//` comment in
 * JavaScript (https://tc39.es/ecma262/#sec-line-terminators), `>` ends `<!-- -->`
 * (https://html.spec.whatwg.org/multipage/syntax.html#comments), and C1 controls and DEL are shown escaped
 * rather than sent to a terminal. Text without any of these is unchanged.
 */
export function commentText(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\u009f\u2028\u2029<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The spec file as generated files name it: forward slashes, never an absolute path (the same spec must give the
 * same bytes on every machine). Not escaped: each place that shows it escapes it for itself.
 */
export function displaySpecFile(specFile: string): string {
  const slashed = specFile.replace(/\\/g, '/');
  return path.posix.isAbsolute(slashed) || path.win32.isAbsolute(specFile) ? path.posix.basename(slashed) : slashed;
}

/**
 * A Markdown code span showing `text` verbatim: nothing inside a code span is Markdown or HTML, and the fence is
 * one backtick longer than the longest run inside, padded with a space when the text starts or ends with a
 * backtick or a space (https://spec.commonmark.org/0.31.2/#code-spans). Line breaks become \n escapes, since a
 * code span would fold them into spaces. In a table cell, `|` is escaped as well: GFM splits cells on it even
 * inside code spans (https://github.github.com/gfm/#tables-extension-).
 */
export function markdownCode(text: string, inTable = false): string {
  const oneLine = text.replace(/[\r\n\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16)}`,
  );
  const longest = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(oneLine) ? ' ' : '';
  const span = `${fence}${pad}${oneLine}${pad}${fence}`;
  return inTable ? span.replace(/\|/g, '\\|') : span;
}

/**
 * Markdown text that renders as exactly `text`: every ASCII punctuation character that Markdown or its HTML can
 * give meaning to is backslash-escaped (CommonMark allows the escape before any ASCII punctuation,
 * https://spec.commonmark.org/0.31.2/#backslash-escapes), line breaks become spaces. `$` too: GitHub renders
 * text between two of them as math, and `\$` is its escape
 * (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/writing-mathematical-expressions).
 */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>&|~$]/g, (c) => `\\${c}`);
}
