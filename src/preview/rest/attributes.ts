/**
 * Attributes API Gateway computes for a REST API's resources, pointed at the preview's API server:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_rest_api#attribute-reference,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_stage#attribute-reference.
 * A resource's id is its Terraform address, so the root resource's id is the API's address and a slash.
 */
import { ModuleError } from '../errors.js';
import {
  arn,
  PREVIEW_REGION,
  stringArgument,
  type AttributeScope,
  type ComputedAttributes,
} from '../module/attributes.js';

export const restAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_api_gateway_rest_api: (_r, { address }, attr) => {
    if (attr === 'root_resource_id') return `${address}/`;
    if (attr === 'execution_arn') return arn('execute-api', address);
    if (attr === 'arn') return `arn:aws:apigateway:${PREVIEW_REGION}::/restapis/${address}`;
    return undefined;
  },
  aws_api_gateway_resource: (r, { address }, attr) => (attr === 'path' ? resourcePath(r, address) : undefined),
  aws_api_gateway_stage: (r, block, attr) => {
    if (attr === 'invoke_url') return `${r.env.apiOrigin}/${stringArgument(r, block, 'stage_name')}`;
    if (attr === 'execution_arn')
      return `${r.attribute(stringArgument(r, block, 'rest_api_id'), 'execution_arn') as string}/${stringArgument(r, block, 'stage_name')}`;
    return undefined;
  },
};

/** `/orders/{orderId}`: the resource's path_part after its parent's path. */
function resourcePath(r: AttributeScope, address: string): string {
  const parent = r.attribute(address, 'parent_id');
  const part = r.attribute(address, 'path_part');
  if (typeof parent !== 'string' || typeof part !== 'string')
    throw new ModuleError('parent_id and path_part must be strings', { address });
  if (
    parent.endsWith('/') &&
    r.has(parent.slice(0, -1)) &&
    r.block(parent.slice(0, -1)).type === 'aws_api_gateway_rest_api'
  )
    return `/${part}`;
  if (!r.has(parent))
    throw new ModuleError(`parent_id is ${JSON.stringify(parent)}, which is not a resource of this module`, {
      address,
    });
  return `${resourcePath(r, parent)}/${part}`;
}
