/**
 * The VTL response template of the REST preflight (MOCK integration). It reads the request's Origin (both
 * spellings: the header map is keyed as the client sent it, see AWS CDK `resource.ts`), compares it with the
 * allowlist, and overrides Access-Control-Allow-Origin once, at the end, because an override set twice is a 5XX
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
 *
 * Exact origins are compared with `.contains()` on a list literal; wildcard entries with Java's
 * `String.matches()` (whole-string) against patterns built in Terraform from an allowlist whose characters are
 * restricted by the variable's validation, never against the raw origin as a regex (aws-cdk#26623). The
 * request origin must be printable ASCII and is lowercased first, as everywhere in cors-gen.
 *
 * The text is a Terraform template: `${...}` is Terraform's (the two lists), `$name` is VTL's. No `${` may
 * appear for VTL.
 */
export function preflightTemplate(exactOriginsExpr: string, patternsExpr: string): string {
  return [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    `#set($allowed = \${jsonencode(${exactOriginsExpr})})`,
    `#set($patterns = \${jsonencode(${patternsExpr})})`,
    '#set($match = "")',
    // Printable ASCII only, as browsers serialize origins: Java's toLowerCase would fold "\u212A" (Kelvin) to "k".
    '#if("$!origin" != "" && "$origin" != "null" && $origin.matches("[!-~]+"))',
    '#set($lower = $origin.toLowerCase())',
    '#if($allowed.contains($lower))#set($match = $origin)#end',
    '#foreach($pattern in $patterns)#if($lower.matches($pattern))#set($match = $origin)#end#end',
    '#end',
    '#if($match != "")#set($context.responseOverride.header.Access-Control-Allow-Origin = $match)#end',
    '',
  ].join('\n');
}

/** A DNS label in the character-class form the VTL patterns use (no backslashes: VTL string literals keep them). */
export const VTL_DNS_LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
