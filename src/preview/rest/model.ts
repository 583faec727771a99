/**
 * A REST API (API Gateway v1) as the module deploys it, evaluated into plain data: the resource tree with its
 * methods, integrations and integration responses (VTL compiled), the gateway responses and the stages with
 * their variables. Everything the preview refuses to emulate, and configurations AWS rejects at apply time, are
 * refused here, before the preview serves anything.
 *
 * Deployment snapshot: a stage serves the configuration of its deployment, and a deployment is replaced only
 * when its `triggers` change. The preview models one `terraform apply` of the module as it is on disk, so the
 * stage serves every resource; it warns about API resources the deployment's triggers do not cover, because a
 * later change to those would not reach the stage on AWS.
 */
import { ModuleError } from '../errors.js';
import { referencedAddresses, type HclValue } from '../../terraform/expression/ast.js';
import type { FunctionModel } from '../module/functions.js';
import type { AddressedBlock } from '../module/load.js';
import type { ModuleResolver } from '../module/resolve.js';
import { byMethodOrder, type RouteInfo } from '../module/routes.js';
import { asMap, planGatewayResponses, type GatewayResponsesModel } from './gateway-responses.js';
import { compileTemplate, type CompiledTemplate } from './vtl.js';

/** Arguments of each resource type the preview emulates; anything else set on them is refused. */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  aws_api_gateway_rest_api: new Set([
    'name',
    'description',
    'tags',
    'endpoint_configuration',
    'region',
    'api_key_source',
    'minimum_compression_size',
    'fail_on_warnings',
    'put_rest_api_mode',
  ]),
  aws_api_gateway_resource: new Set(['rest_api_id', 'parent_id', 'path_part', 'region']),
  aws_api_gateway_method: new Set([
    'rest_api_id',
    'resource_id',
    'http_method',
    'authorization',
    'api_key_required',
    'operation_name',
    'request_parameters',
    'request_models',
    'region',
  ]),
  aws_api_gateway_method_response: new Set([
    'rest_api_id',
    'resource_id',
    'http_method',
    'status_code',
    'response_parameters',
    'response_models',
    'region',
  ]),
  aws_api_gateway_integration: new Set([
    'rest_api_id',
    'resource_id',
    'http_method',
    'type',
    'integration_http_method',
    'uri',
    'request_templates',
    'passthrough_behavior',
    'content_handling',
    'timeout_milliseconds',
    'connection_type',
    'region',
  ]),
  aws_api_gateway_integration_response: new Set([
    'rest_api_id',
    'resource_id',
    'http_method',
    'status_code',
    'selection_pattern',
    'response_parameters',
    'response_templates',
    'content_handling',
    'region',
  ]),
  aws_api_gateway_gateway_response: new Set([
    'rest_api_id',
    'response_type',
    'status_code',
    'response_parameters',
    'response_templates',
    'region',
  ]),
  aws_api_gateway_deployment: new Set(['rest_api_id', 'triggers', 'description', 'region']),
  aws_api_gateway_stage: new Set([
    'rest_api_id',
    'stage_name',
    'deployment_id',
    'description',
    'tags',
    'variables',
    'xray_tracing_enabled',
    'access_log_settings',
    'cache_cluster_enabled',
    'cache_cluster_size',
    'documentation_version',
    'client_certificate_id',
    'region',
  ]),
};
const META = new Set(['depends_on', 'lifecycle', 'provider']);

export interface MethodModel {
  readonly address: string;
  readonly httpMethod: string;
  readonly integration: IntegrationModel;
  readonly methodResponses: ReadonlySet<string>;
}

export type MockIntegration = {
  readonly kind: 'MOCK';
  readonly address: string;
  readonly requestTemplates: ReadonlyMap<string, CompiledTemplate>;
  readonly passthrough: string;
  readonly responses: readonly IntegrationResponseModel[];
};

export type ProxyIntegration = {
  readonly kind: 'AWS_PROXY';
  readonly address: string;
  readonly fn: FunctionModel;
  readonly timeoutMs: number;
};

export type IntegrationModel = MockIntegration | ProxyIntegration;

