/**
 * An HTTP API (API Gateway v2) as the module deploys it, evaluated into plain data: its routes with their Lambda
 * proxy integrations, its CORS configuration and its one stage. What the preview refuses to emulate is refused
 * here, before the preview serves anything.
 */
import { authorizerFunctionArn, permittedAuthorizers, type GuardModel } from '../authorizers.js';
import { ModuleError } from '../errors.js';
import type { FunctionModel } from '../module/functions.js';
import { CUSTOM_DOMAIN_TYPES, type AddressedBlock } from '../module/load.js';
import type { ModuleResolver } from '../module/resolve.js';
import { byMethodOrder, type RouteInfo } from '../module/routes.js';
import { serviceCors, type ServiceCors } from '../service-cors.js';

const ALLOWED: Record<string, ReadonlySet<string>> = {
  aws_apigatewayv2_api: new Set([
    'name',
    'protocol_type',
    'cors_configuration',
    'tags',
    'description',
    'version',
    'route_selection_expression',
    'api_key_selection_expression',
    'ip_address_type',
    'fail_on_warnings',
    'region',
  ]),
  aws_apigatewayv2_integration: new Set([
    'api_id',
    'integration_type',
    'integration_uri',
    'integration_method',
    'payload_format_version',
    'timeout_milliseconds',
    'description',
    'connection_type',
    'region',
  ]),
  aws_apigatewayv2_route: new Set([
    'api_id',
    'route_key',
    'target',
    'authorization_type',
    'authorizer_id',
    'operation_name',
    'api_key_required',
    'region',
  ]),
  aws_apigatewayv2_authorizer: new Set([
    'api_id',
    'name',
    'authorizer_type',
    'identity_sources',
    'jwt_configuration',
    'authorizer_uri',
    'authorizer_payload_format_version',
    'authorizer_result_ttl_in_seconds',
    'enable_simple_responses',
    'authorizer_credentials_arn',
    'region',
  ]),
  aws_apigatewayv2_stage: new Set([
    'api_id',
    'name',
    'auto_deploy',
    'tags',
    'description',
    'default_route_settings',
    'access_log_settings',
    'stage_variables',
    'deployment_id',
    'region',
  ]),
};
const META = new Set(['depends_on', 'lifecycle', 'provider']);

export interface HttpRouteModel {
  readonly key: string;
  readonly method: string;
  /** Undefined for `$default`. */
  readonly segments?: readonly string[];
  readonly fn: FunctionModel;
  readonly payload: '1.0' | '2.0';
  readonly timeoutMs: number;
  /** The JWT or Lambda authorizer, or AWS_IAM, guarding the route; undefined when open. */
  readonly guard?: GuardModel;
}

export interface HttpApiModel {
  readonly kind: 'http';
  readonly address: string;
  readonly apiId: string;
  /** `arn:aws:execute-api:...`: the prefix of the source ARN a Lambda permission is checked against. */
  readonly executionArn: string;
  readonly stageName: string;
  /** `""` for `$default`, else `/<stage>`. */
  readonly basePath: string;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly routeModels: readonly HttpRouteModel[];
  readonly routes: readonly RouteInfo[];
  readonly cors: ServiceCors | undefined;
  /** The Lambda authorizer functions the module lets this API invoke (see permittedAuthorizers). */
  readonly authorizersPermitted: ReadonlySet<string>;
  readonly warnings: readonly string[];
}

