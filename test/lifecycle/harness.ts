/**
 * Runs replicas of generated modules with the real `terraform` binary against one modelled AWS account: an
 * {@link Account} is a folder holding the model file; a {@link Workspace} is one Terraform state in it (one
 * root configuration, one region), as a user would keep one state per stage or region.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { generate } from '../../src/synth/generate.js';
import { computed, handle } from './aws-model.mjs';

export { computed };
import { buildReplica } from './replica.js';

const run = promisify(execFile);

export const TERRAFORM = '/usr/local/bin/terraform';

/** Why the lifecycle suite cannot run here, or undefined when it can. In CI a missing binary is a failure. */
export function terraformMissing(): string | undefined {
  if (existsSync(TERRAFORM)) return undefined;
  if (process.env.CI === 'true') throw new Error(`${TERRAFORM} is missing; the lifecycle tests need it in CI`);
  return `${TERRAFORM} is not installed`;
}

export interface TerraformResult {
  readonly code: number;
  readonly output: string;
}

export type Model = any;

/**
 * One modelled AWS account: the model (aws-model.mjs) lives in this process and answers the replicas'
 * provisioners over HTTP on 127.0.0.1, one call at a time, so parallel provisioners see a consistent account.
 */
export class Account {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cors-gen-lifecycle-'));
  readonly model: Model = { regions: {}, buckets: {}, roles: {}, objects: {}, log: [] };
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [, op, region] = (req.url ?? '').split('/');
        let error: string | undefined;
        try {
          error = handle(this.model, op, JSON.parse(Buffer.concat(chunks).toString('utf8')), region);
        } catch (e) {
          error = `model failure: ${(e as Error).stack ?? String(e)}`;
        }
        res.writeHead(error === undefined ? 200 : 400, { 'content-type': 'text/plain' });
        res.end(error ?? '');
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** What `aws s3 sync` would do: puts objects into a bucket. */
  upload(bucketName: string, keys: readonly string[]): void {
    const bucket = this.model.buckets[bucketName];
    if (!bucket) throw new Error(`no bucket ${bucketName} in the model`);
    bucket.objects.push(...keys);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Workspace {
  readonly dir: string;
  #initialised = false;

  constructor(
    readonly account: Account,
    name: string,
    readonly region = 'us-east-1',
  ) {
    this.dir = path.join(account.dir, name);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, 'cli.tfrc'), '');
  }

