import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { render } from '../render/templates.js';
import type { SpecIssue } from '../spec/issue.js';
import type { ApiKind, Runtime } from '../spec/model.js';
import { DEFAULTS } from '../spec/model.js';
import { DEFAULT_SPEC_FILES } from '../spec/load.js';
import { validateSpecText } from '../spec/validate.js';
import { packageVersion } from '../paths.js';

export interface InitOptions {
  /** Folder to write `cors-gen.yaml` into. */
  readonly dir: string;
  /** @default the folder's name, made into a valid spec name */
  readonly name?: string;
  /** @default "rest" */
  readonly api?: ApiKind;
  /** @default ["https://app.example.com", "http://localhost:3000"]: a placeholder to edit, and a dev server */
  readonly origins?: readonly string[];
  /** @default false */
  readonly credentials?: boolean;
  /** @default "nodejs22.x" */
  readonly runtime?: Runtime;
  /** @default true: an S3 website bucket for the frontend. */
  readonly frontend?: boolean;
  /** Overwrite an existing spec. */
  readonly force?: boolean;
}

export type InitResult =
  | { readonly ok: true; readonly file: string; readonly warnings: readonly SpecIssue[] }
  | { readonly ok: false; readonly reason: 'exists'; readonly file: string }
  | { readonly ok: false; readonly reason: 'invalid'; readonly file: string; readonly errors: readonly SpecIssue[] };

export const SPEC_FILE_NAME = 'cors-gen.yaml';

/** A valid spec name from a folder name: `My App_2` -> `my-app-2`. */
export function specNameFrom(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 40)
    .replace(/-$/, '');
  return name.length >= 2 ? name : 'my-api';
}

/**
 * Writes a starter spec. The text is validated before it is written, so `init` never leaves a spec that
 * `validate` rejects; an existing spec is kept unless `force`.
 */
export async function init(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.dir);
  const file = path.join(dir, SPEC_FILE_NAME);
  const display = path.relative(process.cwd(), file) || SPEC_FILE_NAME;
  const api = options.api ?? DEFAULTS.api;
  const origins = options.origins && options.origins.length > 0 ? options.origins : ['https://app.example.com', 'http://localhost:3000'];
  const local = (o: string) => /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(o);
  // Development origins go to the dev stage when there is a production origin to keep prod clean.
  const prodOrigins = origins.some((o) => !local(o)) ? origins.filter((o) => !local(o)) : origins;
  const devOrigins = prodOrigins === origins ? [] : origins.filter(local);
  const text = render('initSpec', {
    schemaUrl: `https://unpkg.com/cors-gen@${packageVersion()}/schema/cors-gen.schema.json`,
    name: options.name ?? specNameFrom(path.basename(dir)),
    api,
    isRest: api === 'rest',
    origins: prodOrigins.map((o) => JSON.stringify(o)),
    devOrigins: devOrigins.map((o) => JSON.stringify(o)),
    credentials: options.credentials ?? false,
    frontend: options.frontend ?? true,
    runtime: options.runtime ?? DEFAULTS.lambda.runtime,
  });

  const result = validateSpecText(text, display);
  if (!result.ok) return { ok: false, reason: 'invalid', file: display, errors: result.errors };

  const other = DEFAULT_SPEC_FILES.map((f) => path.join(dir, f)).find((f) => f !== file && existsSync(f));
  if (other && !options.force) return { ok: false, reason: 'exists', file: path.relative(process.cwd(), other) };

  await mkdir(dir, { recursive: true });
  try {
    // `wx` fails if the file exists, so two concurrent inits cannot both write.
    await writeFile(file, text, { flag: options.force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { ok: false, reason: 'exists', file: display };
    throw e;
  }
  return { ok: true, file: display, warnings: result.warnings };
}
