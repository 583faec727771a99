import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { formatPath, type PathPart, type SpecIssue } from '../spec/issue.js';
import { ROUTE_METHODS, type RouteMethod } from '../spec/model.js';
import { locateIn, refersToItself } from '../spec/parse.js';
import { parseRoutePath } from '../spec/rules.js';
import { resolveSpecPath } from '../spec/spec-paths.js';
import {
  localTarget,
  MAX_DOCUMENT_NESTING,
  readOpenApiDocument,
  securitySchemeMap,
  securitySchemesPath,
  type OpenApiDocument,
} from './read-document.js';

/**
 * The user's own OpenAPI document named by `openapi:` in a spec: cors-gen builds the REST API's body on it rather
 * than replacing it, so it reads the document once, when the spec is loaded (by `validate` and `generate`), takes
 * its routes, and refuses, at the line and JSON path, what it could not keep. Everything in the document is
 * someone else's text: nothing in it is trusted to have the type the OpenAPI Specification gives it.
 *
 * What API Gateway imports: Swagger 2.0 and OpenAPI 3.0 (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html),
 * with its extensions (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).
 */

/** A route of the document: a path key as written, and its methods (ANY as every route method). */
export interface DocumentRoute {
  readonly path: string;
  readonly methods: readonly RouteMethod[];
}

export interface OpenApiSource {
  /** The document as messages name it (relative to the current folder). */
  readonly shown: string;
  readonly version: '2.0' | '3.0';
  readonly document: Record<string, unknown>;
  /** Paths with at least one method, in document order. */
  readonly routes: readonly DocumentRoute[];
  /** The request headers the operations declare as parameters, each once, with the first operation naming it. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly at: readonly PathPart[] }>;
  /** How each operation is guarded at the gateway by the document, in document order. */
  readonly operations: readonly OperationSecurity[];
  /** The document's size as JSON, which the REST API's body grows from. */
  readonly bytes: number;
  /** The 1-based position of a value of the document, for messages. */
  readonly locate: (at: readonly PathPart[], which?: 'key' | 'value') => { line: number; column: number } | undefined;
}

/**
 * An operation's security as API Gateway enforces it: `none` (no requirement), `open` (`security: []`, or `{}`
 * among the alternatives: anyone may call it), `enforced` (one alternative names only schemes API Gateway
 * enforces), `unenforced` (every alternative names a scheme API Gateway does not enforce, listed in `schemes`).
 */
export interface OperationSecurity {
  readonly path: string;
  /** The operation's key: `get`, ..., `x-amazon-apigateway-any-method`. */
  readonly method: string;
  readonly at: readonly PathPart[];
  /** Whether it has its own `x-amazon-apigateway-integration`. */
  readonly ownIntegration: boolean;
  readonly security: 'none' | 'open' | 'enforced' | 'unenforced';
  readonly schemes: readonly string[];
  /** What each of `schemes` is, for messages. */
  readonly kinds: readonly string[];
}

export type OpenApiSourceResult =
  | { readonly ok: true; readonly source: OpenApiSource; readonly warnings: readonly SpecIssue[] }
  | { readonly ok: false; readonly errors: readonly SpecIssue[] };

/** Operation keys that become methods, and what they become. */
const METHODS: ReadonlyMap<string, readonly RouteMethod[]> = new Map([
  ...ROUTE_METHODS.map((m): [string, RouteMethod[]] => [m.toLowerCase(), [m]]),
  // ANY catches "any HTTP method that wasn't explicitly declared", so the OPTIONS cors-gen declares still answers
  // the preflight (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-any-method.html).
  ['x-amazon-apigateway-any-method', [...ROUTE_METHODS]],
]);

/** Errors past this many are not listed: a document that breaks every rule is fixed in rounds anyway. */
const MAX_ERRORS = 20;

/**
 * CDKTF encodes its unresolved references as `${TfToken[TOKEN.n]}` in strings and as doubles near -1.9e289 in
 * numbers, and resolves them wherever they appear in a construct's values: a document that held one would have
 * it replaced by a reference of the module. No real document holds either.
 */
