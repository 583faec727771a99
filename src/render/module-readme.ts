import path from 'node:path';
import type { CorsModel } from '../spec/model.js';
import { render } from './templates.js';

interface ReadmeOptions {
  readonly document: Record<string, unknown>;
  /** The generated-file header, already comment text (see `commentText`). */
  readonly header: string;
  readonly format: 'hcl' | 'json';
  readonly specFile: string;
  readonly version: string;
}

interface VariableDoc {
  readonly description?: string;
  readonly type?: string;
  readonly default?: unknown;
}

/**
 * The view model of the module README: every value prepared here, so the template holds no logic. Values are
 * passed as they are; the template escapes each for where it goes (`{{code}}`, `{{cell}}`, `{{text}}`, see
 * `templates.ts`), so no spec value can add Markdown or HTML structure.
 */
export function moduleReadme(model: CorsModel, options: ReadmeOptions): string {
  const variables = (options.document.variable ?? {}) as Record<string, VariableDoc>;
  const outputs = (options.document.output ?? {}) as Record<string, { description?: string }>;
  const moduleName = model.name.replace(/-/g, '_');
  const target = {
    rest: 'an API Gateway REST API',
    http: 'an API Gateway HTTP API',
    'function-url': 'a Lambda Function URL',
  }[model.api];
  return render('moduleReadme', {
    header: options.header,
    name: model.name,
    moduleName,
    target,
    isRest: model.api === 'rest',
    hasApi: model.api !== 'function-url',
    frontend: model.frontend.enabled,
    origins: model.cors.allowOrigins,
    methods: model.cors.allowMethods,
    headers: model.cors.allowHeaders,
    exposeHeaders: model.cors.exposeHeaders,
    credentials: model.cors.allowCredentials,
    credentialsText: model.cors.allowCredentials ? 'yes' : 'no',
    maxAge: model.cors.maxAge,
    enforceOrigin: model.cors.enforceOrigin,
    runtime: model.lambda.runtime,
    appFile: model.lambda.runtime.startsWith('python') ? 'lambda/app.py' : 'lambda/app.mjs',
    ownCode: model.lambda.source
      ? {
          dir: path.posix.join(path.posix.dirname(options.specFile), model.lambda.source.dir),
          handler: model.lambda.source.handler,
        }
      : undefined,
    // The spec's own OpenAPI document (`openapi:`), as seen from the module folder.
    userDocument: model.openapi
      ? {
          file: path.posix.join(path.posix.dirname(options.specFile), model.openapi.file),
          dialect: model.openapi.version === '2.0' ? 'Swagger 2.0' : 'OpenAPI 3.0',
        }
      : undefined,
    stages: model.stages.map((s) => ({ file: `stages/${s.name}.tfvars`, origins: s.allowOrigins })),
    firstStage: model.stages[0]?.name ?? '',
    specFile: options.specFile,
    exampleOrigin: JSON.stringify(model.cors.allowOrigins.find((o) => o !== '*') ?? 'https://app.example.com'),
    inputs: Object.entries(variables).map(([name, v]) => ({
      name,
      description: v.description ?? '',
      type: v.type ?? 'any',
      default: JSON.stringify(v.default ?? null),
    })),
    outputs: Object.entries(outputs).map(([name, o]) => ({ name, description: o.description ?? '' })),
  });
}
