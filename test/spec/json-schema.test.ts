import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { init } from '../../src/spec/init.js';
import { JSON_SCHEMA_FILE, specJsonSchema, specJsonSchemaText } from '../../src/spec/json-schema.js';
import { specSchema } from '../../src/spec/schema.js';
import { ROOT } from '../cli/capture.js';

type Schema = Record<string, unknown>;

/**
 * A deliberately small draft-07 checker for the keywords the generated schema uses. It throws on any other
 * keyword, so a schema change that needs more (anyOf, $ref, ...) fails here instead of being ignored.
 */
const KNOWN = new Set([
  '$schema',
  'title',
  'description',
  'default',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'enum',
  'const',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'oneOf',
]);

function check(schema: Schema, value: unknown, at = '$'): string[] {
  for (const key of Object.keys(schema))
    if (!KNOWN.has(key)) throw new Error(`the test's checker does not know the keyword "${key}" (at ${at})`);
  const problems: string[] = [];
  const type = schema.type as string | undefined;
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const typeOk =
    type === undefined ||
    (type === 'object' && isObject) ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'number' && typeof value === 'number') ||
    (type === 'integer' && Number.isInteger(value));
  if (!typeOk) return [`${at}: not ${type}`];
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as Schema[]).filter((s) => check(s, value, at).length === 0).length;
    if (matching !== 1) problems.push(`${at}: matches ${matching} of oneOf`);
  }
  if ('const' in schema && value !== schema.const) problems.push(`${at}: not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: not one of the enum`);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value))
    problems.push(`${at}: does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum)
    problems.push(`${at}: below minimum`);
  if (typeof schema.maximum === 'number' && typeof value === 'number' && value > schema.maximum)
    problems.push(`${at}: above maximum`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${at}: too few items`);
    if (schema.items) value.forEach((v, i) => problems.push(...check(schema.items as Schema, v, `${at}[${i}]`)));
  }
  if (isObject) {
    const obj = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) problems.push(`${at}.${key}: required`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) problems.push(...check(schema.propertyNames as Schema, key, `${at}{${key}}`));
      if (key in properties) problems.push(...check(properties[key]!, v, `${at}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${key}: additional property`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        problems.push(...check(schema.additionalProperties as Schema, v, `${at}.${key}`));
    }
  }
  return problems;
}

