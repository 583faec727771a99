/**
 * API Gateway's mapping templates (Velocity, VTL) on `velocityjs`, with the Java semantics API Gateway has.
 *
 * velocityjs evaluates with JavaScript values, so the Java methods templates call do not exist on them:
 * `["a"].contains($x)` and `$s.matches("re")` would silently be false, and `$map.get("Origin")` would find an
 * `origin` key too (velocityjs retries with the first letter's case flipped). Every method call therefore goes
 * through {@link javaMethod}, which implements the java.lang.String, java.util.List and java.util.Map methods
 * by name (`matches` is a whole-string match, `Map.get` is exact), plus `$input`, `$util` and `$context`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
 * A method the preview does not implement is refused when the module is loaded.
 *
 * `$context.responseOverride.header.X` and `.status` are recorded; setting one twice is an error, which API
 * Gateway answers with a 5XX (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
 *
 * A module is attacker-written, so the preview bounds what one template may cost: API Gateway runs at most 1000
 * iterations of a `#foreach` loop and carries at most 10 MB of payload
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 * Without these bounds `#foreach($i in [1..30000000])` would block the preview's event loop for seconds.
 */
import { Compile, parse } from 'velocityjs';
import { CorsGenError } from '../../errors.js';
import { ModuleError } from '../errors.js';

const STRING_METHODS = new Set([
  'contains',
  'matches',
  'toLowerCase',
  'toUpperCase',
  'equals',
  'equalsIgnoreCase',
  'startsWith',
  'endsWith',
  'length',
  'trim',
  'isEmpty',
  'replace',
  'replaceAll',
  'indexOf',
  'substring',
  'split',
  'toString',
]);
const LIST_METHODS = new Set(['contains', 'size', 'isEmpty', 'get', 'indexOf']);
const MAP_METHODS = new Set(['get', 'containsKey', 'keySet', 'values', 'size', 'isEmpty', 'put', 'entrySet']);
const INPUT_METHODS = new Set(['params', 'json', 'path']);
const UTIL_METHODS = new Set([
  'escapeJavaScript',
  'urlEncode',
  'urlDecode',
  'base64Encode',
  'base64Decode',
  'parseJson',
]);
const ALL_METHODS = new Set([...STRING_METHODS, ...LIST_METHODS, ...MAP_METHODS, ...INPUT_METHODS, ...UTIL_METHODS]);

/** A template that failed while rendering: API Gateway answers 500 (the preview logs the reason). */
export class VtlError extends CorsGenError {
  override readonly name = 'VtlError';
  readonly kind = 'invalid';
  readonly code = 'template-failed';
}

/** Method request parameters as `$input.params()` returns them: maps keyed as the client sent the names. */
export interface VtlParams {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
}

