/**
 * action.yml, run as the Actions runner runs a composite action's `run:` steps: `${{ ... }}` expressions
 * substituted, `if:` evaluated, `bash --noprofile --norc -eo pipefail` (the runner's `shell: bash`), the
 * step's `env:` and `working-directory:`, $GITHUB_ENV carried to later steps and $GITHUB_OUTPUT read back as
 * step outputs (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions). `uses:` steps
 * (setup-node) are left out: Node is already here. The action's path is this repository, already built.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, plainEnv, ROOT } from '../cli/capture.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  runnerTemp: string;
}

/** The value of one expression of the subset action.yml uses: a context lookup or a string literal. */
function value(expr: string, ctx: Context): string {
  const e = expr.trim();
  const literal = /^'(.*)'$/.exec(e);
  if (literal) return literal[1]!;
  const [scope, ...rest] = e.split('.');
  if (scope === 'inputs') return ctx.inputs[rest.join('.')] ?? '';
  if (scope === 'github' && rest[0] === 'action_path') return ROOT;
  if (scope === 'runner' && rest[0] === 'temp') return ctx.runnerTemp;
  if (scope === 'steps' && rest[1] === 'outputs') return ctx.steps[rest[0]!]?.[rest.slice(2).join('.')] ?? '';
  throw new Error(`expression not understood by this test: ${expr}`);
}

/** `if:` conditions: `a == b` and `a != b` (an `if:` is an expression even without `${{ }}`). */
function condition(expr: string | undefined, ctx: Context): boolean {
  if (expr === undefined) return true;
  const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(expr.trim());
  if (!m) throw new Error(`condition not understood by this test: ${expr}`);
  return (value(m[1]!, ctx) === value(m[3]!, ctx)) === (m[2] === '==');
}

function substitute(text: string, ctx: Context): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_m, expr: string) => value(expr, ctx));
}

interface StepRun {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the action's steps against `workspace`; stops at the first failing step, as the runner does. */
async function runAction(
  workspace: string,
  given: Record<string, string>,
): Promise<{ steps: StepRun[]; outputs: Record<string, string> }> {
  const inputs = Object.fromEntries(Object.entries(ACTION.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? '']));
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-action-runner-'));
  const ctx: Context = { inputs, steps: {}, runnerTemp: temp };
  const runs: StepRun[] = [];
  let env: NodeJS.ProcessEnv = plainEnv({
    NO_COLOR: '1',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: ROOT,
    RUNNER_TEMP: temp,
  });
  try {
    for (const [i, step] of ACTION.runs.steps.entries()) {
      if (step.run === undefined || !condition(step.if, ctx)) continue;
      const files = { GITHUB_ENV: path.join(temp, `env-${i}`), GITHUB_OUTPUT: path.join(temp, `output-${i}`) };
      for (const f of Object.values(files)) writeFileSync(f, '');
      const stepEnv = {
        ...env,
        ...files,
        ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, ctx)])),
      };
      const cwd = path.resolve(workspace, substitute(step['working-directory'] ?? '.', ctx));
      const r = await new Promise<StepRun>((resolve) =>
        execFile(
          'bash',
          ['--noprofile', '--norc', '-eo', 'pipefail', '-c', substitute(step.run!, ctx)],
          { cwd, env: stepEnv, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({
              name: step.name ?? `step ${i}`,
              code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
              stdout,
              stderr,
            }),
        ),
      );
      runs.push(r);
      const lines = (f: string) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
      env = { ...env, ...Object.fromEntries(lines(files.GITHUB_ENV)) };
      if (step.id) ctx.steps[step.id] = Object.fromEntries(lines(files.GITHUB_OUTPUT));
      if (r.code !== 0) break;
    }
    const outputs = Object.fromEntries(Object.entries(ACTION.outputs).map(([k, v]) => [k, substitute(v.value, ctx)]));
    // The SARIF file lives in the runner's temp folder: read it before that goes.
    const sarif = outputs['sarif-file'];
    if (sarif && existsSync(sarif)) outputs['sarif-content'] = readFileSync(sarif, 'utf8');
    return { steps: runs, outputs };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users
    methods: [GET]
