import type { Command } from 'commander';
import type { ErrorKind } from '../errors.js';
import type { Output } from './output.js';

/**
 * What a command's action shares with `main`, in a module of its own so that `main.ts` imports the commands and
 * no command imports `main.ts` (no import cycle).
 */

/**
 * How a command ended, when it ended with its own result document: `ok`, or the kind of failure the document
 * reports (`invalid` for an invalid spec or a failed check). `main` alone turns it into an exit code.
 */
export type Outcome = 'ok' | ErrorKind;

export interface CliContext {
  readonly output: Output;
  /** Set by an action; read once the action resolves. */
  outcome?: Outcome;
  /** The subcommand being run, once commander has chosen it (before it parses its options). */
  command?: Command;
  /** Whether that command was given `--json`, once its options are parsed. */
  json?: boolean;
}

/** Wraps an action so its outcome lands in the context. */
export function action<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<Outcome>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.outcome = await fn(...args);
  };
}
