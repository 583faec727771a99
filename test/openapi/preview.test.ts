/**
 * `preview` of a module generated with `openapi:`: the emulator reads the merged body like any other and serves
 * the routes cors-gen integrates; a method the preview cannot emulate (the user's own HTTP integration) is refused
 * with its place in the document, as for any module.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src/preview/index.js';
import { generate } from '../../src/synth/generate.js';
import { header, send } from '../support/preview.js';

const roots: string[] = [];
const previews: Preview[] = [];
afterAll(async () => {
  await Promise.all(previews.map((p) => p.close()));
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

const DOCUMENT = `openapi: 3.0.3
info:
  title: Orders
  version: '2.1'
  description: The orders of the shop
tags:
  - name: orders
paths:
  /orders/{orderId}:
    parameters:
      - name: orderId
        in: path
        required: true
        schema:
          type: string
    get:
      tags: [orders]
      operationId: getOrder
      responses:
        '200':
          description: the order
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Order'
    put:
      operationId: putOrder
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Order'
      responses:
        '204':
          description: stored
components:
  schemas:
    Order:
      type: object
      properties:
        id:
          type: string
`;

/** A port nothing listens on now: the allowed localhost origin the preview serves its site on (5173 may be busy). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Generates the module of a spec with `openapi:` naming `document`; returns the module folder and the localhost
 * origin it allows.
 */
async function moduleOf(document: string): Promise<{ module: string; origin: string }> {
  const origin = `http://localhost:${await freePort()}`;
  const root = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-openapi-preview-'));
  roots.push(root);
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'openapi.yaml'), document);
  writeFileSync(
    path.join(root, 'cors-gen.yaml'),
    `version: 1\nname: orders\nopenapi: openapi.yaml\ncors:\n  allowOrigins: [${origin}]\n`,
  );
  const result = await generate({ spec: 'cors-gen.yaml', out: 'generated', cwd: root });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return { module: path.join(root, 'generated', 'orders'), origin };
}

describe("preview of a module built on the user's OpenAPI document", () => {
  it('answers the preflight and serves a Lambda-integrated route with its CORS headers', async () => {
    const { module, origin } = await moduleOf(DOCUMENT);
    const p = await startPreview({ module, log: () => undefined });
    previews.push(p);
    expect(p.routes.map((r) => r.path)).toEqual(['/orders', '/orders/{orderId}']);
    const pre = await send(`${p.api}/orders/o-1`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(header(pre, 'access-control-allow-origin')).toBe(origin);
    expect(header(pre, 'access-control-allow-methods')).toBe('GET,PUT');
    const get = await send(`${p.api}/orders/o-1`, { headers: { Origin: origin } });
    expect(get.status).toBe(200);
    expect(header(get, 'access-control-allow-origin')).toBe(origin);
    // The parent resource API Gateway creates answers the preflight too.
    const parent = await send(`${p.api}/orders`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(parent.status).toBe(204);
  });

  it('serves a Swagger 2.0 document, which stays 2.0 in the module', async () => {
    const swagger = `swagger: '2.0'
info:
  title: Orders
  version: '1'
basePath: /v1
produces: [application/json]
paths:
  /orders:
    get:
      produces: [application/json]
      responses:
        '200':
          description: the orders
          schema:
            $ref: '#/definitions/Orders'
definitions:
  Orders:
    type: array
    items:
      type: string
`;
    const { module, origin } = await moduleOf(swagger);
    const p = await startPreview({ module, log: () => undefined });
    previews.push(p);
    // API Gateway ignores basePath when it imports the document: the routes are the paths as written.
    const get = await send(`${p.api}/orders`, { headers: { Origin: origin } });
    expect(get.status).toBe(200);
    expect(header(get, 'access-control-allow-origin')).toBe(origin);
    const pre = await send(`${p.api}/orders`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(header(pre, 'access-control-allow-methods')).toBe('GET');
  });

  it("serves the rest of the API when a method has the user's own HTTP integration, which answers 502 with CORS headers", async () => {
    const own = DOCUMENT.replace(
      "        '204':\n          description: stored\n",
      "        '204':\n          description: stored\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: PUT\n        uri: https://old.example.com/orders/{orderId}\n",
    );
    const { module, origin } = await moduleOf(own);
    const p = await startPreview({ module, log: () => undefined });
    previews.push(p);
    expect(p.warnings).toContainEqual(
      expect.stringMatching(/^PUT \/orders\/\{orderId\}: its integration calls a backend the preview does not have/),
    );
    const put = await send(`${p.api}/orders/o-1`, { method: 'PUT', headers: { Origin: origin } });
    expect(put.status).toBe(502);
    expect(header(put, 'access-control-allow-origin')).toBe(origin);
    const get = await send(`${p.api}/orders/o-1`, { headers: { Origin: origin } });
    expect(get.status).toBe(200);
  });
});