export function planHttpApi(r: ModuleResolver, functions: ReadonlyMap<string, FunctionModel>): HttpApiModel {
  const apis = r.ofType('aws_apigatewayv2_api');
  if (apis.length !== 1)
    throw new ModuleError(`the preview emulates a module with one aws_apigatewayv2_api; this one has ${apis.length}`);
  const api = apis[0]!;
  for (const block of r.doc.resources.values()) {
    if (!block.type.startsWith('aws_apigatewayv2_')) continue;
    // The custom domain: the preview serves the API on its own local origin (see CUSTOM_DOMAIN_TYPES).
    if (CUSTOM_DOMAIN_TYPES.has(block.type)) continue;
    const allowed = ALLOWED[block.type];
    if (!allowed)
      throw new ModuleError(`${block.type} is not emulated by the preview`, {
        file: block.file,
        address: block.address,
      });
    for (const arg of Object.keys(block.body))
      if (!allowed.has(arg) && !META.has(arg))
        throw new ModuleError(`"${arg}" is not emulated by the preview`, {
          file: block.file,
          address: `${block.address}.${arg}`,
        });
  }
  if (r.attribute(api.address, 'protocol_type') !== 'HTTP')
    throw new ModuleError('the preview emulates protocol_type = "HTTP"', {
      file: api.file,
      address: `${api.address}.protocol_type`,
    });
  const apiId = r.attribute(api.address, 'id') as string;
  const mine = (b: AddressedBlock) => r.attribute(b.address, 'api_id') === apiId;
  const corsBlock = r.nested(api.address, 'cors_configuration');
  const cors = corsBlock
    ? serviceCors(corsBlock, { file: api.file, address: `${api.address}.cors_configuration` })
    : undefined;

  const stages = r.ofType('aws_apigatewayv2_stage').filter(mine);
  if (stages.length !== 1)
    throw new ModuleError(`the preview emulates an HTTP API with one stage; ${api.address} has ${stages.length}`, {
      file: api.file,
      address: api.address,
    });
  const stage = stages[0]!;
  const stageName = r.attribute(stage.address, 'name') as string;
  if (r.optional(stage.address, 'auto_deploy', false) !== true && r.optional(stage.address, 'deployment_id') === null) {
    throw new ModuleError(
      'the stage has auto_deploy = false and no deployment: nothing is deployed to it, so every request would be "Not Found"',
      { file: stage.file, address: stage.address },
    );
  }
  const stageVariables = r.optional(stage.address, 'stage_variables') as Record<string, string> | null;

  const integrations = new Map<string, AddressedBlock>(
    r
      .ofType('aws_apigatewayv2_integration')
      .filter(mine)
      .map((b) => [r.attribute(b.address, 'id') as string, b]),
  );
  const routes: HttpRouteModel[] = [];
  for (const b of r.ofType('aws_apigatewayv2_route').filter(mine)) {
    const where = { file: b.file, address: b.address };
    const key = r.attribute(b.address, 'route_key');
    if (typeof key !== 'string') throw new ModuleError('route_key must be a string', where);
    const guard = routeGuard(r, b, apiId);
    const target = r.optional(b.address, 'target');
    const m = typeof target === 'string' ? /^integrations\/(.+)$/.exec(target) : null;
    // A route without an integration answers 500 on AWS; a module that forgets it is refused here (assumed).
    if (!m || !integrations.has(m[1]!))
      throw new ModuleError(
        `target ${JSON.stringify(target)} is not "integrations/<id>" of an integration of this API`,
        where,
      );
    const integration = integrations.get(m[1]!)!;
    const iw = { file: integration.file, address: integration.address };
    if (r.attribute(integration.address, 'integration_type') !== 'AWS_PROXY')
      throw new ModuleError('the preview emulates AWS_PROXY integrations only', iw);
    if (r.optional(integration.address, 'integration_method', 'POST') !== 'POST')
      throw new ModuleError('integration_method must be "POST" for a Lambda proxy integration', iw);
    const uri = r.attribute(integration.address, 'integration_uri');
    const fn = [...functions.values()].find((f) => f.invokeArn === uri || f.names.has(String(uri)));
    if (!fn) throw new ModuleError(`integration_uri ${JSON.stringify(uri)} is not a Lambda function of the module`, iw);
    // Terraform's default is 1.0
    // (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_integration#payload_format_version);
    // the event shape follows it.
    const payload = r.optional(integration.address, 'payload_format_version', '1.0');
    if (payload !== '1.0' && payload !== '2.0')
      throw new ModuleError(`payload_format_version ${JSON.stringify(payload)} is not 1.0 or 2.0`, iw);
    const timeout = r.optional(integration.address, 'timeout_milliseconds', 30_000);
    if (key === '$default') {
      routes.push({ key, method: 'ANY', fn, payload, timeoutMs: Number(timeout), ...(guard ? { guard } : {}) });
      continue;
    }
    const km = /^([A-Z]+|ANY) (\/.*)$/.exec(key);
    if (!km) throw new ModuleError(`route_key ${JSON.stringify(key)} is not "<METHOD> /<path>" or "$default"`, where);
    const segments = km[2] === '/' ? [] : km[2]!.split('/').slice(1);
    if (segments.some((s, i) => s === '' || (/\+\}$/.test(s) && i !== segments.length - 1)))
      throw new ModuleError(
        `route_key ${JSON.stringify(key)} has an empty segment or a greedy segment before the end`,
        where,
      );
    if (routes.some((x) => x.key === key)) throw new ModuleError(`a second route ${key}`, where);
    routes.push({
      key,
      method: km[1]!,
      segments,
      fn,
      payload,
      timeoutMs: Number(timeout),
      ...(guard ? { guard } : {}),
    });
  }

  const byPath = new Map<string, string[]>();
  for (const route of routes)
    if (route.segments)
      (
        byPath.get(`/${route.segments.join('/')}`) ??
        byPath.set(`/${route.segments.join('/')}`, []).get(`/${route.segments.join('/')}`)!
      ).push(route.method);
  const routeInfo: RouteInfo[] = [...byPath]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, methods]) => ({
      path,
      methods: methods.filter((m) => m !== 'OPTIONS').sort(byMethodOrder),
      options: methods.includes('OPTIONS'),
    }));
  const executionArn = r.attribute(api.address, 'execution_arn') as string;
  const authorizerArns = routes.flatMap((x) =>
    x.guard?.kind === 'token' && x.guard.functionArn ? [x.guard.functionArn] : [],
  );
  const authorizersPermitted = permittedAuthorizers(r, executionArn, authorizerArns);
  const warnings = [...new Set(authorizerArns)]
    .filter((arn) => !authorizersPermitted.has(arn))
    .map(
      (arn) =>
        `no aws_lambda_permission lets ${api.address}'s authorizers invoke ${arn}: on AWS every request it guards fails with 500`,
    );
  return {
    kind: 'http',
    address: api.address,
    apiId,
    executionArn,
    authorizersPermitted,
    stageName,
    basePath: stageName === '$default' ? '' : `/${stageName}`,
    stageVariables,
    routeModels: routes,
    routes: routeInfo,
    cors,
    warnings,
  };
}

