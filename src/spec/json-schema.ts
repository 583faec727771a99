import * as z from 'zod';
import { specSchema } from './schema.js';

/**
 * The JSON Schema of the spec, generated from the zod schema so the two never disagree. Shipped as
 * `schema/cors-gen.schema.json` for editors: `init` writes a `# yaml-language-server: $schema=...` line that points at it.
 *
 * Draft-07, because that is the draft the YAML language server (VS Code's YAML extension, monaco-yaml) validates
 * with; it warns that 2020-12 schemas are "not yet fully supported". The rules that need the whole spec (origins
 * per target, duplicate routes, limits) stay in `rules.ts`: the JSON Schema checks shape only, so an editor may
 * accept what `cors-gen validate` refuses, never the other way round.
 */
export const JSON_SCHEMA_FILE = 'schema/cors-gen.schema.json';

export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, {
    target: 'draft-07',
    // What a user writes: every key with a default is optional.
    io: 'input',
    override: ({ jsonSchema }) => {
      // Editors offer `default` in completions; the descriptions already say it in words ("@default 600").
      const value = defaultIn(jsonSchema.description);
      if (value !== undefined) jsonSchema.default = value;
    },
  }) as Record<string, unknown>;
  return { $schema: schema.$schema, title: 'cors-gen spec (version 1)', ...schema };
}

/** The text `npm run schema` writes: two-space JSON and a final newline, the same bytes on every machine. */
export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}

/** `... @default 600. https://...` -> 600; `@default the union of ...` (words, not JSON) -> undefined. */
function defaultIn(description: string | undefined): unknown {
  const m = description ? /@default (\S+?)\.?(?=\s|$)/.exec(description) : null;
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]!) as unknown;
  } catch {
    return undefined;
  }
}
