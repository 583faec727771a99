/**
 * The entry `cdktf synth` runs (see cdktf.json): the same stack `cors-gen generate` builds, from the spec named
 * by CORS_GEN_SPEC (default cors-gen.yaml, else cors-gen.json, in the working directory).
 * `cors-gen generate` is the supported path; this exists so CDKTF users can inspect the stack with their tools.
 */
import path from 'node:path';
import { App } from 'cdktf';
import { InvalidInputError } from './errors.js';
import { formatIssue } from './spec/issue.js';
import { loadSpec, resolveSpecFile } from './spec/load.js';
import { moduleRelativeSource } from './synth/generate.js';
import { addModuleStack } from './synth/synthesize.js';

const result = await loadSpec(resolveSpecFile(process.env.CORS_GEN_SPEC));
if (!result.ok) {
  // Thrown rather than ending the process here: the app is a module that `cdktf synth` runs, and a failed app is
  // the CDKTF CLI's to report (with its own exit code).
  throw new InvalidInputError(
    `${result.file}: ${result.errors.length} error(s)\n${result.errors.map((e) => formatIssue(e)).join('\n')}`,
    {
      code: 'invalid-spec',
      fix: 'run "cors-gen validate" for the errors with their lines',
    },
  );
}
const app = new App();
const source = result.model.lambda.source;
// lambda.source: the user's folder as seen from where `cdktf synth` writes the stack (<outdir>/stacks/<name>).
const lambdaSourceDir = source
  ? moduleRelativeSource(
      path.resolve(app.outdir, 'stacks', result.model.name),
      resolveSpecFile(process.env.CORS_GEN_SPEC),
      source.dir,
    )
  : undefined;
addModuleStack(app, result.model, lambdaSourceDir ? { lambdaSourceDir } : {});
app.synth();
