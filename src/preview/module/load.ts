/**
 * Reads a generated module folder into one document, as Terraform would (every `*.tf` and `*.tf.json` file of the
 * folder, no subfolders), through the module reader of `src/terraform`, and refuses what the preview cannot
 * emulate faithfully.
 */
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  DocumentError,
  parseHcl,
  readModule,
  type ModuleDocument as TerraformModule,
  type RawBody,
  type RawValue,
} from '../../terraform/document.js';
import { ModuleError, PreviewSetupError } from '../errors.js';

export type { AddressedBlock, Block, RawBody, RawValue } from '../../terraform/document.js';

export interface ModuleDocument extends TerraformModule {
  /** Absolute path of the module folder. */
  readonly dir: string;
}

/**
 * Top-level blocks the preview reads or can safely ignore; anything else (module, import, ...) is refused.
 * `removed` and `moved` only tell Terraform what to do with objects already in the state
 * (https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources); they deploy nothing.
 */
const KNOWN_BLOCKS = new Set([
  'terraform',
  'locals',
  'variable',
  'resource',
  'data',
  'output',
  'provider',
  'removed',
  'moved',
]);

const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function loadModule(dir: string): Promise<ModuleDocument> {
  const abs = path.resolve(dir);
  let names: string[];
  try {
    const info = await stat(abs);
    if (!info.isDirectory())
      throw new PreviewSetupError(`${dir}: not a folder; --module takes the folder "cors-gen generate" wrote`);
    names = await readdir(abs);
  } catch (e) {
    if (e instanceof PreviewSetupError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new PreviewSetupError(
      code === 'ENOENT'
        ? `${dir}: no such folder; run "cors-gen generate" first or pass --module`
        : `${dir}: cannot be read (${code ?? (e as Error).message})`,
    );
  }
  const files = names.filter((n) => n.endsWith('.tf') || n.endsWith('.tf.json')).sort();
  if (files.length === 0)
    throw new ModuleError(
      `no Terraform files (*.tf or *.tf.json) in ${dir}; is this the folder "cors-gen generate" wrote?`,
    );
  const overrides = files.filter((n) => /(^|_)override\.tf(\.json)?$/.test(n));
  if (overrides.length > 0)
    throw new ModuleError(`override files are not supported by the preview`, { file: overrides[0] });

  const texts: Array<[string, string]> = [];
  for (const file of files) {
    const text = await readModuleFile(abs, file);
    // JSON nests without bound: refuse it before anything walks it recursively.
    if (file.endsWith('.tf.json')) checkNesting(parseJson(text, file), file);
    texts.push([file, text]);
  }
  const doc = await moduleError(() => readModule(texts));
  const other = doc.other.find((b) => !KNOWN_BLOCKS.has(b.kind));
  if (other) throw new ModuleError(`"${other.kind}" blocks are not supported by the preview`, { file: other.file });
  for (const r of [...doc.resources.values(), ...doc.data.values()]) {
    for (const meta of ['count', 'for_each', 'dynamic']) {
      if (meta in r.body && !repetitionIgnored(r, meta))
        throw new ModuleError(`"${meta}" is not supported by the preview`, { file: r.file, address: r.address });
    }
  }
  return Object.assign(doc, { dir: abs });
}

/**
 * Repetition the preview may leave unevaluated: `count`/`for_each` on the role's policies (extra permissions,
 * which the preview does not emulate: the code runs with the developer's own credentials), and the function's
 * `dynamic "vpc_config"`, which functions.ts reads (network placement, reported, not emulated). And the custom
 * API domain (domain name, its mapping and DNS record): the preview serves the API on its own local origin, so a
 * domain changes nothing it emulates.
 */
export const CUSTOM_DOMAIN_TYPES: ReadonlySet<string> = new Set([
  'aws_api_gateway_domain_name',
  'aws_api_gateway_base_path_mapping',
  'aws_apigatewayv2_domain_name',
  'aws_apigatewayv2_api_mapping',
  'aws_route53_record',
]);
const IGNORED_REPETITION = new Set(['aws_iam_role_policy_attachment', 'aws_iam_role_policy', ...CUSTOM_DOMAIN_TYPES]);

function repetitionIgnored(r: { type: string; address: string; body: RawBody }, meta: string): boolean {
  if (meta !== 'dynamic') return !r.address.startsWith('data.') && IGNORED_REPETITION.has(r.type);
  const blocks = r.body['dynamic'];
  return (
    r.type === 'aws_lambda_function' &&
    blocks !== null &&
    typeof blocks === 'object' &&
    !Array.isArray(blocks) &&
    Object.keys(blocks).join() === 'vpc_config'
  );
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
    throw new ModuleError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: display,
    });
  }
  if (!real.startsWith(`${root}${path.sep}`)) {
    throw new ModuleError(
      'is a symlink to a file outside the module folder; the preview reads only the files the module holds',
      { file: display },
      { fix: 'replace the symlink with the file "cors-gen generate" writes' },
    );
  }
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ModuleError('is not a regular file', { file: display });
    if (info.size > MAX_FILE_BYTES)
      throw new ModuleError(`the file is ${info.size} bytes; a generated module file is far smaller`, {
        file: display,
      });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** A `.tf.json` file's value, or the reader's own error later (it names the problem the same way). */
function parseJson(text: string, file: string): RawValue {
  try {
    return JSON.parse(text) as RawValue;
  } catch (e) {
    throw new ModuleError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}

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
    if (depth >= MAX_NESTING)
      throw new ModuleError(`values nest more than ${MAX_NESTING} levels deep; a generated module nests a few`, {
        file,
      });
    for (const child of Array.isArray(value) ? value : Object.values(value)) pending.push([child, depth + 1]);
  }
}

/** Parses HCL (a `.tfvars` file) through the module reader's hcl2json. */
export async function parseHclFile(text: string, file: string): Promise<RawBody> {
  return moduleError(() => parseHcl(text, file));
}

/**
 * A nested block of a body (`environment { ... }`, `cors { ... }`): hcl2json gives a list of one object, JSON
 * an object or a list. Undefined when absent; more than one is refused.
 */
export function nestedBlock(
  body: RawBody,
  name: string,
  where: { file: string; address: string },
): RawBody | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  if (list.length > 1)
    throw new ModuleError(`more than one ${name} block is not supported by the preview`, {
      file: where.file,
      address: where.address,
    });
  const only = list[0];
  if (only === null || typeof only !== 'object' || Array.isArray(only))
    throw new ModuleError(`${name} is not a block`, { file: where.file, address: where.address });
  const { '//': _comment, ...rest } = only;
  return rest;
}
