/**
 * The three kinds of failure and their exit codes (DESIGN.md section 2): usage (2: bad flags, unreadable
 * files, network), invalid input or a failed check (1), internal (1, with "please report").
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