  /** Replica addresses in this workspace's state. */
  stateAddresses(): string[] {
    const file = path.join(this.dir, 'terraform.tfstate');
    if (!existsSync(file)) return [];
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resources: Array<{ type: string; name: string }> };
    return state.resources.map((r) => `${r.type}.${r.name}`);
  }

  /** The replica id of a module resource in this workspace's state (e.g. `aws_s3_bucket.site`). */
  idOf(address: string): string | undefined {
    const file = path.join(this.dir, 'terraform.tfstate');
    if (!existsSync(file)) return undefined;
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      resources: Array<{ name: string; instances: Array<{ attributes: { id: string } }> }>;
    };
    return state.resources.find((r) => r.name === address.replace('.', '__'))?.instances[0]?.attributes.id;
  }

  /** Writes the replica of `moduleDir` as this workspace's configuration (with the module's tfvars files). */
  async use(moduleDir: string): Promise<void> {
    const replica = await buildReplica(moduleDir, this.account.url, this.stateAddresses());
    writeFileSync(path.join(this.dir, 'main.tf.json'), `${JSON.stringify(replica.config, null, 1)}\n`);
    rmSync(path.join(this.dir, 'stages'), { recursive: true, force: true });
    if (existsSync(path.join(moduleDir, 'stages')))
      cpSync(path.join(moduleDir, 'stages'), path.join(this.dir, 'stages'), { recursive: true });
    if (!this.#initialised) {
      const init = await this.terraform(['init', '-input=false', '-no-color']);
      if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
      this.#initialised = true;
    }
  }

  async apply(moduleDir: string, vars: readonly string[] = []): Promise<TerraformResult> {
    await this.use(moduleDir);
    return this.terraform([
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-refresh=false',
      '-parallelism=10',
      ...this.vars(vars),
    ]);
  }

  /** `plan -detailed-exitcode`: 0 when the state matches the configuration, 2 when there are changes. */
  async plan(moduleDir: string, vars: readonly string[] = []): Promise<TerraformResult> {
    await this.use(moduleDir);
    return this.terraform([
      'plan',
      '-detailed-exitcode',
      '-input=false',
      '-no-color',
      '-refresh=false',
      ...this.vars(vars),
    ]);
  }

  async destroy(moduleDir: string, vars: readonly string[] = []): Promise<TerraformResult> {
    await this.use(moduleDir);
    return this.terraform([
      'destroy',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-refresh=false',
      '-parallelism=10',
      ...this.vars(vars),
    ]);
  }

  vars(vars: readonly string[]): string[] {
    return [
      `-var=lifecycle_region=${this.region}`,
      ...vars.map((v) => (v.endsWith('.tfvars') ? `-var-file=${v}` : `-var=${v}`)),
    ];
  }

  async terraform(args: readonly string[]): Promise<TerraformResult> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: path.join(this.dir, 'cli.tfrc'),
      AWS_REGION: this.region,
    };
    try {
      const { stdout, stderr } = await run(TERRAFORM, args, { cwd: this.dir, env, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, output: stdout + stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  }
}

// ---- specs and modules ------------------------------------------------------------------------------------------

export type Spec = Record<string, any>;

/** Generates the module of `spec` with today's generator into a new folder; returns the module folder. */
export async function generateModule(spec: Spec, root: string, label: string): Promise<string> {
  const dir = path.join(root, 'specs', label);
  mkdirSync(dir, { recursive: true });
  const specFile = path.join(dir, 'cors-gen.yaml');
  writeFileSync(specFile, stringify(spec));
  const result = await generate({ spec: specFile, out: path.join(dir, 'out'), cwd: dir });
  if (!result.ok) throw new Error(`generate failed for ${label}: ${JSON.stringify(result).slice(0, 2000)}`);
  return path.join(dir, 'out', String(spec.name));
}

// ---- what the stage serves --------------------------------------------------------------------------------------

export interface Served {
  /** `METHOD /path` for every method the stage's deployment serves. */
  readonly routes: readonly string[];
  /** The OPTIONS integration response of each path, by path. */
  readonly preflight: Readonly<
    Record<string, { responseParameters: Record<string, string>; responseTemplates: Record<string, string> }>
  >;
  readonly gatewayResponses: Readonly<Record<string, { responseParameters: Record<string, string> }>>;
}

/**
 * The deployment the REST API stage of a workspace serves, from the model. The API and the stage are the ones
 * the workspace's state holds (`aws_api_gateway_rest_api.api`, `aws_api_gateway_stage.api`), whatever the
 * module names them in AWS.
 */
export function servedRest(account: Account, ws: Workspace): Served {
  const apiId = ws.idOf('aws_api_gateway_rest_api.api');
  if (!apiId) throw new Error('no REST API in the state');
  const api = account.model.regions[ws.region]?.restApis[apiId];
  if (!api) throw new Error(`REST API ${apiId} is not in the account model`);
  const stageId = ws.idOf('aws_api_gateway_stage.api');
  const stage = Object.values<any>(api.stages).find((s) => s.tfId === stageId);
  if (!stage) throw new Error('the stage in the state does not exist in the account');
  const snap = api.deployments[stage.deploymentId];
  if (!snap) throw new Error('the stage points at a deployment that does not exist');
  const routes: string[] = [];
  const preflight: Record<string, any> = {};
  for (const [p, methods] of Object.entries<Record<string, any>>(snap.paths)) {
    for (const [m, def] of Object.entries<any>(methods)) {
      routes.push(`${m} ${p}`);
      if (m === 'OPTIONS')
        preflight[p] = Object.values(def.responses)[0] ?? { responseParameters: {}, responseTemplates: {} };
    }
  }
  return { routes: routes.sort(), preflight, gatewayResponses: snap.gatewayResponses };
}

/** What the stage must serve for `spec`: its routes, OPTIONS on each route's path, the CORS values. */
export interface Expected {
  readonly routes: readonly string[];
  readonly optionsPaths: readonly string[];
  readonly origins: readonly string[];
  readonly credentials: boolean;
  /** The preflight's Allow-Methods/Allow-Headers/Max-Age values the spec names (only those it sets). */
  readonly preflightHeaders: Readonly<Record<string, string>>;
}

/** The expectation for `spec`; `websiteOrigin` is added to the origins when the spec has a frontend. */
export function expectedRest(
  spec: Spec,
  websiteOrigin: string | undefined,
  originsOverride?: readonly string[],
): Expected {
  const routes: string[] = [];
  const optionsPaths = new Set<string>();
  for (const route of spec.routes as Array<{ path: string; methods: string[] }>) {
    const p = route.path.replace(/\{([^}]+)\+\}/g, '{$1+}');
    for (const m of route.methods) routes.push(`${m} ${p}`);
    optionsPaths.add(p);
  }
  const origins = [...(originsOverride ?? (spec.cors.allowOrigins as string[]))];
  if (spec.frontend?.enabled && websiteOrigin) origins.push(websiteOrigin);
  return {
    routes: routes.sort(),
    optionsPaths: [...optionsPaths].sort(),
    origins: origins.sort(),
    credentials: spec.cors.allowCredentials === true,
    preflightHeaders: {
      ...(spec.cors.allowMethods ? { 'Access-Control-Allow-Methods': `'${spec.cors.allowMethods.join(',')}'` } : {}),
      ...(spec.cors.allowHeaders ? { 'Access-Control-Allow-Headers': `'${spec.cors.allowHeaders.join(',')}'` } : {}),
      ...(spec.cors.maxAge !== undefined ? { 'Access-Control-Max-Age': `'${spec.cors.maxAge}'` } : {}),
    },
  };
}

