/**
 * Attributes Lambda computes for a function URL, pointed at the preview's API server:
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function_url#attribute-reference.
 */
import type { ComputedAttributes } from '../module/attributes.js';

export const functionUrlAttributes: Readonly<Record<string, ComputedAttributes>> = {
  aws_lambda_function_url: (r, _block, attr) =>
    attr === 'function_url' ? `${r.env.apiOrigin}/` : attr === 'url_id' ? 'preview' : undefined,
};
