import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ExternalError, InvalidInputError } from '../errors.js';
import { scanShape } from '../spec/parse.js';

/**
 * Reading an OpenAPI document that someone else wrote. The document may come from anywhere (a vendor, a pull
 * request), so its size, its nesting and its aliases are bounded before and while it is parsed, and nothing in it
 * is trusted to be of the type the OpenAPI Specification says.
 */

/** OpenAPI documents of large public APIs are a few megabytes; anything larger is refused before it is read. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/**
 * Block or flow nesting deeper than this is refused before the YAML parser sees it: the parser recurses once per
 * level, and a few thousand levels exhaust the stack. Real documents nest schemas a few dozen levels deep.
 */
export const MAX_DOCUMENT_NESTING = 200;

/**
 * Values (an estimate: lines and flow items) a YAML document may hold. The YAML parser keeps a node per value,
 * so a dense file ("[a,a,a,...]") costs time and memory far beyond its size; large public APIs have a few hundred
 * thousand. JSON has no such bound: V8's JSON parser is fast and lean.
 */
export const MAX_YAML_VALUES = 250_000;

export type OpenApiVersion = '2.0' | '3.0' | '3.1';

export interface OpenApiDocument {
  /** What the document says it is: `swagger: "2.0"` or `openapi: 3.0.x` / `3.1.x`. */
  readonly version: OpenApiVersion;
  /** The parsed document (plain data: objects, arrays, strings, numbers, booleans, null). */
  readonly data: Record<string, unknown>;
  /** The text it was parsed from, to find a value's line when a message names it. */
  readonly text?: string;
}

/**
 * Reads and parses `file` (YAML or JSON). `shown` is how messages name the file. Throws ExternalError when the
 * file cannot be read and InvalidInputError when it is not an OpenAPI 2.0 or 3.x document, naming the line.
 */
export async function readOpenApiDocument(file: string, shown: string): Promise<OpenApiDocument> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new ExternalError(`${shown} is not a file`, { code: 'unreadable', fix: 'name an OpenAPI document' });
    if (info.size > MAX_DOCUMENT_BYTES)
      throw new InvalidInputError(
        `${shown} is ${info.size} bytes, more than the ${MAX_DOCUMENT_BYTES} an OpenAPI document of cors-gen may have`,
        { code: 'too-large', fix: 'split the document, or remove what is not paths, security schemes or servers' },
      );
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ExternalError || e instanceof InvalidInputError) throw e;
    throw new ExternalError(`${shown} cannot be read: ${(e as Error).message}`, {
      code: 'unreadable',
      fix: 'check the path (relative to the current folder) and the file permissions',
    });
  }
  return parseOpenApiText(text, shown);
}

/** Parses the text of an OpenAPI document; see {@link readOpenApiDocument}. */
export function parseOpenApiText(text: string, shown: string): OpenApiDocument {
  const invalid = (message: string, fix: string, line?: number) =>
    new InvalidInputError(`${shown}${line !== undefined ? `:${line}` : ''}: ${message}`, {
      code: 'openapi-invalid',
      fix,
    });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  if (/^\s*[{[]/.test(text)) {
    // JSON: V8's parser does not recurse on the call stack, and is far faster than a YAML parser on large files.
    try {
      data = JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      throw invalid(
        `is not valid JSON: ${(e as Error).message.replace(/ in JSON at position \d+.*$/s, '')}`,
        'fix the JSON (or write the document as YAML)',
        at ? lineOf(text, Number(at[1])) : undefined,
      );
    }
  } else {
    // The spec parser's scan, with this reader's bounds: an OpenAPI document is deeper and larger than a spec.
    const shape = scanShape(text, MAX_DOCUMENT_NESTING, MAX_YAML_VALUES);
    if (shape.deepAt !== undefined)
      throw invalid(
        `nests lists or mappings more than ${MAX_DOCUMENT_NESTING} levels deep`,
        'an OpenAPI document is a few dozen levels deep: check the file is the document you meant',
        lineOf(text, shape.deepAt),
      );
    if (shape.values > MAX_YAML_VALUES)
      throw invalid(
        `holds more than ${MAX_YAML_VALUES} values (lines and list items), more than init reads from YAML`,
        'convert the document to JSON (which init reads up to its size limit), or remove what is not paths, security schemes or servers',
      );
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, version: '1.2' });
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      throw invalid(
        `is not valid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        'fix the YAML (an OpenAPI document is one YAML or JSON document)',
        lineCounter.linePos(err.pos[0]).line,
      );
    }
    try {
      // maxAliasCount bounds "billion laughs" expansion; an alias that contains itself is cut by the readers'
      // depth bounds (src/openapi/adopt.ts never follows more than a few levels).
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw invalid(
        `cannot be read: ${(e as Error).message}`,
        'write aliases (*name) out, or remove the ones that expand to many values',
      );
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw invalid('is not an OpenAPI document: its top level is not a mapping', 'name an OpenAPI document');
  const doc = data as Record<string, unknown>;
  const version =
    doc['swagger'] === '2.0' || doc['swagger'] === 2
      ? '2.0'
      : typeof doc['openapi'] === 'string' && /^3\.0\.\d+/.test(doc['openapi'])
        ? '3.0'
        : typeof doc['openapi'] === 'string' && /^3\.1\.\d+/.test(doc['openapi'])
          ? '3.1'
          : undefined;
  if (!version) {
    const said = doc['openapi'] ?? doc['swagger'];
    throw invalid(
      said === undefined
        ? 'is not an OpenAPI document: it has neither `swagger: "2.0"` nor `openapi: 3.x.y`'
        : `declares ${doc['openapi'] !== undefined ? 'openapi' : 'swagger'}: ${JSON.stringify(said).slice(0, 40)}, which cors-gen does not read`,
      'cors-gen reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents',
    );
  }
  return { version, data: doc, text };
}

/** The 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * What a local `$ref` (`#/components/schemas/Pet`) names in `doc`, or undefined: a JSON Pointer
 * (https://www.rfc-editor.org/rfc/rfc6901), `~1` and `~0` unescaped, own keys only.
 */
export function localTarget(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null && Object.hasOwn(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined,
      doc,
    );
}

/** Where a document keeps its security schemes: `securityDefinitions` in Swagger 2.0, else `components.securitySchemes`. */
export function securitySchemesPath(version: OpenApiVersion): readonly string[] {
  return version === '2.0' ? ['securityDefinitions'] : ['components', 'securitySchemes'];
}

/** The security schemes of a document by name, as written (`$ref`s not followed); {} when it has none. */
export function securitySchemeMap(doc: unknown, version: OpenApiVersion): Readonly<Record<string, unknown>> {
  const raw = localTarget(doc, `#/${securitySchemesPath(version).join('/')}`);
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}