export interface VtlRequest {
  readonly params: VtlParams;
  /** `$input.body`: the request body for a request template, the integration's body for a response template. */
  readonly body: string;
  /** `$context` variables other than the overrides (requestId, httpMethod, resourcePath, stage, identity, ...). */
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

export interface VtlResult {
  readonly output: string;
  /** `$context.responseOverride`: header names as the template wrote them. */
  readonly responseOverride: { readonly status?: number; readonly headers: Readonly<Record<string, string>> };
}

/** "Number of iterations in a #foreach ... #end loop in mapping templates": 1000 (REST API quotas, linked above). */
export const MAX_LOOP_ITERATIONS = 1000;
/** Nested loops multiply; the preview stops a whole render after this many iterations of all its loops. */
export const MAX_TOTAL_ITERATIONS = 100_000;
/** "Payload size": 10 MB (REST API quotas, linked above); also bounds strings a template builds with #set. */
export const MAX_OUTPUT_CHARS = 10 * 1024 * 1024;

const INPUT = Symbol('input');
const UTIL = Symbol('util');

export interface CompiledTemplate {
  render(request: VtlRequest): VtlResult;
}

/** Parses a template and refuses method calls the preview does not implement. */
export function compileTemplate(template: string, where: { file: string; address: string }): CompiledTemplate {
  let asts: ReturnType<typeof parse>;
  try {
    asts = parse(template);
  } catch (e) {
    throw new ModuleError(`the mapping template is not valid VTL: ${(e as Error).message.split('\n')[0]}`, {
      ...where,
      expression: template,
    });
  }
  const range = longestLiteralRange(asts);
  if (range !== undefined && range.size > MAX_LOOP_ITERATIONS) {
    throw new ModuleError(
      `the mapping template builds the range [${range.text}] of ${range.size} items, but API Gateway runs at most ${MAX_LOOP_ITERATIONS} iterations of a #foreach loop; use a range of at most ${MAX_LOOP_ITERATIONS} items`,
      { ...where, expression: template },
    );
  }
  for (const name of methodNames(asts)) {
    if (!ALL_METHODS.has(name)) {
      throw new ModuleError(
        `the mapping template calls .${name}(), which the preview does not implement (it implements ${[...ALL_METHODS].sort().join(', ')})`,
        { ...where, expression: template },
      );
    }
  }
  return {
    render(request) {
      const overrides = overrideRecorder();
      const input = { [INPUT]: request, body: request.body };
      const context: Record<string, unknown> = {
        input,
        util: { [UTIL]: true },
        context: { ...request.context, responseOverride: overrides.response },
        stageVariables: { ...(request.stageVariables ?? {}) },
      };
      let output: string;
      try {
        output = new BoundedCompile(asts, `${where.file}: ${where.address}`).render(context);
      } catch (e) {
        throw e instanceof VtlError ? e : new VtlError(`the mapping template failed: ${(e as Error).message}`);
      }
      if (overrides.error) throw new VtlError(overrides.error);
      return {
        output,
        responseOverride: {
          ...(overrides.status !== undefined ? { status: overrides.status } : {}),
          headers: overrides.headers,
        },
      };
    },
  };
}

/**
 * velocityjs's compiler with the limits above. A range is built as a whole array before a loop starts, so its size
 * is checked first; each `#foreach` iteration renders its body through `renderAstList` with a `foreach:` context
 * id, which is where iterations are counted; every rendered piece (interpolated strings included) passes there too.
 */
class BoundedCompile extends Compile {
  private readonly iterations = new Map<string, number>();
  private total = 0;

  constructor(
    asts: ReturnType<typeof parse>,
    private readonly template: string,
  ) {
    super(asts, { customMethodHandlers: [{ uid: 'java', match: () => true, resolve: javaMethod }] });
  }

  // velocityjs mixes getArray into Compile at run time; its type declarations leave it off the class.
  getArray(literal: { isRange?: boolean; value: unknown[] }): unknown[] {
    if (literal.isRange === true) {
      const [begin, end] = literal.value.map((exp) =>
        typeof exp === 'string'
          ? parseInt(exp, 10)
          : typeof exp === 'number'
            ? exp
            : Number(this.getReferences(exp as Parameters<Compile['getReferences']>[0])),
      );
      const size = Math.abs(Number(end) - Number(begin)) + 1;
      if (size > MAX_LOOP_ITERATIONS)
        throw new VtlError(
          `${this.template}: the range [${begin}..${end}] has ${size} items, but API Gateway runs at most ${MAX_LOOP_ITERATIONS} iterations of a #foreach loop`,
        );
    }
    return (Compile.prototype as unknown as { getArray(l: unknown): unknown[] }).getArray.call(this, literal);
  }

