import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, cli, plainEnv, ROOT } from '../cli/capture.js';

/**
 * The official SARIF 2.1.0 JSON schema (OASIS, via SchemaStore), as shipped by the MIT-licensed npm package
 * @microsoft/jest-sarif (https://github.com/microsoft/jest-sarif, lib/schemas/sarif-2.1.0-rtm.5.json). It is
 * draft-04; Ajv 8 reads it as draft-07 once the draft-04 `id` keyword is renamed (nothing else in it differs).
 */
function sarifValidator(): ValidateFunction {
  const file = path.join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { $schema: _draft04, id, ...rest } = schema;
  // unicodeRegExp: false because one pattern of the schema (`language`) is not valid with the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///') && !/[\s\\]/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile({ ...rest, $id: id as string });
}

interface SarifLog {
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: { id: string; shortDescription: { text: string } }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } };
      }[];
    }[];
  }[];
}

/** Two errors and a warning at known positions: a trailing slash (line 6), "*" with credentials (line 7). */
const BAD_SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins:
    - https://app.example.com/
    - "*"
  allowCredentials: true
routes:
  - path: /users
    methods: [GET]
`;

const GOOD_SPEC = `version: 1
name: shop
api: rest
cors:
  allowOrigins: [https://app.example.com]
routes:
  - path: /users
    methods: [GET]
`;

let tmp = '';
let validate: ValidateFunction;
let n = 0;
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-report-'));
  validate = sarifValidator();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function project(spec: string, name = 'cors-gen.yaml'): string {
  const dir = path.join(tmp, `p${n++}`);
  mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
  writeFileSync(path.join(dir, name), spec);
  return dir;
}

function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return log;
}

describe('validate --report sarif', () => {
  it('is valid SARIF 2.1.0 with rules, levels and the line and column of each mistake', async () => {
    const dir = project(BAD_SPEC, 'api/cors-gen.yaml');
    const r = await binary(['validate', '--spec', 'api/cors-gen.yaml', '--report', 'sarif'], {
      cwd: dir,
      env: plainEnv(),
    });
    expect(r.code).toBe(1);
    const log = expectValidSarif(r.stdout);
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({
      name: 'cors-gen',
      version: VERSION,
      informationUri: 'https://www.npmjs.com/package/cors-gen',
    });
    const byRule = Object.fromEntries(run.results.map((res) => [res.ruleId, res]));
    expect(byRule['origin-trailing-slash']).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'api/cors-gen.yaml' },
            region: { startLine: 6, startColumn: 7 },
          },
        },
      ],
    });
    expect(byRule['star-with-credentials']).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'api/cors-gen.yaml' },
            region: { startLine: 7, startColumn: 7 },
          },
        },
      ],
    });
    expect(run.results.some((res) => res.level === 'warning')).toBe(true);
    // Every result points at its rule, listed once, each with a short description.
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
    expect(new Set(run.tool.driver.rules.map((rule) => rule.id)).size).toBe(run.tool.driver.rules.length);
    for (const rule of run.tool.driver.rules) expect(rule.shortDescription.text).not.toBe('');
    // The report owns stdout; the human text still reaches the terminal on stderr.
    expect(r.stderr).toContain('has a trailing slash');
  });

  it('encodes a file name as a relative URI reference', async () => {
    const dir = project(BAD_SPEC, 'my api/cors#gen.yaml');
    const r = await binary(['validate', '--spec', 'my api/cors#gen.yaml', '--report', 'sarif'], {
      cwd: dir,
      env: plainEnv(),
    });
    const log = expectValidSarif(r.stdout);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'my%20api/cors%23gen.yaml',
    );
  });

  it('reports no results for a valid spec and exits 0', async () => {
    const dir = project(GOOD_SPEC);
    const r = await binary(['validate', '--report', 'sarif'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(0);
    expect(expectValidSarif(r.stdout).runs[0]!.results).toEqual([]);
  });

  it('refuses --report together with --json (both want stdout)', async () => {
    const dir = project(GOOD_SPEC);
    const r = await binary(['validate', '--report', 'sarif', '--json'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--json.*cannot be used with|cannot be used with.*--json/);
  });
});

describe('validate --report github', () => {
  it('prints one workflow command per finding at its file, line and column', async () => {
    const dir = project(BAD_SPEC);
    const r = await binary(['validate', '--report', 'github'], { cwd: dir, env: plainEnv() });
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain(
      '::error file=cors-gen.yaml,line=6,col=7,title=origin-trailing-slash::cors.allowOrigins[0]: "https://app.example.com/" has a trailing slash; write "https://app.example.com"',
    );
    expect(
      lines.every((l) => /^::(error|warning|notice) file=cors-gen\.yaml,line=\d+,col=\d+,title=[a-z-]+::/.test(l)),
    ).toBe(true);
  });
});

describe('generate --check --report', () => {
  it('points each stale file at the file itself, in SARIF and as annotations', async () => {
    const dir = project(GOOD_SPEC);
    expect((await binary(['generate'], { cwd: dir, env: plainEnv() })).code).toBe(0);
    const main = path.join(dir, 'generated/shop/main.tf');
    writeFileSync(main, `${readFileSync(main, 'utf8')}# edited by hand\n`);
    const sarif = await binary(['generate', '--check', '--report', 'sarif'], { cwd: dir, env: plainEnv() });
    expect(sarif.code).toBe(1);
    const results = expectValidSarif(sarif.stdout).runs[0]!.results;
    expect(
      results.map((res) => [
        res.ruleId,
        res.level,
        res.locations[0]!.physicalLocation.artifactLocation.uri,
        res.locations[0]!.physicalLocation.region?.startLine,
      ]),
    ).toEqual([['stale', 'error', 'generated/shop/main.tf', 1]]);
    const github = await binary(['generate', '--check', '--report', 'github'], { cwd: dir, env: plainEnv() });
    expect(github.stdout).toMatch(
      /^::error file=generated\/shop\/main\.tf,title=stale::generated\/shop\/main\.tf differs from what "cors-gen generate" would write/,
    );
    expect(github.stderr).toContain('stale');
  });

  it('reports an invalid spec at its lines, and an up-to-date module as no findings', async () => {
    const bad = await binary(['generate', '--check', '--report', 'sarif'], { cwd: project(BAD_SPEC), env: plainEnv() });
    expect(bad.code).toBe(1);
    expect(
      expectValidSarif(bad.stdout).runs[0]!.results.find((res) => res.ruleId === 'origin-trailing-slash')?.locations[0]!
        .physicalLocation.region,
    ).toEqual({ startLine: 6, startColumn: 7 });
    const dir = project(GOOD_SPEC);
    await binary(['generate'], { cwd: dir, env: plainEnv() });
    const ok = await binary(['generate', '--check', '--report', 'github'], { cwd: dir, env: plainEnv() });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
  });
});

