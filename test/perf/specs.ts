import { readdirSync } from 'node:fs';
import path from 'node:path';
import { generatedSpec } from '../../bench/specs.mjs';
import { loadSpec } from '../../src/spec/load.js';
import type { CorsModel } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every bundled example, by name. */
export async function exampleModels(): Promise<Array<[string, CorsModel]>> {
  const dir = path.join(ROOT, 'examples');
  const out: Array<[string, CorsModel]> = [];
  for (const name of readdirSync(dir).sort()) {
    const loaded = await loadSpec(path.join(dir, name, 'cors-gen.yaml'));
    if (!loaded.ok) throw new Error(`examples/${name} is invalid: ${JSON.stringify(loaded.errors)}`);
    out.push([`examples/${name}`, loaded.model]);
  }
  return out;
}

/** Specs that between them take every branch of the constructs: each target, one and many origins, `*`, ... */
export function variantSpecs(): Array<[string, Record<string, unknown>]> {
  const base = generatedSpec(10);
  const cors = base.cors as Record<string, unknown>;
  return [
    ['rest, 10 routes', base],
    [
      'rest, one origin, no credentials, no frontend, python',
      {
        ...base,
        name: 'one-origin',
        cors: { ...cors, allowOrigins: ['https://app.example.com'], allowCredentials: false },
        frontend: { enabled: false },
        lambda: { runtime: 'python3.13', memorySize: 128, timeout: 3 },
        stages: {},
      },
    ],
    [
      'rest, "*", root and greedy routes',
      {
        ...base,
        name: 'star',
        cors: { ...cors, allowOrigins: ['*'], allowCredentials: false, allowHeaders: [], exposeHeaders: [] },
        routes: [
          { path: '/', methods: ['GET'] },
          { path: '/files/{path+}', methods: ['GET', 'PUT'] },
        ],
      },
    ],
    [
      'rest, wildcard origin',
      {
        ...base,
        name: 'wildcard',
        cors: { ...cors, allowOrigins: ['https://*.example.com', 'https://app.example.org'] },
      },
    ],
    ['http', { ...base, name: 'http-api', api: 'http' }],
    [
      'function-url',
      { ...base, name: 'url', api: 'function-url', routes: [], cors: { ...cors, allowMethods: ['GET', 'POST'] } },
    ],
  ];
}

export function modelOf(spec: Record<string, unknown>): CorsModel {
  const result = validateSpec(spec);
  if (!result.ok) throw new Error(`invalid test spec: ${JSON.stringify(result.errors)}`);
  return result.model;
}

export async function allModels(): Promise<Array<[string, CorsModel]>> {
  return [
    ...(await exampleModels()),
    ...variantSpecs().map(([name, spec]) => [name, modelOf(spec)] as [string, CorsModel]),
  ];
}
