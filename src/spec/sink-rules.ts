import type { PathPart, SpecIssue } from './issue.js';
import type { Spec } from './schema.js';

/**
 * Values no AWS resource accepts, refused before they reach the generated files. The generator escapes every
 * value where it writes it; these rules exist because escaping cannot make S3 or API Gateway accept them.
 * Both rules are newer than the first release, so each message says that an earlier version took the value.
 */

type Issue = Omit<SpecIssue, 'severity' | 'path'> & { path: readonly PathPart[] };

const EARLIER = 'earlier versions of cors-gen accepted it';

/**
 * S3's "safe characters" for object keys: letters, digits and `! - _ . * ( )`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html#object-key-guidelines-safe-characters),
 * without `'`, which the guidelines list but which would need quoting wherever the name is shown.
 */
const SAFE_KEY = /^[A-Za-z0-9!_.*()-]+$/;

export function checkSinkRules(spec: Spec): Issue[] {
  const errors: Issue[] = [];
  const indexDocument = spec.frontend?.indexDocument;
  if (indexDocument !== undefined) {
    const problem = indexDocumentProblem(indexDocument);
    if (problem) {
      errors.push({
        code: 'index-document',
        path: ['frontend', 'indexDocument'],
        message: `${JSON.stringify(indexDocument)} ${problem}`,
        fix: 'name a file such as "index.html" that each folder of the site holds',
      });
    }
  }
  // REST static header values are written between single quotes, with no escape for a quote inside
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html).
  if ((spec.api ?? 'rest') === 'rest') {
    for (const key of ['allowHeaders', 'exposeHeaders'] as const) {
      (spec.cors[key] ?? []).forEach((header, i) => {
        if (!header.includes("'")) return;
        errors.push({
          code: 'header-quote',
          path: ['cors', key, i],
          message: `${JSON.stringify(header)} contains "'": a valid header-name character, but a REST API sends CORS headers as static values written between single quotes, which cannot hold one (${EARLIER} and wrote a value API Gateway refuses)`,
          fix: 'rename the header without "\'", or use api: http, whose CORS configuration is a list',
        });
      });
    }
  }
  return errors;
}

/**
 * `lambda.source` is written into a Terraform path of the module: escaped there, but a backslash separates folders
 * only on Windows, and quotes or control characters in a folder name are refused rather than carried.
 */
export function checkLambdaSourceCharacters(spec: Spec): Issue[] {
  const source = spec.lambda?.source;
  const bad = [...(source ?? '')].find((c) => c === '\\' || c === '"' || /[\u0000-\u001f\u007f]/u.test(c));
  if (bad === undefined) return [];
  return [
    {
      code: 'lambda-source-characters',
      path: ['lambda', 'source'],
      message:
        bad === '\\'
          ? `${JSON.stringify(source)} contains "\\", a folder separator only on Windows; the module's path to the folder must read the same on every machine`
          : `${JSON.stringify(source)} contains ${JSON.stringify(bad)}, which the module's Terraform path to the folder would have to carry`,
      fix:
        bad === '\\'
          ? 'separate folders with "/", e.g. "backend/dist"'
          : 'rename the folder without quotes or control characters',
    },
  ];
}

/** Why S3 or the generated files cannot take `name` as the website's index document, or undefined. */
function indexDocumentProblem(name: string): string | undefined {
  // IndexDocument.Suffix "must not be empty and must not include a slash character"
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_IndexDocument.html): S3 appends it to a folder's path.
  if (name.includes('/'))
    return `contains "/", which S3 refuses in an index document: it is a file name that S3 appends to each folder's path (earlier versions of cors-gen passed it on and S3 refused it at apply time)`;
  if (name.includes('..')) return `contains "..", a path segment rather than a file name (${EARLIER})`;
  const bad = [...name].find((c) => !SAFE_KEY.test(c));
  if (bad !== undefined) {
    const shown = /^[!-~]$/.test(bad)
      ? `"${bad}"`
      : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `contains ${shown}; an index document may hold only S3's safe object-key characters (letters, digits and ! - _ . * ( )), since others reach Terraform, S3's XML API and URLs as syntax (${EARLIER})`;
  }
  return undefined;
}
