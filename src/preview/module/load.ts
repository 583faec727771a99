/**
 * Reads a generated module folder into one document: `*.tf` through `@cdktf/hcl2json` (loaded only when there is
 * HCL to read), `*.tf.json` as JSON, both as Terraform would (every file of the folder, no subfolders). The two
 * formats give blocks in different shapes (hcl2json wraps every block in a list); they are normalized here, so
 * the rest of the preview sees one shape.
 */
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModuleError, PreviewSetupError } from '../errors.js';

/** A raw attribute value as hcl2json or JSON give it: strings are templates. */
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
  /** Absolute path of the module folder. */
  readonly dir: string;
  readonly variables: ReadonlyMap<string, Block>;
  readonly locals: ReadonlyMap<string, { readonly file: string; readonly value: RawValue }>;
  /** Keyed by `type.name`. */
  readonly resources: ReadonlyMap<string, AddressedBlock>;
  /** Keyed by `data.type.name`. */
  readonly data: ReadonlyMap<string, AddressedBlock>;
  readonly outputs: ReadonlyMap<string, Block>;
}

/** Top-level blocks the preview reads or can safely ignore; anything else (module, import, ...) is refused. */
const KNOWN_BLOCKS = new Set(['terraform', 'locals', 'variable', 'resource', 'data', 'output', 'provider']);

const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function loadModule(dir: string): Promise<ModuleDocument> {
  const abs = path.resolve(dir);
  let names: string[];
  try {
    const info = await stat(abs);
    if (!info.isDirectory()) throw new PreviewSetupError(`${dir}: not a folder; --module takes the folder "cors-gen generate" wrote`);
    names = await readdir(abs);
  } catch (e) {
    if (e instanceof PreviewSetupError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new PreviewSetupError(code === 'ENOENT' ? `${dir}: no such folder; run "cors-gen generate" first or pass --module` : `${dir}: cannot be read (${code ?? (e as Error).message})`);
  }
  const files = names.filter((n) => n.endsWith('.tf') || n.endsWith('.tf.json')).sort();
  if (files.length === 0) throw new ModuleError(`no Terraform files (*.tf or *.tf.json) in ${dir}; is this the folder "cors-gen generate" wrote?`);
  const overrides = files.filter((n) => /(^|_)override\.tf(\.json)?$/.test(n));
  if (overrides.length > 0) throw new ModuleError(`override files are not supported by the preview`, { file: overrides[0] });

  const doc = {
    dir: abs,
    variables: new Map<string, Block>(),
    locals: new Map<string, { file: string; value: RawValue }>(),
    resources: new Map<string, AddressedBlock>(),
    data: new Map<string, AddressedBlock>(),
    outputs: new Map<string, Block>(),
  };
  for (const file of files) {
    const text = await readModuleFile(abs, file);
    const top = file.endsWith('.tf.json') ? parseJsonFile(text, file) : await parseHclFile(text, file);
    checkNesting(top, file);
    addFile(doc, top, file);
  }
  return doc;
}

/**
 * A file of the module folder (`relative` to `dir`) as text. The folder comes from a repository, so a file is
 * read only when its real path is inside the folder's real path (a symlink to `~/.aws/credentials` would
 * otherwise be parsed, and quoted by the parse error) and it is a regular file: opened without blocking and
 * checked on the open descriptor, since reading a FIFO waits for a writer for ever and a device such as
 * `/dev/zero` never ends.
 */
export async function readModuleFile(dir: string, relative: string): Promise<string> {
  const display = relative.split(path.sep).join('/');
  const root = await realpath(dir);
  let real: string;
  try {
    real = await realpath(path.join(dir, relative));
  } catch (e) {
    throw new ModuleError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: display });
  }
  if (!real.startsWith(`${root}${path.sep}`)) {
    throw new ModuleError('is a symlink to a file outside the module folder; the preview reads only the files the module holds', { file: display }, { fix: 'replace the symlink with the file "cors-gen generate" writes' });
  }
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ModuleError('is not a regular file', { file: display });
    if (info.size > MAX_FILE_BYTES) throw new ModuleError(`the file is ${info.size} bytes; a generated module file is far smaller`, { file: display });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function parseJsonFile(text: string, file: string): RawBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModuleError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ModuleError('a .tf.json file must hold one JSON object', { file });
  return value as RawBody;
}

let hcl2json: Promise<typeof import('@cdktf/hcl2json')> | undefined;

