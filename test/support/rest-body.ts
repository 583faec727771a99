/**
 * REST modules in the OpenAPI-body form for the preview tests: the API defined by `jsonencode(local.openapi)` in
 * `aws_api_gateway_rest_api.body`, the deployment triggered by `sha1()` of the body, `removed` blocks for the
 * per-resource addresses. A module generated in the older per-resource form (`aws_api_gateway_resource`,
 * `_method`, `_integration`, ...) is converted, keeping every value (headers, VTL, gateway responses) as the
 * generator wrote it; a module already in the body form is left as it is.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from '../../src/synth/generate.js';
import { renderHcl } from '../../src/terraform/write.js';

type Obj = Record<string, any>;

const PER_RESOURCE = [
  'aws_api_gateway_resource',
  'aws_api_gateway_method',
  'aws_api_gateway_method_response',
  'aws_api_gateway_integration',
  'aws_api_gateway_integration_response',
  'aws_api_gateway_gateway_response',
];

/** Converts the REST module `dir` (generated from `spec`) to the body form when it is per-resource. */
export async function ensureOpenApiBody(dir: string, spec: string, cwd: string): Promise<void> {
  const hcl = path.join(dir, 'main.tf');
  const json = path.join(dir, 'main.tf.json');
  const text = readFileSync(existsSync(hcl) ? hcl : json, 'utf8');
  // A declared resource, not the `removed { from = aws_api_gateway_resource.x }` of a body-form module.
  if (!/resource "aws_api_gateway_resource"|"aws_api_gateway_resource"\s*:/.test(text)) return;
  // The generator's JSON document is the one its HCL is rendered from: convert that, then render it the same way.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-body-'));
  try {
    const result = await generate({ spec, out: scratch, format: 'json', cwd });
    if (!('dir' in result) || !result.ok) throw new Error(`generating ${spec} failed`);
    const { '//': header, ...doc } = JSON.parse(readFileSync(path.join(cwd, result.dir, 'main.tf.json'), 'utf8'));
    const removed = toOpenApiBody(doc);
    if (existsSync(hcl))
      writeFileSync(hcl, `# ${header}\n\n${renderHcl(doc)}\n${removed.map(removedBlock).join('\n')}`);
    else
      writeFileSync(
        json,
        `${JSON.stringify({ '//': header, ...doc, removed: removed.map((from) => ({ from, lifecycle: { destroy: false } })) }, null, 2)}\n`,
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function removedBlock(from: string): string {
  return `removed {\n  from = ${from}\n\n  lifecycle {\n    destroy = false\n  }\n}\n`;
}

/**
 * Rewrites a synthesized per-resource document (Terraform JSON syntax, strings are templates) in place to the
 * body form; returns the addresses it removed.
 */
export function toOpenApiBody(doc: Obj): string[] {
  const resources: Obj = doc['resource'];
  const of = (type: string): [string, Obj][] => Object.entries(resources[type] ?? {});
  const [apiName] = Object.keys(resources['aws_api_gateway_rest_api']);
  const api = `aws_api_gateway_rest_api.${apiName}`;
  const ref = (s: string) => /^\$\{([a-z_0-9]+\.[a-z_0-9]+)\.[a-z_]+\}$/.exec(s)?.[1];

  const paths = new Map<string, string>([[api, '/']]);
  const pathOf = (address: string): string => {
    const known = paths.get(address);
    if (known) return known;
    const body = resources['aws_api_gateway_resource'][address.split('.')[1]!];
    const parent = pathOf(ref(body.parent_id)!);
    const p = `${parent === '/' ? '' : parent}/${body.path_part}`;
    paths.set(address, p);
    return p;
  };
  for (const [name] of of('aws_api_gateway_resource')) pathOf(`aws_api_gateway_resource.${name}`);

  const openapiPaths: Obj = {};
  const operations = new Map<string, Obj>();
  for (const [name, m] of of('aws_api_gateway_method')) {
    const p = paths.get(ref(m.resource_id)!)!;
    const item = (openapiPaths[p] ??= pathParameters(p));
    const key = m.http_method === 'ANY' ? 'x-amazon-apigateway-any-method' : m.http_method.toLowerCase();
    item[key] = { responses: {} };
    operations.set(`aws_api_gateway_method.${name}`, item[key]);
  }
  const statuses = new Map<string, string>();
  for (const [name, mr] of of('aws_api_gateway_method_response')) {
    const op = operations.get(ref(mr.http_method)!)!;
    op.summary = 'CORS preflight';
    op.responses[mr.status_code] = {
      description: 'The CORS preflight answer',
      headers: Object.fromEntries(
        Object.keys(mr.response_parameters ?? {}).map((k) => [
          k.replace(/^method\.response\.header\./, ''),
          { schema: { type: 'string' } },
        ]),
      ),
    };
    statuses.set(`aws_api_gateway_method_response.${name}`, mr.status_code);
  }
  for (const [, i] of of('aws_api_gateway_integration')) {
    const op = operations.get(ref(i.http_method)!)!;
    if (i.type === 'AWS_PROXY') {
      op.responses = { default: { description: "The Lambda function's answer" } };
      op['x-amazon-apigateway-integration'] = {
        type: 'aws_proxy',
        httpMethod: i.integration_http_method,
        uri: i.uri,
        passthroughBehavior: 'when_no_match',
      };
    } else {
      op['x-amazon-apigateway-integration'] = {
        type: i.type.toLowerCase(),
        requestTemplates: i.request_templates,
        passthroughBehavior: i.passthrough_behavior.toLowerCase(),
        responses: {},
      };
    }
  }
  for (const [, ir] of of('aws_api_gateway_integration_response')) {
    const op = operations.get(ref(ir.http_method)!)!;
    op['x-amazon-apigateway-integration'].responses[ir.selection_pattern || 'default'] = {
      statusCode: statuses.get(ref(ir.status_code)!) ?? ir.status_code,
      responseParameters: ir.response_parameters,
      responseTemplates: ir.response_templates,
    };
  }
  const gatewayResponses: Obj = {};
  for (const [, g] of of('aws_api_gateway_gateway_response'))
    gatewayResponses[g.response_type] = {
      ...(g.status_code ? { statusCode: g.status_code } : {}),
      responseParameters: g.response_parameters,
      responseTemplates: g.response_templates,
    };

  const removed: string[] = [];
  for (const type of PER_RESOURCE) {
    for (const name of Object.keys(resources[type] ?? {})) removed.push(`${type}.${name}`);
    delete resources[type];
  }
  doc['locals'] = {
    ...doc['locals'],
    openapi: {
      openapi: '3.0.1',
      info: { title: resources['aws_api_gateway_rest_api'][apiName!].name, version: '1' },
      paths: Object.fromEntries([...Object.entries(openapiPaths)].sort(([a], [b]) => a.localeCompare(b))),
      'x-amazon-apigateway-gateway-responses': gatewayResponses,
    },
  };
  Object.assign(resources['aws_api_gateway_rest_api'][apiName!], {
    body: '${jsonencode(local.openapi)}',
    put_rest_api_mode: 'overwrite',
  });
  for (const deployment of Object.values(resources['aws_api_gateway_deployment'] as Obj))
    deployment.triggers = { redeployment: `\${sha1(${api}.body)}` };
  const left = JSON.stringify(doc).match(/aws_api_gateway_(resource|method|integration|gateway_response)\w*\.\w+/);
  if (left) throw new Error(`the converted module still references ${left[0]}`);
  return removed;
}

/** A path item with its path parameters declared, as API Gateway exports them. */
function pathParameters(p: string): Obj {
  const names = [...p.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
  return names.length === 0
    ? {}
    : { parameters: names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) };
}

/**
 * Edits a module generated as JSON (`main.tf.json`) as someone editing it by hand would: `edit` gets the OpenAPI
 * document the body encodes (`local.openapi`, its strings still Terraform templates) and the whole document.
 */
export function editOpenApi(dir: string, edit: (openapi: Obj, doc: Obj) => void): void {
  const file = path.join(dir, 'main.tf.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  edit(doc.locals.openapi, doc);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
