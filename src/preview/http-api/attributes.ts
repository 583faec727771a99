/**
 * Attributes API Gateway computes for an HTTP API, pointed at the preview's API server:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_api#attribute-reference,
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_stage#attribute-reference.
 */
import { arn, PREVIEW_REGION, stringArgument, type ComputedAttributes } from '../module/attributes.js';

export const httpApiAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_apigatewayv2_api: (r, { address }, attr) => {
    if (attr === 'api_endpoint') return r.env.apiOrigin;
    if (attr === 'execution_arn') return arn('execute-api', address);
    if (attr === 'arn') return `arn:aws:apigateway:${PREVIEW_REGION}::/apis/${address}`;
    return undefined;
  },
  aws_apigatewayv2_stage: (r, block, attr) => {
    if (attr !== 'invoke_url') return undefined;
    const name = stringArgument(r, block, 'name');
    return `${r.env.apiOrigin}/${name === '$default' ? '' : name}`;
  },
};