/** The list of exact origins the preflight's VTL compares against (`#set($allowed = [...])`). */
export function vtlOrigins(template: string): string[] {
  const m = /#set\(\$allowed = (\[[^\]]*\])\)/.exec(template);
  if (!m) throw new Error(`no allowed-origins list in the preflight template:\n${template}`);
  return (JSON.parse(m[1]!) as string[]).sort();
}

/** Differences between what the stage serves and what the spec asks for (empty when they agree). */
export function servedMismatches(served: Served, expected: Expected): string[] {
  const out: string[] = [];
  const real = served.routes.filter((r) => !r.startsWith('OPTIONS '));
  for (const r of expected.routes) if (!real.includes(r)) out.push(`missing ${r}`);
  for (const r of real) if (!expected.routes.includes(r)) out.push(`stale ${r}`);
  const prefixes = new Set(
    expected.optionsPaths.flatMap((p) => p.split('/').map((_, i, all) => all.slice(0, i + 1).join('/') || '/')),
  );
  for (const p of expected.optionsPaths) if (!served.preflight[p]) out.push(`missing OPTIONS ${p}`);
  for (const p of Object.keys(served.preflight)) if (!prefixes.has(p)) out.push(`stale OPTIONS ${p}`);
  for (const [p, response] of Object.entries(served.preflight)) {
    for (const [header, value] of Object.entries(expected.preflightHeaders)) {
      const served = response.responseParameters[`method.response.header.${header}`];
      if (served !== value) out.push(`OPTIONS ${p}: ${header} ${String(served)}`);
    }
    const credentials = response.responseParameters['method.response.header.Access-Control-Allow-Credentials'];
    if ((credentials === "'true'") !== expected.credentials)
      out.push(`OPTIONS ${p}: Allow-Credentials ${String(credentials)}`);
    const origins = vtlOrigins(Object.values(response.responseTemplates)[0] ?? '');
    if (JSON.stringify(origins) !== JSON.stringify(expected.origins))
      out.push(`OPTIONS ${p}: origins ${origins.join(' ')}`);
  }
  for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
    const params = served.gatewayResponses[type]?.responseParameters ?? {};
    const credentials = params['gatewayresponse.header.Access-Control-Allow-Credentials'];
    if ((credentials === "'true'") !== expected.credentials)
      out.push(`${type}: Allow-Credentials ${String(credentials)}`);
    const origin = String(params['gatewayresponse.header.Access-Control-Allow-Origin'] ?? '');
    // Without credentials a gateway response may echo the request's Origin (a mapping expression, unquoted);
    // with credentials it must name one allowed origin as a literal ('...').
    const echoes = origin === 'method.request.header.origin' && !expected.credentials;
    if (!echoes && !expected.origins.includes(origin.replace(/^'|'$/g, '')))
      out.push(`${type}: Allow-Origin ${origin}`);
  }
  return out;
}

export interface ServeOptions {
  /** The origins the workspace's variables allow. @default the spec's */
  readonly origins?: readonly string[];
}

/**
 * Everything that differs between what a workspace's REST API stage serves (from the model) and what `spec`
 * asks for: routes, preflights, CORS values, the function's runtime and its permission for the API.
 */
export function restMismatches(account: Account, ws: Workspace, spec: Spec, options: ServeOptions = {}): string[] {
  const siteId = ws.idOf('aws_s3_bucket_website_configuration.site');
  const websiteOrigin = siteId ? `http://${computed('website_endpoint', siteId)}` : undefined;
  const out = servedMismatches(servedRest(account, ws), expectedRest(spec, websiteOrigin, options.origins));
  const fnName = account.model.objects[ws.idOf('aws_lambda_function.handler') ?? '']?.name;
  const fn = account.model.regions[ws.region]?.functions[fnName];
  if (!fn) return [...out, 'no Lambda function'];
  if (fn.runtime !== spec.lambda.runtime) out.push(`runtime ${String(fn.runtime)}`);
  const executionArn = computed('execution_arn', ws.idOf('aws_api_gateway_rest_api.api')!);
  if (!Object.values<any>(fn.permissions).some((p) => String(p.sourceArn).startsWith(executionArn)))
    out.push('no permission for the API to invoke the function');
  return out;
}

/** The part of Terraform's output worth reading when a step fails: its errors, else its last lines. */
export function failureText(output: string): string {
  const at = output.indexOf('Error:');
  return (at >= 0 ? output.slice(at) : output.slice(-3000)).slice(0, 6000);
}
