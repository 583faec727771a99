/** Errors of the expression layer, turned into a {@link ModuleError} that names where in the module they happened. */
import { ExpressionSyntaxError, UnsupportedExpression } from '../../terraform/expression/ast.js';
import { EvalError } from '../../terraform/expression/values.js';
import { ModuleError } from '../errors.js';

export function located(e: unknown, where: { file: string; address: string }, expression: string): Error {
  if (e instanceof ModuleError) {
    // The innermost location is the useful one; add the file when the inner error had none.
    return e.location.file
      ? e
      : new ModuleError(e.reason, { ...where, expression: e.location.expression ?? expression });
  }
  if (e instanceof EvalError) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof UnsupportedExpression) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof ExpressionSyntaxError)
    return new ModuleError(`invalid expression: ${e.message}`, { ...where, expression });
  // Parsing and evaluating are recursive: `((((...))))` or `1+1+...` thousands deep exhausts the stack. That is
  // the module's doing, so it is reported as such rather than as a bug in cors-gen.
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return new ModuleError(
      'the expression nests too deeply for the preview to read; a generated module nests a few levels',
      { ...where, expression },
    );
  // The same for a value that outgrows what JavaScript can hold (join or replace over strings at the bound).
  if (e instanceof RangeError && /invalid (string|array) length/i.test(e.message))
    return new ModuleError('the value grows longer than the preview holds; a generated module computes small values', {
      ...where,
      expression,
    });
  return e as Error;
}
