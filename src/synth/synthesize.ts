import { tmpdir } from 'node:os';
import {
  App,
  DefaultTokenResolver,
  Fn,
  StringConcat,
  TerraformElement,
  type TerraformStack,
  Tokenization,
} from 'cdktf';
import { CorsModuleStack } from '../constructs/cors-module-stack.js';
import { corsEnvironment, lambdaHandlerName } from '../render/lambda-code.js';
import type { CorsModel } from '../spec/model.js';
import { cleanDocument, type TerraformDocument } from './clean-document.js';

export interface SynthesisOptions {
  /**
   * REST: per-resource addresses an older generated module declared (read from the module being replaced), kept
   * as `removed` blocks so its state upgrades in one apply. @default []
   */
  readonly retiredAddresses?: readonly string[];
  /** With `lambda.source`: the user's folder relative to the module folder (see CorsModuleStackProps). */
  readonly lambdaSourceDir?: string;
}

/** The module stack for a model, wired to the generated Lambda code. Shared by `generate` and `cdktf synth`. */
export function addModuleStack(app: App, model: CorsModel, options: SynthesisOptions = {}): CorsModuleStack {
  return new CorsModuleStack(app, model.name, {
    model,
    lambdaHandler: lambdaHandlerName(model.lambda.runtime, model.lambda.source),
    // The env var holds the effective list (spec origins + website origin), joined at apply time.
    lambdaEnvironment: (origins) => corsEnvironment(model, [Fn.join(' ', origins)]),
    retiredAddresses: options.retiredAddresses,
    lambdaSourceDir: options.lambdaSourceDir,
  });
}

/** CorsModel -> the module's Terraform JSON document, in memory: one synthesis pass, nothing written to disk. */
export function synthesizeModule(model: CorsModel, options: SynthesisOptions = {}): TerraformDocument {
  // skipValidation: the provider-presence check is for root stacks; ours is a module by design. The outdir must
  // exist, or App creates it (nothing is ever written there). No stack traces: they only feed `//` metadata.
  const app = new App({ skipValidation: true, outdir: tmpdir(), stackTraces: false });
  return cleanDocument(stackDocument(addModuleStack(app, model, options)));
}

/**
 * `stack.toTerraform()` without its `//` metadata, in one token-resolution pass. toTerraform also resolves every
 * element's metadata and then the whole merged document a second time: a third of the synthesis of a large API,
 * for nothing cleanDocument keeps. `test/perf/synthesis.test.ts` proves both give the same module.
 */
export function stackDocument(stack: TerraformStack): TerraformDocument {
  const resolver = new DefaultTokenResolver(new StringConcat());
  const doc: TerraformDocument = {};
  for (const element of stack.node.findAll()) {
    if (!TerraformElement.isTerraformElement(element)) continue;
    mergeInto(
      doc,
      Tokenization.resolve(element.toTerraform(), { scope: stack, preparing: false, resolver }) as Record<
        string,
        unknown
      >,
    );
  }
  return doc;
}

/** cdktf's deepMerge for resolved values: objects merge, arrays concatenate, undefined removes. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
      mergeInto(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else if (Array.isArray(value) && Array.isArray(target[key])) {
      target[key] = [...(target[key] as unknown[]), ...value];
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}
