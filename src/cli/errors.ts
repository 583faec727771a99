/**
 * The three kinds of failure and their exit codes: usage (2: bad flags, unreadable files, network), invalid
 * input or a failed check (1), internal (1, with "please report").
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  override readonly name = 'UsageError';
  /** Stable identifier for `--json` consumers, e.g. `unknown-option`. */
  readonly code: string;
  /** What to do instead, when there is one thing to do. */
  readonly fix?: string;

  constructor(message: string, options: { code?: string; fix?: string } = {}) {
    super(message);
    this.code = options.code ?? 'usage';
    if (options.fix !== undefined) this.fix = options.fix;
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
