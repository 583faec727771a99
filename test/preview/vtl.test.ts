import path from 'node:path';
import { Compile, parse } from 'velocityjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError } from '../../src/preview/errors.js';
import { loadModule } from '../../src/preview/module/load.js';
import { ModuleResolver } from '../../src/preview/module/resolve.js';
import { compileTemplate, VtlError, type CompiledTemplate, type VtlRequest } from '../../src/preview/rest/vtl.js';
import { REPO, generateModules, type GeneratedModules } from '../support/preview.js';

const where = { file: 'main.tf', address: 'test' };

let modules: GeneratedModules;
beforeAll(async () => {
  modules = await generateModules([{ name: 'orders-api', spec: path.join(REPO, 'examples/orders-api/cors-gen.yaml') }]);
});
afterAll(() => modules.cleanup());

/** The preflight template of the bundled module, evaluated for an allowlist with an exact origin and a wildcard. */
async function preflightTemplateText(origins: string[]): Promise<string> {
  const doc = await loadModule(modules.dirs.get('orders-api')!);
  const r = new ModuleResolver(
    doc,
    { apiOrigin: 'http://127.0.0.1:1', siteHost: '127.0.0.1:2' },
    new Map([['allowed_origins', origins]]),
  );
  const openapi = JSON.parse(r.attribute('aws_api_gateway_rest_api.api', 'body') as string);
  return openapi.paths['/orders'].options['x-amazon-apigateway-integration'].responses.default.responseTemplates[
    'application/json'
  ];
}

function request(headers: Record<string, string>): VtlRequest {
  return {
    params: { path: {}, querystring: {}, header: headers },
    body: '',
    context: { requestId: 'r1', httpMethod: 'OPTIONS' },
  };
}

describe('the generated preflight template under Java semantics', () => {
  let text: string;
  let template: CompiledTemplate;
  beforeAll(async () => {
    text = await preflightTemplateText(['https://app.example.com', 'https://*.example.com']);
    template = compileTemplate(text, where);
  });

  it('uses the Java methods the preview must supply (contains, matches, toLowerCase, Map.get)', () => {
    expect(text).toContain('$allowed.contains($lower)');
    expect(text).toContain('$lower.matches($pattern)');
    expect(text).toContain('$input.params().header.get("Origin")');
  });

  it('overrides Access-Control-Allow-Origin with an exactly listed origin', () => {
    expect(template.render(request({ Origin: 'https://app.example.com' })).responseOverride.headers).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example.com',
    });
  });

  it('finds the origin under either spelling of the header name', () => {
    expect(
      template.render(request({ origin: 'https://app.example.com' })).responseOverride.headers[
        'Access-Control-Allow-Origin'
      ],
    ).toBe('https://app.example.com');
  });

  it('matches a one-label wildcard as a whole string', () => {
    expect(
      template.render(request({ Origin: 'https://admin.example.com' })).responseOverride.headers[
        'Access-Control-Allow-Origin'
      ],
    ).toBe('https://admin.example.com');
  });

  it.each([
    ['a different host', 'https://evil.test'],
    ['the allowed origin as a prefix of another host', 'https://app.example.com.evil.test'],
    ['a wildcard match followed by more text (String.matches is whole-string)', 'https://a.example.com.evil.test'],
    ['a wildcard match preceded by more text', 'https://evil.test/https://a.example.com'],
    ['two labels where the wildcard stands for one', 'https://a.b.example.com'],
    ['an unescaped-dot look-alike', 'https://aXexample.com'],
    ['the allowed host over http', 'http://app.example.com'],
    ['the opaque origin', 'null'],
  ])('does not override for %s', (_what, origin) => {
    const result = template.render(request({ Origin: origin }));
    expect(result.responseOverride.headers).toEqual({});
  });

  it('does not override when the request has no Origin at all', () => {
    expect(template.render(request({ Host: 'api' })).responseOverride.headers).toEqual({});
  });

  it('would never match under plain velocityjs: the Java methods are what makes the positive cases pass', () => {
    const header = { Origin: 'https://app.example.com' };
    const context = {
      input: { params: () => ({ header, path: {}, querystring: {} }) },
      context: { responseOverride: { header: {} as Record<string, string> } },
    };
    new Compile(parse(text)).render(context);
    expect(context.context.responseOverride.header).toEqual({});
  });
});

