/**
 * Shared by the synthesis and construct tests: specs built in the test, synthesized through the same path as
 * `cors-gen generate` (validateSpec -> buildModuleFiles), with the apply-time rule checker run on every module
 * a test synthesizes.
 */
import { expect } from 'vitest';
import { checkApplyRules } from '../../src/synth/apply-rules.js';
import { moduleDocument, moduleEnvironment, type RawBody } from '../../src/terraform/document.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { buildModuleFiles, type ModuleFiles, type OutputFormat } from '../../src/synth/module-files.js';
import type { CorsModel } from '../../src/spec/model.js';
import { validateSpec } from '../../src/spec/validate.js';

export type Body = Record<string, unknown>;
export interface SpecInput {
  version?: 1;
  name?: string;
  api?: 'rest' | 'http' | 'function-url';
  stage?: string;
  cors?: Partial<{
    allowOrigins: string[];
    allowMethods: string[];
    allowHeaders: string[];
    exposeHeaders: string[];
    allowCredentials: boolean;
    maxAge: number;
    enforceOrigin: boolean;
  }>;
  routes?: Array<{ path: string; methods: string[]; auth?: string; apiKeyRequired?: boolean }>;
  authorizers?: Record<string, Record<string, unknown>>;
  auth?: string;
  apiKeyRequired?: boolean;
  frontend?: {
    enabled?: boolean;
    indexDocument?: string;
    cdn?: boolean;
    aliases?: string[];
    certificateArn?: string;
    spa?: boolean;
  };
  lambda?: {
    runtime?: string;
    memorySize?: number;
    timeout?: number;
    environment?: Record<string, string>;
    policyArns?: string[];
    policy?: Record<string, unknown>;
    layers?: string[];
    vpc?: { subnetIds: string[]; securityGroupIds: string[] };
    source?: string;
    handler?: string;
  };
  stages?: Record<
    string,
    { allowOrigins: string[]; authorizers?: Record<string, Record<string, unknown>>; domain?: DomainInput }
  >;
  domain?: DomainInput;
}
export interface DomainInput {
  name: string;
  certificateArn: string;
  zoneId?: string;
}

/**
 * A REST API with two origins, a frontend, nested paths (`/orders/{orderId}/items` without a route on
 * `/orders/{orderId}`, so that resource exists only as a parent), a greedy `{proxy+}` and a root route.
 */
export const BASE_SPEC: SpecInput = {
  version: 1,
  name: 'shop',
  api: 'rest',
  cors: {
    allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
    allowMethods: ['GET', 'POST', 'PUT'],
    allowHeaders: ['Content-Type', 'Authorization'],
    exposeHeaders: ['X-Request-Id'],
    allowCredentials: false,
    maxAge: 600,
  },
  routes: [
    { path: '/', methods: ['GET'] },
    { path: '/orders', methods: ['GET', 'POST'] },
    { path: '/orders/{orderId}/items', methods: ['GET'] },
    { path: '/files/{proxy+}', methods: ['GET', 'PUT'] },
  ],
  frontend: { enabled: true },
};

/** BASE_SPEC with some keys replaced; `cors` is merged key by key. */
export function spec(overrides: SpecInput = {}): SpecInput {
  return { ...BASE_SPEC, ...overrides, cors: { ...BASE_SPEC.cors, ...overrides.cors } };
}

export function modelOf(input: SpecInput): CorsModel {
  const result = validateSpec(input);
  if (!result.ok) throw new Error(`test spec is invalid: ${JSON.stringify(result.errors, null, 2)}`);
  return result.model;
}

const cache = new Map<string, Promise<ModuleFiles>>();

/**
 * The module files for a spec, as `cors-gen generate` would write them (memoized per spec and format). Every
 * module synthesized here must pass the apply-time rule checker.
 */
export async function synth(input: SpecInput, format: OutputFormat = 'hcl'): Promise<ModuleFiles> {
  const key = JSON.stringify([input, format]);
  let files = cache.get(key);
  if (!files) {
    files = buildModuleFiles(modelOf(input), {
      format,
      specFile: 'cors-gen.yaml',
      specText: JSON.stringify(input),
      version: '0.0.0-test',
    });
    cache.set(key, files);
  }
  const result = await files;
  expect(checkApplyRules(result.document), `apply-time rules for ${key}`).toEqual([]);
  return result;
}

/** The synthesized document of a spec (the same for both formats; JSON skips the HCL formatter). */
export async function doc(input: SpecInput): Promise<TerraformDocument> {
  return (await synth(input, 'json')).document;
}

/** `resource.<type>` of a document: name -> body (empty when the type is absent). */
export function resources(d: TerraformDocument, type: string): Record<string, Body> {
  return ((d.resource as Record<string, Record<string, Body>> | undefined)?.[type] ?? {}) as Record<string, Body>;
}

/** One resource body; fails the test when it is missing. */
export function resource(d: TerraformDocument, type: string, name: string): Body {
  const body = resources(d, type)[name];
  if (!body)
    throw new Error(
      `${type}.${name} is not in the document; it has ${Object.keys(resources(d, type)).join(', ') || 'none of that type'}`,
    );
  return body;
}

/**
 * The variables the module sets on a function (the CORS contract), read the way the checkers read them: the
 * local its `merge(var.environment_variables, local.cors_environment)` lets win.
 */
export function functionEnvironment(d: TerraformDocument, name = 'handler'): Body {
  return moduleEnvironment(moduleDocument(d), resource(d, 'aws_lambda_function', name) as RawBody);
}

export function locals(d: TerraformDocument): Record<string, string> {
  return (d.locals ?? {}) as Record<string, string>;
}

/** A deep copy, for tests that break a document on purpose. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
