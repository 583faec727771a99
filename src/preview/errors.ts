/**
 * The two ways `preview` refuses to start. A {@link ModuleError} is the module's fault (exit 1: the preview will
 * not emulate something it cannot emulate faithfully, or the module would fail on AWS); a
 * {@link PreviewSetupError} is the environment's (exit 2: an unreadable folder, a port already in use).
 */

import { CorsGenError } from '../errors.js';
import { terminalText } from '../terminal-text.js';

export interface ModuleLocation {
  /** The module file, relative to the module folder (`main.tf`). */
  readonly file?: string;
  /** The Terraform address and attribute (`aws_api_gateway_method.orders_get.authorization`). */
  readonly address?: string;
  /** The expression as written in the file. */
  readonly expression?: string;
}

/** A stable identifier for scripts (`--json`) and what to do about it, when there is one thing to do. */
export interface ErrorDetail {
  readonly code?: string;
  readonly fix?: string;
}

export class ModuleError extends CorsGenError {
  override readonly name = 'ModuleError';
  readonly kind = 'invalid';
  readonly reason: string;
  readonly location: ModuleLocation;
  readonly code: string;
  override readonly fix: string | undefined;

  constructor(reason: string, location: ModuleLocation = {}, detail: ErrorDetail = {}) {
    const where = [location.file, location.address].filter(Boolean).join(': ');
    const expression = location.expression === undefined ? '' : ` (in ${shorten(location.expression)})`;
    super(terminalText(`${where ? `${where}: ` : ''}${reason}${expression}`));
    this.reason = reason;
    this.location = location;
    this.code = detail.code ?? 'cannot-serve';
    this.fix = detail.fix;
  }
}

export class PreviewSetupError extends CorsGenError {
  override readonly name = 'PreviewSetupError';
  readonly kind = 'external';
  readonly code: string;
  override readonly fix: string | undefined;

  constructor(message: string, detail: ErrorDetail = {}) {
    super(terminalText(message));
    this.code = detail.code ?? 'setup';
    this.fix = detail.fix;
  }
}

function shorten(expression: string): string {
  const oneLine = JSON.stringify(expression);
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}..."` : oneLine;
}