/**
 * A route's `authorization_type` (NONE, JWT, CUSTOM or AWS_IAM) and the authorizer its `authorizer_id` names
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_route), as the
 * preview emulates it (../authorizers.ts): identity sources must be request headers.
 */
function routeGuard(r: ModuleResolver, route: AddressedBlock, apiId: string): GuardModel | undefined {
  const where = { file: route.file, address: `${route.address}.authorization_type` };
  const type = r.optional(route.address, 'authorization_type', 'NONE');
  if (type === 'NONE') return undefined;
  if (type === 'AWS_IAM') return { kind: 'iam' };
  if (type !== 'JWT' && type !== 'CUSTOM')
    throw new ModuleError(`authorization_type ${JSON.stringify(type)} is not NONE, JWT, CUSTOM or AWS_IAM`, where);
  const id = r.optional(route.address, 'authorizer_id');
  const authorizer = r
    .ofType('aws_apigatewayv2_authorizer')
    .find((a) => r.attribute(a.address, 'api_id') === apiId && r.attribute(a.address, 'id') === id);
  if (!authorizer)
    throw new ModuleError(`authorizer_id ${JSON.stringify(id)} is not an aws_apigatewayv2_authorizer of this API`, {
      ...where,
      address: `${route.address}.authorizer_id`,
    });
  const aw = { file: authorizer.file, address: authorizer.address };
  const authorizerType = r.attribute(authorizer.address, 'authorizer_type');
  if ((type === 'JWT') !== (authorizerType === 'JWT'))
    throw new ModuleError(
      `authorization_type ${type} does not match the authorizer's type ${JSON.stringify(authorizerType)}`,
      where,
    );
  const sources = r.optional(authorizer.address, 'identity_sources', ['$request.header.Authorization']);
  const headers = Array.isArray(sources)
    ? sources.map((s) => (typeof s === 'string' ? /^\$request\.header\.(.+)$/.exec(s)?.[1] : undefined))
    : [undefined];
  if (headers.length === 0 || headers.some((h) => h === undefined))
    throw new ModuleError(
      'the preview emulates authorizers whose identity sources are request headers ($request.header.X)',
      {
        ...aw,
        address: `${authorizer.address}.identity_sources`,
      },
    );
  const functionArn =
    type === 'CUSTOM' ? authorizerFunctionArn(r.optional(authorizer.address, 'authorizer_uri')) : undefined;
  return {
    kind: 'token',
    authorizer: type === 'JWT' ? 'jwt' : 'lambda',
    headers: headers as string[],
    ...(functionArn ? { functionArn } : {}),
  };
}
