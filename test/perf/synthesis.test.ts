import { tmpdir } from 'node:os';
import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { cleanDocument, type TerraformDocument } from '../../src/synth/clean-document.js';
import { addModuleStack, synthesizeModule } from '../../src/synth/synthesize.js';
import { allModels } from './specs.js';

describe('single-pass synthesis', async () => {
  const models = await allModels();
  it.each(models)('gives the document stack.toTerraform() gives, key order included: %s', (_name, model) => {
    const app = new App({ skipValidation: true, outdir: tmpdir() });
    const reference = cleanDocument(addModuleStack(app, model).toTerraform() as TerraformDocument);
    expect(JSON.stringify(synthesizeModule(model), null, 1)).toBe(JSON.stringify(reference, null, 1));
  });
});
