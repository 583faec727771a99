/**
 * The real hashicorp/aws provider validates and plans modules built on a user's OpenAPI document (the Swagger
 * Petstore in 2.0 and 3.0 form from @readme/oas-examples, MIT license, and a document with its own integration
 * and gateway responses), offline, with the helper the other real-provider tests use.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/synth/generate.js';
import { addModule, PLUGIN_AWS_VERSION, unavailable, validateAndPlan, writeRoot } from '../provider/real-provider.js';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('@readme/oas-examples/package.json'));
const OWN = `swagger: '2.0'
info:
  title: Legacy
  version: '1'
paths:
  /legacy/{id}:
    get:
      parameters:
        - name: id
          in: path
          required: true
          type: string
      responses:
        '200':
          description: from the old backend
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: https://old.example.com/legacy/{id}
        requestParameters:
          integration.request.path.id: method.request.path.id
  /new:
    post:
      description: "Costs \${price} %{ if true }x%{ endif } \\"quoted\\" back\\\\slash\\nnext line"
      x-note "key"\\n:
        "a\\nb": 1
      responses:
        '201':
          description: created
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    statusCode: 400
`;

const skipped = unavailable();
const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cors-gen-openapi-plan-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(skipped !== undefined)(
  `the real hashicorp/aws ${PLUGIN_AWS_VERSION} plans modules built on a user's OpenAPI document${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    it('validates and plans them with no error, the body holding the document', { timeout: 300_000 }, async () => {
      const documents: Record<string, string> = {
        petstore_2: readFileSync(path.join(EXAMPLES, '2.0/yaml/petstore.yaml'), 'utf8'),
        petstore_3: readFileSync(path.join(EXAMPLES, '3.0/yaml/petstore.yaml'), 'utf8'),
        own_integration: OWN,
      };
      const origin = new Map<string, string>();
      const project = path.join(root, 'project');
      mkdirSync(path.join(project, '.git'), { recursive: true });
      for (const [key, text] of Object.entries(documents)) {
        writeFileSync(path.join(project, `${key}.yaml`), text);
        const name = key.replace(/_/g, '-');
        writeFileSync(
          path.join(project, `${key}.cors-gen.yaml`),
          `version: 1\nname: ${name}\nopenapi: ${key}.yaml\ncors:\n  allowOrigins: [https://app.example.com, https://*.example.org]\n  allowCredentials: true\n`,
        );
        const result = await generate({ spec: `${key}.cors-gen.yaml`, out: 'generated', cwd: project });
        expect(result.ok, JSON.stringify(result)).toBe(true);
        addModule(path.join(root, 'plan'), key, path.join(project, 'generated', name));
        origin.set(key, `${key}.yaml`);
      }
      writeRoot(path.join(root, 'plan'));
      const { failures, plan } = await validateAndPlan(path.join(root, 'plan'), origin);
      expect(failures).toEqual([]);
      const apis = (plan?.resource_changes ?? []).filter((c) => c.type === 'aws_api_gateway_rest_api');
      expect(apis.map((c) => c.address).sort()).toEqual([
        'module.own_integration.aws_api_gateway_rest_api.api',
        'module.petstore_2.aws_api_gateway_rest_api.api',
        'module.petstore_3.aws_api_gateway_rest_api.api',
      ]);
    });
  },
);
