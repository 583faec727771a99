import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { render } from '../render/templates.js';
import type { SpecIssue } from './issue.js';
import type { ApiKind, Runtime } from './model.js';
import { DEFAULTS } from './model.js';
import { DEFAULT_SPEC_FILES } from './load.js';
import { validateSpecText, type ValidationResult } from './validate.js';
import { writeSchemaFile, SCHEMA_FILE_NAME } from './schema-file.js';
import { DEFAULT_OUT_DIR, holdsModuleIssue } from './spec-paths.js';

export interface InitRoute {
  readonly path: string;
  readonly methods: readonly string[];
  /** "none", "iam" or the name of an entry of `authorizers`. @default the top-level auth (none) */
  readonly auth?: string;
  /** api: rest: the methods require an x-api-key header. @default false */
  readonly apiKeyRequired?: boolean;
}

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
  /** @default `/items` (GET, POST) and `/items/{id}` (GET, PUT, DELETE); none for a Function URL, which has no routes */
  readonly routes?: readonly InitRoute[];
  /** Request headers the frontend sends. @default ["Content-Type", "Authorization"] */
  readonly headers?: readonly string[];
  /** Overwrite an existing spec. */
  readonly force?: boolean;
  /** Named authorizers the routes' `auth` refers to (written as the spec's `authorizers`). @default none */
  readonly authorizers?: Readonly<Record<string, object>>;
  /** The user's own handler code (`lambda.source`, relative to `dir`, and `lambda.handler`). @default the starter */
  readonly lambda?: { readonly source: string; readonly handler: string };
  /** What the spec was drafted from (`init --from-openapi`), said in a comment of the spec. */
  readonly source?: string;
}

/** Where an origin was put, and why: shown to the user, who would otherwise find it moved silently. */
export interface OriginPlacement {
  readonly origin: string;
  /** `cors.allowOrigins` (production) or `stages.dev`. */
  readonly to: 'cors.allowOrigins' | 'stages.dev';
  readonly why: string;
}

export type InitResult =
  | {
      readonly ok: true;
      readonly file: string;
      readonly warnings: readonly SpecIssue[];
      readonly origins: readonly OriginPlacement[];
      /** What the `$schema` comment points at, relative to the spec's folder. */
      readonly schema: string;
      /** The schema file written next to the spec, when there is no installed copy to point at. */
      readonly schemaWritten?: string;
    }
  | { readonly ok: false; readonly reason: 'exists'; readonly file: string }
  | { readonly ok: false; readonly reason: 'invalid'; readonly file: string; readonly errors: readonly SpecIssue[] };

export const SPEC_FILE_NAME = 'cors-gen.yaml';
export const DEFAULT_ORIGINS = ['https://app.example.com', 'http://localhost:3000'] as const;
export const DEFAULT_ROUTES: readonly InitRoute[] = [
  { path: '/items', methods: ['GET', 'POST'] },
  { path: '/items/{id}', methods: ['GET', 'PUT', 'DELETE'] },
];

/** Where an installed cors-gen keeps its schema, relative to a `node_modules` folder. */
const INSTALLED_SCHEMA = path.join('node_modules', 'cors-gen', 'schema', 'cors-gen.schema.json');

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

const LOCAL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * Development origins (localhost) go to the dev stage when there is a production origin, so production does not
 * trust a page any local process can serve; with only local origins, they stay in production (there is nothing
 * else to allow).
 */
export function placeOrigins(origins: readonly string[]): OriginPlacement[] {
  const anyProd = origins.some((o) => !LOCAL.test(o));
  return origins.map((origin) =>
    !LOCAL.test(origin)
      ? { origin, to: 'cors.allowOrigins', why: 'a production origin' }
      : anyProd
        ? {
            origin,
            to: 'stages.dev',
            why: 'a development origin: production should not trust a page any local process can serve',
          }
        : {
            origin,
            to: 'cors.allowOrigins',
            why: 'a development origin, kept in production because no other origin was given',
          },
  );
}

/** A spec already in `dir` (`cors-gen.yaml`, `.yml` or `.json`), as the user would name it, or undefined. */
export function existingSpec(dir: string): string | undefined {
  const found = DEFAULT_SPEC_FILES.map((f) => path.join(path.resolve(dir), f)).find((f) => existsSync(f));
  return found === undefined ? undefined : path.relative(process.cwd(), found) || path.basename(found);
}

