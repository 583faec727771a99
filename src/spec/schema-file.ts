import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { specJsonSchemaText } from './json-schema.js';

/** The name of the schema file `cors-gen schema` and `init` write next to a spec. */
export const SCHEMA_FILE_NAME = 'cors-gen.schema.json';

/**
 * Writes the spec's JSON Schema into `dir`, for editors to read offline through a relative `$schema`
 * (`npx cors-gen` users have no installed copy to point at). An unchanged file is not rewritten.
 */
export async function writeSchemaFile(dir: string): Promise<{ file: string; changed: boolean }> {
  const file = path.join(path.resolve(dir), SCHEMA_FILE_NAME);
  const text = specJsonSchemaText();
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return { file, changed: false };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return { file, changed: true };
}
