import { createHash } from 'node:crypto';
import { App } from 'cdktf';
import { CorsModuleStack } from '../constructs/cors-module-stack.js';
import { corsEnvironment, lambdaHandlerName } from '../render/lambda-code.js';
import type { CorsModel } from '../spec/model.js';
import { cleanDocument, type TerraformDocument } from './clean-document.js';

/** The module stack for a model, wired to the generated Lambda code. Shared by `generate` and `cdktf synth`. */
export function addModuleStack(app: App, model: CorsModel): CorsModuleStack {
  return new CorsModuleStack(app, model.name, {
    model,
    lambdaHandler: lambdaHandlerName(model.lambda.runtime),
    // The env var holds the effective list (spec origins + website origin), joined at apply time.
    lambdaEnvironment: (origins) => corsEnvironment(model, [`\${join(" ", ${origins.slice(2, -1)})}`]),
    configHash: configHash(model),
  });
}

/** CorsModel -> the module's Terraform JSON document, in memory: one synthesis pass, nothing written to disk. */
export function synthesizeModule(model: CorsModel): TerraformDocument {
  // skipValidation: the provider-presence check is for root stacks; ours is a module by design.
  const app = new App({ skipValidation: true, outdir: '.cors-gen-unused' });
  return cleanDocument(addModuleStack(app, model).toTerraform() as TerraformDocument);
}

/** A short hash of everything in the model that shapes the API's CORS behaviour (part of the REST trigger). */
export function configHash(model: CorsModel): string {
  const { cors, routes, stage } = model;
  return createHash('sha256').update(JSON.stringify({ cors, routes, stage })).digest('hex').slice(0, 16);
}
