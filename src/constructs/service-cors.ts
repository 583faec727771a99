import { Token } from 'cdktf';
import type { CorsRestApiCors } from './cors-rest-api.js';
import { templateLiterals } from './terraform-literal.js';

/**
 * The CORS block the HTTP API (`cors_configuration`) and Function URLs (`cors`) share: the same six fields, the
 * service answering preflights and adding the headers itself. `allowOrigins` may be a Terraform list expression.
 */
export function serviceCors(cors: CorsRestApiCors) {
  return {
    allowOrigins:
      typeof cors.allowOrigins === 'string' ? Token.asList(cors.allowOrigins) : templateLiterals(cors.allowOrigins),
    allowMethods: templateLiterals(cors.allowMethods),
    allowHeaders: templateLiterals(cors.allowHeaders),
    exposeHeaders: templateLiterals(cors.exposeHeaders),
    allowCredentials: cors.allowCredentials,
    maxAge: cors.maxAge,
  };
}