/** The spec `init` would write, and what `validate` says about it; nothing is written. */
export function draftSpec(options: InitOptions): {
  text: string;
  file: string;
  result: ValidationResult;
  origins: OriginPlacement[];
  schema: string;
  installedSchema: boolean;
} {
  const dir = path.resolve(options.dir);
  const file = path.relative(process.cwd(), path.join(dir, SPEC_FILE_NAME)) || SPEC_FILE_NAME;
  const api = options.api ?? DEFAULTS.api;
  const origins = placeOrigins(options.origins && options.origins.length > 0 ? options.origins : DEFAULT_ORIGINS);
  const installed = installedSchema(dir);
  const schema = installed ?? `./${SCHEMA_FILE_NAME}`;
  // A Function URL has one endpoint; routes would suggest a restriction it does not have.
  const routes =
    api === 'function-url' ? [] : options.routes && options.routes.length > 0 ? options.routes : DEFAULT_ROUTES;
  const text = render('initSpec', {
    schemaUrl: schema,
    name: options.name ?? specNameFrom(path.basename(dir)),
    api,
    isRest: api === 'rest',
    isFunctionUrl: api === 'function-url',
    origins: origins.filter((p) => p.to === 'cors.allowOrigins').map((p) => JSON.stringify(p.origin)),
    devOrigins: origins.filter((p) => p.to === 'stages.dev').map((p) => JSON.stringify(p.origin)),
    headers: (options.headers ?? DEFAULT_HEADERS).map(flowScalar).join(', '),
    routes: routes.map((r) => ({
      path: /^\/[A-Za-z0-9._:{}+/-]*$/.test(r.path) ? r.path : JSON.stringify(r.path),
      methods: r.methods.map(flowScalar).join(', '),
      ...(r.auth !== undefined ? { auth: flowScalar(r.auth) } : {}),
      ...(r.apiKeyRequired ? { apiKeyRequired: true } : {}),
    })),
    // YAML written by the YAML library: the values come from a document someone else wrote.
    authorizers:
      options.authorizers && Object.keys(options.authorizers).length > 0
        ? stringify({ authorizers: options.authorizers }, { lineWidth: 0 }).trimEnd()
        : undefined,
    // In a comment, where nothing can be escaped: only a plain file name is written.
    source: options.source !== undefined && /^[\w./ -]{1,200}$/.test(options.source) ? options.source : undefined,
    credentials: options.credentials ?? false,
    frontend: options.frontend ?? true,
    runtime: options.runtime ?? DEFAULTS.lambda.runtime,
    lambdaSource: options.lambda ? JSON.stringify(options.lambda.source) : undefined,
    lambdaHandler: options.lambda ? JSON.stringify(options.lambda.handler) : undefined,
  });
  return {
    text,
    file,
    result: validateSpecText(text, file),
    origins,
    schema,
    installedSchema: installed !== undefined,
  };
}

/**
 * Writes a starter spec. The text is validated before it is written, so `init` never leaves a spec that
 * `validate` rejects; an existing spec is kept unless `force`. Without an installed cors-gen to point the
 * `$schema` comment at, the schema file is written next to the spec.
 */
export async function init(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.dir);
  const file = path.join(dir, SPEC_FILE_NAME);
  const draft = draftSpec(options);
  if (!draft.result.ok) return { ok: false, reason: 'invalid', file: draft.file, errors: draft.result.errors };
  const warnings = [...draft.result.warnings];
  if (draft.result.model.lambda.source) {
    // The folder and the handler are checked on disk as validate will, before anything is written.
    const { checkLambdaSource } = await import('./source-check.js');
    const { model } = draft.result;
    const source = model.lambda.source!;
    const found = await checkLambdaSource(file, model.lambda.runtime, source);
    // A folder not built yet (backend/dist) is a warning, as in validate: a typo shows there too.
    const errors = found.filter((i) => i.severity === 'error');
    warnings.push(...found.filter((i) => i.severity !== 'error'));
    const module = path.join(dir, DEFAULT_OUT_DIR, model.name);
    const holds = holdsModuleIssue(
      'error',
      source.dir,
      path.resolve(dir, source.dir),
      module,
      path.relative(dir, module),
    );
    if (holds) errors.push(holds);
    if (errors.length > 0) return { ok: false, reason: 'invalid', file: draft.file, errors };
  }

  const other = options.force ? undefined : existingSpec(dir);
  if (other) return { ok: false, reason: 'exists', file: other };

  await mkdir(dir, { recursive: true });
  try {
    // `wx` fails if the file exists, so two concurrent inits cannot both write.
    await writeFile(file, draft.text, { flag: options.force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { ok: false, reason: 'exists', file: draft.file };
    throw e;
  }
  const base = {
    ok: true as const,
    file: draft.file,
    warnings,
    origins: draft.origins,
    schema: draft.schema,
  };
  if (draft.installedSchema) return base;
  return {
    ...base,
    schemaWritten: path.relative(process.cwd(), (await writeSchemaFile(dir)).file) || SCHEMA_FILE_NAME,
  };
}

export const DEFAULT_HEADERS: readonly string[] = ['Content-Type', 'Authorization'];

/** A value for a YAML flow list: quoted as JSON unless it is a plain token (header names and methods are). */
function flowScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9!#$%&'*+.^_`|~-]*$/.test(value) && !/^(true|false|null|~)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/**
 * The schema of an installed cors-gen, relative to the spec's folder, found as Node resolves packages: in
 * `node_modules` of the folder or of any folder above it. Editors resolve a relative `$schema` from the spec's
 * folder and need no network.
 */
function installedSchema(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, INSTALLED_SCHEMA);
    if (existsSync(candidate)) {
      const rel = path.relative(dir, candidate).split(path.sep).join('/');
      return rel.startsWith('.') ? rel : `./${rel}`;
    }
    if (path.dirname(d) === d) return undefined;
  }
}
