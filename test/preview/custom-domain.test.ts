/**
 * A module with a custom API domain is still served by the preview: the domain name, its mapping and its DNS
 * record are left out (the preview serves the API on its own local origin), and the API is emulated as without.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDeployment } from '../../src/preview/module/deployment.js';
import { loadModule } from '../../src/preview/module/load.js';
import { generateModules, type GeneratedModules } from '../support/preview.js';

const ENV = { apiOrigin: 'http://127.0.0.1:4000', siteHost: '127.0.0.1:5000' };
const spec = (api: 'rest' | 'http') => `version: 1
name: shop-${api}
api: ${api}
cors:
  allowOrigins: [https://app.example.com]
  allowCredentials: true
routes:
  - path: /orders
    methods: [GET]
domain:
  name: api.example.com
  certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012
  zoneId: Z0123456789ABCDEFGHIJ
`;

let specs: string;
let modules: GeneratedModules;
beforeAll(async () => {
  specs = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-domain-specs-'));
  const list = (['rest', 'http'] as const).map((api) => {
    const file = path.join(specs, `${api}.yaml`);
    writeFileSync(file, spec(api));
    return { name: api, spec: file };
  });
  modules = await generateModules(list);
});
afterAll(() => {
  modules?.cleanup();
  rmSync(specs, { recursive: true, force: true });
});

describe('preview of a module with a custom domain', () => {
  it.each(['rest', 'http'] as const)('plans the %s API as without a domain', async (api) => {
    const doc = await loadModule(modules.dirs.get(api)!);
    expect([...doc.resources.keys()].some((a) => a.includes('api_domain'))).toBe(true);
    const { api: planned } = planDeployment(doc, ENV, new Map());
    expect(planned.kind).toBe(api);
    expect(planned.routes.map((r) => r.path)).toEqual(['/orders']);
  });
});
