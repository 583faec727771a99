/**
 * Rewrites a per-resource REST module into the shape the REST API moves to: the whole API as an OpenAPI 3.0
 * document in `aws_api_gateway_rest_api.body` with `put_rest_api_mode = "overwrite"`, a deployment whose
 * `triggers` hash the body, and `removed` blocks (destroy = false) for the per-resource addresses. The harness
 * uses it to check itself: a module of that shape must pass the scenarios the per-resource module fails, so a
 * failure of the generator's own module is the module's and not the harness's.
 *
 * API Gateway extensions: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readModule, type RawBody, type RawValue } from '../../src/terraform/document.js';
import { moduleFiles } from './replica.js';

const PER_RESOURCE = [
  'aws_api_gateway_resource',
  'aws_api_gateway_method',
  'aws_api_gateway_method_response',
  'aws_api_gateway_integration',
  'aws_api_gateway_integration_response',
  'aws_api_gateway_gateway_response',
];

/**
 * Writes the OpenAPI-body version of the per-resource REST module in `from` to `to`. `forget`: declare the
 * per-resource addresses in `removed { lifecycle { destroy = false } }` blocks (the contract); otherwise they are
 * left to Terraform, which destroys them as orphans.
 */
export async function toOpenApiModule(from: string, to: string, forget = true): Promise<void> {
  const doc = await readModule(moduleFiles(from).filter(([f]) => f === 'main.tf'));
  const named = (type: string, ref: RawValue | undefined, attr: string): RawBody | undefined => {
    const m = new RegExp(`^\\$\\{${type}\\.([a-z0-9_]+)\\.${attr}\\}$`).exec(String(ref));
    return m ? doc.resources.get(`${type}.${m[1]}`)?.body : undefined;
  };
  const pathOf = (resourceRef: RawValue | undefined): string => {
    const res = named('aws_api_gateway_resource', resourceRef, 'id');
    if (!res) return '';
    return `${pathOf(res.parent_id)}/${String(res.path_part)}`;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const m of doc.ofType('aws_api_gateway_method')) {
    const p = pathOf(m.body.resource_id) || '/';
    const methodRef = `\${aws_api_gateway_method.${m.name}.http_method}`;
    const integration = doc.ofType('aws_api_gateway_integration').find((i) => i.body.http_method === methodRef)?.body;
    const response = doc
      .ofType('aws_api_gateway_integration_response')
      .find((i) => i.body.http_method === methodRef)?.body;
    const item = (paths[p] ??= {});
    const params = [...p.matchAll(/\{([^}+]+)\+?\}/g)].map((g) => ({
      name: g[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (params.length) item.parameters = params;
    item[String(m.body.http_method).toLowerCase()] =
      integration?.type === 'MOCK'
        ? {
            summary: 'CORS preflight',
            responses: { '204': { description: 'CORS preflight' } },
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: integration.request_templates,
              passthroughBehavior: 'when_no_match',
              responses: {
                default: {
                  statusCode: '204',
                  responseParameters: response?.response_parameters ?? {},
                  responseTemplates: response?.response_templates ?? {},
                },
              },
            },
          }
        : {
            responses: { default: { description: "The Lambda function's answer" } },
            'x-amazon-apigateway-integration': {
              type: 'aws_proxy',
              httpMethod: 'POST',
              uri: integration?.uri,
              passthroughBehavior: 'when_no_match',
            },
          };
  }
  const gatewayResponses: Record<string, unknown> = {};
  for (const g of doc.ofType('aws_api_gateway_gateway_response'))
    gatewayResponses[String(g.body.response_type)] = {
      responseParameters: g.body.response_parameters,
      responseTemplates: g.body.response_templates,
    };

  const resources: Record<string, Record<string, unknown>> = {};
  for (const block of doc.resources.values()) {
    if (PER_RESOURCE.includes(block.type)) continue;
    let body: RawBody = block.body;
    if (block.type === 'aws_api_gateway_rest_api')
      body = { ...body, body: '${jsonencode(local.openapi)}', put_rest_api_mode: 'overwrite' };
    if (block.type === 'aws_api_gateway_deployment')
      body = { ...body, triggers: { redeployment: '${sha1(aws_api_gateway_rest_api.api.body)}' } };
    (resources[block.type] ??= {})[block.name] = body;
  }
  const data: Record<string, Record<string, unknown>> = {};
  for (const block of doc.data.values()) (data[block.type] ??= {})[block.name] = block.body;
  const locals: Record<string, unknown> = Object.fromEntries([...doc.locals].map(([k, v]) => [k, v.value]));
  locals.openapi = {
    openapi: '3.0.1',
    info: { title: '${var.name_prefix}', version: '1' },
    paths,
    'x-amazon-apigateway-gateway-responses': gatewayResponses,
  };
  const removed = [...doc.resources.values()]
    .filter((b) => PER_RESOURCE.includes(b.type))
    .map((b) => ({ from: b.address, lifecycle: { destroy: false } }));

  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from))
    if (f !== 'main.tf' && (f.endsWith('.tf') || f === 'lambda' || f === 'stages'))
      cpSync(path.join(from, f), path.join(to, f), { recursive: true });
  const main = { locals, data, resource: resources, ...(forget ? { removed } : {}) };
  writeFileSync(path.join(to, 'main.tf.json'), `${JSON.stringify(main, null, 1)}\n`);
}