  override renderAstList(asts?: Parameters<Compile['renderAstList']>[0], contextId?: string): string {
    if (contextId?.startsWith('foreach:') === true) {
      const n = (this.iterations.get(contextId) ?? 0) + 1;
      this.iterations.set(contextId, n);
      if (n > MAX_LOOP_ITERATIONS)
        throw new VtlError(
          `${this.template}: a #foreach loop runs more than ${MAX_LOOP_ITERATIONS} iterations, the most API Gateway runs`,
        );
      if (++this.total > MAX_TOTAL_ITERATIONS)
        throw new VtlError(
          `${this.template}: the template's loops run more than ${MAX_TOTAL_ITERATIONS} iterations in all; the preview stops there`,
        );
    }
    const out = super.renderAstList(asts, contextId);
    if (out.length > MAX_OUTPUT_CHARS)
      throw new VtlError(
        `${this.template}: the template produces more than ${MAX_OUTPUT_CHARS} characters, over API Gateway's 10 MB payload limit`,
      );
    return out;
  }
}

/** The largest range with two literal bounds (`[1..30000000]`), refused before the module is served. */
function longestLiteralRange(
  node: unknown,
  best?: { size: number; text: string },
): { size: number; text: string } | undefined {
  if (Array.isArray(node)) {
    for (const n of node) best = longestLiteralRange(n, best);
  } else if (node !== null && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    const v = n['value'];
    if (
      n['type'] === 'array' &&
      n['isRange'] === true &&
      Array.isArray(v) &&
      v.every((x) => typeof x === 'string' || typeof x === 'number')
    ) {
      const [a, b] = v.map((x) => Number(x));
      const size = Math.abs(Number(b) - Number(a)) + 1;
      if (Number.isFinite(size) && size > (best?.size ?? 0)) best = { size, text: `${a}..${b}` };
    }
    for (const x of Object.values(n)) if (x !== null && typeof x === 'object') best = longestLiteralRange(x, best);
  }
  return best;
}

/** Records `$context.responseOverride.*` assignments, refusing a second one of the same parameter. */
function overrideRecorder() {
  const state: { headers: Record<string, string>; status?: number; error?: string } = { headers: {} };
  const seen = new Set<string>();
  const header = new Proxy<Record<string, unknown>>(
    {},
    {
      set(target, key, value) {
        if (typeof key !== 'string') return false;
        const name = key.toLowerCase();
        if (seen.has(name))
          state.error ??= `$context.responseOverride.header.${key} is set twice; API Gateway answers 5XX when an override is applied more than once`;
        seen.add(name);
        target[key] = value;
        state.headers[key] = value === undefined || value === null ? '' : String(value);
        return true;
      },
    },
  );
  const response = new Proxy<Record<string, unknown>>(
    { header },
    {
      set(target, key, value) {
        if (key !== 'status') {
          state.error ??= `$context.responseOverride.${String(key)} is not an override API Gateway knows`;
          return true;
        }
        if (seen.has('::status'))
          state.error ??=
            '$context.responseOverride.status is set twice; API Gateway answers 5XX when an override is applied more than once';
        seen.add('::status');
        target[key] = value;
        const n = Number(value);
        if (Number.isInteger(n)) state.status = n;
        return true;
      },
    },
  );
  return {
    response,
    get headers() {
      return state.headers;
    },
    get status() {
      return state.status;
    },
    get error() {
      return state.error;
    },
  };
}

/** Every method name called anywhere in the template. */
function methodNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) methodNames(n, out);
  } else if (node !== null && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (n['type'] === 'method' && typeof n['id'] === 'string') out.add(n['id']);
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') methodNames(v, out);
  }
  return out;
}

function javaMethod({
  property,
  context: receiver,
  params,
}: {
  property: string;
  context: unknown;
  params: unknown[];
}): unknown {
  if (receiver !== null && typeof receiver === 'object' && INPUT in receiver)
    return inputMethod(receiver[INPUT] as VtlRequest, property, params);
  if (receiver !== null && typeof receiver === 'object' && UTIL in receiver) return utilMethod(property, params);
  if (typeof receiver === 'string') return stringMethod(receiver, property, params);
  if (Array.isArray(receiver)) return listMethod(receiver, property, params);
  if (receiver !== null && typeof receiver === 'object')
    return mapMethod(receiver as Record<string, unknown>, property, params);
  throw new VtlError(
    `.${property}() was called on ${receiver === undefined || receiver === null ? 'null' : typeof receiver}`,
  );
}

function arg(params: unknown[], i: number, method: string): string {
  const v = params[i];
  if (v === undefined || v === null)
    throw new VtlError(`${method}: argument ${i + 1} is null (a NullPointerException in Java)`);
  return String(v);
}

/** A Java regular expression as a JavaScript one; the syntax templates use (classes, groups, quantifiers) is shared. */
function javaRegex(pattern: string, flags = ''): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new VtlError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

