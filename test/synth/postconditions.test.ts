/**
 * Every module checker runs on every synthesized module before anything is written: a module that breaks a
 * security invariant or an apply rule is refused as an internal error naming the rule and the resource, and
 * the module folder is left untouched. The violating modules are made by mutating a real synthesized document,
 * directly and through `generate` with the synthesis stubbed.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { generate } from '../../src/synth/generate.js';
import { loadSpec } from '../../src/spec/load.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { assertModulePostconditions, checkModule, ModulePostconditionError } from '../../src/synth/postconditions.js';
import * as synthesize from '../../src/synth/synthesize.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The test seam: when set, the synthesized document passes through it before the checks. */
let mutate: ((doc: Doc) => void) | undefined;
vi.mock('../../src/synth/synthesize.js', async (importOriginal) => {
  const real = await importOriginal<typeof synthesize>();
  return {
    ...real,
    synthesizeModule: (...args: Parameters<typeof real.synthesizeModule>) => {
      const doc = real.synthesizeModule(...args) as Doc;
      mutate?.(doc);
      return doc;
    },
  };
});

type Doc = Record<string, any>;

async function example(name: string): Promise<Doc> {
  const loaded = await loadSpec(path.join(ROOT, 'examples', name, 'cors-gen.yaml'));
  if (!loaded.ok) throw new Error(`examples/${name} is invalid`);
  return structuredClone(synthesize.synthesizeModule(loaded.model)) as Doc;
}

const adminAccess = (d: Doc) => {
  d.resource.aws_iam_role_policy_attachment.lambda_logs.policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess';
};
const untriggeredDeployment = (d: Doc) => {
  d.resource.aws_api_gateway_deployment.openapi.triggers = { redeployment: 'static' };
};

afterEach(() => {
  mutate = undefined;
});

describe('checkModule', () => {
  it.each(['orders-api', 'catalog-http', 'webhook-url', 'notes-node', 'notes-python'])(
    'finds nothing in examples/%s',
    async (name) => {
      expect(checkModule((await example(name)) as TerraformDocument)).toEqual([]);
    },
  );

  it('reports a broken security invariant and a broken apply rule, naming rule and resource', async () => {
    const doc = await example('orders-api');
    adminAccess(doc);
    untriggeredDeployment(doc);
    const violations = checkModule(doc as TerraformDocument);
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: 'iam-policy-not-basic', address: 'aws_iam_role_policy_attachment.lambda_logs' }),
    );
    expect(violations.map((v) => v.rule)).toContain('deployment-trigger-coverage');
    // The invariants come first: the most serious finding leads the error message.
    expect(violations[0]!.rule).toBe('iam-policy-not-basic');
  });

  it('assertModulePostconditions throws an internal error that names the rule and the resource and asks for a report', async () => {
    const doc = await example('orders-api');
    adminAccess(doc);
    expect(() => assertModulePostconditions('orders-api', doc as TerraformDocument)).toThrow(ModulePostconditionError);
    try {
      assertModulePostconditions('orders-api', doc as TerraformDocument);
    } catch (e) {
      const error = e as ModulePostconditionError;
      expect(error.kind).toBe('internal');
      expect(error.message).toContain('iam-policy-not-basic');
      expect(error.message).toContain('aws_iam_role_policy_attachment.lambda_logs');
      expect(error.message).toMatch(/Nothing was written; the fault is cors-gen's/);
    }
  });
});

describe('generate refuses a module that breaks a rule', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function project(): string {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-post-'));
    cpSync(path.join(ROOT, 'examples/orders-api/cors-gen.yaml'), path.join(dir, 'cors-gen.yaml'));
    return dir;
  }

  it.each([
    ['a security invariant', 'iam-policy-not-basic', adminAccess],
    ['an apply rule', 'deployment-trigger-coverage', untriggeredDeployment],
  ] as const)('%s: an internal error, and nothing is written', async (_what, rule, breakIt) => {
    const cwd = project();
    mutate = breakIt;
    await expect(generate({ cwd, spec: 'cors-gen.yaml' })).rejects.toThrow(
      expect.objectContaining({ kind: 'internal', message: expect.stringContaining(rule) }),
    );
    expect(existsSync(path.join(cwd, 'generated'))).toBe(false);
    expect(readdirSync(cwd)).toEqual(['cors-gen.yaml']);
  });

  it('the CLI reports it as an internal error (exit 1, a request to report it, --json code) and writes nothing', async () => {
    const cwd = project();
    mutate = adminAccess;
    const out: string[] = [];
    const err: string[] = [];
    const output = {
      out: (s: string) => void out.push(s),
      err: (s: string) => void err.push(s),
      color: false,
      isTTY: false,
    };
    const code = await run(
      ['generate', '--spec', path.join(cwd, 'cors-gen.yaml'), '--out', path.join(cwd, 'generated'), '--json'],
      output,
    );
    expect(code).toBe(1);
    const doc = JSON.parse(out.join(''));
    expect(doc).toMatchObject({
      ok: false,
      error: { code: 'module-postcondition', message: expect.stringContaining('iam-policy-not-basic') },
    });
    expect(err.join('')).toMatch(/bug in cors-gen.*report/);
    expect(readdirSync(cwd)).toEqual(['cors-gen.yaml']);
  });

  it('an untouched synthesis is written (the seam alone changes nothing)', async () => {
    const cwd = project();
    const result = await generate({ cwd, spec: 'cors-gen.yaml' });
    expect(result.ok).toBe(true);
    expect(existsSync(path.join(cwd, 'generated/orders-api/main.tf'))).toBe(true);
  });
});
