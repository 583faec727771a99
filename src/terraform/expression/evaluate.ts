/**
 * Evaluates parsed HCL expressions with Terraform's semantics for the supported subset. References to
 * variables, locals, resources and data sources are answered by a {@link Scope}, which the module resolver
 * provides; `for` expression variables are local to the evaluator.
 */
import type { Expr, HclValue, TemplatePart } from './ast.js';
import { FUNCTIONS } from './functions.js';
import {
  EvalError,
  hclEquals,
  isList,
  isObject,
  MAX_STRING_LENGTH,
  toBool,
  toNumber,
  toStringValue,
  typeName,
} from './values.js';

/** One step after a root name: `.name` or `[expr]`. */
export type Step = { readonly kind: 'attr'; readonly name: string } | { readonly kind: 'index'; readonly key: Expr };

export interface Scope {
  /**
   * The value a root name (`var`, `local`, `path`, `data`, a resource type) refers to. `attrs` are the leading
   * `.name` steps that follow it (as far as they are attribute steps); the scope says how many it consumed,
   * and the evaluator applies the rest.
   */
  resolve(root: string, attrs: readonly string[]): { readonly value: HclValue; readonly consumed: number };
}

export function evaluate(expr: Expr, scope: Scope): HclValue {
  return new Evaluator(scope, new Map()).eval(expr);
}

class Evaluator {
  constructor(
    private readonly scope: Scope,
    private readonly locals: ReadonlyMap<string, HclValue>,
  ) {}

