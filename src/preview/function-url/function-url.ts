/**
 * A Lambda Function URL emulated from the module (../shared/research/apigw-semantics.md section D): every path
 * and method goes to the function with a payload 2.0 event; the `cors` block is the service's CORS (the
 * configured headers win over the function's); the function's resource policy must let the URL invoke it.
 */
import { randomUUID } from 'node:crypto';
import { ModuleError } from '../errors.js';
import { v2Event, v2Response } from '../events.js';
import { permitted, type ModuleFunction } from '../lambda/functions.js';
import type { ModuleResolver } from '../module/resolve.js';
import type { RouteInfo } from '../rest/rest-api.js';
import { lowerHeader, type PreviewRequest, type PreviewResponse } from '../server/http-server.js';
import { isPreflight, preflightResponse, serviceCors, withServiceCors, type ServiceCors } from '../service-cors.js';

const ALLOWED = new Set(['function_name', 'authorization_type', 'cors', 'qualifier', 'invoke_mode', 'region', 'timeouts']);

/** Function URL payload limit (6 MB, the synchronous invocation limit). */
export const FUNCTION_URL_MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface FunctionUrl {
  readonly kind: 'function-url';
  readonly address: string;
  readonly routes: readonly RouteInfo[];
  readonly cors: ServiceCors | undefined;
  readonly warnings: readonly string[];
  handle(request: PreviewRequest): Promise<PreviewResponse>;
}

const FORBIDDEN = 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html';

export function buildFunctionUrl(r: ModuleResolver, functions: ReadonlyMap<string, ModuleFunction>, log: (line: string) => void): FunctionUrl {
  const urls = r.ofType('aws_lambda_function_url');
  if (urls.length !== 1) throw new ModuleError(`the preview emulates a module with one aws_lambda_function_url; this one has ${urls.length}`);
  const url = urls[0]!;
  const where = { file: url.file, address: url.address };
  for (const arg of Object.keys(url.body)) if (!ALLOWED.has(arg) && !['depends_on', 'lifecycle', 'provider'].includes(arg)) throw new ModuleError(`"${arg}" is not emulated by the preview`, { ...where, address: `${url.address}.${arg}` });
  const auth = r.attribute(url.address, 'authorization_type');
  if (auth !== 'NONE') throw new ModuleError('the preview emulates authorization_type = "NONE" (a browser cannot sign requests for AWS_IAM)', { ...where, address: `${url.address}.authorization_type` });
  if (r.optional(url.address, 'invoke_mode', 'BUFFERED') !== 'BUFFERED') throw new ModuleError('invoke_mode RESPONSE_STREAM is not emulated by the preview', where);
  const name = String(r.attribute(url.address, 'function_name'));
  const fn = [...functions.values()].find((f) => f.names.has(name));
  if (!fn) throw new ModuleError(`function_name ${JSON.stringify(name)} is not a Lambda function of the module`, { ...where, address: `${url.address}.function_name` });
  const corsBlock = r.nested(url.address, 'cors');
  const cors = corsBlock ? serviceCors(corsBlock, { file: url.file, address: `${url.address}.cors` }) : undefined;

  const methods = cors ? cors.allowMethods.filter((m) => m !== '*' && m !== 'OPTIONS') : [];
  return { kind: 'function-url', address: url.address, routes: [{ path: '/', methods: methods.length > 0 ? methods : ['GET'], options: false }], cors, warnings: [], handle };

  async function handle(request: PreviewRequest): Promise<PreviewResponse> {
    const requestId = randomUUID();
    const base: [string, string][] = [['x-amzn-RequestId', requestId]];
    const respond = (response: PreviewResponse) => (cors ? withServiceCors(cors, request, response) : response);
    // Answered from the configuration without invoking the function (a third-party observation; assumed).
    if (cors && isPreflight(request)) return preflightResponse(cors, request, 200, base);
    // NONE needs lambda:InvokeFunctionUrl (the provider adds it) and, since Oct 2025, lambda:InvokeFunction
    // through the URL, which providers before 6.28 do not add: the module must grant it (research D).
    if (!permitted(r, fn!, { principal: '*', actions: ['lambda:InvokeFunction'], functionUrlAuthType: 'NONE', viaFunctionUrl: true })) {
      log(`${request.method} ${request.rawPath}: 403 AccessDeniedException: no aws_lambda_permission grants lambda:InvokeFunction to "*" for ${fn!.code.functionName}`);
      return respond({ status: 403, headers: [...base, ['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'AccessDeniedException']], body: JSON.stringify({ Message: FORBIDDEN }) });
    }
    if (request.body === undefined) return respond({ status: 413, headers: [...base, ['Content-Type', 'application/json']], body: JSON.stringify({ Message: `Request must be smaller than ${FUNCTION_URL_MAX_BODY_BYTES} bytes for the InvokeFunction operation` }) });
    const event = v2Event(request, { routeKey: '$default', stage: '$default', apiId: 'preview', domainName: lowerHeader(request, 'host') ?? '127.0.0.1', pathParameters: null, stageVariables: null }, requestId);
    const result = await fn!.pool.invoke(event, requestId);
    if (!result.ok) {
      if ('throttled' in result) return respond({ status: 429, headers: [...base, ['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'TooManyRequestsException']], body: JSON.stringify({ Message: 'Rate Exceeded.' }) });
      log(`${request.method} ${request.rawPath}: Lambda function error ${result.errorType}: ${result.errorMessage}`);
      return respond({ status: 502, headers: [...base, ['Content-Type', 'text/plain'], ['x-amzn-ErrorType', 'FunctionError']], body: 'Internal Server Error' });
    }
    const parsed = v2Response(result.payload);
    if (!parsed) {
      log(`${request.method} ${request.rawPath}: the Lambda function's response is malformed`);
      return respond({ status: 502, headers: [...base, ['Content-Type', 'text/plain']], body: 'Internal Server Error' });
    }
    return respond({ ...parsed, headers: [...parsed.headers, ...base] });
  }
}
