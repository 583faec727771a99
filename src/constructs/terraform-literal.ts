/**
 * Literal text inside Terraform configuration.
 *
 * Terraform reads every string argument as a template, in `.tf` and `.tf.json` alike: `${` starts an
 * interpolation and `%{` a directive, and `$${` / `%%{` are the escapes for the literal characters
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences). A value that is
 * data (an index document, a header name, a route path) must therefore be escaped where it becomes such an
 * argument, or `x${file("/etc/hostname")}` is evaluated at plan time.
 *
 * The expressions the constructs mean are either CDKTF tokens (references such as `this.api.id`, `Fn.*`,
 * `TerraformVariable.value`: encoded as `${TfToken[TOKEN.n]}` until synthesis) or strings the constructs write
 * themselves. Props documented as literal go through `templateLiteral`, which escapes the text between tokens
 * and leaves the tokens alone, so a caller may still pass a reference there.
 */

import { escapeTemplate, stringLiteral } from '../terraform/write.js';

export { escapeTemplate, stringLiteral };

/** CDKTF's encodings of unresolved string and list-element tokens (`Token.asString`, `Token.asList`). */
const TOKEN = /([$#]\{TfToken\[[A-Za-z0-9_.]+\]\})/;

/** `text` as a Terraform template that evaluates to exactly `text` (tokens inside it stay references). */
export function templateLiteral(text: string): string {
  return text
    .split(TOKEN)
    .map((part, i) => (i % 2 === 1 ? part : escapeTemplate(part)))
    .join('');
}

/** Every item through `templateLiteral`. */
export function templateLiterals(items: readonly string[]): string[] {
  return items.map(templateLiteral);
}

/**
 * An API Gateway REST API static mapping value: the text between single quotes (`'a,b'`). API Gateway documents
 * no escape for a quote inside it, so a value holding one is refused rather than written
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html; such values are
 * rejected with "Static parameter value must be valid and encoded",
 * https://github.com/serverless-operations/serverless-apigateway-service-proxy/issues/78). The spec validator
 * refuses those header names first, with the fix; this is the last line for other callers of the constructs.
 */
export function staticValue(text: string): string {
  if (text.includes("'"))
    throw new Error(`API Gateway static values are single-quoted and cannot contain "'": ${JSON.stringify(text)}`);
  return `'${templateLiteral(text)}'`;
}
