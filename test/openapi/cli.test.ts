/**
 * `validate` and `generate` on a spec with `openapi:`, through the CLI: the warnings and refusals name the
 * document, its line and the path in it; the exit codes are those of any spec (1 invalid, 2 unreadable).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/capture.js';
import { project, SPEC } from './project.js';

const DOC = `openapi: 3.0.3
info:
  title: T
  version: '1'
paths:
  /new:
    get:
      responses:
        '200':
          description: ok
  /old:
    get:
      responses:
        '200':
          description: ok
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: https://old.example.com/old
`;

describe('cors-gen validate with openapi:', () => {
  it('warns, at the line in the document, about a method whose integration the Lambda does not cover, and exits 0', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': DOC });
    const shown = path.relative(process.cwd(), path.join(dir, 'openapi.yaml'));
    const r = await cli(['validate', path.join(dir, 'cors-gen.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `warning ${shown}:16:7 paths["/old"].get.x-amazon-apigateway-integration: GET /old keeps its own integration (type "http")`,
    );
    expect(r.stdout).toContain('map the CORS headers in its integration responses');
    expect(r.stdout).toContain('2 route(s)');
  });

  it('exits 1 on a document it refuses, naming the line; 2 when the document cannot be read', async () => {
    const refused = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': DOC.replace('3.0.3', '3.1.0') });
    const r = await cli(['validate', path.join(refused, 'cors-gen.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/openapi\.yaml:1:\d+ openapi: the document is OpenAPI 3\.1\.0/);
    const missing = project({ 'cors-gen.yaml': SPEC() });
    const m = await cli(['generate', '--spec', path.join(missing, 'cors-gen.yaml'), '--out', path.join(missing, 'g')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('openapi.yaml cannot be read');
  });

  it('generates the module from the document', async () => {
    const dir = project({ 'cors-gen.yaml': SPEC(), 'openapi.yaml': DOC });
    const r = await cli(['generate', '--spec', path.join(dir, 'cors-gen.yaml'), '--out', path.join(dir, 'generated')]);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'generated/pets/main.tf'), 'utf8')).toContain(
      'uri        = "https://old.example.com/old"',
    );
  });
});
