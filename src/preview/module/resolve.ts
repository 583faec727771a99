/**
 * The scope a loaded module is evaluated in, the way `terraform apply` would, as far as the preview needs:
 * variables (defaults, or a stage's `.tfvars`, converted to their declared type and checked against their
 * `validation` blocks), locals, resource and data-source arguments, and the attributes AWS computes at apply
 * time, which each service synthesizes so that they point at the preview's own servers (the stage's
 * `invoke_url`, the website's `website_endpoint`, ...; see ./aws-attributes.ts). Every value is evaluated on
 * first use and cached; a reference cycle, an undeclared name or an attribute the preview cannot synthesize is a
 * {@link ModuleError} naming the file, the address and the expression.
 */
import type { Expr, HclValue } from '../../terraform/expression/ast.js';
import { evaluate, type Scope } from '../../terraform/expression/evaluate.js';
import { parseTemplate } from '../../terraform/expression/parse.js';
import { toBool } from '../../terraform/expression/values.js';
import { ModuleError } from '../errors.js';
import type { AttributeScope, PreviewEnvironment } from './attributes.js';
import { awsAttributes } from './aws-attributes.js';
import { located } from './located.js';
import { nestedBlock, type AddressedBlock, type ModuleDocument, type RawBody, type RawValue } from './load.js';
import { convertToType, parseType } from './types.js';

// The stage files are read before a resolver exists (to choose the stage); re-exported for their callers.
export { loadStageValues, moduleStages } from './stages.js';