export interface IntegrationResponseModel {
  readonly address: string;
  readonly statusCode: string;
  readonly selectionPattern?: RegExp;
  /** Header name (as in `method.response.header.<Name>`) and its static value. */
  readonly headers: readonly (readonly [string, string])[];
  readonly templates: ReadonlyMap<string, CompiledTemplate>;
}

export interface ResourceModel {
  readonly id: string;
  readonly address: string | undefined;
  /** `orders`, `{orderId}` or `{proxy+}`; empty for the root. */
  readonly part: string;
  /** `/orders/{orderId}`. */
  readonly path: string;
  readonly children: readonly ResourceModel[];
  readonly methods: ReadonlyMap<string, MethodModel>;
}

export interface StageModel {
  readonly address: string;
  readonly variables: Readonly<Record<string, string>> | null;
}

export interface RestApiModel {
  readonly kind: 'rest';
  readonly address: string;
  readonly apiId: string;
  /** `arn:aws:execute-api:...`: the prefix of the source ARN a Lambda permission is checked against. */
  readonly executionArn: string;
  readonly root: ResourceModel;
  /** By stage name, in declaration order; the first is the one the preview advertises. */
  readonly stages: ReadonlyMap<string, StageModel>;
  readonly gatewayResponses: GatewayResponsesModel;
  readonly routes: readonly RouteInfo[];
  readonly warnings: readonly string[];
}

type MutableResource = Omit<ResourceModel, 'children' | 'methods'> & {
  children: MutableResource[];
  methods: Map<string, MethodModel>;
};

