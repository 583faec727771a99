/**
 * Attributes API Gateway computes for a REST API's resources, pointed at the preview's API server:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_rest_api#attribute-reference,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_stage#attribute-reference.
 */
import { arn, PREVIEW_REGION, stringArgument, type ComputedAttributes } from '../module/attributes.js';

export const restAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_api_gateway_rest_api: (_r, { address }, attr) => {
    if (attr === 'execution_arn') return arn('execute-api', address);
    if (attr === 'arn') return `arn:aws:apigateway:${PREVIEW_REGION}::/restapis/${address}`;
    return undefined;
  },
  aws_api_gateway_stage: (r, block, attr) => {
    if (attr === 'invoke_url') return `${r.env.apiOrigin}/${stringArgument(r, block, 'stage_name')}`;
    if (attr === 'execution_arn')
      return `${r.attribute(stringArgument(r, block, 'rest_api_id'), 'execution_arn') as string}/${stringArgument(r, block, 'stage_name')}`;
    return undefined;
  },
};
