/**
 * cors-gen as a library: the same capabilities as the CLI, and the CDKTF constructs for use in your own stacks.
 * Importing this entry does not load CDKTF; `cors-gen/constructs` does.
 */
export { CorsGenError, type ErrorKind } from './errors.js';
export { loadSpec, resolveSpecFile, SpecFileError } from './spec/load.js';
export { validateSpec, type ValidationResult } from './spec/validate.js';
export type { SpecIssue } from './spec/issue.js';
export { formatIssue } from './spec/issue.js';
export type { CorsModel, ApiKind, RouteModel, CorsSettings } from './spec/model.js';
export { compileOrigins, parseOriginEntry, type OriginMatcher } from './cors/origin.js';
export { corsHeaders, type CorsPolicy } from './cors/headers.js';
export { init, type InitOptions, type InitResult } from './spec/init.js';
export { generate, type GenerateOptions, type GenerateResult } from './synth/generate.js';

/** Synthesizes the module files for a model in memory (loads CDKTF on first call). */
export async function generateModule(...args: Parameters<typeof import('./synth/module-files.js').buildModuleFiles>) {
  const { buildModuleFiles } = await import('./synth/module-files.js');
  return buildModuleFiles(...args);
}
