/**
 * The entry `cdktf synth` runs (see cdktf.json): the same stack `cors-gen generate` builds, from the spec named
 * by CORS_GEN_SPEC (default cors-gen.yaml, else cors-gen.json, in the working directory).
 * `cors-gen generate` is the supported path; this exists so CDKTF users can inspect the stack with their tools.
 */
import { App } from 'cdktf';
import { formatIssue } from './spec/issue.js';
import { loadSpec, resolveSpecFile } from './spec/load.js';
import { addModuleStack } from './synth/synthesize.js';

const result = await loadSpec(resolveSpecFile(process.env.CORS_GEN_SPEC));
if (!result.ok) {
  for (const e of result.errors) console.error(formatIssue(e));
  process.exit(1);
}
const app = new App();
addModuleStack(app, result.model);
app.synth();
