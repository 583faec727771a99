import type { CorsModel } from '../spec/model.js';
import { render } from './templates.js';

interface ReadmeOptions {
  readonly document: Record<string, unknown>;
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

/** The view model of the module README: every value prepared here, so the template holds no logic. */
export function moduleReadme(model: CorsModel, options: ReadmeOptions): string {
  const variables = (options.document.variable ?? {}) as Record<string, VariableDoc>;
  const outputs = (options.document.output ?? {}) as Record<string, { description?: string }>;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const moduleName = model.name.replace(/-/g, '_');
  const target = { rest: 'API Gateway REST API', http: 'API Gateway HTTP API', 'function-url': 'Lambda Function URL' }[model.api];
  return render('moduleReadme', {
    header: options.header,
    name: model.name,
    moduleName,
    target,
    isRest: model.api === 'rest',
    frontend: model.frontend.enabled,
    origins: model.cors.allowOrigins.map((o) => `\`${o}\``).join(', '),
    methods: model.cors.allowMethods.join(', '),
    headers: model.cors.allowHeaders.length > 0 ? model.cors.allowHeaders.join(', ') : '(none)',
    exposeHeaders: model.cors.exposeHeaders.length > 0 ? model.cors.exposeHeaders.join(', ') : '(none)',
    credentials: model.cors.allowCredentials ? 'yes' : 'no',
    maxAge: model.cors.maxAge,
    enforceOrigin: model.cors.enforceOrigin,
    runtime: model.lambda.runtime,
    appFile: model.lambda.runtime.startsWith('python') ? 'lambda/app.py' : 'lambda/app.mjs',
    stages: model.stages.map((s) => ({ name: s.name, origins: s.allowOrigins.map((o) => `\`${o}\``).join(', ') })),
    firstStage: model.stages[0]?.name ?? '',
    specFile: options.specFile,
    exampleOrigin: JSON.stringify(model.cors.allowOrigins.find((o) => o !== '*') ?? 'https://app.example.com'),
    inputs: Object.entries(variables).map(([name, v]) => ({
      name,
      description: cell(v.description ?? ''),
      type: cell(`\`${v.type ?? 'any'}\``),
      default: cell(`\`${JSON.stringify(v.default ?? null)}\``),
    })),
    outputs: Object.entries(outputs).map(([name, o]) => ({ name, description: cell(o.description ?? '') })),
  });
}
