/**
 * `npm run schema`: writes `schema/cors-gen.schema.json` from the zod schema. Run it after changing
 * `src/spec/schema.ts`; `test/spec/json-schema.test.ts` fails until the committed copy matches.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { JSON_SCHEMA_FILE, specJsonSchemaText } from './json-schema.js';

const file = path.join(PACKAGE_ROOT, JSON_SCHEMA_FILE);
const text = specJsonSchemaText();
const current = await readFile(file, 'utf8').catch(() => undefined);
if (current === text) {
  process.stdout.write(`${JSON_SCHEMA_FILE} is up to date\n`);
} else {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
}
