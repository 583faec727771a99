/**
 * A spec file could not be read at all: a usage-level problem (exit 2), unlike an invalid spec (exit 1).
 * In a module of its own so the CLI can recognise it without loading the parser and zod at start-up.
 */
import { CorsGenError } from '../errors.js';

export class SpecFileError extends CorsGenError {
  override readonly name = 'SpecFileError';
  readonly kind = 'external';
  readonly code = 'unreadable';

  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}
