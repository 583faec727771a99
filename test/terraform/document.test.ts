import { describe, expect, it } from 'vitest';
import { DocumentError, indexDocument, moduleDocument, readModule } from '../../src/terraform/document.js';
import { renderHcl } from '../../src/terraform/write.js';

const DOC = {
  terraform: { required_version: '>= 1.5.0' },
  variable: { allowed_origins: { type: 'list(string)', default: ['https://a.example.com'] } },
  locals: { origins: '${var.allowed_origins}' },
  data: { aws_partition: { current: {} } },
  resource: {
    aws_s3_bucket: { site: { bucket_prefix: 'x-' } },
    aws_lambda_function: {
      handler: { function_name: 'f', environment: { variables: { A: '1' } } },
      other: { function_name: 'g' },
    },
  },
  output: { name: { value: '${aws_lambda_function.handler.function_name}' } },
};

describe('the module reader', () => {
  it('indexes .tf and .tf.json files of one module alike, blocks by address and resources by type', async () => {
    const fromJson = await readModule([['main.tf.json', JSON.stringify(DOC)]]);
    const fromHcl = await readModule([['main.tf', renderHcl(DOC)]]);
    for (const doc of [fromJson, fromHcl]) {
      // hcl2json gives blocks in key order (a Go map), JSON in document order.
      expect([...doc.resources.keys()].sort()).toEqual([
        'aws_lambda_function.handler',
        'aws_lambda_function.other',
        'aws_s3_bucket.site',
      ]);
      expect(doc.ofType('aws_lambda_function').map((r) => r.name)).toEqual(['handler', 'other']);
      expect(doc.ofType('aws_iam_role')).toEqual([]);
      expect([...doc.data.keys()]).toEqual(['data.aws_partition.current']);
      expect(doc.locals.get('origins')?.value).toBe('${var.allowed_origins}');
      expect(doc.variables.get('allowed_origins')?.body.default).toEqual(['https://a.example.com']);
      expect(doc.outputs.get('name')?.body.value).toBe('${aws_lambda_function.handler.function_name}');
      expect(doc.terraform.required_version).toBe('>= 1.5.0');
    }
  });

  it('merges the files of a folder and remembers which file declared each block', async () => {
    const doc = await readModule([
      ['main.tf', 'resource "aws_s3_bucket" "site" {}\n'],
      ['extra.tf.json', JSON.stringify({ resource: { aws_s3_bucket: { logs: {} } }, provider: { aws: {} } })],
      ['notes.md', 'not Terraform'],
    ]);
    expect([...doc.resources.values()].map((r) => [r.address, r.file])).toEqual([
      ['aws_s3_bucket.site', 'main.tf'],
      ['aws_s3_bucket.logs', 'extra.tf.json'],
    ]);
    expect(doc.other).toEqual([{ kind: 'provider', file: 'extra.tf.json', value: { aws: {} } }]);
  });

  it('refuses a block declared twice, naming the file and the address', async () => {
    const read = readModule([
      ['a.tf', 'resource "aws_s3_bucket" "site" {}\n'],
      ['b.tf', 'resource "aws_s3_bucket" "site" {}\n'],
    ]);
    await expect(read).rejects.toThrow(DocumentError);
    await expect(read).rejects.toMatchObject({
      file: 'b.tf',
      address: 'aws_s3_bucket.site',
      message: 'aws_s3_bucket.site is declared more than once',
    });
    expect(() => indexDocument({ locals: [{ a: 1 }, { a: 2 }] })).toThrow('local.a is declared twice');
  });

  it('names the file that is not valid HCL or JSON', async () => {
    await expect(readModule([['broken.tf', 'resource "x" {\n']])).rejects.toMatchObject({
      file: 'broken.tf',
      message: expect.stringMatching(/^not valid HCL/),
    });
    await expect(readModule([['broken.tf.json', '[1]']])).rejects.toMatchObject({
      file: 'broken.tf.json',
      message: 'a .tf.json file must hold one JSON object',
    });
  });

  it('indexes a document once: an indexed document passes through unchanged', () => {
    const doc = indexDocument(DOC);
    expect(moduleDocument(doc)).toBe(doc);
    expect(moduleDocument(DOC)).not.toBe(doc);
    expect([...moduleDocument(DOC).resources.keys()]).toEqual([...doc.resources.keys()]);
  });
});
