import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SpecIssue } from './issue.js';
import { parseSpecText } from './parse.js';
import { validateSpec, type ValidationResult } from './validate.js';

export const DEFAULT_SPEC_FILES = ['cors-gen.yaml', 'cors-gen.yml', 'cors-gen.json'] as const;

/** A spec file could not be read at all: a usage-level problem (exit 2), unlike an invalid spec (exit 1). */
export class SpecFileError extends Error {
  constructor(message: string, readonly file: string) {
    super(message);
    this.name = 'SpecFileError';
  }
}

/** The spec named by `--spec`, or the default file in `cwd`. */
export function resolveSpecFile(spec: string | undefined, cwd = process.cwd()): string {
  if (spec) return path.resolve(cwd, spec);
  const found = DEFAULT_SPEC_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!found) {
    throw new SpecFileError(`no spec found: looked for ${DEFAULT_SPEC_FILES.join(', ')} in ${cwd}; run "cors-gen init" or pass --spec FILE`, cwd);
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
    buf = await readFile(specFile);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecFileError(
      code === 'ENOENT' ? `${display}: no such file` : code === 'EISDIR' ? `${display}: is a directory, not a spec file` : `${display}: cannot be read (${code ?? (e as Error).message})`,
      display,
    );
  }
  const text = decodeUtf8(buf);
  if (text === undefined) return invalid(display, '', { severity: 'error', code: 'encoding', path: '', message: 'the file is not valid UTF-8; save it as UTF-8', file: display });
  const parsed = parseSpecText(text.replace(/^\uFEFF/, ''), display);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [], file: display, text };
  return { ...validateSpec(parsed.parsed.data, { file: display, parsed: parsed.parsed }), file: display, text };
}

function decodeUtf8(buf: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
}

function invalid(file: string, text: string, issue: SpecIssue): LoadResult {
  return { ok: false, errors: [issue], warnings: [], file, text };
}
