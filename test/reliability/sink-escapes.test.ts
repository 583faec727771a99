/**
 * The escape of each sink, one by one: Terraform templates (tokens kept as references), comments, Markdown.
 */
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { FrontendBucket } from '../../src/constructs/frontend-bucket.js';
import { escapeTemplate, staticValue, templateLiteral } from '../../src/constructs/terraform-literal.js';
import { commentText, displaySpecFile, markdownCode, markdownText } from '../../src/render/escape.js';
import { render } from '../../src/render/templates.js';
import { stackDocument } from '../../src/synth/synthesize.js';

describe('Terraform templates', () => {
  it('escapes ${ and %{ and leaves $, %, $$ and lone braces as they are', () => {
    expect(escapeTemplate('a${b}%{c}$d%e{f}$${g}')).toBe('a$${b}%%{c}$d%e{f}$$${g}');
  });

  it('keeps CDKTF tokens as references and escapes the text around them', () => {
    const stack = new TerraformStack(new App({ skipValidation: true }), 'test');
    const doc = new TerraformVariable(stack, 'doc', { type: 'string' }).stringValue;
    new FrontendBucket(stack, 'site', { bucketPrefix: 'p', indexDocument: `\${x}-${doc}-%{y}` });
    const resolved = stackDocument(stack) as {
      resource: Record<string, Record<string, { index_document: { suffix: string } }>>;
    };
    expect(resolved.resource['aws_s3_bucket_website_configuration']!['site']!.index_document.suffix).toBe(
      '$${x}-${var.doc}-%%{y}',
    );
    expect(templateLiteral(doc)).toBe(doc);
  });

  it('quotes API Gateway static values and refuses a quote inside', () => {
    expect(staticValue('Content-Type,X-$a')).toBe("'Content-Type,X-$a'");
    expect(staticValue('${a}')).toBe("'$${a}'");
    expect(() => staticValue("X-It's")).toThrow(
      `API Gateway static values are single-quoted and cannot contain "'": "X-It's"`,
    );
  });
});

describe('comments', () => {
  it('leaves ordinary paths as they are', () => {
    expect(commentText('../../examples/orders-api/cors-gen.yaml')).toBe('../../examples/orders-api/cors-gen.yaml');
  });

  it('escapes every line terminator of the generated languages, controls, and the end of an HTML comment', () => {
    expect(commentText('a\nb\rc\u2028d\u2029e\u0085f\u007fg-->h"i\\j')).toBe(
      'a\\nb\\rc\\u2028d\\u2029e\\u0085f\\u007fg--\\u003eh\\"i\\\\j',
    );
  });

  it('names the spec file with forward slashes and never absolutely', () => {
    expect(displaySpecFile('apis\\orders\\cors-gen.yaml')).toBe('apis/orders/cors-gen.yaml');
    expect(displaySpecFile('/home/someone/cors-gen.yaml')).toBe('cors-gen.yaml');
    expect(displaySpecFile('C:\\Users\\someone\\cors-gen.yaml')).toBe('cors-gen.yaml');
  });
});

describe('Markdown', () => {
  it('fences code spans one backtick longer than any run inside, padding edge backticks', () => {
    expect(markdownCode('a.yaml')).toBe('`a.yaml`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`a``')).toBe('``` `a`` ```');
    expect(markdownCode('a|b')).toBe('`a|b`');
    expect(markdownCode('a|b', true)).toBe('`a\\|b`');
    expect(markdownCode('a\nb\r\u2028')).toBe('`a\\nb\\r\\u2028`');
  });

  it('backslash-escapes the punctuation that makes emphasis, links, code, tables or HTML', () => {
    expect(markdownText('*a* _b_ `c` [d](e) <f> &g; |h| ~i~ \\j')).toBe(
      '\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\&g; \\|h\\| \\~i\\~ \\\\j',
    );
    expect(markdownText('line\nbreak')).toBe('line break');
  });

  it('is what the template helpers apply, lists comma-separated', () => {
    const readme = render('moduleReadme', {
      header: 'h',
      name: '*n*',
      moduleName: 'n',
      target: 'an API Gateway HTTP API',
      isRest: false,
      frontend: false,
      origins: ['https://a.example.com', 'https://b|c.example.com'],
      methods: ['GET'],
      headers: ['X|Y', 'Z'],
      exposeHeaders: [],
      credentials: false,
      credentialsText: 'no',
      maxAge: 0,
      enforceOrigin: false,
      runtime: 'nodejs22.x',
      appFile: 'lambda/app.mjs',
      stages: [],
      firstStage: '',
      specFile: 'x`y.yaml',
      exampleOrigin: '"https://a.example.com"',
      inputs: [],
      outputs: [],
    });
    expect(readme).toContain('# \\*n\\*\n');
    expect(readme).toContain('from ``x`y.yaml``: an API Gateway HTTP API\n');
    expect(readme).toContain('| allowed origins | `https://a.example.com`, `https://b\\|c.example.com` |\n');
    expect(readme).toContain('| request headers | X\\|Y, Z |\n');
    expect(readme).toContain('| exposed headers | (none) |\n');
  });
});