export function planRestApi(r: ModuleResolver, functions: ReadonlyMap<string, FunctionModel>): RestApiModel {
  const apis = r.ofType('aws_api_gateway_rest_api');
  if (apis.length !== 1)
    throw new ModuleError(
      `the preview emulates a module with one aws_api_gateway_rest_api; this one has ${apis.length}`,
    );
  const api = apis[0]!;
  const apiId = r.attribute(api.address, 'id') as string;
  const warnings: string[] = [];
  const mine = (b: AddressedBlock) => r.attribute(b.address, 'rest_api_id') === apiId;
  const str = (b: AddressedBlock, attr: string): string => {
    const v = r.attribute(b.address, attr);
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new ModuleError(`${attr} must be a string`, { file: b.file, address: `${b.address}.${attr}` });
    return String(v);
  };

  for (const block of r.doc.resources.values()) {
    if (!block.type.startsWith('aws_api_gateway_')) continue;
    const allowed = ALLOWED[block.type];
    if (!allowed)
      throw new ModuleError(`${block.type} is not emulated by the preview`, {
        file: block.file,
        address: block.address,
      });
    for (const arg of Object.keys(block.body)) {
      if (!allowed.has(arg) && !META.has(arg))
        throw new ModuleError(`"${arg}" is not emulated by the preview`, {
          file: block.file,
          address: `${block.address}.${arg}`,
        });
    }
  }
  for (const attr of ['body', 'binary_media_types', 'policy', 'disable_execute_api_endpoint']) {
    if (attr in api.body)
      throw new ModuleError(`"${attr}" is not emulated by the preview`, {
        file: api.file,
        address: `${api.address}.${attr}`,
      });
  }

  // Resource tree.
  const root: MutableResource = {
    id: r.attribute(api.address, 'root_resource_id') as string,
    address: undefined,
    part: '',
    path: '/',
    children: [],
    methods: new Map(),
  };
  const nodes = new Map<string, MutableResource>([[root.id, root]]);
  const pending = r.ofType('aws_api_gateway_resource').filter(mine);
  while (pending.length > 0) {
    const i = pending.findIndex((b) => nodes.has(str(b, 'parent_id')));
    if (i < 0) {
      const b = pending[0]!;
      throw new ModuleError(`parent_id ${JSON.stringify(str(b, 'parent_id'))} is not a resource of this API`, {
        file: b.file,
        address: `${b.address}.parent_id`,
      });
    }
    const b = pending.splice(i, 1)[0]!;
    const parent = nodes.get(str(b, 'parent_id'))!;
    const part = str(b, 'path_part');
    if (!/^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9._-]+\+?\})$/.test(part))
      throw new ModuleError(`path_part "${part}" is not a path segment`, {
        file: b.file,
        address: `${b.address}.path_part`,
      });
    if (parent.children.some((c) => c.part === part))
      throw new ModuleError(`a second resource "${part}" under ${parent.path}`, { file: b.file, address: b.address });
    const node: MutableResource = {
      id: r.attribute(b.address, 'id') as string,
      address: b.address,
      part,
      path: `${parent.path === '/' ? '' : parent.path}/${part}`,
      children: [],
      methods: new Map(),
    };
    parent.children.push(node);
    nodes.set(node.id, node);
  }

  const key = (b: AddressedBlock) => `${str(b, 'resource_id')} ${str(b, 'http_method')}`;
  const integrations = new Map(
    r
      .ofType('aws_api_gateway_integration')
      .filter(mine)
      .map((b) => [key(b), b] as const),
  );
  const methodResponses = new Map<string, Set<string>>();
  const methodResponseHeaders = new Map<string, Set<string>>();
  for (const b of r.ofType('aws_api_gateway_method_response').filter(mine)) {
    const status = str(b, 'status_code');
    (methodResponses.get(key(b)) ?? methodResponses.set(key(b), new Set()).get(key(b))!).add(status);
    methodResponseHeaders.set(
      `${key(b)} ${status}`,
      new Set(Object.keys(asMap(r.optional(b.address, 'response_parameters', {}), b)).map((k) => k.toLowerCase())),
    );
  }
  const integrationResponses = new Map<string, AddressedBlock[]>();
  for (const b of r.ofType('aws_api_gateway_integration_response').filter(mine))
    (integrationResponses.get(key(b)) ?? integrationResponses.set(key(b), []).get(key(b))!).push(b);

  for (const b of r.ofType('aws_api_gateway_method').filter(mine)) {
    const node = nodes.get(str(b, 'resource_id'));
    if (!node)
      throw new ModuleError('resource_id is not a resource of this API', {
        file: b.file,
        address: `${b.address}.resource_id`,
      });
    const httpMethod = str(b, 'http_method');
    if (node.methods.has(httpMethod))
      throw new ModuleError(`a second ${httpMethod} method on ${node.path}`, { file: b.file, address: b.address });
    if (r.attribute(b.address, 'authorization') !== 'NONE')
      throw new ModuleError('the preview emulates methods with authorization = "NONE" only', {
        file: b.file,
        address: `${b.address}.authorization`,
      });
    if (r.optional(b.address, 'api_key_required', false) === true)
      throw new ModuleError('API keys are not emulated by the preview', {
        file: b.file,
        address: `${b.address}.api_key_required`,
      });
    const integrationBlock = integrations.get(key(b));
    // AWS refuses the deployment: "BadRequestException: No integration defined for method"
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html).
    if (!integrationBlock)
      throw new ModuleError(
        `${httpMethod} ${node.path} has no aws_api_gateway_integration; creating the deployment fails on AWS with "No integration defined for method"`,
        { file: b.file, address: b.address },
      );
    const responses = methodResponses.get(key(b)) ?? new Set<string>();
    const integration = planIntegration(
      r,
      integrationBlock,
      key(b),
      responses,
      methodResponseHeaders,
      integrationResponses.get(key(b)) ?? [],
      functions,
    );
    node.methods.set(httpMethod, { address: b.address, httpMethod, integration, methodResponses: responses });
  }
  for (const [k, b] of integrations) {
    const [resourceId, httpMethod] = k.split(' ');
    if (!nodes.get(resourceId!)?.methods.has(httpMethod!))
      throw new ModuleError(
        `the integration's method does not exist; AWS answers "NotFoundException: Invalid Method identifier specified"`,
        { file: b.file, address: b.address },
      );
  }

  const gatewayResponses = planGatewayResponses(r, apiId);

  // Stages and their deployments.
  const stages = new Map<string, StageModel>();
  for (const s of r.ofType('aws_api_gateway_stage').filter(mine)) {
    const deploymentId = str(s, 'deployment_id');
    const deployment = r
      .ofType('aws_api_gateway_deployment')
      .find((d) => r.attribute(d.address, 'id') === deploymentId);
    if (!deployment || !mine(deployment))
      throw new ModuleError('deployment_id is not a deployment of this API', {
        file: s.file,
        address: `${s.address}.deployment_id`,
      });
    checkTriggers(r, deployment, apiId, warnings);
    const vars = r.optional(s.address, 'variables');
    stages.set(str(s, 'stage_name'), {
      address: s.address,
      variables:
        vars === null ? null : Object.fromEntries(Object.entries(asMap(vars, s)).map(([k, v]) => [k, String(v)])),
    });
  }
  if (stages.size === 0)
    throw new ModuleError(
      `${api.address} has no aws_api_gateway_stage; a REST API is reachable only through a deployed stage`,
      { file: api.file, address: api.address },
    );

  const routes: RouteInfo[] = [];
  const walk = (n: ResourceModel) => {
    const methods = [...n.methods.keys()].filter((m) => m !== 'OPTIONS').sort(byMethodOrder);
    if (methods.length > 0 || n.methods.has('OPTIONS'))
      routes.push({ path: n.path, methods, options: n.methods.has('OPTIONS') });
    n.children.forEach(walk);
  };
  walk(root);
  routes.sort((a, b) => a.path.localeCompare(b.path));

  return {
    kind: 'rest',
    address: api.address,
    apiId,
    executionArn: r.attribute(api.address, 'execution_arn') as string,
    root,
    stages,
    gatewayResponses,
    routes,
    warnings,
  };
}

