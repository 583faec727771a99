/**
 * The one reader of a Terraform module: `.tf` files through `@cdktf/hcl2json` (a WebAssembly build of HashiCorp's
 * own HCL parser, loaded only when there is HCL to read), `.tf.json` files as JSON, or a document already in
 * memory, all into one {@link ModuleDocument} whose index is built once.
 *
 * The two syntaxes give blocks in different shapes: hcl2json writes every block as a list of bodies
 * (`variable "x" {}` -> `{ x: [{...}] }`), Terraform's JSON syntax an object or, for repeats, a list
 * (https://developer.hashicorp.com/terraform/language/syntax/json#nested-block-mapping). The index unwraps the
 * top-level blocks and their labels, so its users see one shape; nested blocks inside a body stay as written
 * (see {@link one}). Like Terraform, it merges the files of a folder and refuses a block declared twice
 * ("Duplicate resource configuration").
 */

/** A raw attribute value as hcl2json or JSON give it: strings are templates. */
import { CorsGenError } from '../errors.js';

export type RawValue = null | string | number | boolean | RawValue[] | { [key: string]: RawValue };
export type RawBody = { [key: string]: RawValue };

export interface Block {
  /** The file it was declared in, relative to the module folder. */
  readonly file: string;
  readonly body: RawBody;
}

export interface AddressedBlock extends Block {
  readonly type: string;
  readonly name: string;
  /** `aws_x.name` or `data.aws_x.name`. */
  readonly address: string;
}

export interface ModuleDocument {
  readonly variables: ReadonlyMap<string, Block>;
  readonly locals: ReadonlyMap<string, { readonly file: string; readonly value: RawValue }>;
  /** Keyed by `type.name`. */
  readonly resources: ReadonlyMap<string, AddressedBlock>;
  /** Keyed by `data.type.name`. */
  readonly data: ReadonlyMap<string, AddressedBlock>;
  readonly outputs: ReadonlyMap<string, Block>;
  /** Every `terraform` block's body, merged. */
  readonly terraform: RawBody;
  /** Top-level blocks of any other kind (`provider`, `module`, ...), as written. */
  readonly other: ReadonlyArray<{ readonly kind: string; readonly file: string; readonly value: RawValue }>;
  /** The resources of one type, in document order. */
  ofType(type: string): readonly AddressedBlock[];
}

/** A module that cannot be read: names the file and, where there is one, the block's address. */
export class DocumentError extends CorsGenError {
  override readonly name = 'DocumentError';
  readonly kind = 'invalid';
  readonly code = 'unreadable-module';

  constructor(
    message: string,
    readonly file: string,
    readonly address?: string,
  ) {
    super(message);
  }
}

let hcl2json: Promise<typeof import('@cdktf/hcl2json')> | undefined;

/** One `.tf` file's top level, as hcl2json gives it. */
export async function parseHcl(text: string, file: string): Promise<RawBody> {
  hcl2json ??= import('@cdktf/hcl2json');
  const { parse } = await hcl2json;
  try {
    return (await parse(file, text)) as RawBody;
  } catch (e) {
    throw new DocumentError(`not valid HCL: ${(e as Error).message.replace(/^parse config: /, '')}`, file);
  }
}

/** One `.tf.json` file's top level. */
export function parseJson(text: string, file: string): RawBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DocumentError(`not valid JSON: ${(e as Error).message}`, file);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new DocumentError('a .tf.json file must hold one JSON object', file);
  return value as RawBody;
}

/** The files of a module (name -> text; `.tf` and `.tf.json`, anything else ignored), read and indexed. */
export async function readModule(files: Iterable<readonly [string, string]>): Promise<ModuleDocument> {
  const parts: Array<[string, RawBody]> = [];
  for (const [file, text] of files) {
    if (file.endsWith('.tf.json')) parts.push([file, parseJson(text, file)]);
    else if (file.endsWith('.tf')) parts.push([file, await parseHcl(text, file)]);
  }
  return indexDocument(parts);
}

/** Top levels of files (file name -> parsed top level), or one document in memory, indexed. */
export function indexDocument(parts: Iterable<readonly [string, RawBody]> | Record<string, unknown>): ModuleDocument {
  const list: Iterable<readonly [string, RawBody]> =
    Symbol.iterator in parts ? (parts as Iterable<readonly [string, RawBody]>) : [['document', parts as RawBody]];
  const doc = new Index();
  for (const [file, top] of list) doc.add(top, file);
  return doc;
}

/** The document as given when it is already indexed, else indexed: what the checkers accept. */
export function moduleDocument(doc: ModuleDocument | Record<string, unknown>): ModuleDocument {
  return doc instanceof Index ? doc : indexDocument(doc as Record<string, unknown>);
}

