/**
 * The module README and the repository README say what the module does on day two, and only what it does: one
 * state per stage wherever a stage file is applied, how to destroy a bucket that holds a site, and the limits of
 * API Gateway's own errors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spec, synth, type SpecInput } from '../support/synth.js';

const STAGES = { dev: { allowOrigins: ['http://localhost:3000'] } };
const readme = async (input: SpecInput) => (await synth(input)).generated.get('README.md')!;
const variables = async (input: SpecInput) => Object.keys((await synth(input, 'json')).document.variable as object);

/** The fenced code blocks of a Markdown text, each as its lines. */
function codeBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.split('\n'));
}

/** Fails unless every line that applies a stage file comes after a command that selects a state of its own. */
function expectOneStatePerStage(markdown: string): number {
  let applies = 0;
  for (const block of codeBlocks(markdown)) {
    block.forEach((line, i) => {
      if (!line.includes('-var-file=')) return;
      applies++;
      const before = block.slice(0, i).join('\n');
      expect(before, `"${line}" applies a stage file without a state of its own`).toMatch(
        /workspace select -or-create \S+/,
      );
    });
  }
  return applies;
}

describe('the module README', () => {
  it.each(['rest', 'http'] as const)(
    'applies each stage file in a state of its own and says why, next to the example (%s)',
    async (api) => {
      const text = await readme(spec({ api, stages: STAGES }));
      expect(expectOneStatePerStage(text)).toBe(1);
      expect(text).toContain('terraform workspace select -or-create dev\nterraform apply -var-file=stages/dev.tfvars');
      expect(text).toMatch(/One state per stage: .*would replace that stage's function, role, log group/s);
      expect(text).toContain('one root module per stage');
    },
  );

  it('names only what the target has among what a stage file would replace', async () => {
    const url = await readme(
      spec({
        api: 'function-url',
        routes: [{ path: '/', methods: ['GET'] }],
        cors: { allowMethods: ['GET'] },
        frontend: { enabled: false },
        stages: STAGES,
      }),
    );
    expect(url).toMatch(/would replace that stage's function, role, log group\. Use/);
    const rest = await readme(spec({ stages: STAGES }));
    expect(rest).toMatch(/log group, API stage \(and URL\) and\s+bucket, and rename its API\./);
  });

  it('says nothing about stages when the spec has none', async () => {
    const text = await readme(spec({ api: 'http', routes: [{ path: '/a', methods: ['GET'] }] }));
    expect(text).not.toMatch(/-var-file|workspace|One state per stage/);
  });

  it('explains BucketNotEmpty, how to empty the bucket and force_destroy, when there is a bucket', async () => {
    const text = await readme(spec());
    expect(text).toContain('`BucketNotEmpty`');
    expect(text).toContain('aws s3 rm "s3://$(terraform output -raw website_bucket)" --recursive');
    expect(text).toMatch(/`force_destroy = true` and `apply` it before\s+the destroy/);
    expect(text).toMatch(/^\| `force_destroy` \| .* \| `bool` \| `false` \|$/m);
    const without = await readme(spec({ frontend: { enabled: false } }));
    expect(without).not.toContain('BucketNotEmpty');
  });

  it('names only inputs the module declares', async () => {
    for (const input of [
      spec({ stages: STAGES }),
      spec({ api: 'http', stages: STAGES }),
      spec({ api: 'function-url', routes: [{ path: '/', methods: ['GET'] }], cors: { allowMethods: ['GET'] } }),
    ]) {
      const text = await readme(input);
      const declared = await variables(input);
      const prose = text.slice(0, text.indexOf('## Inputs'));
      for (const name of ['name_prefix', 'stage_name', 'force_destroy', 'allowed_origins'])
        if (prose.includes(name)) expect(declared, `${input.api}: ${name}`).toContain(name);
    }
  });

  it.each(['rest', 'http', 'function-url'] as const)(
    'lists every variable with its type and default, and every output, from the synthesized module (%s)',
    async (api) => {
      const input = spec({
        api,
        routes: [{ path: '/a', methods: ['GET'] }],
        cors: { allowMethods: ['GET'] },
        lambda: {
          environment: { TABLE_NAME: 'orders|archive' },
          layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:x:1'],
        },
      });
      const text = await readme(input);
      const d = (await synth(input, 'json')).document;
      const variables = Object.entries(d.variable as Record<string, { type: string; default?: unknown }>);
      const outputs = Object.keys(d.output as object);
      expect(variables.length).toBeGreaterThanOrEqual(13);
      expect(outputs.length).toBeGreaterThanOrEqual(api === 'function-url' ? 11 : 13);
      const inputs = text.slice(text.indexOf('## Inputs'), text.indexOf('## Outputs'));
      for (const [name, v] of variables) {
        const row = inputs.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
        expect(row, name).toBeDefined();
        expect(row, name).toContain(`| \`${v.type}\` |`);
      }
      // A default with a table cell's separator in it stays one cell.
      expect(inputs).toContain('`{"TABLE_NAME":"orders\\|archive"}`');
      expect(inputs).toMatch(/^\| `policy_json` \| .* \| `string` \| `null` \|$/m);
      const outputRows = text
        .slice(text.indexOf('## Outputs'))
        .split('\n')
        .filter((l) => l.startsWith('| `'));
      expect(outputRows.map((l) => /^\| `([^`]+)` \|/.exec(l)?.[1])).toEqual(outputs);
    },
  );

  it("states, with credentials, that API Gateway's own errors name only the first origin", async () => {
    const limit = /can name only one, the first exact origin of the list/;
    expect(await readme(spec({ cors: { allowCredentials: true } }))).toMatch(limit);
    expect(await readme(spec({ cors: { allowCredentials: false } }))).not.toMatch(limit);
  });

  it('says when the stage serves a new definition, instead of promising it never serves a stale one', async () => {
    const text = await readme(spec());
    expect(text).not.toContain('never serves a stale configuration');
    expect(text).toMatch(/after a successful `apply` the stage serves exactly the module's current definition/);
    expect(text).toMatch(/until that deployment exists, it keeps serving the previous one/);
  });
});

describe('the repository README', () => {
  const text = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');

  it('applies each stage file in a state of its own, and says why next to the example', () => {
    expect(expectOneStatePerStage(text)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/Every stage needs a state of its own/);
  });

  it('lists force_destroy among the inputs and explains BucketNotEmpty', () => {
    expect(text).toMatch(/Inputs: .*`force_destroy`/s);
    expect(text).toContain('`BucketNotEmpty`');
  });
});
