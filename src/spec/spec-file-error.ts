/**
 * A spec file could not be read at all: a usage-level problem (exit 2), unlike an invalid spec (exit 1).
 * In a module of its own so the CLI can recognise it without loading the parser and zod at start-up.
 */
export class SpecFileError extends Error {
  constructor(message: string, readonly file: string) {
    super(message);
    this.name = 'SpecFileError';
  }
}
