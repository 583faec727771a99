import { createHash } from 'node:crypto';
import { App } from 'cdktf';
import { CorsModuleStack } from '../constructs/cors-module-stack.js';
import type { CorsModel } from '../spec/model.js';
import { cleanDocument, type TerraformDocument } from './clean-document.js';

export interface SynthesizeOptions {
  readonly lambdaHandler: string;
  readonly lambdaEnvironment: (allowedOriginsExpr: string) => Record<string, string>;
}

/**
 * CorsModel -> the module's Terraform JSON document, in memory: one synthesis pass, nothing written to disk.
 */
export function synthesizeModule(model: CorsModel, options: SynthesizeOptions): TerraformDocument {
  // skipValidation: the provider-presence check is for root stacks; ours is a module by design.
  const app = new App({ skipValidation: true, outdir: '.cors-gen-unused' });
  const stack = new CorsModuleStack(app, model.name, {
    model,
    lambdaHandler: options.lambdaHandler,
    lambdaEnvironment: options.lambdaEnvironment,
    configHash: configHash(model),
  });
  return cleanDocument(stack.toTerraform() as TerraformDocument);
}

/** A short hash of everything in the model that shapes the API's CORS behaviour. */
export function configHash(model: CorsModel): string {
  const { cors, routes, stage } = model;
  return createHash('sha256').update(JSON.stringify({ cors, routes, stage })).digest('hex').slice(0, 16);
}
