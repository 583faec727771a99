import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SpecIssue } from './issue.js';
import { MAX_SPEC_BYTES, parseSpecText } from './parse.js';
import { pathParts, validateSpecText, type ValidationResult } from './validate.js';
import { SpecFileError } from './spec-file-error.js';
import { DEFAULT_OUT_DIR, holdsModuleIssue } from './spec-paths.js';

export { SpecFileError };

export const DEFAULT_SPEC_FILES = ['cors-gen.yaml', 'cors-gen.yml', 'cors-gen.json'] as const;

/** The spec named by `--spec`, or the default file in `cwd`. */
export function resolveSpecFile(spec: string | undefined, cwd = process.cwd()): string {
  if (spec) return path.resolve(cwd, spec);
  const found = DEFAULT_SPEC_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!found) {
    throw new SpecFileError(
      `no spec found: looked for ${DEFAULT_SPEC_FILES.join(', ')} in ${cwd}; run "cors-gen init" or pass --spec FILE`,
      cwd,
    );
  }
  return found;
}

export type LoadResult = ValidationResult & { readonly file: string; readonly text: string };

/**
 * Reads and validates a spec file. Throws SpecFileError only when the file cannot be read; everything wrong
 * with its content comes back as issues naming the file (relative to `cwd`, so messages never carry the
 * user's absolute paths).
 */
export async function loadSpec(specFile: string, cwd = process.cwd()): Promise<LoadResult> {
  const display = path.relative(cwd, specFile) || path.basename(specFile);
  let buf: Buffer;
  try {
    // A device or a huge file is never a spec; refuse it before reading (`--spec /dev/zero` would never end).
    // Pipes stay allowed: `--spec <(envsubst < spec.tmpl)`.
    const info = await stat(specFile);
    if (info.isFile() && info.size > MAX_SPEC_BYTES) {
      return invalid(display, '', {
        severity: 'error',
        code: 'too-large',
        path: '',
        message: `the file is ${info.size} bytes; a spec is a short YAML or JSON document (at most ${MAX_SPEC_BYTES})`,
        file: display,
      });
    }
    if (info.isCharacterDevice() || info.isBlockDevice() || info.isSocket())
      throw new SpecFileError(`${display}: is a device, not a spec file`, display);
    buf = await readFile(specFile);
  } catch (e) {
    if (e instanceof SpecFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecFileError(
      code === 'ENOENT'
        ? `${display}: no such file`
        : code === 'EISDIR'
          ? `${display}: is a directory, not a spec file`
          : `${display}: cannot be read (${code ?? (e as Error).message})`,
      display,
    );
  }
  const text = decodeUtf8(buf);
  if (text === undefined) {
    const at = firstInvalidUtf8(buf);
    return invalid(display, '', {
      severity: 'error',
      code: 'encoding',
      path: '',
      message: 'the file is not valid UTF-8',
      fix: 'save it as UTF-8',
      file: display,
      ...at,
    });
  }
  let result = validateSpecText(text.replace(/^\uFEFF/, ''), display);
  if (result.ok && result.model.api === 'rest') {
    // `openapi:` names the user's own document, read here (bounded, inside the repository) for its routes.
    const parsed = parseSpecText(text.replace(/^\uFEFF/, ''), display);
    if (parsed.ok && typeof (parsed.parsed.data as { openapi?: unknown }).openapi === 'string') {
      const { withOpenApiSource } = await import('../openapi/spec-source.js');
      result = await withOpenApiSource(path.resolve(cwd, specFile), parsed.parsed, display, cwd);
    }
  }
  if (result.ok && result.model.lambda.source) {
    // The spec is valid; its lambda.source is checked on disk (read-only, bounded) and located like the rest.
    const { checkLambdaSource } = await import('./source-check.js');
    const lambdaSource = result.model.lambda.source;
    const absSpec = path.resolve(cwd, specFile);
    const found = await checkLambdaSource(absSpec, result.model.lambda.runtime, lambdaSource);
    // generate writes the module into cwd's generated/ by default: a folder holding it is worth a warning here.
    const module = path.resolve(cwd, DEFAULT_OUT_DIR, result.model.name);
    const holds = found.some((i) => i.severity === 'error')
      ? undefined
      : holdsModuleIssue(
          'warning',
          lambdaSource.dir,
          path.resolve(path.dirname(absSpec), lambdaSource.dir),
          module,
          path.relative(cwd, module) || '.',
        );
    if (holds) found.push(holds);
    const parsed = found.length > 0 ? parseSpecText(text.replace(/^\uFEFF/, ''), display) : undefined;
    const located = found.map((issue): SpecIssue => {
      const pos = parsed?.ok ? parsed.parsed.locate(pathParts(issue.path), 'value') : undefined;
      return { ...issue, file: display, ...(pos ? { line: pos.line, column: pos.column } : {}) };
    });
    const errors = located.filter((i) => i.severity === 'error');
    const warnings = [...result.warnings, ...located.filter((i) => i.severity !== 'error')];
    if (errors.length > 0) return { ok: false, errors, warnings, file: display, text };
    result = { ...result, warnings };
  }
  return { ...result, file: display, text };
}

function decodeUtf8(buf: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
}

/** Line and column (in characters) of the first byte that is not UTF-8, so an editor can jump to it. */
function firstInvalidUtf8(buf: Buffer): { line: number; column: number } | undefined {
  const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf);
  // The first U+FFFD that the bytes do not spell out (EF BF BD) is where decoding failed. One pass, keeping the
  // byte offset as it goes: the file may hold many genuine U+FFFD before the bad byte.
  let offset = 0;
  let line = 1;
  let column = 1;
  for (const ch of lossy) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd && (buf[offset] !== 0xef || buf[offset + 1] !== 0xbf || buf[offset + 2] !== 0xbd))
      return { line, column };
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (ch === '\n') {
      line++;
      column = 1;
    } else column += ch.length;
  }
  return undefined;
}

function invalid(file: string, text: string, issue: SpecIssue): LoadResult {
  return { ok: false, errors: [issue], warnings: [], file, text };
}
