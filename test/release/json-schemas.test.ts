/**
 * Every `--json` document carries `schemaVersion` and matches the JSON Schema shipped for it in
 * schema/output/<command>.schema.json: real outputs of each command, for success, failure and usage errors.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, binary, cli, plainEnv, ROOT } from '../cli/capture.js';

const SCHEMA_DIR = path.join(ROOT, 'schema/output');
const COMMANDS = ['check', 'error', 'generate', 'preview', 'validate'];

const SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users
    methods: [GET]
`;

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const validators = new Map<string, ValidateFunction>();
let tmp = '';
let n = 0;

function expectDocument(command: string, text: string): Record<string, unknown> {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const validate = validators.get(command)!;
  expect(validate(doc), `${command}: ${JSON.stringify(validate.errors)}\n${text}`).toBe(true);
  expect(Object.keys(doc)[0]).toBe('schemaVersion');
  return doc;
}

function project(spec = SPEC): string {
  const dir = path.join(tmp, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cors-gen.yaml'), spec);
  return dir;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-json-schemas-'));
  for (const command of COMMANDS)
    validators.set(
      command,
      ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${command}.schema.json`), 'utf8'))),
    );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the JSON Schemas of the --json documents', () => {
  it('exist for each command, compile as draft-07 and name their published URL', () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(COMMANDS.map((c) => `${c}.schema.json`));
    for (const c of COMMANDS) {
      const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${c}.schema.json`), 'utf8')) as {
        $schema: string;
        $id: string;
      };
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.$id).toBe(`https://unpkg.com/cors-gen/schema/output/${c}.schema.json`);
    }
  });

  it('reject a document without schemaVersion, so the tests below prove something', () => {
    expect(validators.get('validate')!({ ok: true, file: 'x', errors: [], warnings: [] })).toBe(false);
    expect(validators.get('error')!({ schemaVersion: 1, ok: true, error: 'x' })).toBe(false);
  });

  it('describe validate: valid, invalid and unreadable specs', async () => {
    const dir = project();
    expectDocument('validate', (await binary(['validate', '--json'], { cwd: dir, env: plainEnv() })).stdout);
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      SPEC.replace('https://app.example.com]', 'https://app.example.com/, "*"]\n  allowCredentials: true'),
    );
    const bad = expectDocument(
      'validate',
      (await binary(['validate', '--json', '--spec', 'bad.yaml'], { cwd: dir, env: plainEnv() })).stdout,
    );
    expect((bad.errors as unknown[]).length).toBeGreaterThan(0);
    expectDocument(
      'validate',
      (await binary(['validate', '--json', '--spec', 'missing.yaml'], { cwd: dir, env: plainEnv() })).stdout,
    );
    const several = expectDocument(
      'validate',
      (await binary(['validate', '--json', 'cors-gen.yaml', 'bad.yaml'], { cwd: dir, env: plainEnv() })).stdout,
    );
    expect((several.files as unknown[]).length).toBe(2);
    // A parse error of the arguments, under --json, is the error document too.
    expectDocument('error', (await binary(['validate', '--json', '--bogus'], { cwd: dir, env: plainEnv() })).stdout);
  });

  it('describe generate: written, up to date, stale, invalid, and a usage error', async () => {
    const dir = project();
    const run = async (...args: string[]) =>
      (await binary(['generate', '--json', ...args], { cwd: dir, env: plainEnv() })).stdout;
    expect(expectDocument('generate', await run()).ok).toBe(true);
    expect(expectDocument('generate', await run('--check')).ok).toBe(true);
    writeFileSync(path.join(dir, 'generated/shop/variables.tf'), '# edited\n');
    expect(expectDocument('generate', await run('--check')).reason).toBe('stale');
    expect(expectDocument('generate', await run()).reason).toBe('edited');
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('api: rest', 'api: soap'));
    expect(expectDocument('generate', await run()).reason).toBe('invalid');
    const missing = await run('--spec', 'missing.yaml');
    expectDocument('generate', missing);
    expectDocument('error', missing);
  });

  describe('check', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        const cors =
          req.url === '/ok' ? { 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' } : {};
        res.writeHead(req.method === 'OPTIONS' ? 204 : 200, cors).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('describes an allowed origin, a blocked one with evidence, and an unreachable endpoint', async () => {
      const check = async (url: string) =>
        (await cli(['check', url, '--origin', 'https://app.example.com', '--json', '--timeout', '5000'])).stdout;
      expect(expectDocument('check', await check(`${base}/ok`)).ok).toBe(true);
      const blocked = expectDocument('check', await check(`${base}/blocked`));
      expect(blocked.ok).toBe(false);
      expect((blocked.findings as { evidence: unknown[] }[])[0]!.evidence.length).toBeGreaterThan(0);
      // Port 9 (discard) on 127.0.0.1: nothing listens there, the connection is refused.
      expectDocument('error', await check('http://127.0.0.1:9/x'));
    });
  });

  it('describe preview: the ready line and the line saying why it cannot serve', async () => {
    const dir = project(`${SPEC}frontend:\n  enabled: true\n`);
    expect((await binary(['generate'], { cwd: dir, env: plainEnv() })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'preview', '--json'], { cwd: dir, env: plainEnv({ NO_COLOR: '1' }) });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.on('exit', (code) => reject(new Error(`preview exited ${code} before its ready line`)));
      });
      expect(expectDocument('preview', line).api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on('exit', resolve)));
      child.kill('SIGTERM');
      await exited;
    }
    writeFileSync(path.join(dir, 'cors-gen.yaml'), SPEC.replace('api: rest', 'api: soap'));
    const invalid = await binary(['preview', '--json'], { cwd: dir, env: plainEnv() });
    expect(invalid.stdout.trim().split('\n')).toHaveLength(1);
    expectDocument('preview', invalid.stdout);
  });
});
