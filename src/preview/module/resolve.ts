/**
 * Evaluates a loaded module the way `terraform apply` would, as far as the preview needs: variables (defaults,
 * or a stage's `.tfvars`, converted to their declared type and checked against their `validation` blocks),
 * locals, resource and data-source arguments, and the attributes AWS computes at apply time, which the preview
 * synthesizes so that they point at its own servers (the stage's `invoke_url`, the website's
 * `website_endpoint`, ...). Every value is evaluated on first use and cached; a reference cycle, an undeclared
 * name or an attribute the preview cannot synthesize is a {@link ModuleError} naming the file, the address and
 * the expression.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExpressionSyntaxError, UnsupportedExpression, type Expr, type HclValue } from '../../terraform/expression/ast.js';
import { evaluate, type Scope } from '../../terraform/expression/evaluate.js';
import { parseTemplate } from '../../terraform/expression/parse.js';
import { EvalError, isList, isObject, toBool, toNumber, toStringValue, typeName } from '../../terraform/expression/values.js';
import { ModuleError, PreviewSetupError } from '../errors.js';
import { nestedBlock, parseHclFile, type AddressedBlock, type ModuleDocument, type RawBody, type RawValue } from './load.js';

/** Where the preview serves what the module describes; computed attributes are derived from it. */
export interface PreviewEnvironment {
  /** The API server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly apiOrigin: string;
  /** Host and port of the site server: what `website_endpoint` evaluates to (the S3 website stand-in). */
  readonly siteHost: string;
}

/** The account and region the synthesized ARNs use. Nothing is ever sent to AWS. */
export const PREVIEW_REGION = 'us-east-1';
export const PREVIEW_ACCOUNT = '123456789012';