describe('check --report', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // An endpoint without any CORS header: the browser would block every cross-origin read.
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/users`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('uses the checked URL as the artifact of live findings', async () => {
    const r = await cli([
      'check',
      url,
      '--origin',
      'https://app.example.com',
      '--report',
      'sarif',
      '--timeout',
      '5000',
    ]);
    expect(r.code).toBe(1);
    const results = expectValidSarif(r.stdout).runs[0]!.results;
    expect(results.find((res) => res.ruleId === 'missing-allow-origin')).toMatchObject({
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: url } } }],
    });
    // The explanation is on stderr, not mixed into the SARIF document.
    expect(r.stderr).toContain(url);
  });

  it('names the URL in the annotation message, with no file property', async () => {
    const r = await cli([
      'check',
      url,
      '--origin',
      'https://app.example.com',
      '--report',
      'github',
      '--timeout',
      '5000',
    ]);
    const line = r.stdout.split('\n').find((l) => l.includes('title=missing-allow-origin'));
    expect(line?.startsWith(`::error title=missing-allow-origin::${url}: `)).toBe(true);
  });
});

describe('SARIF artifact locations', () => {
  it('gives an absolute path as a file URI, without the %SRCROOT% base', async () => {
    const { toSarif } = await import('../../src/report/index.js');
    const abs = path.join(tmp, 'out dir', 'main.tf');
    const log = toSarif([{ code: 'stale', severity: 'error', message: 'm', artifact: abs }], {
      name: 'cors-gen',
      version: '0.0.0',
      informationUri: 'https://example.com',
    }) as SarifLog;
    expect(validate(log)).toBe(true);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: pathToFileURL(abs).href,
    });
    expect(pathToFileURL(abs).href).toContain('out%20dir/main.tf');
  });
});

describe('validate --report with several files', () => {
  it('prints one SARIF document with the findings of every file', async () => {
    const dir = project(BAD_SPEC, 'a/cors-gen.yaml');
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b/cors-gen.yaml'), BAD_SPEC);
    const r = await binary(['validate', 'a/cors-gen.yaml', 'b/cors-gen.yaml', '--report', 'sarif'], {
      cwd: dir,
      env: plainEnv(),
    });
    expect(r.code).toBe(1);
    const uris = expectValidSarif(r.stdout).runs[0]!.results.map(
      (res) => res.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect([...new Set(uris)]).toEqual(['a/cors-gen.yaml', 'b/cors-gen.yaml']);
  });
});
