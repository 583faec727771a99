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
const COMMANDS = buildProgram({ output: captureOutput() }).commands.map((c) => c.name());

let dir: string;
let valid: string;
let invalid: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cors-gen-cli-'));
  valid = path.join(dir, 'valid.yaml');
  invalid = path.join(dir, 'invalid.yaml');
  await writeFile(
    valid,
    'version: 1\nname: orders-api\ncors:\n  allowOrigins: [http://app.example.com]\nroutes:\n  - path: /users\n    methods: [GET]\n',
  );
  await writeFile(
    invalid,
    'version: 1\nname: orders-api\ncors:\n  allowOrigins: [https://app.example.com/]\nroutes:\n  - path: /users\n    methods: [GET]\n',
  );
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
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: { code: 'unreadable', message: expect.stringMatching(/missing\.yaml: no such file$/) },
    });
  });

  it('prints usage for --help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cors-gen \[options\] \[command\]/);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain(
      'Exit codes: 0 success, 1 invalid input or failed check, 2 usage error, unreadable file or network failure.',
    );
  });

  it.each(COMMANDS.map((c) => [c]))('prints usage for "%s --help" and "help %s", exit 0', async (command) => {
    for (const argv of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
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
    for (const flag of [
      '--dir',
      '--name',
      '--api',
      '--origin',
      '--route',
      '--header',
      '--credentials',
      '--runtime',
      '--no-frontend',
      '--yes',
      '--force',
    ])
      expect(init).toContain(flag);
  });
});

describe('exit codes', () => {
  it.each([
    [['validate', '--bogus'], "unknown option '--bogus'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['validate', '--spec'], "option '-s, --spec <file>' argument missing"],
    [['check', 'http://127.0.0.1:1/'], "required option '-o, --origin <origin>' not specified"],
    [['generate', '--format', 'yaml'], "argument 'yaml' is invalid"],
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
      expect(r.stderr).toMatch(
        /^cors-gen: no spec found: looked for cors-gen\.yaml, cors-gen\.yml, cors-gen\.json in .*; run "cors-gen init" or pass --spec FILE\n$/,
      );
      const json = await cli(['validate', '--json']);
      expect(json.code).toBe(2);
      expect(json.stderr).toBe('');
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        file: '.',
        errors: [{ code: 'unreadable', file: '.' }],
        warnings: [],
      });
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

describe('usage errors under --json', () => {
  it.each([
    [
      ['validate', '--bogus', '--json'],
      'unknown-option',
      "unknown option '--bogus'",
      'run "cors-gen validate --help" for usage',
    ],
    [
      ['validate', '--json', '--spec'],
      'option-missing-argument',
      "option '-s, --spec <file>' argument missing",
      'run "cors-gen validate --help" for usage',
    ],
    [
      ['generate', '--json', '--format', 'yaml'],
      'invalid-argument',
      "option '--format <format>' argument 'yaml' is invalid. Allowed choices are hcl, json.",
      'run "cors-gen generate --help" for usage',
    ],
    [['frobnicate', '--json'], 'unknown-command', "unknown command 'frobnicate'", 'run "cors-gen --help" for usage'],
  ])('%j prints exactly one { ok: false, error } document on stdout, exit 2', async (argv, code, message, fix) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, ok: false, error: { code, message, fix } });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    // The human message stays on stderr.
    expect(r.stderr).toContain(message);
  });

  it('keeps stdout empty for the same errors without --json, and for a --json after "--"', async () => {
    expect((await cli(['validate', '--bogus'])).stdout).toBe('');
    expect((await cli(['init', '--bogus', '--json'])).stdout).toBe('');
    expect((await cli(['validate', '--bogus', '--', '--json'])).stdout).toBe('');
  });
});

