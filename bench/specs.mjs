// Specs for the benchmark: the bundled example, and generated REST APIs of any size.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLE_SPEC = path.join(ROOT, 'examples/orders-api/cors-gen.yaml');

/**
 * A REST API with `routes` routes, shaped like real ones: collections, items and sub-collections
 * (`/svc-3`, `/svc-3/{svc3Id}`, `/svc-3/{svc3Id}/items`), two origins with credentials, a frontend and a dev stage,
 * like the example. Every route adds REST resources, methods, integrations and responses.
 */
export function generatedSpec(routes) {
  const list = [];
  for (let i = 0; list.length < routes; i++) {
    const base = `/svc-${i}`;
    const id = `{svc${i}Id}`;
    list.push({ path: base, methods: ['GET', 'POST'] });
    if (list.length < routes) list.push({ path: `${base}/${id}`, methods: ['GET', 'PUT', 'DELETE'] });
    if (list.length < routes) list.push({ path: `${base}/${id}/items`, methods: ['GET'] });
  }
  return {
    version: 1,
    name: `bench-${routes}`,
    api: 'rest',
    stage: 'prod',
    cors: {
      allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id'],
      allowCredentials: true,
      maxAge: 600,
    },
    routes: list,
    frontend: { enabled: true, indexDocument: 'index.html' },
    lambda: { runtime: 'nodejs22.x', memorySize: 256, timeout: 10 },
    stages: { dev: { allowOrigins: ['http://localhost:3000', 'https://app.example.com'] } },
  };
}

export function exampleSpecText() {
  return readFileSync(EXAMPLE_SPEC, 'utf8');
}
