/** Hand edits of REST modules for the preview tests that break a module on purpose. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Obj = Record<string, any>;

/**
 * Edits a module generated as JSON (`main.tf.json`) as someone editing it by hand would: `edit` gets the OpenAPI
 * document the body encodes (`local.openapi`, its strings still Terraform templates) and the whole document.
 */
export function editOpenApi(dir: string, edit: (openapi: Obj, doc: Obj) => void): void {
  const file = path.join(dir, 'main.tf.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  edit(doc.locals.openapi, doc);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