describe('VTL Java semantics', () => {
  const render = (t: string, headers: Record<string, string> = {}) =>
    compileTemplate(t, where).render(request(headers));

  it('Map.get is exact where velocityjs would also find the other first-letter case', () => {
    expect(render('#set($v = $input.params().header.get("Origin"))$!v', { origin: 'x' }).output).toBe('');
    expect(render('#set($v = $input.params().header.get("origin"))$!v', { origin: 'x' }).output).toBe('x');
  });

  it('List.contains compares whole elements, String.contains substrings', () => {
    expect(render('#set($l = ["ab"])$l.contains("a") $l.contains("ab") #set($s = "ab")$s.contains("a")').output).toBe(
      'false true true',
    );
  });

  it('String.matches anchors the pattern at both ends', () => {
    expect(render('#set($s = "xaay")$s.matches("a+") $s.matches(".a+.")').output).toBe('false true');
  });

  it('$input.params(name) searches path, query string, then headers', () => {
    const t = compileTemplate('$input.params("id") $input.params("x-h") [$input.params("none")]', where);
    expect(
      t.render({
        params: { path: { id: 'p' }, querystring: { id: 'q' }, header: { 'X-H': 'h' } },
        body: '',
        context: {},
      }).output,
    ).toBe('p h []');
  });

  it('records a status override and ignores nothing else', () => {
    const r = render('#set($context.responseOverride.status = 418)');
    expect(r.responseOverride.status).toBe(418);
  });

  it('refuses an override applied twice, as API Gateway does with a 5XX', () => {
    expect(() =>
      render('#set($context.responseOverride.header.X-A = "1")#set($context.responseOverride.header.X-A = "2")'),
    ).toThrow(VtlError);
  });

  it('refuses, at load time, a method the preview does not implement', () => {
    expect(() => compileTemplate('$util.escapeJson("x")', where)).toThrow(ModuleError);
    expect(() => compileTemplate('#set($x = "a")$x.codePointAt(0)', where)).toThrow(/codePointAt/);
  });
});

describe('bounds on what a hostile template may cost (API Gateway: 1000 #foreach iterations, 10 MB payload)', () => {
  const run = (t: string, header: Record<string, string> = {}) => compileTemplate(t, where).render(request(header));

  it('refuses, at load time, a literal range longer than 1000 items, naming the template', () => {
    expect(() => compileTemplate('#foreach($i in [1..30000000])x#end', where)).toThrow(
      'main.tf: test: the mapping template builds the range [1..30000000] of 30000000 items, but API Gateway runs at most 1000 iterations of a #foreach loop; use a range of at most 1000 items (in "#foreach($i in [1..30000000])x#end")',
    );
    expect(() => compileTemplate('#foreach($i in [1..1000])#end', where)).not.toThrow();
  });

  it('refuses a computed range longer than 1000 items without building it', () => {
    const started = Date.now();
    expect(() => run('#set($n = 30000000)#foreach($i in [1..$n])x#end')).toThrow(
      new VtlError(
        'main.tf: test: the range [1..30000000] has 30000000 items, but API Gateway runs at most 1000 iterations of a #foreach loop',
      ),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a loop over a list of more than 1000 items', () => {
    const body = JSON.stringify(Array.from({ length: 1001 }, (_, i) => i));
    const t = compileTemplate('#foreach($i in $input.path("$"))#end', where);
    expect(() => t.render({ ...request({}), body })).toThrow(
      new VtlError('main.tf: test: a #foreach loop runs more than 1000 iterations, the most API Gateway runs'),
    );
    expect(t.render({ ...request({}), body: '[1,2]' }).output).toBe('');
  });

  it('stops nested loops after 100000 iterations in all', () => {
    expect(() => run('#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end')).toThrow(
      new VtlError(
        "main.tf: test: the template's loops run more than 100000 iterations in all; the preview stops there",
      ),
    );
  });

  it('refuses a string doubled past 10 MB', () => {
    expect(() => run('#set($s = "xxxxxxxxxxxxxxxx")#foreach($i in [1..30])#set($s = "$s$s")#end')).toThrow(
      new VtlError(
        "main.tf: test: the template produces more than 10485760 characters, over API Gateway's 10 MB payload limit",
      ),
    );
  });
});
