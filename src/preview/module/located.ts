/** Errors of the expression layer, turned into a {@link ModuleError} that names where in the module they happened. */
import { ExpressionSyntaxError, UnsupportedExpression } from '../hcl/ast.js';
import { EvalError } from '../hcl/values.js';
import { ModuleError } from '../errors.js';

export function located(e: unknown, where: { file: string; address: string }, expression: string): Error {
  if (e instanceof ModuleError) {
    // The innermost location is the useful one; add the file when the inner error had none.
    return e.location.file ? e : new ModuleError(e.reason, { ...where, expression: e.location.expression ?? expression });
  }
  if (e instanceof EvalError) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof UnsupportedExpression) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof ExpressionSyntaxError) return new ModuleError(`invalid expression: ${e.message}`, { ...where, expression });
  return e as Error;
}