class Index implements ModuleDocument {
  readonly variables = new Map<string, Block>();
  readonly locals = new Map<string, { file: string; value: RawValue }>();
  readonly resources = new Map<string, AddressedBlock>();
  readonly data = new Map<string, AddressedBlock>();
  readonly outputs = new Map<string, Block>();
  readonly terraform: RawBody = {};
  readonly other: Array<{ kind: string; file: string; value: RawValue }> = [];
  readonly #byType = new Map<string, AddressedBlock[]>();

  ofType(type: string): readonly AddressedBlock[] {
    return this.#byType.get(type) ?? [];
  }

  add(top: RawBody, file: string): void {
    for (const [kind, value] of Object.entries(top)) {
      if (kind === '//') continue;
      if (kind === 'terraform') {
        for (const body of bodies(value, file, kind)) Object.assign(this.terraform, body);
      } else if (kind === 'locals') {
        for (const body of bodies(value, file, kind)) {
          for (const [name, v] of Object.entries(body)) {
            if (this.locals.has(name))
              throw new DocumentError(`local.${name} is declared twice`, file, `local.${name}`);
            this.locals.set(name, { file, value: v });
          }
        }
      } else if (kind === 'variable' || kind === 'output') {
        for (const [name, v] of labelled(value, file, kind)) {
          const address = `${kind === 'variable' ? 'var' : 'output'}.${name}`;
          const map = kind === 'variable' ? this.variables : this.outputs;
          map.set(name, { file, body: single(map.has(name), v, file, address) });
        }
      } else if (kind === 'resource' || kind === 'data') {
        for (const [type, byName] of labelled(value, file, kind)) {
          for (const [name, v] of labelled(byName, file, `${kind} ${type}`)) {
            const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
            const map = kind === 'data' ? this.data : this.resources;
            const block = { file, type, name, address, body: single(map.has(address), v, file, address) };
            map.set(address, block);
            if (kind === 'resource') {
              const same = this.#byType.get(type);
              if (same) same.push(block);
              else this.#byType.set(type, [block]);
            }
          }
        }
      } else {
        this.other.push({ kind, file, value });
      }
    }
  }
}

/** The one body of a labelled block; a second declaration (another file, or a list of two) is refused. */
function single(declared: boolean, value: RawValue, file: string, address: string): RawBody {
  const list = bodies(value, file, address);
  if (declared || list.length !== 1) throw new DocumentError(`${address} is declared more than once`, file, address);
  return list[0]!;
}

/** The bodies of a block value: one object (JSON) or a list of objects (hcl2json, or JSON with repeats). */
function bodies(value: RawValue, file: string, what: string): RawBody[] {
  return (Array.isArray(value) ? value : [value]).map((b) => {
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new DocumentError(`${what} is not a block`, file);
    if (!('//' in b)) return b;
    const { '//': _comment, ...rest } = b;
    return rest;
  });
}

/** The labelled children of a block value (`variable "x" {}` -> x), whichever of the two shapes it has. */
function labelled(value: RawValue, file: string, what: string): Array<[string, RawValue]> {
  const out: Array<[string, RawValue]> = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new DocumentError(`${what} is not a block`, file);
    for (const [k, v] of Object.entries(item)) if (k !== '//') out.push([k, v]);
  }
  return out;
}

// ---- reading bodies --------------------------------------------------------------------------------------------

/** `value` if it is an object (not a list), else an empty body. */
export function asBody(value: unknown): RawBody {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as RawBody) : {};
}

/** One nested block body, whichever shape the document has (JSON object, or hcl2json's list of one), or undefined. */
export function one(value: unknown): RawBody | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as RawBody) : undefined;
}

/** A list as itself, nothing (undefined or null) as `[]`, anything else as a list of one. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** Every body of a nested block written once or repeated, merged into one (later keys win). */
export function mergedBlocks(value: unknown): RawBody {
  return Object.assign({}, ...asList(value).map(asBody)) as RawBody;
}

/** `"${aws_x.name.attr}"` -> [type, name, attr] for a whole-string reference. */
export function reference(value: unknown): [string, string, string] | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
  return m ? [m[1]!, m[2]!, m[3]!] : undefined;
}

/**
 * The environment variables a `aws_lambda_function` body sets that the module decides: a literal
 * `environment.variables` map, or the local in `merge(var.<input>, local.<name>)`, where the local (the last
 * argument, which wins in Terraform's merge) holds the module's own variables and the input the caller's. Any
 * other shape yields `{}`: a checker then sees none of the variables it looks for, and fails closed.
 */
export function moduleEnvironment(doc: ModuleDocument, fn: RawBody): RawBody {
  const variables = mergedBlocks(fn['environment'])['variables'];
  if (typeof variables !== 'string') return asBody(variables);
  const m = /^\$\{merge\(var\.[A-Za-z_][\w-]*, ?local\.([A-Za-z_][\w-]*)\)\}$/.exec(variables);
  const local = m ? doc.locals.get(m[1]!) : undefined;
  return local ? asBody(local.value) : {};
}
