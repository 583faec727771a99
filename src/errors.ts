/**
 * The one error model of cors-gen. Every error the library throws on purpose is a {@link CorsGenError}; its
 * `kind` says whose problem it is, and the CLI (`cli/main.ts`, alone) maps the kind to an exit code and to the
 * one `--json` envelope `{schemaVersion, ok: false, error: {code, message, fix?}}`:
 *
 * - `usage` (exit 2): the command was called wrongly: a flag, an argument, two specs where one is meant.
 * - `external` (exit 2): the world around the command failed: an unreadable file, a port in use, the network.
 * - `invalid` (exit 1): the input was read and is wrong: a spec, a module the preview cannot serve.
 * - `internal` (exit 1, "please report"): a bug in cors-gen.
 *
 * An invalid spec or a failed check is not an error here: the command reports it in its own result document.
 * Dependency-free, so every entry (and `validate`/`init`/`check`, which must not load CDKTF) can import it.
 */
export type ErrorKind = 'usage' | 'invalid' | 'external' | 'internal';

export abstract class CorsGenError extends Error {
  /** Whose problem it is; decides the exit code. */
  abstract readonly kind: ErrorKind;
  /** A stable identifier for scripts (`--json`), e.g. `unknown-option`, `unreadable`, `port-in-use`. */
  abstract readonly code: string;
  /** What to do instead, when there is one thing to do. */
  readonly fix?: string | undefined;

  constructor(message: string, options: { fix?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.fix !== undefined) this.fix = options.fix;
  }
}

/** An error the CLI reports in a `usage`-kind way: bad flags or arguments (exit 2). */
export class UsageError extends CorsGenError {
  override readonly name = 'UsageError';
  readonly kind: ErrorKind = 'usage';
  readonly code: string;

  constructor(message: string, options: { code?: string; fix?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'usage';
  }
}

/** The exit codes, by kind (`internal` is 1, with a request to report the bug). */
export const EXIT_CODE: Readonly<Record<ErrorKind, 1 | 2>> = { usage: 2, external: 2, invalid: 1, internal: 1 };

/** The world around the command failed (exit 2): the network, a port, a file system. */
export class ExternalError extends CorsGenError {
  override readonly name = 'ExternalError';
  readonly kind: ErrorKind = 'external';
  readonly code: string;

  constructor(message: string, options: { code: string; fix?: string }) {
    super(message, options);
    this.code = options.code;
  }
}

/** The input was read and is wrong (exit 1): the message names the file, the place in it and the fix. */
export class InvalidInputError extends CorsGenError {
  override readonly name = 'InvalidInputError';
  readonly kind: ErrorKind = 'invalid';
  readonly code: string;

  constructor(message: string, options: { code: string; fix?: string }) {
    super(message, options);
    this.code = options.code;
  }
}