`;

let workspace = '';
let server: Server;
let base = '';

beforeAll(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-action-'));
  mkdirSync(path.join(workspace, 'infra'));
  writeFileSync(path.join(workspace, 'infra', 'cors-gen.yaml'), SPEC);
  expect(
    (
      await binary(['generate', '--spec', 'infra/cors-gen.yaml', '--out', 'infra/generated'], {
        cwd: workspace,
        env: plainEnv(),
      })
    ).code,
  ).toBe(0);
  server = createServer((req, res) => {
    const cors = req.url === '/ok' ? { 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' } : {};
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, cors).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const INPUTS = { spec: 'infra/cors-gen.yaml', out: 'infra/generated' };

describe('action.yml', () => {
  it('is a composite action whose inputs and outputs are all described, and whose scripts never embed an input', () => {
    expect(ACTION.runs.using).toBe('composite');
    for (const [name, input] of Object.entries(ACTION.inputs)) expect(input.description, name).toMatch(/\w{3}/);
    for (const [name, output] of Object.entries(ACTION.outputs)) expect(output.description, name).toMatch(/\w{3}/);
    for (const step of ACTION.runs.steps) expect(step.run ?? '', step.name).not.toMatch(/\$\{\{/);
  });

  it('has its inputs documented in the README table, and its example uses only real inputs', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### GitHub Actions'), readme.indexOf('### Findings in code review'));
    const documented = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(ACTION.inputs));
    // Every `with:` of a step that uses this action, in every example of the section.
    const steps = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => {
      const doc = parse(m[1]!) as { jobs?: Record<string, { steps: Step[] }> } | Step[];
      return Array.isArray(doc) ? doc : Object.values(doc.jobs ?? {}).flatMap((j) => j.steps);
    }) as (Step & { with?: Record<string, string> })[];
    const ours = steps.filter((st) => /\/cors-gen@/.test(st.uses ?? ''));
    expect(ours).toHaveLength(2);
    for (const st of ours)
      for (const input of Object.keys(st.with ?? {})) expect(Object.keys(ACTION.inputs)).toContain(input);
    for (const output of Object.keys(ACTION.outputs)) expect(section).toContain(`\`${output}\``);
  });

  it('passes on an up-to-date module, with stale=false and a SARIF file without results', async () => {
    const { steps, outputs } = await runAction(workspace, INPUTS);
    expect(steps.map((s) => [s.name, s.code])).toEqual([
      ['Install cors-gen', 0],
      ['cors-gen generate --check', 0],
    ]);
    expect(outputs.stale).toBe('false');
    expect((JSON.parse(outputs['sarif-content']!) as { runs: { results: unknown[] }[] }).runs[0]!.results).toEqual([]);
  });

  it('fails on drift with an annotation on the stale file, stale=true and the finding in SARIF', async () => {
    const file = path.join(workspace, 'infra/generated/shop/variables.tf');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, `${before}# edited\n`);
    try {
      const { steps, outputs } = await runAction(workspace, INPUTS);
      const check = steps.find((s) => s.name === 'cors-gen generate --check')!;
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/^::error file=infra\/generated\/shop\/variables\.tf,title=stale::/m);
      expect(outputs.stale).toBe('true');
      expect(outputs['sarif-content']).toContain('"uri": "infra/generated/shop/variables.tf"');
    } finally {
      writeFileSync(file, before);
    }
  });

  it('runs the live check only when check-url is given, with annotations for what the browser would block', async () => {
    const ok = await runAction(workspace, {
      ...INPUTS,
      'generate-check': 'false',
      'check-url': `${base}/ok`,
      'check-origin': 'https://app.example.com',
    });
    expect(ok.steps.map((s) => [s.name, s.code])).toEqual([
      ['Install cors-gen', 0],
      ['cors-gen check (live)', 0],
    ]);
    expect(ok.outputs.stale).toBe('');
    const blocked = await runAction(workspace, {
      ...INPUTS,
      'generate-check': 'false',
      'check-url': `${base}/blocked`,
      'check-origin': 'https://app.example.com',
    });
    const live = blocked.steps.find((s) => s.name === 'cors-gen check (live)')!;
    expect(live.code).toBe(1);
    expect(live.stdout).toContain(`::error title=missing-allow-origin::${base}/blocked: `);
  });

  it('passes inputs to the shell as data, never as code', async () => {
    const marker = path.join(workspace, 'pwned');
    const { steps } = await runAction(workspace, { ...INPUTS, spec: `x.yaml"; touch ${marker}; echo "` });
    expect(steps.at(-1)!.code).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