const TOKEN_TEXT = /TfToken\[/;
const MAX_NUMBER = 1e100;
/** JSON documents up to this size (characters) are parsed again as YAML to give messages their line. */
const MAX_LOCATED_JSON = 2 * 1024 * 1024;

/**
 * Reads the document `value` (as written at `openapi` of `specFile`, an absolute path), checks it and takes its
 * routes. Throws ExternalError when the file cannot be read (exit 2, like an unreadable spec).
 */
export async function loadOpenApiSource(specFile: string, value: string, cwd: string): Promise<OpenApiSourceResult> {
  const specIssue = (message: string, fix: string): OpenApiSourceResult => ({
    ok: false,
    errors: [{ severity: 'error', code: 'openapi-file', path: 'openapi', message, fix }],
  });
  const inside = resolveSpecPath(specFile, 'openapi', value);
  if (!inside.ok) {
    // The issue names the spec and `openapi` itself, as lambda.source's does.
    const prefix = `${specFile}: openapi: `;
    return specIssue(
      inside.error.startsWith(prefix) ? inside.error.slice(prefix.length) : inside.error,
      'copy the document into the repository that holds the spec, and name it from there',
    );
  }
  const shown = path.relative(cwd, inside.path) || inside.path;
  let document: OpenApiDocument;
  try {
    document = await readOpenApiDocument(path.resolve(cwd, inside.path), shown);
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    const at = new RegExp(`^${escapeRegExp(shown)}(?::(\\d+))?: `).exec(e.message);
    return {
      ok: false,
      errors: [
        {
          severity: 'error',
          code: e.code,
          path: '',
          message: at ? e.message.slice(at[0].length) : e.message,
          file: shown,
          ...(at?.[1] !== undefined ? { line: Number(at[1]) } : {}),
          ...(e.fix !== undefined ? { fix: e.fix } : {}),
        },
      ],
    };
  }
  return checkOpenApiSource(document, shown);
}

/** Checks a parsed document; see {@link loadOpenApiSource}. */
export function checkOpenApiSource(document: OpenApiDocument, shown: string): OpenApiSourceResult {
  const doc = document.data;
  let located:
    ((at: readonly PathPart[], which?: 'key' | 'value') => { line: number; column: number } | undefined) | undefined;
  // The document is parsed for positions only when a message needs one (JSON is YAML 1.2, so one parser serves).
  // A large JSON document is not: the YAML parser is far slower and hungrier than JSON.parse, which read it; its
  // messages keep the path.
  const locate = (at: readonly PathPart[], which: 'key' | 'value' = 'value') => {
    if (!located) {
      const lineCounter = new LineCounter();
      const text = document.text;
      const parsed =
        text === undefined || (text.length > MAX_LOCATED_JSON && /^\s*[{[]/.test(text))
          ? undefined
          : parseDocument(text, { lineCounter, uniqueKeys: false, version: '1.2' });
      located = (p, w) => (parsed ? locateIn(parsed, lineCounter, p, w) : undefined);
    }
    return located(at, which);
  };
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const issue = (
    severity: 'error' | 'warning',
    code: string,
    at: readonly PathPart[],
    message: string,
    fix: string,
    which: 'key' | 'value' = 'value',
  ) => {
    const list = severity === 'error' ? errors : warnings;
    if (severity === 'error' && errors.length >= MAX_ERRORS) return;
    const pos = locate(at, which);
    list.push({
      severity,
      code,
      path: formatPath(at),
      message: clean(message),
      fix: clean(fix),
      file: shown,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    });
  };
  const refuse = (code: string, at: readonly PathPart[], message: string, fix: string, which?: 'key' | 'value') =>
    issue('error', code, at, message, fix, which);

  if (document.version === '3.1') {
    refuse(
      'openapi-version',
      ['openapi'],
      `the document is OpenAPI ${String(doc['openapi'])}; API Gateway imports Swagger 2.0 and OpenAPI 3.0 documents only`,
      'write it as OpenAPI 3.0 (openapi: 3.0.3; 3.1-only constructs such as type lists, examples in schemas and webhooks rewritten or removed)',
    );
    return { ok: false, errors };
  }
  if (refersToItself(doc)) {
    // A YAML alias inside the mapping it names: the document never ends, and nothing could write it out.
    refuse(
      'openapi-alias-cycle',
      [],
      'a YAML alias (*name) refers to a mapping or list that contains it, so the document never ends',
      'write the values out instead of the alias',
    );
    return { ok: false, errors };
  }
  let deep = false;
  scanValues(doc, (at, value) => {
    if (at.length > MAX_DOCUMENT_NESTING) {
      // The text is bounded when it is read; YAML aliases can still nest a value inside copies of another.
      if (!deep)
        refuse(
          'openapi-nesting',
          at.slice(0, 8),
          `nests values more than ${MAX_DOCUMENT_NESTING} levels deep`,
          'nest the values less (with YAML, aliases count: write aliased values out)',
        );
      deep = true;
      return false;
    }
    if (at[at.length - 1] === '$ref' && typeof value === 'string' && !value.startsWith('#'))
      refuse(
        'openapi-external-ref',
        at,
        `$ref ${quote(value)} points outside the document; API Gateway imports one document and cannot follow it`,
        'bundle the document into one file first, e.g. with "npx @redocly/cli bundle", and name that file in openapi:',
      );
    else if (value === '__proto__' && at[at.length - 1] === '__proto__')
      // JavaScript objects take a key of this name as their prototype: the module would silently lack it.
      refuse(
        'openapi-proto-key',
        at,
        'is a key named "__proto__", which cors-gen cannot write into a module',
        'rename the key',
        'key',
      );
    else if (typeof value === 'string' && TOKEN_TEXT.test(value))
      refuse(
        'openapi-token',
        at,
        'holds "TfToken[", the text CDKTF marks its references with, which would be replaced in the module',
        'write it another way',
      );
    else if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) > MAX_NUMBER))
      refuse(
        'openapi-number',
        at,
        `${value} is a number beyond what cors-gen writes into a module`,
        'write it as a string, or a smaller number',
      );
  });

  const routes: DocumentRoute[] = [];
  const schemes = securitySchemesOf(doc, document.version === '2.0' ? '2.0' : '3.0');
  const operations: OperationSecurity[] = [];
  /** Header parameters by lower-case name: the first spelling, and the first operation that declares it. */
  const headers = new Map<string, { name: string; at: readonly PathPart[] }>();
  const paths = doc['paths'];
  const keys = isObject(paths) ? Object.keys(paths).filter((k) => !k.startsWith('x-')) : [];
  if (keys.length === 0)
    refuse(
      'openapi-no-paths',
      ['paths'],
      'the document has no paths, so the REST API would have no routes',
      "add the API's paths to the document",
    );
  for (const key of keys) {
    const at: PathPart[] = ['paths', key];
    const item = (paths as Record<string, unknown>)[key];
    const parsed = parseRoutePath(key);
    if ('reason' in parsed) {
      refuse(
        'openapi-path',
        at,
        `${quote(key)} ${parsed.reason}, which API Gateway cannot import as a resource path`,
        parsed.fix ?? 'write segments like /users/{id} or /files/{proxy+}',
        'key',
      );
      continue;
    }
    if (!isObject(item)) {
      refuse(
        'openapi-path-item',
        at,
        'is not a path item (a mapping of operations)',
        'write the operations under the path',
      );
      continue;
    }
    if (item['$ref'] !== undefined) {
      refuse(
        'openapi-path-ref',
        [...at, '$ref'],
        'a path item given by $ref cannot take the OPTIONS method cors-gen adds to every path',
        'write the path item out under the path',
      );
      continue;
    }
    const methods = new Set<RouteMethod>();
    const pathParameters = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const [name, operation] of Object.entries(item)) {
      const opAt = [...at, name];
      if (name === 'options') {
        refuse(
          'openapi-options',
          opAt,
          `${key} has an OPTIONS operation; cors-gen answers OPTIONS on every path itself (the CORS preflight, a MOCK integration) and cannot keep another`,
          "remove the options operation; cors-gen writes the preflight from the spec's cors settings",
          'key',
        );
        continue;
      }
      if (name === 'trace') {
        refuse('openapi-trace', opAt, 'API Gateway has no TRACE method', 'remove the trace operation', 'key');
        continue;
      }
      const as = METHODS.get(name);
      if (!as) continue;
      if (!isObject(operation)) {
        refuse('openapi-operation', opAt, 'is not an operation (a mapping)', 'write the operation out');
        continue;
      }
      as.forEach((m) => methods.add(m));
      const parameters = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
      for (const p of [...pathParameters, ...parameters]) {
        const param = localRef(doc, p);
        if (isObject(param) && param['in'] === 'header' && typeof param['name'] === 'string') {
          const key = param['name'].toLowerCase();
          if (!headers.has(key)) headers.set(key, { name: param['name'], at: opAt });
        }
      }
      const security = securityOf(operation['security'] ?? doc['security'], schemes);
      operations.push({
        path: key,
        method: name,
        at: opAt,
        ownIntegration: operation['x-amazon-apigateway-integration'] !== undefined,
        ...security,
        kinds: security.schemes.map((n) => schemeKind(schemes[n])),
      });
      const integration = operation['x-amazon-apigateway-integration'];
      if (integration === undefined) continue;
      const intAt = [...opAt, 'x-amazon-apigateway-integration'];
      if (!isObject(integration)) {
        refuse(
          'openapi-integration',
          intAt,
          'is not an integration (a mapping)',
          "write the integration out, or remove it to have cors-gen's Lambda serve the method",
        );
        continue;
      }
      const type = typeof integration['type'] === 'string' ? integration['type'].toLowerCase() : '';
      const method = name === 'x-amazon-apigateway-any-method' ? 'ANY' : name.toUpperCase();
      issue(
        'warning',
        'openapi-own-integration',
        intAt,
        `${method} ${key} keeps its own integration (${type ? `type ${quote(type)}` : 'no type'}): the CORS headers cors-gen's Lambda adds to every answer do not cover it`,
        type === 'aws_proxy' || type === 'http_proxy'
          ? 'its backend must send the CORS headers (Access-Control-Allow-Origin, Vary: Origin) on every answer, errors included'
          : type === 'mock'
            ? "its integration responses must set the CORS headers (responseParameters method.response.header.Access-Control-Allow-Origin, declared in the method's responses)"
            : "map the CORS headers in its integration responses (responseParameters method.response.header.Access-Control-Allow-Origin, declared in the method's responses), or remove the integration to have cors-gen's Lambda serve the method",
        'key',
      );
      // What API Gateway imports but then answers with a 500 (the module's own methods never do this).
      if (type === 'aws_proxy' && String(integration['httpMethod']).toUpperCase() !== 'POST')
        issue(
          'warning',
          'openapi-proxy-method',
          [...intAt, 'httpMethod'],
          `${method} ${key} invokes Lambda with httpMethod ${quote(String(integration['httpMethod']))}; Lambda is invoked with POST only, so every call answers 500 (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)`,
          'set httpMethod: POST (the method clients call stays as it is)',
        );
      if (type === 'mock' && !(isObject(integration['responses']) && 'default' in integration['responses']))
        issue(
          'warning',
          'openapi-mock-response',
          intAt,
          `${method} ${key} is a mock integration without a default integration response, which API Gateway answers with 500 (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html)`,
          'add responses: { default: { statusCode: "200" } } to the integration, and a requestTemplates application/json of {"statusCode": 200}',
          'key',
        );
    }
    if (methods.size > 0) routes.push({ path: key, methods: ROUTE_METHODS.filter((m) => methods.has(m)) });
  }
  // API Gateway imports the paths as written and ignores the base path unless told otherwise
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html), and the
  // module does not tell it: clients that call <base path>/<path> would get 403s.
  const basePath =
    document.version === '2.0'
      ? typeof doc['basePath'] === 'string' && doc['basePath'] !== '/'
        ? { at: ['basePath'], value: doc['basePath'] }
        : undefined
      : serverPrefix(doc['servers']);
  if (basePath)
    issue(
      'warning',
      'openapi-base-path',
      basePath.at,
      `the document's base path ${quote(basePath.value)} is not part of the routes: API Gateway imports the paths as written, so the API answers /pet, not ${basePath.value.replace(/\/$/, '')}/pet`,
      "write the base path into the paths (cors-gen init --from-openapi writes routes with it), or leave it out of your clients' URLs",
    );
  // A Lambda authorizer the document defines needs API Gateway to be allowed to invoke it: a permission outside the
  // module or a role in authorizerCredentials (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization-with-console.html).
  for (const [name, scheme] of Object.entries(schemes)) {
    const authorizer = isObject(scheme) ? scheme['x-amazon-apigateway-authorizer'] : undefined;
    if (!isObject(authorizer) || !['token', 'request'].includes(String(authorizer['type']).toLowerCase())) continue;
    if (authorizer['authorizerCredentials'] !== undefined) continue;
    issue(
      'warning',
      'openapi-authorizer-permission',
      [...securitySchemesPath(document.version), name],
      `the Lambda authorizer ${quote(name)} of the document has no authorizerCredentials, and the module grants API Gateway no permission to invoke its function: on AWS every request it guards answers 500`,
      "add an aws_lambda_permission for apigateway.amazonaws.com next to the module, or an authorizerCredentials role, or define the authorizer in the spec's authorizers (the module then grants the permission)",
      'key',
    );
  }
  const responses = doc['x-amazon-apigateway-gateway-responses'];
  if (responses !== undefined && !isObject(responses))
    refuse(
      'openapi-gateway-responses',
      ['x-amazon-apigateway-gateway-responses'],
      'is not a mapping of gateway response types',
      'write it as DEFAULT_4XX: { responseParameters: ... }',
    );
  for (const [type, response] of Object.entries(isObject(responses) ? responses : {})) {
    const at: PathPart[] = ['x-amazon-apigateway-gateway-responses', type];
    if (!isObject(response)) {
      refuse('openapi-gateway-responses', at, 'is not a gateway response (a mapping)', 'write it out');
      continue;
    }
    const parameters = response['responseParameters'];
    if (parameters !== undefined && !isObject(parameters)) {
      refuse(
        'openapi-gateway-responses',
        [...at, 'responseParameters'],
        'is not a mapping',
        'write it as a mapping of header mappings',
      );
      continue;
    }
    for (const name of Object.keys(parameters ?? {})) {
      const header = /^gatewayresponse\.header\.(.*)$/i.exec(name)?.[1];
      if (header !== undefined && /^(access-control-.*|vary)$/i.test(header))
        refuse(
          'openapi-gateway-cors-header',
          [...at, 'responseParameters', name],
          `sets ${header} on API Gateway's ${type} answers; cors-gen sets it on every gateway response from the spec's cors settings, so the two would disagree`,
          `remove ${name}; cors-gen writes it from cors.allowOrigins (and the stage's origins)`,
          'key',
        );
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    source: {
      shown,
      version: document.version,
      document: doc,
      routes,
      operations,
      headers: [...headers.values()],
      bytes: Buffer.byteLength(JSON.stringify(doc)),
      locate,
    },
    warnings,
  };
}

