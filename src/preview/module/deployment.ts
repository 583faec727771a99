/**
 * A module evaluated the way one `terraform apply` would deploy it, as plain data: the API (REST API, HTTP API or
 * Function URL), the Lambda functions with their environment and resource policies, and the S3 website. Every
 * refusal (an expression the preview cannot evaluate, a resource it does not emulate, a configuration AWS would
 * reject) happens while planning; the emulators only read the result.
 */
import type { ApiKind } from '../../spec/model.js';
import { ModuleError } from '../errors.js';
import type { HclValue } from '../../terraform/expression/ast.js';
import { planFunctionUrl, type FunctionUrlModel } from '../function-url/model.js';
import { planHttpApi, type HttpApiModel } from '../http-api/model.js';
import { planRestApi, type RestApiModel } from '../rest/model.js';
import type { PreviewEnvironment } from './attributes.js';
import { planFunctions, type FunctionModel } from './functions.js';
import type { ModuleDocument } from './load.js';
import { ModuleResolver } from './resolve.js';
import { planSite, type SiteModel } from './site.js';

export type ApiModel = RestApiModel | HttpApiModel | FunctionUrlModel;

export interface Deployment {
  readonly api: ApiModel;
  /** By Terraform address. */
  readonly functions: ReadonlyMap<string, FunctionModel>;
  readonly site: SiteModel;
  /** The API's base URL: the module's `api_url` output when it points at the preview, else the API server's root (and stage). */
  readonly apiUrl: string;
  /** Problems worth knowing that do not stop the preview (stale deployment triggers, undeclared stage values, ...). */
  readonly warnings: readonly string[];
}

/** Which kind of API the module deploys; a module with none, or more than one kind, is refused. */
export function apiKind(doc: ModuleDocument): ApiKind {
  const types = new Set([...doc.resources.values()].map((r) => r.type));
  const kinds: ApiKind[] = [];
  if (types.has('aws_api_gateway_rest_api')) kinds.push('rest');
  if (types.has('aws_apigatewayv2_api')) kinds.push('http');
  if (types.has('aws_lambda_function_url')) kinds.push('function-url');
  if (kinds.length === 0)
    throw new ModuleError(
      'the module has no aws_api_gateway_rest_api, aws_apigatewayv2_api or aws_lambda_function_url: nothing to serve',
    );
  if (kinds.length > 1)
    throw new ModuleError(`the module has more than one kind of API (${kinds.join(', ')}); the preview serves one`);
  return kinds[0]!;
}

/**
 * Evaluates the module with the stage's variable values, the attributes AWS computes pointing at `env`. Every
 * expression is parsed first, so unsupported syntax anywhere is reported, and every variable's `validation`
 * runs, as `terraform plan` does.
 */
export function planDeployment(
  doc: ModuleDocument,
  env: PreviewEnvironment,
  stageValues: ReadonlyMap<string, HclValue>,
): Deployment {
  const kind = apiKind(doc);
  const r = new ModuleResolver(doc, env, stageValues);
  r.checkSyntax();
  r.validateVariables();
  const site = planSite(r);
  const functions = planFunctions(r);
  const api =
    kind === 'rest'
      ? planRestApi(r, functions)
      : kind === 'http'
        ? planHttpApi(r, functions)
        : planFunctionUrl(r, functions);
  return { api, functions, site, apiUrl: apiUrl(r, api, env.apiOrigin), warnings: [...r.warnings, ...api.warnings] };
}

/** The module's `api_url` output when it has one (it names the stage), else the API server's root. */
function apiUrl(r: ModuleResolver, api: ApiModel, origin: string): string {
  const output = r.doc.outputs.get('api_url');
  if (output && output.body['value'] !== undefined) {
    const v = r.evalRaw(output.body['value'], { file: output.file, address: 'output.api_url' });
    if (typeof v === 'string' && v.startsWith(origin)) return v.replace(/\/$/, '');
  }
  if (api.kind === 'rest') return `${origin}/${[...api.stages.keys()][0] ?? ''}`;
  if (api.kind === 'http') return `${origin}${api.basePath}`;
  return origin;
}
