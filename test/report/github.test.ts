import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, renderGithub } from '../../src/report/index.js';

describe('GitHub workflow commands', () => {
  it('escapes %, CR and LF in messages, so a quoted value can never start a command of its own', () => {
    const out = renderGithub([
      {
        code: 'x',
        severity: 'error',
        message: 'a 100% "v\r\n::error::owned"',
        artifact: 'cors-gen.yaml',
        line: 3,
        column: 5,
      },
    ]);
    expect(out).toBe('::error file=cors-gen.yaml,line=3,col=5,title=x::a 100%25 "v%0D%0A::error::owned"\n');
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('escapes : and , in properties as actions/toolkit does', () => {
    expect(escapeProperty('C:\\a,b%\n')).toBe('C%3A\\a%2Cb%25%0A');
    expect(escapeData('a:b,c')).toBe('a:b,c');
    const out = renderGithub([{ code: 'stale', severity: 'warning', message: 'm', artifact: 'gen,erated\\x:y.tf' }]);
    expect(out).toBe('::warning file=gen%2Cerated/x%3Ay.tf,title=stale::m\n');
  });

  it('maps severities to error, warning and notice, and puts a URL in the message instead of a file', () => {
    const out = renderGithub([
      { code: 'a', severity: 'error', message: 'e', fix: 'do this' },
      { code: 'b', severity: 'warning', message: 'w' },
      { code: 'c', severity: 'info', message: 'i', artifact: 'https://api.example.com/users' },
    ]);
    expect(out).toBe(
      '::error title=a::e; do this\n::warning title=b::w\n::notice title=c::https://api.example.com/users: i\n',
    );
  });

  it('joins a fix to a clause with "; " and to a sentence with " Fix: ", never ".;"', () => {
    const out = renderGithub([
      {
        code: 'origin-trailing-slash',
        severity: 'error',
        message: 'cors.allowOrigins[0]: "https://a.example/" has a trailing slash',
        fix: 'write "https://a.example"',
        artifact: 'cors-gen.yaml',
        line: 5,
        column: 7,
      },
      {
        code: 'missing-allow-origin',
        severity: 'error',
        message: 'Response (GET /dev/orders -> 200): no Access-Control-Allow-Origin header.',
        fix: 'Add https://b.example to the allowed origins.',
        artifact: 'https://api.example.com/dev/orders',
      },
    ]);
    expect(out).toBe(
      '::error file=cors-gen.yaml,line=5,col=7,title=origin-trailing-slash::cors.allowOrigins[0]: "https://a.example/" has a trailing slash; write "https://a.example"\n' +
        '::error title=missing-allow-origin::https://api.example.com/dev/orders: Response (GET /dev/orders -> 200): no Access-Control-Allow-Origin header. Fix: Add https://b.example to the allowed origins.\n',
    );
  });

  it('shows other control characters (an ANSI escape in a spec value) as \\uXXXX', () => {
    expect(
      renderGithub([{ code: 'a', severity: 'error', message: 'x\u001b[31my\u0007', artifact: 'f\u001b.yaml' }]),
    ).toBe('::error file=f\\u001b.yaml,title=a::x\\u001b[31my\\u0007\n');
  });

  it('gives a column only together with a line', () => {
    expect(renderGithub([{ code: 'a', severity: 'error', message: 'm', artifact: 'f.yaml', column: 4 }])).toBe(
      '::error file=f.yaml,title=a::m\n',
    );
  });
});