describe('the JSON Schema for editors', () => {
  it(`is committed as ${JSON_SCHEMA_FILE} and up to date with src/spec/schema.ts (run "npm run schema" if not)`, async () => {
    const committed = await readFile(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8');
    expect(committed, 'schema/cors-gen.schema.json is stale: run "npm run schema" and commit it').toBe(
      specJsonSchemaText(),
    );
  });

  it('is written deterministically: two-space JSON with a final newline, the same on every call', () => {
    const text = specJsonSchemaText();
    expect(text).toBe(specJsonSchemaText());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text).not.toMatch(/\/(home|tmp|work|Users)\//);
  });

  it('targets draft-07, which the YAML language server validates with', () => {
    const schema = specJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['version', 'name', 'cors'],
    });
  });

  it('documents defaults for editor completion, taken from the descriptions', () => {
    const props = specJsonSchema().properties as Record<string, Schema>;
    const cors = (props.cors!.properties ?? {}) as Record<string, Schema>;
    expect(props.api!.default).toBe('rest');
    expect(cors.maxAge!.default).toBe(600);
    expect(cors.allowHeaders!.default).toEqual(['Content-Type', 'Authorization']);
    expect(cors.allowMethods).not.toHaveProperty('default');
    expect(String(cors.allowOrigins!.description)).toContain('developer.mozilla.org');
  });

  describe('accepts what the zod schema accepts', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-schema-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.each([['rest'], ['http'], ['function-url']] as const)('the spec "init --api %s" writes', async (api) => {
      const target = path.join(dir, api);
      const result = await init({
        dir: target,
        api,
        origins: ['https://app.example.com', 'http://localhost:3000'],
        credentials: true,
      });
      expect(result.ok).toBe(true);
      const text = await readFile(path.join(target, 'cors-gen.yaml'), 'utf8');
      expect(check(specJsonSchema(), parseYaml(text))).toEqual([]);
    });

    it('and the bundled examples', () => {
      const examples = readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true }).filter((d) => d.isDirectory());
      expect(examples.length).toBeGreaterThan(0);
      for (const d of examples) {
        const data = parseYaml(readFileSync(path.join(ROOT, 'examples', d.name, 'cors-gen.yaml'), 'utf8')) as unknown;
        expect(check(specJsonSchema(), data), d.name).toEqual([]);
      }
    });
  });

  describe('the $schema line init writes resolves offline to a schema the spec validates against (ajv, draft-07)', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-schema-offline-'));
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    /** Follows the comment's path from the spec's folder, as the YAML language server does, and validates. */
    async function followAndValidate(specDir: string): Promise<{ target: string; errors: unknown }> {
      const text = await readFile(path.join(specDir, 'cors-gen.yaml'), 'utf8');
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(text.split('\n')[0]!);
      expect(m, 'the first line names the schema').not.toBeNull();
      // Relative, so it resolves without a network and wherever the project is checked out.
      expect(m![1]).toMatch(/^\.\.?\//);
      const target = path.resolve(specDir, m![1]!);
      const schema = JSON.parse(await readFile(target, 'utf8')) as Schema;
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const ajv = new Ajv({ strict: false, allErrors: true });
      const validate = ajv.compile(schema);
      validate(parseYaml(text));
      return { target, errors: validate.errors ?? [] };
    }

    it('in an installed project: a relative path into node_modules/cors-gen/schema', async () => {
      const project = path.join(root, 'installed');
      await mkdir(path.join(project, 'node_modules', 'cors-gen', 'schema'), { recursive: true });
      await writeFile(
        path.join(project, 'node_modules', 'cors-gen', 'schema', 'cors-gen.schema.json'),
        specJsonSchemaText(),
      );
      // The spec lives in a sub-folder; Node would find the package in the folder above, and so does init.
      const specDir = path.join(project, 'infra');
      const result = await init({ dir: specDir, api: 'rest' });
      expect(result.ok && result.schema).toBe('../node_modules/cors-gen/schema/cors-gen.schema.json');
      expect(result.ok && result.schemaWritten).toBeUndefined();
      const { target, errors } = await followAndValidate(specDir);
      expect(target).toBe(path.join(project, 'node_modules', 'cors-gen', 'schema', 'cors-gen.schema.json'));
      expect(errors).toEqual([]);
    });

    it('without an installed copy (npx): the schema written next to the spec', async () => {
      const specDir = path.join(root, 'npx');
      const result = await init({
        dir: specDir,
        api: 'http',
        routes: [{ path: '/users/{id}', methods: ['GET', 'PUT'] }],
        headers: ['X-Api-Key'],
      });
      expect(result.ok && result.schema).toBe('./cors-gen.schema.json');
      const { target, errors } = await followAndValidate(specDir);
      expect(target).toBe(path.join(specDir, 'cors-gen.schema.json'));
      expect(await readFile(target, 'utf8')).toBe(specJsonSchemaText());
      expect(errors).toEqual([]);
    });

    it('the same schema file catches a mistake an editor should underline', async () => {
      const specDir = path.join(root, 'mistake');
      await init({ dir: specDir });
      const file = path.join(specDir, 'cors-gen.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('maxAge: 600', 'maxAge: "600"'));
      const { errors } = await followAndValidate(specDir);
      expect(errors).toEqual([expect.objectContaining({ instancePath: '/cors/maxAge', keyword: 'type' })]);
    });
  });

  it('agrees with the zod schema on every spec of the invalid corpus that parses', () => {
    const corpus = path.join(ROOT, 'test/spec/invalid');
    let compared = 0;
    let rejected = 0;
    for (const file of readdirSync(corpus).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'expectations.json')) {
      let data: unknown;
      try {
        data = parseYaml(readFileSync(path.join(corpus, file), 'utf8'), { uniqueKeys: true, maxAliasCount: 50 });
      } catch {
        continue;
      }
      const zodOk = specSchema.safeParse(data).success;
      expect(check(specJsonSchema(), data).length === 0, `${file}: zod says ${zodOk ? 'valid' : 'invalid'} shape`).toBe(
        zodOk,
      );
      compared++;
      if (!zodOk) rejected++;
    }
    // Both kinds must be present, or the comparison proves nothing.
    expect(compared).toBeGreaterThan(60);
    expect(rejected).toBeGreaterThan(15);
    expect(compared - rejected).toBeGreaterThan(15);
  });

  it('has a checker that rejects what it should (so the tests above can fail)', () => {
    const schema = specJsonSchema();
    const good = { version: 1, name: 'orders-api', cors: { allowOrigins: ['https://app.example.com'] } };
    expect(check(schema, good)).toEqual([]);
    expect(check(schema, { ...good, extra: 1 })).toEqual(['$.extra: additional property']);
    expect(check(schema, { ...good, version: 2 })).toEqual(['$.version: not 1']);
    expect(check(schema, { ...good, api: 'soap' })).toEqual(['$.api: not one of the enum']);
    expect(check(schema, { ...good, cors: { allowOrigins: [] } })).toEqual(['$.cors.allowOrigins: too few items']);
    expect(check(schema, { ...good, cors: { ...good.cors, maxAge: 1.5 } })).toEqual(['$.cors.maxAge: not integer']);
    expect(check(schema, { ...good, stages: { Dev: { allowOrigins: ['http://localhost:3000'] } } })).toEqual([
      '$.stages{Dev}: does not match ^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9_-]{0,62}$',
    ]);
    expect(() => check({ anyOf: [] }, 1)).toThrow(/anyOf/);
  });
});