  eval(e: Expr): HclValue {
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'template':
        return this.template(e.parts);
      case 'name':
      case 'getattr':
      case 'index':
        return this.traversal(e);
      case 'call':
        return this.call(e.name, e.args);
      case 'tuple':
        return e.items.map((i) => this.eval(i));
      case 'object': {
        const out: Record<string, HclValue> = {};
        for (const { key, value } of e.items) {
          const k = this.eval(key);
          if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean')
            throw new EvalError(`an object key must be a string, not ${k === null ? 'null' : `a ${typeName(k)}`}`);
          out[toStringValue(k, 'an object key')] = this.eval(value);
        }
        return out;
      }
      case 'unary': {
        const v = this.eval(e.operand);
        return e.op === '!' ? !toBool(v, 'the operand of "!"') : -toNumber(v, 'the operand of "-"');
      }
      case 'binary':
        return this.binary(e.op, e.left, e.right);
      case 'conditional':
        // Only the chosen branch is evaluated for errors, as in Terraform (an index out of range in the other
        // branch is not an error).
        return toBool(this.eval(e.condition), 'the condition of "? :"') ? this.eval(e.then) : this.eval(e.else);
      case 'for':
        return this.forExpr(e);
    }
  }

  private template(parts: readonly TemplatePart[]): string {
    let out = '';
    for (const p of parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'interpolation') {
        const v = this.eval(p.expr);
        if (v === null) throw new EvalError('a template interpolates a null value');
        if (typeof v === 'object')
          throw new EvalError(
            `a template interpolates a ${typeName(v)}; only strings, numbers and bools can be interpolated`,
          );
        out += toStringValue(v, 'an interpolated value');
      } else {
        out += this.template(toBool(this.eval(p.condition), 'the condition of %{if}') ? p.then : p.else);
      }
      if (out.length > MAX_STRING_LENGTH)
        throw new EvalError(
          `the string is longer than ${MAX_STRING_LENGTH} characters, more than the preview holds (a generated module's strings are far shorter)`,
        );
    }
    return out;
  }

  private traversal(e: Expr): HclValue {
    const steps: Step[] = [];
    let base: Expr = e;
    while (base.kind === 'getattr' || base.kind === 'index') {
      steps.unshift(base.kind === 'getattr' ? { kind: 'attr', name: base.name } : { kind: 'index', key: base.key });
      base = base.target;
    }
    let value: HclValue;
    let rest: Step[];
    if (base.kind === 'name') {
      if (this.locals.has(base.name)) {
        value = this.locals.get(base.name)!;
        rest = steps;
      } else {
        const attrs: string[] = [];
        for (const s of steps) {
          if (s.kind !== 'attr') break;
          attrs.push(s.name);
        }
        const r = this.scope.resolve(base.name, attrs);
        value = r.value;
        rest = steps.slice(r.consumed);
      }
    } else {
      value = this.eval(base);
      rest = steps;
    }
    for (const s of rest) value = s.kind === 'attr' ? getAttr(value, s.name) : index(value, this.eval(s.key));
    return value;
  }

  private call(name: string, args: readonly Expr[]): HclValue {
    const fn = FUNCTIONS.get(name);
    // The parser refuses unknown functions; this guards hand-built trees.
    if (!fn) throw new EvalError(`unknown function ${name}`);
    const [min, max] = fn.arity;
    if (args.length < min || args.length > max) {
      throw new EvalError(
        `${name}() takes ${min === max ? min : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`} argument(s), not ${args.length}`,
      );
    }
    if ('lazy' in fn) return fn.lazy(args.map((a) => () => this.eval(a)));
    return fn.call(args.map((a) => this.eval(a)));
  }

  private binary(op: string, l: Expr, r: Expr): HclValue {
    // Both operands are evaluated (no short-circuit), so an error on either side is reported.
    const a = this.eval(l);
    const b = this.eval(r);
    switch (op) {
      case '==':
        return hclEquals(a, b);
      case '!=':
        return !hclEquals(a, b);
      case '&&':
        return toBool(a, 'the left operand of "&&"') && toBool(b, 'the right operand of "&&"');
      case '||':
        return toBool(a, 'the left operand of "||"') || toBool(b, 'the right operand of "||"');
    }
    const x = toNumber(a, `the left operand of "${op}"`);
    const y = toNumber(b, `the right operand of "${op}"`);
    switch (op) {
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      case '>=':
        return x >= y;
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        if (y === 0) throw new EvalError('division by zero');
        return x / y;
      case '%':
        if (y === 0) throw new EvalError('modulo by zero');
        return x % y;
    }
    throw new EvalError(`unknown operator ${op}`);
  }

  private forExpr(e: Extract<Expr, { kind: 'for' }>): HclValue {
    const coll = this.eval(e.collection);
    let pairs: [HclValue, HclValue][];
    if (isList(coll)) pairs = coll.map((v, i) => [i, v]);
    // Maps and objects are iterated in lexicographic key order.
    else if (isObject(coll))
      pairs = Object.keys(coll)
        .sort()
        .map((k) => [k, coll[k]!]);
    else
      throw new EvalError(
        `a for expression needs a list or map, not ${coll === null ? 'null' : `a ${typeName(coll)}`}`,
      );
    const tuple: HclValue[] = [];
    const object: Record<string, HclValue> = {};
    for (const [k, v] of pairs) {
      const locals = new Map(this.locals);
      if (e.keyVar !== undefined) locals.set(e.keyVar, k);
      locals.set(e.valueVar, v);
      const inner = new Evaluator(this.scope, locals);
      if (e.condition && !toBool(inner.eval(e.condition), 'the if clause of a for expression')) continue;
      if (e.result === 'tuple') tuple.push(inner.eval(e.valueExpr));
      else {
        const key = toStringValue(inner.eval(e.keyExpr!), 'a for expression key');
        if (key in object) throw new EvalError(`a for expression produced the key "${key}" twice`);
        object[key] = inner.eval(e.valueExpr);
      }
    }
    return e.result === 'tuple' ? tuple : object;
  }
}

function getAttr(v: HclValue, name: string): HclValue {
  if (isObject(v)) {
    if (!Object.prototype.hasOwnProperty.call(v, name)) throw new EvalError(`the object has no attribute "${name}"`);
    return v[name]!;
  }
  throw new EvalError(`cannot read attribute "${name}" of ${v === null ? 'null' : `a ${typeName(v)}`}`);
}

function index(v: HclValue, key: HclValue): HclValue {
  if (isList(v)) {
    const i = toNumber(key, 'a list index');
    if (!Number.isInteger(i) || i < 0 || i >= v.length)
      throw new EvalError(`index ${toStringValue(key, 'index')} is out of range for a list of ${v.length} element(s)`);
    return v[i]!;
  }
  if (isObject(v)) {
    const k = toStringValue(key, 'a map key');
    if (!Object.prototype.hasOwnProperty.call(v, k)) throw new EvalError(`the map has no element "${k}"`);
    return v[k]!;
  }
  throw new EvalError(`cannot index ${v === null ? 'null' : `a ${typeName(v)}`}`);
}