/** Arguments that never carry a value the preview needs, and may hold references to anything. */
const META_ARGUMENTS = new Set(['depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

export class ModuleResolver implements Scope {
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
      if (!doc.variables.has(name)) this.warnings.push(`the stage's .tfvars sets "${name}", which the module does not declare; Terraform ignores it with a warning, and so does the preview`);
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
      else if ('default' in block.body) value = this.literal(block.body['default']!, { ...where, address: `var.${name}.default` });
      else throw new ModuleError(`var.${name} has no default and the stage sets no value for it; pass --stage with a stages/<stage>.tfvars that sets it`, where);
      const type = block.body['type'];
      return typeof type === 'string' ? convertToType(value, parseType(type, where), where) : value;
    });
  }

  local(name: string): HclValue {
    const local = this.doc.locals.get(name);
    if (!local) throw new ModuleError(`local.${name} is not declared`);
    return this.cached(`local.${name}`, () => this.evalRaw(local.value, { file: local.file, address: `local.${name}` }));
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
          throw new ModuleError(`invalid value for var.${name}: ${message}`, { file: block.file, address: `var.${name}` });
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
      if (attr in block.body && !META_ARGUMENTS.has(attr)) return this.evalRaw(block.body[attr]!, { file: block.file, address: `${address}.${attr}` });
      const computed = computedAttribute(this, block, attr);
      if (computed === undefined) throw new ModuleError(`the preview does not know the attribute "${attr}" of ${block.type} (it is neither set in the module nor one the preview synthesizes)`, { file: block.file, address });
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
    return this.cached(`${address}.${name}{}`, () => this.evalBody(body, { file: block.file, address: `${address}.${name}` })) as { [key: string]: HclValue };
  }

  /** The whole resource as an object (its arguments and id), as `jsonencode(aws_x.y)` sees it. */
  whole(address: string): HclValue {
    const block = this.block(address);
    return this.cached(`${address}{}`, () => ({ ...this.evalBody(block.body, block), id: this.attribute(address, 'id') }));
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
        throw wrap(e, where, raw);
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
        throw wrap(e, where, raw);
      }
    }
    if (raw === null || typeof raw !== 'object') return raw;
    if (Array.isArray(raw)) return raw.map((x, i) => this.evalRaw(x, { ...where, address: `${where.address}[${i}]` }));
    const out: Record<string, HclValue> = {};
    for (const [k, v] of Object.entries(raw)) if (k !== '//') out[k] = this.evalRaw(v, { ...where, address: `${where.address}[${JSON.stringify(k)}]` });
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
      else if (raw !== null && typeof raw === 'object') for (const [k, v] of Object.entries(raw)) walk(v, { ...where, address: `${where.address}.${k}` });
    };
    for (const [name, l] of this.doc.locals) walk(l.value, { file: l.file, address: `local.${name}` });
    for (const b of [...this.doc.resources.values(), ...this.doc.data.values()]) {
      for (const [k, v] of Object.entries(b.body)) if (!META_ARGUMENTS.has(k)) walk(v, { file: b.file, address: `${b.address}.${k}` });
    }
    for (const [name, o] of this.doc.outputs) if (o.body['value'] !== undefined) walk(o.body['value'], { file: o.file, address: `output.${name}.value` });
    for (const [name, v] of this.doc.variables) {
      const where = { file: v.file, address: `var.${name}` };
      if (typeof v.body['type'] === 'string') parseType(v.body['type'], where);
      const validations = v.body['validation'];
      for (const val of Array.isArray(validations) ? validations : validations ? [validations] : []) {
        if (val && typeof val === 'object' && !Array.isArray(val) && val['condition'] !== undefined) walk(val['condition'], { ...where, address: `var.${name}.validation.condition` });
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

function wrap(e: unknown, where: { file: string; address: string }, expression: string): Error {
  if (e instanceof ModuleError) {
    // The innermost location is the useful one; add the file when the inner error had none.
    return e.location.file ? e : new ModuleError(e.reason, { ...where, expression: e.location.expression ?? expression });
  }
  if (e instanceof EvalError) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof UnsupportedExpression) return new ModuleError(e.message, { ...where, expression });
  if (e instanceof ExpressionSyntaxError) return new ModuleError(`invalid expression: ${e.message}`, { ...where, expression });
  return e as Error;
}

function toBoolOrThrow(v: HclValue, where: { file: string; address: string }): boolean {
  try {
    return toBool(v, 'a validation condition');
  } catch (e) {
    throw wrap(e, where, '');
  }
}

// ---- types ------------------------------------------------------------------------------------------------

export type HclType = { readonly kind: 'string' | 'number' | 'bool' | 'any' } | { readonly kind: 'list' | 'set' | 'map'; readonly element: HclType };

/** A variable's `type`: `string`, `number`, `bool`, `any`, `list(T)`, `set(T)`, `map(T)`; others are refused. */
export function parseType(raw: string, where: { file: string; address: string }): HclType {
  const text = raw.replace(/^\$\{([\s\S]*)\}$/, '$1').replace(/\s+/g, '');
  let pos = 0;
  const parse = (): HclType => {
    const m = /^[a-z]+/.exec(text.slice(pos));
    if (!m) throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
    pos += m[0].length;
    const name = m[0];
    if (name === 'string' || name === 'number' || name === 'bool' || name === 'any') return { kind: name };
    if ((name === 'list' || name === 'set' || name === 'map') && text[pos] === '(') {
      pos++;
      const element = parse();
      if (text[pos] !== ')') throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
      pos++;
      return { kind: name, element };
    }
    throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview (it reads string, number, bool, any, list(T), set(T) and map(T))`, where);
  };
  const t = parse();
  if (pos !== text.length) throw new ModuleError(`type ${JSON.stringify(raw)} is not supported by the preview`, where);
  return t;
}

/** Terraform's conversion of a variable value to its declared type (strings <-> numbers and bools, sets deduplicated). */
export function convertToType(value: HclValue, type: HclType, where: { file: string; address: string }): HclValue {
  if (value === null || type.kind === 'any') return value;
  const fail = (): never => {
    throw new ModuleError(`the value is ${isList(value) ? 'a list' : isObject(value) ? 'an object' : `a ${typeName(value)}`}, which cannot be converted to ${describe(type)}`, where);
  };
  try {
    switch (type.kind) {
      case 'string':
        if (typeof value === 'object') fail();
        return toStringValue(value, 'the value');
      case 'number':
        return toNumber(value, 'the value');
      case 'bool':
        return toBool(value, 'the value');
      case 'list':
      case 'set': {
        if (!isList(value)) return fail();
        const items = value.map((x, i) => convertToType(x, type.element, { ...where, address: `${where.address}[${i}]` }));
        return type.kind === 'set' ? items.filter((x, i) => items.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i) : items;
      }
      case 'map': {
        if (!isObject(value)) return fail();
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertToType(v, type.element, { ...where, address: `${where.address}[${JSON.stringify(k)}]` })]));
      }
    }
  } catch (e) {
    if (e instanceof EvalError) throw new ModuleError(`${e.message} (declared type: ${describe(type)})`, where);
    throw e;
  }
}

function describe(t: HclType): string {
  return 'element' in t ? `${t.kind}(${describe(t.element)})` : t.kind;
}

// ---- stage files --------------------------------------------------------------------------------------------

/** The stages the module was generated with: `stages/<name>.tfvars` (or `.tfvars.json`), sorted. */
export async function moduleStages(doc: ModuleDocument): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(doc.dir, 'stages'));
  } catch {
    return [];
  }
  const stages = names.map((n) => /^([A-Za-z0-9_-]+)\.tfvars(\.json)?$/.exec(n)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(stages)].sort();
}

/**
 * The variable values of `stages/<stage>.tfvars` (or `.tfvars.json`), as `-var-file` would set them. A stage the
 * module does not have is refused with the list of those it has.
 */
export async function loadStageValues(doc: ModuleDocument, stage: string): Promise<Map<string, HclValue>> {
  const hcl = path.join(doc.dir, 'stages', `${stage}.tfvars`);
  const json = `${hcl}.json`;
  const file = /^[A-Za-z0-9_-]+$/.test(stage) ? (existsSync(hcl) ? hcl : existsSync(json) ? json : undefined) : undefined;
  if (!file) {
    const stages = await moduleStages(doc);
    const shown = JSON.stringify(stage);
    const add = `add stages.${/^[A-Za-z0-9_-]+$/.test(stage) ? stage : '<name>'}.allowOrigins to the spec and run "cors-gen generate"`;
    if (stages.length === 0) {
      throw new PreviewSetupError(`--stage ${shown}: the module has no stages (no stages/*.tfvars); without --stage the preview serves its defaults`, { code: 'unknown-stage', fix: `leave --stage out, or ${add}` });
    }
    throw new PreviewSetupError(`--stage ${shown}: the module has no such stage; its stages are ${stages.join(', ')}`, {
      code: 'unknown-stage',
      fix: `use ${stages.map((s) => `--stage ${s}`).join(' or ')}, or ${add}`,
    });
  }
  const display = path.relative(doc.dir, file);
  const text = await readFile(file, 'utf8');
  let body: RawBody;
  if (file.endsWith('.json')) {
    try {
      body = JSON.parse(text) as RawBody;
    } catch (e) {
      throw new ModuleError(`not valid JSON: ${(e as Error).message}`, { file: display });
    }
  } else body = await parseHclFile(text, display);
  const noReferences: Scope = {
    resolve(root) {
      throw new ModuleError(`a .tfvars file cannot refer to "${root}"`);
    },
  };
  const values = new Map<string, HclValue>();
  for (const [name, raw] of Object.entries(body)) {
    if (name === '//') continue;
    const where = { file: display, address: name };
    const walk = (v: RawValue): HclValue => {
      if (typeof v === 'string') {
        try {
          return evaluate(parseTemplate(v), noReferences);
        } catch (e) {
          throw wrap(e, where, v);
        }
      }
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(walk);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    };
    values.set(name, walk(raw));
  }
  return values;
}

// ---- attributes AWS computes --------------------------------------------------------------------------------

/**
 * The value of an attribute that AWS sets at apply time, pointed at the preview: the API's URLs are the API
 * server's, the website endpoint is the site server's host, ids are the Terraform address (unique and stable).
 * Undefined for an attribute the preview does not synthesize.
 */
function computedAttribute(r: ModuleResolver, block: AddressedBlock, attr: string): HclValue | undefined {
  const { type, address } = block;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${PREVIEW_REGION}:${PREVIEW_ACCOUNT}:${resource}`;
  const str = (a: string) => {
    const v = r.attribute(address, a);
    if (typeof v !== 'string') throw new ModuleError(`${a} must be a string`, { file: block.file, address: `${address}.${a}` });
    return v;
  };
  if (attr === 'id' && !['aws_s3_bucket', 'aws_iam_role', 'aws_s3_bucket_website_configuration'].includes(type)) return address;
  switch (type) {
    case 'aws_api_gateway_rest_api':
      if (attr === 'root_resource_id') return `${address}/`;
      if (attr === 'execution_arn') return arn('execute-api', address);
      if (attr === 'arn') return `arn:aws:apigateway:${PREVIEW_REGION}::/restapis/${address}`;
      return undefined;
    case 'aws_api_gateway_resource':
      if (attr === 'path') return resourcePath(r, address);
      return undefined;
    case 'aws_api_gateway_stage': {
      if (attr === 'invoke_url') return `${r.env.apiOrigin}/${str('stage_name')}`;
      if (attr === 'execution_arn') {
        const api = str('rest_api_id');
        return `${r.attribute(api, 'execution_arn') as string}/${str('stage_name')}`;
      }
      return undefined;
    }
    case 'aws_lambda_function':
      if (attr === 'arn') return arn('lambda', `function:${str('function_name')}`);
      if (attr === 'invoke_arn') return `arn:aws:apigateway:${PREVIEW_REGION}:lambda:path/2015-03-31/functions/${arn('lambda', `function:${str('function_name')}`)}/invocations`;
      if (attr === 'qualified_arn') return arn('lambda', `function:${str('function_name')}:$LATEST`);
      if (attr === 'version') return '$LATEST';
      return undefined;
    case 'aws_lambda_function_url':
      if (attr === 'function_url') return `${r.env.apiOrigin}/`;
      if (attr === 'url_id') return 'preview';
      return undefined;
    case 'aws_apigatewayv2_api':
      if (attr === 'api_endpoint') return r.env.apiOrigin;
      if (attr === 'execution_arn') return arn('execute-api', address);
      if (attr === 'arn') return `arn:aws:apigateway:${PREVIEW_REGION}::/apis/${address}`;
      return undefined;
    case 'aws_apigatewayv2_stage':
      if (attr === 'invoke_url') return `${r.env.apiOrigin}/${str('name') === '$default' ? '' : str('name')}`;
      return undefined;
    case 'aws_s3_bucket': {
      const bucket = () => (r.block(address).body['bucket'] !== undefined ? str('bucket') : `${typeof r.block(address).body['bucket_prefix'] === 'string' ? str('bucket_prefix') : 'terraform-'}preview`);
      if (attr === 'bucket' || attr === 'id') return bucket();
      if (attr === 'arn') return `arn:aws:s3:::${bucket()}`;
      if (attr === 'bucket_regional_domain_name' || attr === 'bucket_domain_name') return r.env.siteHost;
      return undefined;
    }
    case 'aws_s3_bucket_website_configuration':
      // The S3 website endpoint has no scheme; the browser's origin is http:// + it (research E).
      if (attr === 'website_endpoint') return r.env.siteHost;
      if (attr === 'website_domain') return r.env.siteHost.replace(/:\d+$/, '');
      if (attr === 'id') return r.attribute(address, 'bucket');
      return undefined;
    case 'aws_iam_role':
      if (attr === 'arn') return `arn:aws:iam::${PREVIEW_ACCOUNT}:role/${str('name')}`;
      if (attr === 'id') return str('name');
      return undefined;
    case 'aws_cloudwatch_log_group':
      if (attr === 'arn') return arn('logs', `log-group:${str('name')}`);
      return undefined;
    case 'aws_partition':
      if (attr === 'partition') return 'aws';
      if (attr === 'dns_suffix') return 'amazonaws.com';
      return undefined;
    case 'aws_region':
      if (attr === 'name' || attr === 'region') return PREVIEW_REGION;
      return undefined;
    case 'aws_caller_identity':
      if (attr === 'account_id') return PREVIEW_ACCOUNT;
      return undefined;
    case 'archive_file':
      if (attr === 'output_base64sha256' || attr === 'output_sha' || attr === 'output_md5' || attr === 'output_sha256') return `preview-${attr}`;
      if (attr === 'output_size') return 0;
      return undefined;
    default:
      return undefined;
  }
}

/** `/orders/{orderId}`: the resource's path_part after its parent's path. */
function resourcePath(r: ModuleResolver, address: string): string {
  const parent = r.attribute(address, 'parent_id');
  const part = r.attribute(address, 'path_part');
  if (typeof parent !== 'string' || typeof part !== 'string') throw new ModuleError('parent_id and path_part must be strings', { address });
  if (parent.endsWith('/') && r.has(parent.slice(0, -1)) && r.block(parent.slice(0, -1)).type === 'aws_api_gateway_rest_api') return `/${part}`;
  if (!r.has(parent)) throw new ModuleError(`parent_id is ${JSON.stringify(parent)}, which is not a resource of this module`, { address });
  return `${resourcePath(r, parent)}/${part}`;
}
