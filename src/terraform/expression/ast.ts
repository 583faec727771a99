/**
 * The syntax tree of the HCL expressions cors-gen understands: the subset its generator emits. Everything else is
 * refused by the parser with {@link UnsupportedExpression}, so a module the preview cannot evaluate faithfully
 * never starts.
 */

/** A value Terraform can hold, as the preview represents it. Objects and maps are both plain objects. */
import { CorsGenError } from '../../errors.js';

export type HclValue = null | string | number | boolean | readonly HclValue[] | { readonly [key: string]: HclValue };

export type Expr =
  | { readonly kind: 'literal'; readonly value: HclValue }
  | { readonly kind: 'template'; readonly parts: readonly TemplatePart[] }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'getattr'; readonly target: Expr; readonly name: string }
  | { readonly kind: 'index'; readonly target: Expr; readonly key: Expr }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[] }
  | { readonly kind: 'object'; readonly items: readonly { readonly key: Expr; readonly value: Expr }[] }
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'conditional'; readonly condition: Expr; readonly then: Expr; readonly else: Expr }
  | {
      readonly kind: 'for';
      /** `[for ...]` builds a list, `{for ...}` an object. */
      readonly result: 'tuple' | 'object';
      readonly keyVar?: string;
      readonly valueVar: string;
      readonly collection: Expr;
      readonly keyExpr?: Expr;
      readonly valueExpr: Expr;
      readonly condition?: Expr;
    };

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'interpolation'; readonly expr: Expr }
  | {
      readonly kind: 'if';
      readonly condition: Expr;
      readonly then: readonly TemplatePart[];
      readonly else: readonly TemplatePart[];
    };

/** Syntax the preview does not evaluate: the module is refused (exit 1) rather than emulated approximately. */
export class UnsupportedExpression extends CorsGenError {
  override readonly name = 'UnsupportedExpression';
  readonly kind = 'invalid';
  readonly code = 'unsupported-expression';
}

/** Text that is not a valid HCL expression at all. */
export class ExpressionSyntaxError extends CorsGenError {
  override readonly name = 'ExpressionSyntaxError';
  readonly kind = 'invalid';
  readonly code = 'expression-syntax';
}

/** Every `type.name` (and `data.type.name`) address an expression refers to, in order of appearance. */
const NOT_RESOURCES = new Set(['var', 'local', 'path', 'data', 'each', 'count', 'self', 'terraform']);

export function referencedAddresses(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'getattr': {
        const chain = attrChain(e);
        if (chain && chain.length >= 2) {
          const [root, a, b] = chain;
          if (root === 'data' && a !== undefined && b !== undefined) out.push(`data.${a}.${b}`);
          // `each`, `count`, `self` and `terraform` are the repetition's and the block's own values, never resources.
          else if (!NOT_RESOURCES.has(root!)) out.push(`${root}.${a}`);
          return;
        }
        visit(e.target);
        return;
      }
      case 'index':
        visit(e.target);
        visit(e.key);
        return;
      case 'template':
        e.parts.forEach(visitPart);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      case 'tuple':
        e.items.forEach(visit);
        return;
      case 'object':
        e.items.forEach((i) => {
          visit(i.key);
          visit(i.value);
        });
        return;
      case 'unary':
        visit(e.operand);
        return;
      case 'binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'conditional':
        visit(e.condition);
        visit(e.then);
        visit(e.else);
        return;
      case 'for':
        visit(e.collection);
        if (e.keyExpr) visit(e.keyExpr);
        visit(e.valueExpr);
        if (e.condition) visit(e.condition);
        return;
      default:
        return;
    }
  };
  const visitPart = (p: TemplatePart): void => {
    if (p.kind === 'interpolation') visit(p.expr);
    else if (p.kind === 'if') {
      visit(p.condition);
      p.then.forEach(visitPart);
      p.else.forEach(visitPart);
    }
  };
  visit(expr);
  return out;
}

/** `a.b.c` as ["a", "b", "c"] when the expression is a plain attribute chain on a name, else undefined. */
export function attrChain(expr: Expr): string[] | undefined {
  if (expr.kind === 'name') return [expr.name];
  if (expr.kind === 'getattr') {
    const base = attrChain(expr.target);
    return base ? [...base, expr.name] : undefined;
  }
  return undefined;
}
