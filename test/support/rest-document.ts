/** The REST module's OpenAPI document as Terraform renders it, for tests of what the body holds and weighs. */
import type { CorsModel } from '../../src/spec/model.js';
import { synthesizeModule } from '../../src/synth/synthesize.js';
import type { HclValue } from '../../src/terraform/expression/ast.js';
import { evaluate } from '../../src/terraform/expression/evaluate.js';
import { parseTemplate } from '../../src/terraform/expression/parse.js';

/** Stand-ins for the attributes AWS computes at apply time. */
const COMPUTED: Record<string, string> = {
  'aws_lambda_function.handler.invoke_arn':
    'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:shop/invocations',
  'aws_s3_bucket_website_configuration.site.website_endpoint': 'shop-site-1.s3-website.eu-west-1.amazonaws.com',
};

export type Json = Record<string, any>;

/** `local.openapi` of the model's module, evaluated as Terraform would with the default variables. */
export function renderedDocument(model: CorsModel): Json {
  const doc = synthesizeModule(model) as Json;
  const locals = doc.locals as Record<string, unknown>;
  const cache = new Map<string, HclValue>();
  const value = (v: unknown): HclValue =>
    typeof v === 'string'
      ? evaluate(parseTemplate(v), scope)
      : Array.isArray(v)
        ? v.map(value)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]))
          : (v as HclValue);
  const scope = {
    resolve(root: string, attrs: readonly string[]) {
      if (root === 'var') return { value: value(doc.variable[attrs[0]!].default), consumed: 1 };
      if (root === 'local') {
        const name = attrs[0]!;
        if (!cache.has(name)) cache.set(name, value(locals[name]));
        return { value: cache.get(name)!, consumed: 1 };
      }
      const address = [root, ...attrs.slice(0, 2)].join('.');
      if (!(address in COMPUTED)) throw new Error(`no stand-in for ${address}`);
      return { value: COMPUTED[address]!, consumed: 2 };
    },
  };
  return value(locals.openapi) as Json;
}

/** The size of `jsonencode(document)` in bytes: Terraform writes `<`, `>` and `&` as six-byte escapes. */
export function jsonencodedBytes(document: Json): number {
  return Buffer.byteLength(JSON.stringify(document).replace(/[<>&]/g, '\\u0026'), 'utf8');
}
