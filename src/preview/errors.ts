/**
 * The two ways `preview` refuses to start. A {@link ModuleError} is the module's fault (exit 1: the preview will
 * not emulate something it cannot emulate faithfully, or the module would fail on AWS); a
 * {@link PreviewSetupError} is the environment's (exit 2: an unreadable folder, a port already in use).
 */

export interface ModuleLocation {
  /** The module file, relative to the module folder (`main.tf`). */
  readonly file?: string;
  /** The Terraform address and attribute (`aws_api_gateway_method.orders_get.authorization`). */
  readonly address?: string;
  /** The expression as written in the file. */
  readonly expression?: string;
}

export class ModuleError extends Error {
  override readonly name = 'ModuleError';
  readonly reason: string;
  readonly location: ModuleLocation;

  constructor(reason: string, location: ModuleLocation = {}) {
    const where = [location.file, location.address].filter(Boolean).join(': ');
    const expression = location.expression === undefined ? '' : ` (in ${shorten(location.expression)})`;
    super(`${where ? `${where}: ` : ''}${reason}${expression}`);
    this.reason = reason;
    this.location = location;
  }
}

export class PreviewSetupError extends Error {
  override readonly name = 'PreviewSetupError';
}

function shorten(expression: string): string {
  const oneLine = JSON.stringify(expression);
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}..."` : oneLine;
}