describe('validate: the report on stdout, positional files', () => {
  it('"cors-gen validate FILE" validates FILE (it used to be a usage error)', async () => {
    const r = await cli(['validate', valid]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok .*valid\.yaml: orders-api \(rest\), 1 route\(s\), 1 origin\(s\), 1 warning\(s\)$/m);
  });

  it('validates several files as pre-commit passes them, reports each, and exits 1 if any is invalid', async () => {
    const r = await cli(['validate', valid, invalid]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(
      lines
        .filter((l) => /^(ok|error) /.test(l) || l.endsWith(': invalid, 1 error(s)'))
        .map((l) => l.replace(/ .*?(valid|invalid)\.yaml/, ' $1.yaml')),
    ).toEqual([
      'ok valid.yaml: orders-api (rest), 1 route(s), 1 origin(s), 1 warning(s)',
      'error invalid.yaml:4:18 cors.allowOrigins[0]: "https://app.example.com/" has a trailing slash; write "https://app.example.com"',
      `${path.relative(process.cwd(), invalid)}: invalid, 1 error(s)`.replace(/ .*?(valid|invalid)\.yaml/, ' $1.yaml'),
    ]);
    expect((await cli(['validate', valid, valid])).code).toBe(0);
  });

  it('with several files and --json prints one document listing each file', async () => {
    const r = await cli(['validate', '--json', valid, invalid]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; files: { ok: boolean; file: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.files.map((f) => [path.basename(f.file), f.ok])).toEqual([
      ['valid.yaml', true],
      ['invalid.yaml', false],
    ]);
  });

  it('exits 2 when one of several files cannot be read, still reporting the others', async () => {
    const r = await cli(['validate', valid, path.join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok /m);
    expect(r.stderr).toMatch(/nope\.yaml: no such file/);
  });

  it('"validate > report.txt" captures the report: errors, warnings and the summary are on stdout', async () => {
    const bad = await binary(['validate', invalid], { env: plainEnv() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('');
    expect(bad.stdout).toContain('error ');
    const good = await binary(['validate', valid], { env: plainEnv() });
    expect(good.stderr).toBe('');
    expect(good.stdout).toMatch(/^warning .*http-in-prod|^warning .*plain http/m);
    expect(good.stdout).toMatch(/^ok /m);
  });
});

describe('--json output', () => {
  it('escapes DEL, C1 controls (U+009B is a one-character CSI), U+2028 and U+2029 from spec values', async () => {
    const file = path.join(dir, 'c1.yaml');
    await writeFile(
      file,
      'version: 1\nname: orders-api\ncors:\n  allowOrigins: ["https://a\\u2028.com\\u009b2J\\u007f"]\nroutes:\n  - path: /orders\n    methods: [GET]\n',
    );
    const r = await cli(['validate', '--json', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(r.stdout).toContain(
      '"message": "\\"https://a\\u2028.com\\u009b2J\\u007f\\" contains a control character (\\\\u009b); browsers never send one in Origin"',
    );
    const doc = JSON.parse(r.stdout) as { errors: { message: string }[] };
    expect(doc.errors[0]!.message).toBe(
      '"https://a\u2028.com\u009b2J\u007f" contains a control character (\\u009b); browsers never send one in Origin',
    );
  });
});

describe('one pass', () => {
  it('reports schema errors and rule errors together wherever the value a rule needs is well-formed', async () => {
    const file = path.join(dir, 'two-rounds.yaml');
    await writeFile(
      file,
      'version: 1\nname: orders-api\ncors:\n  allowOrigins: [https://app.example.com/]\n  maxAge: "600"\nroutes:\n  - path: /orders\n    methods: [get]\n  - path: /orders/:id\n    methods: [GET]\n',
    );
    const r = await cli(['validate', '--json', file]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { errors: { code: string; path: string; fix?: string }[] };
    expect(doc.errors.map((e) => [e.code, e.path, e.fix])).toEqual([
      ['origin-trailing-slash', 'cors.allowOrigins[0]', 'write "https://app.example.com"'],
      ['type', 'cors.maxAge', 'write 600 without quotes'],
      ['not-allowed-value', 'routes[0].methods[0]', 'write "GET"'],
      ['route-path', 'routes[1].path', 'write "/orders/{id}"'],
    ]);
  });

  it('does not add "needs at least one route" to a misspelt routes key', async () => {
    const file = path.join(dir, 'misspelt.yaml');
    await writeFile(
      file,
      'version: 1\nname: orders-api\ncors:\n  allowOrigins: [https://app.example.com]\nroute:\n  - path: /orders\n    methods: [GET]\n',
    );
    const doc = JSON.parse((await cli(['validate', '--json', file])).stdout) as {
      errors: { code: string; fix?: string }[];
    };
    expect(doc.errors.map((e) => [e.code, e.fix])).toEqual([['unknown-key', 'did you mean "routes"?']]);
  });
});

describe('YAML syntax errors', () => {
  it('show file:line:col, the source line, a caret, and point at the mis-indented line with the fix', async () => {
    const file = path.join(dir, 'indented.yaml');
    await writeFile(
      file,
      'version: 1\nname: orders-api\ncors:\n  allowOrigins:\n    - https://app.example.com\n     allowCredentials: true\n',
    );
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `error ${path.relative(process.cwd(), file)}:6:6 Implicit keys need to be on a single line: line 6 is indented differently from its siblings (5 spaces; line 4 uses 2 spaces); indent line 6 by 2 spaces, like line 4`,
        '  6 |      allowCredentials: true',
        '    |      ^',
        `${path.relative(process.cwd(), file)}: invalid, 1 error(s)`,
        '',
      ].join('\n'),
    );
  });

  it('quote a value that holds ": "', async () => {
    const file = path.join(dir, 'colon.yaml');
    await writeFile(file, 'version: 1\nname: orders api: v2\n');
    const r = await cli(['validate', '--json', file]);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({
      code: 'syntax',
      line: 2,
      fix: 'put the value in quotes: name: "orders api: v2"',
    });
  });
});

describe('--json', () => {
  it('prints one JSON document on stdout and nothing on stderr, valid or not', async () => {
    for (const [file, code] of [
      [valid, 0],
      [invalid, 1],
    ] as const) {
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
    expect(bad.stdout).toContain('\u001b[31merror\u001b[39m ');
    const ok = await cli(['validate', '--spec', valid], { color: true, isTTY: true });
    expect(ok.stdout).toContain('\u001b[33mwarning\u001b[39m ');
    expect(ok.stdout).toContain('\u001b[32mok\u001b[39m ');
  });

  it('prints no escape codes when colour is off', async () => {
    for (const file of [valid, invalid]) {
      const r = await cli(['validate', '--spec', file], { color: false, isTTY: true });
      expect(r.stdout).toMatch(/(error|ok) /);
      expect(r.stdout + r.stderr).not.toMatch(ESC);
    }
    const out = captureOutput();
    printIssues(
      out,
      [{ severity: 'error', code: 'x', path: 'a', message: 'm' }],
      [{ severity: 'warning', code: 'y', path: 'b', message: 'n' }],
    );
    expect(out.stderr()).toBe('error a: m\nwarning b: n\n');
    expect(paint(out, 'red', 'plain')).toBe('plain');
  });

  it('processOutput turns colour on for a terminal and off for NO_COLOR (any non-empty value) or TERM=dumb', () => {
    const saved = {
      out: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'),
      err: Object.getOwnPropertyDescriptor(process.stderr, 'isTTY'),
    };
    const tty = (out: boolean, err: boolean) => {
      Object.defineProperty(process.stdout, 'isTTY', { value: out, configurable: true });
      Object.defineProperty(process.stderr, 'isTTY', { value: err, configurable: true });
    };
    try {
      tty(false, true);
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
      vi.stubEnv('TERM', 'xterm-256color');
      tty(false, false);
      expect(processOutput().color).toBe(false);
      // stdout on a terminal, stderr redirected: the report is coloured.
      tty(true, false);
      expect(processOutput().color).toBe(true);
    } finally {
      for (const [stream, d] of [
        [process.stdout, saved.out],
        [process.stderr, saved.err],
      ] as const) {
        if (d) Object.defineProperty(stream, 'isTTY', d);
        else delete (stream as { isTTY?: boolean }).isTTY;
      }
    }
  });

  it('strips colour from the stream that is not a terminal (validate > report.txt on a colour terminal)', async () => {
    const saved = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    const savedOut = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    const written: string[] = [];
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('TERM', 'xterm-256color');
      const out = processOutput();
      expect(out.color).toBe(true);
      out.out(paint(out, 'red', 'error'));
    } finally {
      spy.mockRestore();
      if (saved) Object.defineProperty(process.stderr, 'isTTY', saved);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
      if (savedOut) Object.defineProperty(process.stdout, 'isTTY', savedOut);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(written).toEqual(['error\n']);
  });

  it('on a real terminal the binary paints, and with NO_COLOR it does not', async () => {
    const painted = await runOnPty(['validate', '--spec', invalid], [], { cwd: dir, env: { NO_COLOR: undefined } });
    expect(painted.code).toBe(1);
    expect(painted.screen).toContain('\u001b[31merror\u001b[39m');
    const plain = await runOnPty(['validate', '--spec', invalid], [], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(plain.code).toBe(1);
    expect(plain.screen).toContain(
      'error invalid.yaml:4:18 cors.allowOrigins[0]: "https://app.example.com/" has a trailing slash',
    );
    expect(plain.screen).not.toMatch(ESC);
  });

  it('a pipe gets no colour even without NO_COLOR', async () => {
    const r = await binary(['validate', '--spec', invalid], { env: plainEnv({ NO_COLOR: undefined }) });
    expect(r.stdout).toContain('error ');
    expect(r.stdout).not.toMatch(ESC);
  });
});