function stringMethod(s: string, m: string, params: unknown[]): unknown {
  switch (m) {
    case 'contains':
      return s.includes(arg(params, 0, m));
    case 'matches':
      // java.lang.String.matches: the whole string must match, not a substring.
      return javaRegex(`^(?:${arg(params, 0, m)})$`).test(s);
    case 'toLowerCase':
      return s.toLowerCase();
    case 'toUpperCase':
      return s.toUpperCase();
    case 'equals':
      return params[0] === s;
    case 'equalsIgnoreCase':
      return typeof params[0] === 'string' && params[0].toLowerCase() === s.toLowerCase();
    case 'startsWith':
      return s.startsWith(arg(params, 0, m));
    case 'endsWith':
      return s.endsWith(arg(params, 0, m));
    case 'length':
      return s.length;
    case 'trim':
      return s.trim();
    case 'isEmpty':
      return s.length === 0;
    case 'replace':
      return s.split(arg(params, 0, m)).join(arg(params, 1, m));
    case 'replaceAll':
      return s.replace(javaRegex(arg(params, 0, m), 'g'), arg(params, 1, m));
    case 'indexOf':
      return s.indexOf(arg(params, 0, m));
    case 'substring': {
      const start = Number(params[0]);
      const end = params[1] === undefined ? s.length : Number(params[1]);
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > s.length || start > end)
        throw new VtlError(`substring(${start}, ${end}) is out of range (StringIndexOutOfBoundsException)`);
      return s.slice(start, end);
    }
    case 'split':
      return s.split(javaRegex(arg(params, 0, m)));
    case 'toString':
      return s;
  }
  throw new VtlError(`String.${m}() is not implemented by the preview`);
}

function listMethod(l: unknown[], m: string, params: unknown[]): unknown {
  switch (m) {
    case 'contains':
      return l.some((x) => x === params[0]);
    case 'size':
      return l.length;
    case 'isEmpty':
      return l.length === 0;
    case 'get': {
      const i = Number(params[0]);
      if (!Number.isInteger(i) || i < 0 || i >= l.length)
        throw new VtlError(
          `get(${String(params[0])}) is out of range for a list of ${l.length} (IndexOutOfBoundsException)`,
        );
      return l[i];
    }
    case 'indexOf':
      return l.indexOf(params[0]);
  }
  throw new VtlError(`List.${m}() is not implemented by the preview`);
}

function mapMethod(o: Record<string, unknown>, m: string, params: unknown[]): unknown {
  const has = (k: unknown) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
  switch (m) {
    case 'get':
      // java.util.Map.get is exact: "Origin" does not find "origin".
      return has(params[0]) ? o[params[0] as string] : undefined;
    case 'containsKey':
      return has(params[0]);
    case 'keySet':
      return Object.keys(o);
    case 'values':
      return Object.values(o);
    case 'size':
      return Object.keys(o).length;
    case 'isEmpty':
      return Object.keys(o).length === 0;
    case 'put': {
      const previous = has(params[0]) ? o[params[0] as string] : undefined;
      o[arg(params, 0, m)] = params[1];
      return previous;
    }
    case 'entrySet':
      return Object.entries(o).map(([key, value]) => ({ key, value }));
  }
  throw new VtlError(`Map.${m}() is not implemented by the preview`);
}

function inputMethod(request: VtlRequest, m: string, params: unknown[]): unknown {
  switch (m) {
    case 'params': {
      if (params.length === 0)
        return {
          path: { ...request.params.path },
          querystring: { ...request.params.querystring },
          header: { ...request.params.header },
        };
      // Path, then query string, then header (case-insensitive for headers); "" when absent. (The empty string is assumed.)
      const name = arg(params, 0, 'params');
      const header = Object.entries(request.params.header).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
      return request.params.path[name] ?? request.params.querystring[name] ?? header ?? '';
    }
    case 'json':
    case 'path': {
      const path = arg(params, 0, m);
      if (path !== '$') throw new VtlError(`$input.${m}("${path}"): only "$" is implemented by the preview`);
      if (m === 'json') return request.body === '' ? '{}' : request.body;
      try {
        return request.body === '' ? {} : (JSON.parse(request.body) as unknown);
      } catch {
        throw new VtlError('$input.path("$"): the body is not JSON');
      }
    }
  }
  throw new VtlError(`$input.${m}() is not implemented by the preview`);
}

function utilMethod(m: string, params: unknown[]): unknown {
  const s = arg(params, 0, `$util.${m}`);
  switch (m) {
    case 'escapeJavaScript':
      return JSON.stringify(s).slice(1, -1).replace(/'/g, "\\'");
    case 'urlEncode':
      return encodeURIComponent(s).replace(/%20/g, '+');
    case 'urlDecode':
      return decodeURIComponent(s.replace(/\+/g, ' '));
    case 'base64Encode':
      return Buffer.from(s, 'utf8').toString('base64');
    case 'base64Decode':
      return Buffer.from(s, 'base64').toString('utf8');
    case 'parseJson':
      try {
        return JSON.parse(s) as unknown;
      } catch {
        throw new VtlError('$util.parseJson: not JSON');
      }
  }
  throw new VtlError(`$util.${m}() is not implemented by the preview`);
}