/**
 * Calls `visit` with every value of the document and its path, without recursion; `visit` returning false skips
 * what is below the value.
 */
function scanValues(root: unknown, visit: (at: readonly PathPart[], value: unknown) => boolean | void): void {
  const stack: Array<[PathPart[], unknown]> = [[[], root]];
  while (stack.length > 0) {
    const [at, value] = stack.pop()!;
    if (visit(at, value) === false) continue;
    if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push([[...at, i], value[i]]);
    else if (isObject(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        if (TOKEN_TEXT.test(keys[i]!) || keys[i] === '__proto__') visit([...at, keys[i]!], keys[i]);
        stack.push([[...at, keys[i]!], value[keys[i]!]]);
      }
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
/** Document text quoted in a message: no control characters reach a terminal. */
const clean = (t: string) =>
  t.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A value, or what its local `$ref` (`#/components/parameters/X`) names, one step. */
function localRef(doc: Record<string, unknown>, value: unknown): unknown {
  const ref = isObject(value) ? value['$ref'] : undefined;
  return typeof ref === 'string' && ref.startsWith('#/') ? localTarget(doc, ref) : value;
}

/** The security schemes of a document by name, local `$ref`s followed one step. */
function securitySchemesOf(doc: Record<string, unknown>, version: '2.0' | '3.0'): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(securitySchemeMap(doc, version)).map(([name, scheme]) => [name, localRef(doc, scheme)]),
  );
}

/**
 * Whether API Gateway enforces a security scheme of an imported REST API: an `x-amazon-apigateway-authorizer`
 * (Lambda or Cognito), IAM (`x-amazon-apigateway-authtype: awsSigv4`), or an API key read from the `x-api-key`
 * header; it has no notion of the others (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
 */
function enforced(scheme: unknown): boolean {
  if (!isObject(scheme)) return false;
  if (isObject(scheme['x-amazon-apigateway-authorizer'])) return true;
  if (String(scheme['x-amazon-apigateway-authtype']).toLowerCase() === 'awssigv4') return true;
  return (
    scheme['type'] === 'apiKey' &&
    scheme['in'] === 'header' &&
    typeof scheme['name'] === 'string' &&
    scheme['name'].toLowerCase() === 'x-api-key'
  );
}

function schemeKind(scheme: unknown): string {
  if (!isObject(scheme)) return 'not defined';
  const type = typeof scheme['type'] === 'string' ? scheme['type'] : 'no type';
  return type === 'apiKey' && typeof scheme['name'] === 'string'
    ? `apiKey in ${String(scheme['in'])} ${JSON.stringify(scheme['name'])}, but API Gateway reads API keys from X-Api-Key only`
    : type;
}

/** How an operation's security requirements (its own, or the document's) fare at the gateway. */
function securityOf(
  requirements: unknown,
  schemes: Record<string, unknown>,
): Pick<OperationSecurity, 'security' | 'schemes'> {
  if (!Array.isArray(requirements) || requirements.length === 0)
    return { security: Array.isArray(requirements) ? 'open' : 'none', schemes: [] };
  const alternatives = requirements.filter(isObject);
  if (alternatives.length === 0 || alternatives.some((alt) => Object.keys(alt).length === 0))
    return { security: 'open', schemes: [] };
  if (alternatives.some((alt) => Object.keys(alt).every((name) => enforced(schemes[name]))))
    return { security: 'enforced', schemes: [] };
  return {
    security: 'unenforced',
    schemes: [...new Set(alternatives.flatMap((alt) => Object.keys(alt).filter((name) => !enforced(schemes[name]))))],
  };
}

/** The path of the first server's URL (`https://api.example.com/v1` -> `/v1`), when it has one. */
function serverPrefix(servers: unknown): { at: PathPart[]; value: string } | undefined {
  const first = Array.isArray(servers) && isObject(servers[0]) ? servers[0] : undefined;
  const url = typeof first?.['url'] === 'string' ? first['url'] : undefined;
  if (url === undefined || url.includes('{')) return undefined;
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? (url.startsWith('/') ? url : undefined);
  return path && path !== '/' ? { at: ['servers', 0, 'url'], value: path } : undefined;
}
