/**
 * Every attribute the preview synthesizes, by resource type, gathered from the service that owns it. An `id`
 * no service defines is the Terraform address: unique, stable, and what references between resources compare.
 */
import { functionUrlAttributes } from '../function-url/attributes.js';
import { httpApiAttributes } from '../http-api/attributes.js';
import { restAttributes } from '../rest/attributes.js';
import { commonAttributes, type ComputedAttributes } from './attributes.js';
import { lambdaAttributes } from './functions.js';
import { siteAttributes } from './site.js';

const BY_TYPE: Readonly<Record<string, ComputedAttributes>> = {
  ...restAttributes,
  ...httpApiAttributes,
  ...functionUrlAttributes,
  ...lambdaAttributes,
  ...siteAttributes,
  ...commonAttributes,
};

export const awsAttributes: ComputedAttributes = (r, block, attr) =>
  BY_TYPE[block.type]?.(r, block, attr) ?? (attr === 'id' ? block.address : undefined);
