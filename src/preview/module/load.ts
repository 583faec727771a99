/**
 * Reads a generated module folder into one document, as Terraform would (every `*.tf` and `*.tf.json` file of the
 * folder, no subfolders), through the module reader of `src/terraform`, and refuses what the preview cannot
 * emulate faithfully.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DocumentError, parseHcl, readModule, type ModuleDocument as TerraformModule, type RawBody } from '../../terraform/document.js';
import { ModuleError, PreviewSetupError } from '../errors.js';

export type { AddressedBlock, Block, RawBody, RawValue } from '../../terraform/document.js';

export interface ModuleDocument extends TerraformModule {
  /** Absolute path of the module folder. */
  readonly dir: string;
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

  const texts: Array<[string, string]> = [];
  for (const file of files) texts.push([file, await readText(path.join(abs, file), file)]);
  const doc = await moduleError(() => readModule(texts));
  const other = doc.other.find((b) => !KNOWN_BLOCKS.has(b.kind));
  if (other) throw new ModuleError(`"${other.kind}" blocks are not supported by the preview`, { file: other.file });
  for (const r of [...doc.resources.values(), ...doc.data.values()]) {
    for (const meta of ['count', 'for_each', 'dynamic']) {
      if (meta in r.body) throw new ModuleError(`"${meta}" is not supported by the preview`, { file: r.file, address: r.address });
    }
  }
  return Object.assign(doc, { dir: abs });
}

/** The reader's errors as the preview's, which name the file. */
async function moduleError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DocumentError) throw new ModuleError(e.message, { file: e.file });
    throw e;
  }
}

async function readText(file: string, display: string): Promise<string> {
  const info = await stat(file);
  if (info.size > MAX_FILE_BYTES) throw new ModuleError(`the file is ${info.size} bytes; a generated module file is far smaller`, { file: display });
  return readFile(file, 'utf8');
}

/** Parses HCL (a `.tfvars` file) through the module reader's hcl2json. */
export async function parseHclFile(text: string, file: string): Promise<RawBody> {
  return moduleError(() => parseHcl(text, file));
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