function planIntegration(
  r: ModuleResolver,
  b: AddressedBlock,
  methodKey: string,
  methodResponses: ReadonlySet<string>,
  methodResponseHeaders: ReadonlyMap<string, ReadonlySet<string>>,
  responses: readonly AddressedBlock[],
  functions: ReadonlyMap<string, FunctionModel>,
): IntegrationModel {
  const where = { file: b.file, address: b.address };
  const type = r.attribute(b.address, 'type');
  if (type === 'AWS_PROXY') {
    if (r.optional(b.address, 'integration_http_method') !== 'POST') {
      throw new ModuleError(
        'integration_http_method must be "POST" for a Lambda proxy integration (Lambda is invoked with POST only)',
        { ...where, address: `${b.address}.integration_http_method` },
      );
    }
    const uri = r.attribute(b.address, 'uri');
    const fn = [...functions.values()].find((f) => f.invokeArn === uri);
    if (!fn)
      throw new ModuleError(`uri ${JSON.stringify(uri)} is not the invoke_arn of a Lambda function in the module`, {
        ...where,
        address: `${b.address}.uri`,
      });
    const timeout = r.optional(b.address, 'timeout_milliseconds', 29_000);
    return { kind: 'AWS_PROXY', address: b.address, fn, timeoutMs: typeof timeout === 'number' ? timeout : 29_000 };
  }
  if (type !== 'MOCK')
    throw new ModuleError(
      `integration type ${JSON.stringify(type)} is not emulated by the preview (it emulates MOCK and AWS_PROXY)`,
      { ...where, address: `${b.address}.type` },
    );
  const contentHandling = r.optional(b.address, 'content_handling');
  if (contentHandling !== null && contentHandling !== 'CONVERT_TO_TEXT')
    throw new ModuleError(`content_handling ${JSON.stringify(contentHandling)} is not emulated by the preview`, where);
  const requestTemplates = new Map<string, CompiledTemplate>();
  for (const [ct, t] of Object.entries(asMap(r.optional(b.address, 'request_templates', {}), where))) {
    requestTemplates.set(
      ct.toLowerCase(),
      compileTemplate(String(t), { ...where, address: `${b.address}.request_templates["${ct}"]` }),
    );
  }
  const passthrough = r.optional(b.address, 'passthrough_behavior', 'WHEN_NO_MATCH');
  if (requestTemplates.size > 0 && !('passthrough_behavior' in b.body)) {
    throw new ModuleError(
      'passthrough_behavior is required when request_templates is set (the provider refuses the plan otherwise)',
      where,
    );
  }
  const irs: IntegrationResponseModel[] = responses.map((ir) => {
    const irWhere = { file: ir.file, address: ir.address };
    const status = String(r.attribute(ir.address, 'status_code') as HclValue);
    // "Invalid mapping expression ... No method response exists for method." (https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegrationResponse.html)
    if (!methodResponses.has(status))
      throw new ModuleError(
        `status_code ${status} has no aws_api_gateway_method_response; AWS refuses it ("No method response exists for method")`,
        irWhere,
      );
    const declared = methodResponseHeaders.get(`${methodKey} ${status}`) ?? new Set<string>();
    const headers: [string, string][] = [];
    for (const [k, v] of Object.entries(asMap(r.optional(ir.address, 'response_parameters', {}), irWhere))) {
      const m = /^method\.response\.header\.(.+)$/.exec(k);
      if (!m)
        throw new ModuleError(
          `response parameter ${k} is not supported by the preview (it emulates method.response.header.*)`,
          irWhere,
        );
      // AWS: "Invalid mapping expression specified: ... Invalid mapping expression parameter specified: method.response.header.X"
      if (!declared.has(k.toLowerCase()))
        throw new ModuleError(
          `${k} is not declared in the method response for ${status}; AWS refuses it with "Invalid mapping expression parameter specified: ${k}"`,
          irWhere,
        );
      const value = typeof v === 'string' ? /^'(.*)'$/s.exec(v) : null;
      if (!value)
        throw new ModuleError(
          `Invalid mapping expression specified: ${String(v)} (the value of ${k}); the preview emulates static values in single quotes`,
          irWhere,
        );
      headers.push([m[1]!, value[1]!]);
    }
    const templates = new Map<string, CompiledTemplate>();
    for (const [ct, t] of Object.entries(asMap(r.optional(ir.address, 'response_templates', {}), irWhere))) {
      templates.set(
        ct.toLowerCase(),
        compileTemplate(String(t), { ...irWhere, address: `${ir.address}.response_templates["${ct}"]` }),
      );
    }
    const pattern = r.optional(ir.address, 'selection_pattern');
    let selectionPattern: RegExp | undefined;
    if (typeof pattern === 'string' && pattern !== '') {
      try {
        selectionPattern = new RegExp(`^(?:${pattern})$`);
      } catch (e) {
        throw new ModuleError(`selection_pattern is not a valid regular expression: ${(e as Error).message}`, irWhere);
      }
    }
    return {
      address: ir.address,
      statusCode: status,
      ...(selectionPattern ? { selectionPattern } : {}),
      headers,
      templates,
    };
  });
  return { kind: 'MOCK', address: b.address, requestTemplates, passthrough: String(passthrough), responses: irs };
}

