import path from 'node:path';
import { InvalidInputError, UsageError } from '../errors.js';
import type { SpecIssue } from '../spec/issue.js';
import { resolveSpecPath } from '../spec/spec-paths.js';
import { adoptOpenApi, type Adopted, type AdoptOptions } from './adopt.js';
import { readOpenApiDocument, type OpenApiVersion } from './read-document.js';

export { adoptOpenApi, PLACEHOLDERS, type Adopted, type AdoptedAuthorizer, type AdoptedRoute } from './adopt.js';
export { parseOpenApiText, readOpenApiDocument, type OpenApiDocument } from './read-document.js';

export interface AdoptFileOptions extends AdoptOptions {
  /** The OpenAPI document, relative to the current folder. */
  readonly file: string;
  /** The spec that will be written, whose repository the document must be in. */
  readonly specFile: string;
}

export interface AdoptedFile extends Adopted {
  readonly version: OpenApiVersion;
  /** The document relative to the spec's folder, "/"-separated. */
  readonly fromSpec: string;
  /** What the document did not give as it is, as warnings on the document. */
  readonly warnings: readonly SpecIssue[];
}

/**
 * Reads the OpenAPI document `file` for `init --from-openapi`. Like every path of a spec, it must be inside the
 * repository that holds the spec (src/spec/spec-paths.ts): the spec then names it, and it travels with the spec.
 */
export async function adoptOpenApiFile(options: AdoptFileOptions): Promise<AdoptedFile> {
  const specDir = path.dirname(path.resolve(options.specFile));
  const fromSpec = path.relative(specDir, path.resolve(options.file)).split(path.sep).join('/');
  const inside = resolveSpecPath(options.specFile, '--from-openapi', fromSpec);
  if (!inside.ok)
    // The check speaks of the path as the spec will write it; say what the user typed too.
    throw new UsageError(`--from-openapi ${JSON.stringify(options.file)} (from the current folder): ${inside.error}`, {
      code: 'invalid-argument',
      fix: 'copy the document into the repository that holds the spec, or write the spec next to it (--dir)',
    });
  const shown = path.relative(process.cwd(), inside.path) || inside.path;
  const document = await readOpenApiDocument(inside.path, shown);
  const adopted = adoptOpenApi(document, options);
  const warnings = adopted.notes.map((n): SpecIssue => ({
    severity: 'warning',
    code: 'openapi-not-kept',
    path: n.at,
    message: n.message,
    file: shown,
    ...(n.fix !== undefined ? { fix: n.fix } : {}),
  }));
  if (adopted.routes.length === 0)
    throw new InvalidInputError(
      `${shown}: no path of the document can be routed by API Gateway${
        warnings.length > 0
          ? ` (${warnings.length} notes: ${warnings
              .slice(0, 3)
              .map((w) => `${w.path}: ${w.message}`)
              .join('; ')})`
          : ''
      }`,
      {
        code: 'openapi-no-routes',
        fix: 'check the document has paths with GET, HEAD, POST, PUT, PATCH or DELETE operations',
      },
    );
  return { ...adopted, version: document.version, fromSpec, warnings };
}
