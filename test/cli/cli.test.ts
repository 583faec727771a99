import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { paint, printIssues, processOutput } from '../../src/cli/output.js';
import { binary, captureOutput, cli, plainEnv, ROOT } from './capture.js';
import { runOnPty } from './pty.js';

const ESC = /\u001b\[/;
const VERSION = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const COMMANDS = buildProgram({ output: captureOutput(), exitCode: 0 }).commands.map((c) => c.name());

let dir: string;
let valid: string;
let invalid: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-cli-'));
  valid = path.join(dir, 'valid.yaml');
  invalid = path.join(dir, 'invalid.yaml');
  await writeFile(valid, 'version: 1\nname: orders-api\ncors:\n  allowOrigins: [http://app.example.com]\nroutes:\n  - path: /users\n    methods: [GET]\n');
  await writeFile(invalid, 'version: 1\nname: orders-api\ncors:\n  allowOrigins: [https://app.example.com/]\nroutes:\n  - path: /users\n    methods: [GET]\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help and version', () => {
  it('has init and validate among its commands', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['init', 'validate']));
  });

  it('treats a bare "cors-gen" (no command) as a usage error: help on stderr, exit 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: cors-gen/);
  });

  it('prints one JSON document on stdout for a usage error under --json (a missing spec for generate)', async () => {
    const r = await cli(['generate', '--spec', path.join(dir, 'missing.yaml'), '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, ok: false, error: expect.stringMatching(/missing\.yaml: no such file/) });
  });

  it('prints usage for --help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cors-gen \[options\] \[command\]/);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('Exit codes: 0 success, 1 invalid input or failed check, 2 usage error, unreadable file or network failure.');
  });

  it.each(COMMANDS.map((c) => [c]))('prints usage for "%s --help" and "help %s", exit 0', async (command) => {
    for (const argv of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: cors-gen ${command} `));
      expect(r.stdout).toContain('--help');
      expect(r.stderr).toBe('');
    }
  });

  it('prints the package version for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('documents each flag of validate and init', async () => {
    const validate = (await cli(['validate', '--help'])).stdout;
    for (const flag of ['--spec', '--json']) expect(validate).toContain(flag);
    const init = (await cli(['init', '--help'])).stdout;
    for (const flag of ['--dir', '--name', '--api', '--origin', '--credentials', '--runtime', '--no-frontend', '--yes', '--force']) expect(init).toContain(flag);
  });
});

describe('exit codes', () => {
  it.each([
    [['validate', '--bogus'], "unknown option '--bogus'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['validate', '--spec'], "option '-s, --spec <file>' argument missing"],
    [['init', '--runtime', 'nodejs18.x'], "argument 'nodejs18.x' is invalid"],
  ])('exits 2 for the usage error %j', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('(run with --help for usage)');
  });

  it('exits 2 when there is no spec to validate, and says how to make one', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const empty = await mkdtemp(path.join(dir, 'empty-'));
      process.chdir(empty);
      const r = await cli(['validate']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^cors-gen: no spec found: looked for cors-gen\.yaml, cors-gen\.yml, cors-gen\.json in .*; run "cors-gen init" or pass --spec FILE\n$/);
      const json = await cli(['validate', '--json']);
      expect(json.code).toBe(2);
      expect(json.stderr).toBe('');
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, file: '.', errors: [{ code: 'unreadable', file: '.' }], warnings: [] });
    } finally {
      process.chdir(cwd);
    }
  });

  it('the process exits 0 for a valid spec, 1 for an invalid one, 2 for a usage error', async () => {
    const env = plainEnv();
    expect((await binary(['validate', '--spec', valid], { env })).code).toBe(0);
    expect((await binary(['validate', '--spec', invalid], { env })).code).toBe(1);
    expect((await binary(['validate', '--spec', path.join(dir, 'nope.yaml')], { env })).code).toBe(2);
    expect((await binary(['validate', '--nope'], { env })).code).toBe(2);
    const version = await binary(['--version'], { env });
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
    const help = await binary(['init', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cors-gen init');
  });
});

describe('--json', () => {
  it('prints one JSON document on stdout and nothing on stderr, valid or not', async () => {
    for (const [file, code] of [[valid, 0], [invalid, 1]] as const) {
      const r = await cli(['validate', '--json', '--spec', file], { color: true, isTTY: true });
      expect(r.code).toBe(code);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(ESC);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(['schemaVersion', 'ok', 'file', 'errors', 'warnings']);
      expect(doc.ok).toBe(code === 0);
    }
  });

  it('carries file, line, column, path, code, message and fix on every issue', async () => {
    const r = await cli(['validate', '--json', '--spec', invalid]);
    const doc = JSON.parse(r.stdout) as { errors: Record<string, unknown>[] };
    expect(doc.errors).toEqual([
      {
        severity: 'error',
        code: 'origin-trailing-slash',
        path: 'cors.allowOrigins[0]',
        message: '"https://app.example.com/" has a trailing slash',
        fix: 'write "https://app.example.com"',
        file: path.relative(process.cwd(), invalid),
        line: 4,
        column: 18,
      },
    ]);
  });

  it('from the binary, stdout is exactly the JSON document', async () => {
    const r = await binary(['validate', '--json', '--spec', valid], { env: plainEnv({ FORCE_COLOR: '1' }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, errors: [], warnings: [{ code: 'http-in-prod' }] });
  });
});

describe('colour', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('paints errors, warnings and results on a colour terminal (so the NO_COLOR tests below can fail)', async () => {
    const bad = await cli(['validate', '--spec', invalid], { color: true, isTTY: true });
    expect(bad.stderr).toContain('\u001b[31merror\u001b[39m ');
    const ok = await cli(['validate', '--spec', valid], { color: true, isTTY: true });
    expect(ok.stderr).toContain('\u001b[33mwarning\u001b[39m ');
    expect(ok.stderr).toContain('\u001b[32mok\u001b[39m ');
  });

  it('prints no escape codes when colour is off', async () => {
    for (const file of [valid, invalid]) expect((await cli(['validate', '--spec', file], { color: false, isTTY: true })).stderr).not.toMatch(ESC);
    const out = captureOutput();
    printIssues(out, [{ severity: 'error', code: 'x', path: 'a', message: 'm' }], [{ severity: 'warning', code: 'y', path: 'b', message: 'n' }]);
    expect(out.stderr()).toBe('error a: m\nwarning b: n\n');
    expect(paint(out, 'red', 'plain')).toBe('plain');
  });

  it('processOutput turns colour on for a terminal and off for NO_COLOR (any non-empty value) or TERM=dumb', () => {
    const isTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      vi.stubEnv('TERM', 'xterm-256color');
      vi.stubEnv('NO_COLOR', undefined);
      expect(processOutput().color).toBe(true);
      vi.stubEnv('NO_COLOR', '1');
      expect(processOutput().color).toBe(false);
      vi.stubEnv('NO_COLOR', '0');
      expect(processOutput().color).toBe(false);
      // no-color.org: "when present and not an empty string".
      vi.stubEnv('NO_COLOR', '');
      expect(processOutput().color).toBe(true);
      vi.stubEnv('TERM', 'dumb');
      expect(processOutput().color).toBe(false);
    } finally {
      if (isTTY) Object.defineProperty(process.stderr, 'isTTY', isTTY);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    try {
      vi.stubEnv('TERM', 'xterm-256color');
      vi.stubEnv('NO_COLOR', undefined);
      expect(processOutput().color).toBe(false);
    } finally {
      if (isTTY) Object.defineProperty(process.stderr, 'isTTY', isTTY);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });

  it('on a real terminal the binary paints, and with NO_COLOR it does not', async () => {
    const painted = await runOnPty(['validate', '--spec', invalid], [], { cwd: dir, env: { NO_COLOR: undefined } });
    expect(painted.code).toBe(1);
    expect(painted.screen).toContain('\u001b[31merror\u001b[39m');
    const plain = await runOnPty(['validate', '--spec', invalid], [], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(plain.code).toBe(1);
    expect(plain.screen).toContain('error invalid.yaml:4:18 cors.allowOrigins[0]: "https://app.example.com/" has a trailing slash');
    expect(plain.screen).not.toMatch(ESC);
  });

  it('a pipe gets no colour even without NO_COLOR', async () => {
    const r = await binary(['validate', '--spec', invalid], { env: plainEnv({ NO_COLOR: undefined }) });
    expect(r.stderr).not.toMatch(ESC);
  });
});