/** Warns about API resources a deployment's triggers do not cover (their changes would not be redeployed). */
function checkTriggers(r: ModuleResolver, deployment: AddressedBlock, apiId: string, warnings: string[]): void {
  const triggers = deployment.body['triggers'];
  const covered = new Set<string>();
  const collect = (raw: unknown) => {
    if (typeof raw === 'string')
      for (const a of referencedAddresses(
        r.expression(raw, { file: deployment.file, address: `${deployment.address}.triggers` }),
      ))
        covered.add(a);
    else if (raw && typeof raw === 'object') Object.values(raw).forEach(collect);
  };
  collect(triggers);
  // Evaluated too, so a trigger that would fail in Terraform fails here.
  if (triggers !== undefined) r.attribute(deployment.address, 'triggers');
  const types = [
    'aws_api_gateway_resource',
    'aws_api_gateway_method',
    'aws_api_gateway_method_response',
    'aws_api_gateway_integration',
    'aws_api_gateway_integration_response',
    'aws_api_gateway_gateway_response',
  ];
  const missing = types
    .flatMap((t) => r.ofType(t))
    .filter((b) => r.attribute(b.address, 'rest_api_id') === apiId && !covered.has(b.address));
  if (triggers === undefined)
    warnings.push(
      `${deployment.address} has no triggers: after the first apply, no change to the API would be redeployed to its stage`,
    );
  else if (missing.length > 0)
    warnings.push(
      `${deployment.address}: its triggers do not cover ${missing.map((b) => b.address).join(', ')}; on AWS a later change to them would not reach the stage until something else triggers a new deployment`,
    );
}