/** Parses HCL through hcl2json (a WebAssembly build of HashiCorp's own parser). */
export async function parseHclFile(text: string, file: string): Promise<RawBody> {
  hcl2json ??= import('@cdktf/hcl2json');
  const { parse } = await hcl2json;
  try {
    return (await parse(file, text)) as RawBody;
  } catch (e) {
    throw new ModuleError(`not valid HCL: ${(e as Error).message.replace(/^parse config: /, '')}`, { file });
  }
}

type Doc = {
  variables: Map<string, Block>;
  locals: Map<string, { file: string; value: RawValue }>;
  resources: Map<string, AddressedBlock>;
  data: Map<string, AddressedBlock>;
  outputs: Map<string, Block>;
};

/** Deeper than any module cors-gen writes (a few levels), far shallower than what would exhaust the stack. */
const MAX_NESTING = 64;

/**
 * Refuses a file whose values nest deeper than {@link MAX_NESTING} lists and objects, before anything walks them
 * recursively: `[[[[...]]]]` fifty thousand deep would otherwise end the preview with a stack overflow.
 * Checked without recursion.
 */
export function checkNesting(top: RawValue, file: string): void {
  const pending: Array<[RawValue, number]> = [[top, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_NESTING) throw new ModuleError(`values nest more than ${MAX_NESTING} levels deep; a generated module nests a few`, { file });
    for (const child of Array.isArray(value) ? value : Object.values(value)) pending.push([child, depth + 1]);
  }
}

function addFile(doc: Doc, top: RawBody, file: string): void {
  for (const [kind, value] of Object.entries(top)) {
    if (kind === '//') continue;
    if (!KNOWN_BLOCKS.has(kind)) throw new ModuleError(`"${kind}" blocks are not supported by the preview`, { file });
    if (kind === 'terraform' || kind === 'provider') continue;
    if (kind === 'locals') {
      for (const body of blockBodies(value, file, 'locals')) {
        for (const [name, v] of Object.entries(body)) {
          if (name === '//') continue;
          if (doc.locals.has(name)) throw new ModuleError(`local.${name} is declared twice`, { file });
          doc.locals.set(name, { file, value: v });
        }
      }
      continue;
    }
    if (kind === 'variable' || kind === 'output') {
      for (const [name, bodies] of labelled(value, file, kind)) {
        const map = kind === 'variable' ? doc.variables : doc.outputs;
        const address = `${kind === 'variable' ? 'var' : 'output'}.${name}`;
        const list = blockBodies(bodies, file, address);
        if (map.has(name) || list.length !== 1) throw new ModuleError(`${address} is declared more than once`, { file });
        map.set(name, { file, body: list[0]! });
      }
      continue;
    }
    // resource and data: type -> name -> body
    for (const [type, byName] of labelled(value, file, kind)) {
      for (const [name, bodies] of labelled(byName, file, `${kind} ${type}`)) {
        const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        const map = kind === 'data' ? doc.data : doc.resources;
        const list = blockBodies(bodies, file, address);
        if (map.has(address) || list.length !== 1) throw new ModuleError(`${address} is declared more than once`, { file });
        const body = list[0]!;
        for (const meta of ['count', 'for_each', 'dynamic']) {
          if (meta in body) throw new ModuleError(`"${meta}" is not supported by the preview`, { file, address });
        }
        map.set(address, { file, type, name, address, body });
      }
    }
  }
}

/** The bodies of a block value: one object (JSON) or a list of objects (hcl2json, or JSON with repeats). */
function blockBodies(value: RawValue, file: string, what: string): RawBody[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((b) => {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new ModuleError(`${what} is not a block`, { file });
    const { '//': _comment, ...rest } = b;
    return rest;
  });
}

/** The labelled children of a block value (`variable "x" {}` -> x), whichever of the two shapes it has. */
function labelled(value: RawValue, file: string, what: string): [string, RawValue][] {
  const list = Array.isArray(value) ? value : [value];
  const out: [string, RawValue][] = [];
  for (const item of list) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ModuleError(`${what} is not a block`, { file });
    for (const [k, v] of Object.entries(item)) if (k !== '//') out.push([k, v]);
  }
  return out;
}

/**
 * A nested block of a body (`environment { ... }`, `cors { ... }`): hcl2json gives a list of one object, JSON
 * an object or a list. Undefined when absent; more than one is refused.
 */
export function nestedBlock(body: RawBody, name: string, where: { file: string; address: string }): RawBody | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  if (list.length > 1) throw new ModuleError(`more than one ${name} block is not supported by the preview`, { file: where.file, address: where.address });
  const only = list[0];
  if (only === null || typeof only !== 'object' || Array.isArray(only)) throw new ModuleError(`${name} is not a block`, { file: where.file, address: where.address });
  const { '//': _comment, ...rest } = only;
  return rest;
}
