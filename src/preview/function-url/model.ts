/**
 * A Lambda Function URL as the module configures it, evaluated into plain data: its function and its `cors`
 * block. What the preview refuses to emulate is refused here, before the preview serves anything.
 */
import { ModuleError } from '../errors.js';
import type { FunctionModel } from '../module/functions.js';
import type { ModuleResolver } from '../module/resolve.js';
import type { RouteInfo } from '../module/routes.js';
import { serviceCors, type ServiceCors } from '../service-cors.js';

const ALLOWED = new Set([
  'function_name',
  'authorization_type',
  'cors',
  'qualifier',
  'invoke_mode',
  'region',
  'timeouts',
]);

export interface FunctionUrlModel {
  readonly kind: 'function-url';
  readonly address: string;
  readonly fn: FunctionModel;
  /** authorization_type AWS_IAM: only SigV4-signed requests reach the function. */
  readonly iam: boolean;
  readonly routes: readonly RouteInfo[];
  readonly cors: ServiceCors | undefined;
  readonly warnings: readonly string[];
}

export function planFunctionUrl(r: ModuleResolver, functions: ReadonlyMap<string, FunctionModel>): FunctionUrlModel {
  const urls = r.ofType('aws_lambda_function_url');
  if (urls.length !== 1)
    throw new ModuleError(
      `the preview emulates a module with one aws_lambda_function_url; this one has ${urls.length}`,
    );
  const url = urls[0]!;
  const where = { file: url.file, address: url.address };
  for (const arg of Object.keys(url.body))
    if (!ALLOWED.has(arg) && !['depends_on', 'lifecycle', 'provider'].includes(arg))
      throw new ModuleError(`"${arg}" is not emulated by the preview`, { ...where, address: `${url.address}.${arg}` });
  // AWS_IAM: the preview checks that a request looks SigV4-signed (../authorizers.ts), not who signed it.
  const auth = r.attribute(url.address, 'authorization_type');
  if (auth !== 'NONE' && auth !== 'AWS_IAM')
    throw new ModuleError(`authorization_type ${JSON.stringify(auth)} is not NONE or AWS_IAM`, {
      ...where,
      address: `${url.address}.authorization_type`,
    });
  if (r.optional(url.address, 'invoke_mode', 'BUFFERED') !== 'BUFFERED')
    throw new ModuleError('invoke_mode RESPONSE_STREAM is not emulated by the preview', where);
  const name = String(r.attribute(url.address, 'function_name'));
  const fn = [...functions.values()].find((f) => f.names.has(name));
  if (!fn)
    throw new ModuleError(`function_name ${JSON.stringify(name)} is not a Lambda function of the module`, {
      ...where,
      address: `${url.address}.function_name`,
    });
  const corsBlock = r.nested(url.address, 'cors');
  const cors = corsBlock ? serviceCors(corsBlock, { file: url.file, address: `${url.address}.cors` }) : undefined;
  const methods = cors ? cors.allowMethods.filter((m) => m !== '*' && m !== 'OPTIONS') : [];
  return {
    kind: 'function-url',
    address: url.address,
    fn,
    iam: auth === 'AWS_IAM',
    routes: [{ path: '/', methods: methods.length > 0 ? methods : ['GET'], options: false }],
    cors,
    warnings: [],
  };
}