/** Arguments that never carry a value the preview needs, and may hold references to anything. */
const META_ARGUMENTS = new Set(['depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

export class ModuleResolver implements Scope, AttributeScope {
  readonly warnings: string[] = [];
  private readonly cache = new Map<string, HclValue>();
  private readonly inProgress = new Set<string>();
  private readonly parsed = new Map<string, Expr>();
  private readonly stageValues: ReadonlyMap<string, HclValue>;

  constructor(
    readonly doc: ModuleDocument,
    readonly env: PreviewEnvironment,
    stageValues: ReadonlyMap<string, HclValue> = new Map(),
  ) {
    this.stageValues = stageValues;
    for (const name of stageValues.keys()) {
      if (!doc.variables.has(name))
        this.warnings.push(
          `the stage's .tfvars sets "${name}", which the module does not declare; Terraform ignores it with a warning, and so does the preview`,
        );
    }
  }

  // ---- Scope ----------------------------------------------------------------------------------------------

  resolve(root: string, attrs: readonly string[]): { value: HclValue; consumed: number } {
    const need = (n: number, what: string) => {
      if (attrs.length < n) throw new ModuleError(`"${[root, ...attrs].join('.')}" is incomplete: expected ${what}`);
    };
    switch (root) {
      case 'var':
        need(1, 'var.<name>');
        return { value: this.variable(attrs[0]!), consumed: 1 };
      case 'local':
        need(1, 'local.<name>');
        return { value: this.local(attrs[0]!), consumed: 1 };
      case 'path':
        need(1, 'path.module');
        if (attrs[0] === 'module' || attrs[0] === 'root') return { value: this.doc.dir, consumed: 1 };
        if (attrs[0] === 'cwd') return { value: process.cwd(), consumed: 1 };
        throw new ModuleError(`path.${attrs[0]} is not a Terraform path value`);
      case 'data': {
        need(2, 'data.<type>.<name>');
        const address = `data.${attrs[0]}.${attrs[1]}`;
        if (attrs.length >= 3) return { value: this.attribute(address, attrs[2]!), consumed: 3 };
        return { value: this.whole(address), consumed: 2 };
      }
      case 'count':
      case 'each':
      case 'self':
      case 'terraform':
      case 'module':
        throw new ModuleError(`"${root}" references are not supported by the preview`);
      default: {
        need(1, `${root}.<name>`);
        const address = `${root}.${attrs[0]}`;
        if (attrs.length >= 2) return { value: this.attribute(address, attrs[1]!), consumed: 2 };
        return { value: this.whole(address), consumed: 1 };
      }
    }
  }

  // ---- variables and locals -------------------------------------------------------------------------------

  variable(name: string): HclValue {
    const block = this.doc.variables.get(name);
    if (!block) throw new ModuleError(`var.${name} is not declared`);
    return this.cached(`var.${name}`, () => {
      const where = { file: block.file, address: `var.${name}` };
      let value: HclValue;
      if (this.stageValues.has(name)) value = this.stageValues.get(name)!;
      else if ('default' in block.body)
        value = this.literal(block.body['default']!, { ...where, address: `var.${name}.default` });
      else
        throw new ModuleError(
          `var.${name} has no default and the stage sets no value for it; pass --stage with a stages/<stage>.tfvars that sets it`,
          where,
        );
      const type = block.body['type'];
      return typeof type === 'string' ? convertToType(value, parseType(type, where), where) : value;
    });
  }

  local(name: string): HclValue {
    const local = this.doc.locals.get(name);
    if (!local) throw new ModuleError(`local.${name} is not declared`);
    return this.cached(`local.${name}`, () =>
      this.evalRaw(local.value, { file: local.file, address: `local.${name}` }),
    );
  }

  /**
   * Runs every variable's `validation` blocks, as `terraform plan` does, so a stage file with an origin the
   * module would reject fails here too, with the module's own message.
   */
  validateVariables(): void {
    for (const [name, block] of this.doc.variables) {
      const validations = block.body['validation'];
      if (validations === undefined) continue;
      const list = Array.isArray(validations) ? validations : [validations];
      for (const [i, v] of list.entries()) {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
        const where = { file: block.file, address: `var.${name}.validation[${i}].condition` };
        const condition = v['condition'];
        if (condition === undefined) continue;
        const ok = this.evalRaw(condition, where);
        if (!toBoolOrThrow(ok, where)) {
          const message = typeof v['error_message'] === 'string' ? v['error_message'] : 'validation failed';
          throw new ModuleError(`invalid value for var.${name}: ${message}`, {
            file: block.file,
            address: `var.${name}`,
          });
        }
      }
    }
  }

  // ---- resources and data sources -------------------------------------------------------------------------

  block(address: string): AddressedBlock {
    const block = address.startsWith('data.') ? this.doc.data.get(address) : this.doc.resources.get(address);
    if (!block) throw new ModuleError(`${address} is referenced but not declared in the module`);
    return block;
  }

  has(address: string): boolean {
    return address.startsWith('data.') ? this.doc.data.has(address) : this.doc.resources.has(address);
  }

  /** Resources of one type, in declaration order. */
  ofType(type: string): AddressedBlock[] {
    return [...this.doc.resources.values()].filter((r) => r.type === type);
  }

  /** An argument of the resource when it sets it, else an attribute AWS computes (synthesized). */
  attribute(address: string, attr: string): HclValue {
    const block = this.block(address);
    return this.cached(`${address}.${attr}`, () => {
      if (attr in block.body && !META_ARGUMENTS.has(attr))
        return this.evalRaw(block.body[attr]!, { file: block.file, address: `${address}.${attr}` });
      const computed = awsAttributes(this, block, attr);
      if (computed === undefined)
        throw new ModuleError(
          `the preview does not know the attribute "${attr}" of ${block.type} (it is neither set in the module nor one the preview synthesizes)`,
          { file: block.file, address },
        );
      return computed;
    });
  }

  /** An argument the resource may leave out: its value, or `fallback` when unset. */
  optional(address: string, attr: string, fallback: HclValue = null): HclValue {
    const block = this.block(address);
    return attr in block.body ? this.attribute(address, attr) : fallback;
  }

  /** A nested block's arguments (`environment`, `cors`, `cors_configuration`), evaluated; undefined when absent. */
  nested(address: string, name: string): { readonly [key: string]: HclValue } | undefined {
    const block = this.block(address);
    const body = nestedBlock(block.body, name, block);
    if (!body) return undefined;
    return this.cached(`${address}.${name}{}`, () =>
      this.evalBody(body, { file: block.file, address: `${address}.${name}` }),
    ) as { [key: string]: HclValue };
  }

  /** The whole resource as an object (its arguments and id), as `jsonencode(aws_x.y)` sees it. */
  whole(address: string): HclValue {
    const block = this.block(address);
    return this.cached(`${address}{}`, () => ({
      ...this.evalBody(block.body, block),
      id: this.attribute(address, 'id'),
    }));
  }

  /** Every argument of a resource, evaluated (nested blocks included). */
  private evalBody(body: RawBody, where: { file: string; address: string }): { [key: string]: HclValue } {
    const out: Record<string, HclValue> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === '//' || META_ARGUMENTS.has(k)) continue;
      out[k] = this.evalRaw(v, { file: where.file, address: `${where.address}.${k}` });
    }
    return out;
  }

  /** Parses (once) and evaluates an expression, e.g. to find which resources a deployment trigger covers. */
  expression(raw: string, where: { file: string; address: string }): Expr {
    let expr = this.parsed.get(raw);
    if (!expr) {
      try {
        expr = parseTemplate(raw);
      } catch (e) {
        throw located(e, where, raw);
      }
      this.parsed.set(raw, expr);
    }
    return expr;
  }

  /** Evaluates a raw value from a module file: strings are templates, lists and objects are walked. */
  evalRaw(raw: RawValue, where: { file: string; address: string }): HclValue {
    if (typeof raw === 'string') {
      const expr = this.expression(raw, where);
      try {
        return evaluate(expr, this);
      } catch (e) {
        throw located(e, where, raw);
      }
    }
    if (raw === null || typeof raw !== 'object') return raw;
    if (Array.isArray(raw)) return raw.map((x, i) => this.evalRaw(x, { ...where, address: `${where.address}[${i}]` }));
    const out: Record<string, HclValue> = {};
    for (const [k, v] of Object.entries(raw))
      if (k !== '//') out[k] = this.evalRaw(v, { ...where, address: `${where.address}[${JSON.stringify(k)}]` });
    return out;
  }

  /** A variable default: literal JSON in both formats, but strings may still hold escapes. */
  private literal(raw: RawValue, where: { file: string; address: string }): HclValue {
    return this.evalRaw(raw, where);
  }

  /**
   * Parses every expression of the module once, so unsupported syntax anywhere (even in a resource the preview
   * never evaluates) is reported before anything starts.
   */
  checkSyntax(): void {
    const walk = (raw: RawValue, where: { file: string; address: string }): void => {
      if (typeof raw === 'string') this.expression(raw, where);
      else if (Array.isArray(raw)) raw.forEach((x, i) => walk(x, { ...where, address: `${where.address}[${i}]` }));
      else if (raw !== null && typeof raw === 'object')
        for (const [k, v] of Object.entries(raw)) walk(v, { ...where, address: `${where.address}.${k}` });
    };
    for (const [name, l] of this.doc.locals) walk(l.value, { file: l.file, address: `local.${name}` });
    for (const b of [...this.doc.resources.values(), ...this.doc.data.values()]) {
      for (const [k, v] of Object.entries(b.body))
        if (!META_ARGUMENTS.has(k)) walk(v, { file: b.file, address: `${b.address}.${k}` });
    }
    for (const [name, o] of this.doc.outputs)
      if (o.body['value'] !== undefined) walk(o.body['value'], { file: o.file, address: `output.${name}.value` });
    for (const [name, v] of this.doc.variables) {
      const where = { file: v.file, address: `var.${name}` };
      if (typeof v.body['type'] === 'string') parseType(v.body['type'], where);
      const validations = v.body['validation'];
      for (const val of Array.isArray(validations) ? validations : validations ? [validations] : []) {
        if (val && typeof val === 'object' && !Array.isArray(val) && val['condition'] !== undefined)
          walk(val['condition'], { ...where, address: `var.${name}.validation.condition` });
      }
    }
  }

  private cached(key: string, compute: () => HclValue): HclValue {
    if (this.cache.has(key)) return this.cache.get(key)!;
    if (this.inProgress.has(key)) throw new ModuleError(`${key} refers to itself (a reference cycle)`);
    this.inProgress.add(key);
    try {
      const v = compute();
      this.cache.set(key, v);
      return v;
    } finally {
      this.inProgress.delete(key);
    }
  }
}

function toBoolOrThrow(v: HclValue, where: { file: string; address: string }): boolean {
  try {
    return toBool(v, 'a validation condition');
  } catch (e) {
    throw located(e, where, '');
  }
}
