/**
 * `cors-gen preview` as a library: serves a generated module locally, on 127.0.0.1 (DESIGN.md section 8).
 *
 *   const preview = await startPreview({ module: 'generated/orders-api' });
 *   console.log(preview.api, preview.site, preview.foreignSite);
 *   ...
 *   await preview.close();
 *
 * Three servers: the API (the module's REST API, HTTP API or Function URL, emulated from its Terraform files,
 * with its Lambda code running for real), the site origin (standing in for the S3 website endpoint, so the
 * module allows it) and a foreign origin (allowed by nothing), both serving the demo page or `siteDir`.
 */
import { spawnSync } from 'node:child_process';
import type { ApiKind } from '../spec/model.js';
import { assumptionsFor } from './assumptions.js';
import { ModuleError, PreviewSetupError } from './errors.js';
import { buildFunctionUrl, FUNCTION_URL_MAX_BODY_BYTES } from './function-url/function-url.js';
import { buildHttpApi, HTTP_API_MAX_BODY_BYTES } from './http-api/http-api.js';
import { moduleFunctions, type ModuleFunction } from './lambda/functions.js';
import { loadModule, nestedBlock } from './module/load.js';
import { loadStageValues, ModuleResolver } from './module/resolve.js';
import { buildRestApi, REST_MAX_BODY_BYTES, type RouteInfo } from './rest/rest-api.js';
import { isLoopback, startServer, type Handler, type PreviewResponse, type StartedServer } from './server/http-server.js';
import { ExchangeLog } from './site/explain.js';
import { corsIntent, demoPlan } from './site/plan.js';
import { siteHandler } from './site/site.js';

export { ModuleError, PreviewSetupError } from './errors.js';
export { ASSUMPTIONS } from './assumptions.js';

export type { ApiKind } from '../spec/model.js';

export interface PreviewOptions {
  /** The module folder `cors-gen generate` wrote (`generated/<name>`). */
  readonly module: string;
  /** Serve with the variable values of `stages/<stage>.tfvars`, as `-var-file` would. @default the defaults */
  readonly stage?: string;
  /** Address to bind. Anything but loopback exposes the Lambda code to the network. @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly apiPort?: number;
  /** @default 0 */
  readonly sitePort?: number;
  /** @default 0 */
  readonly foreignPort?: number;
  /** Serve this folder on the site and foreign origins instead of the demo page. */
  readonly siteDir?: string;
  /** Request log, Lambda output and warnings, one line each. @default nothing is logged */
  readonly log?: (line: string) => void;
  /** The Python interpreter for python* runtimes. @default "python3" */
  readonly python?: string;
  /** Concurrent execution environments per function. @default 4 */
  readonly maxEnvironments?: number;
  /**
   * How long a client may take: to send its headers (default 10 s), its whole request (30 s), or nothing at all
   * on an open connection (60 s). Lower them to shed slow clients sooner.
   */
  readonly clientTimeouts?: { readonly headersMs?: number; readonly requestMs?: number; readonly idleMs?: number };
}

export interface Preview {
  /** The API's base URL: the module's `api_url` output, pointed at the preview (`http://127.0.0.1:P/prod`). */
  readonly api: string;
  /** The site origin's URL (allowed by the module: it is the website endpoint). */
  readonly site: string;
  /** The foreign origin's URL (allowed by nothing). */
  readonly foreignSite: string;
  readonly kind: ApiKind;
  readonly routes: readonly RouteInfo[];
  /** Problems worth knowing that do not stop the preview (stale deployment triggers, ...). */
  readonly warnings: readonly string[];
  /** Stops the servers and every execution environment. Safe to call twice. */
  close(): Promise<void>;
}

function detectKind(types: ReadonlySet<string>): ApiKind {
  const kinds: ApiKind[] = [];
  if (types.has('aws_api_gateway_rest_api')) kinds.push('rest');
  if (types.has('aws_apigatewayv2_api')) kinds.push('http');
  if (types.has('aws_lambda_function_url')) kinds.push('function-url');
  if (kinds.length === 0) throw new ModuleError('the module has no aws_api_gateway_rest_api, aws_apigatewayv2_api or aws_lambda_function_url: nothing to serve');
  if (kinds.length > 1) throw new ModuleError(`the module has more than one kind of API (${kinds.join(', ')}); the preview serves one`);
  return kinds[0]!;
}

const MAX_BODY: Record<ApiKind, number> = { rest: REST_MAX_BODY_BYTES, http: HTTP_API_MAX_BODY_BYTES, 'function-url': FUNCTION_URL_MAX_BODY_BYTES };

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const doc = await loadModule(options.module);
  const stageValues = options.stage ? await loadStageValues(doc, options.stage) : new Map();
  const kind = detectKind(new Set([...doc.resources.values()].map((r) => r.type)));

  // Everything that does not need the servers' ports is checked before any port is taken.
  const probe = new ModuleResolver(doc, { apiOrigin: 'http://127.0.0.1:1', siteHost: '127.0.0.1:2' }, stageValues);
  probe.checkSyntax();
  probe.validateVariables();
  const python = options.python ?? 'python3';
  if (probe.ofType('aws_lambda_function').some((f) => String(probe.attribute(f.address, 'runtime')).startsWith('python'))) {
    const check = spawnSync(python, ['--version'], { encoding: 'utf8' });
    if (check.error || check.status !== 0) throw new PreviewSetupError(`the module's Lambda code is Python and "${python}" cannot be run (${check.error?.message ?? check.stderr.trim()}); install python3`);
  }

  const servers: StartedServer[] = [];
  const handlers: { api?: Handler; site?: Handler; foreign?: Handler } = {};
  const notReady: Handler = async () => ({ status: 503, headers: [['Content-Type', 'text/plain'], ['Retry-After', '1']], body: 'cors-gen preview is starting\n' });
  let functions = new Map<string, ModuleFunction>();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all([...servers.map((s) => s.close()), ...[...functions.values()].map((f) => f.pool.close())]);
  };
  try {
    const listen = async (name: string, port: number | undefined, maxBody: number, pick: () => Handler | undefined) => {
      const t = options.clientTimeouts ?? {};
      const limits = { maxBodyBytes: maxBody, ...(t.headersMs ? { headersTimeoutMs: t.headersMs } : {}), ...(t.requestMs ? { requestTimeoutMs: t.requestMs } : {}), ...(t.idleMs ? { idleTimeoutMs: t.idleMs } : {}) };
      const s = await startServer(name, host, port ?? 0, limits, (req) => (pick() ?? notReady)(req), log);
      servers.push(s);
      return s;
    };
    const apiServer = await listen('api', options.apiPort, MAX_BODY[kind], () => handlers.api);
    const siteServer = await listen('site', options.sitePort, 1024 * 1024, () => handlers.site);
    const foreignServer = await listen('foreign', options.foreignPort, 1024 * 1024, () => handlers.foreign);
    // URLs a browser can open: a wildcard bind address is reached through loopback.
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const apiOrigin = `http://${urlHost}:${apiServer.port}`;
    const siteOrigin = `http://${urlHost}:${siteServer.port}`;
    const foreignOrigin = `http://${urlHost}:${foreignServer.port}`;
    if (!isLoopback(host)) log(`warning: listening on ${host}, not loopback: anyone who can reach this machine can call the module's Lambda code`);

    const r = new ModuleResolver(doc, { apiOrigin, siteHost: `${urlHost}:${siteServer.port}` }, stageValues);
    r.validateVariables();
    functions = moduleFunctions(r, { log, python, ...(options.maxEnvironments ? { maxEnvironments: options.maxEnvironments } : {}) });
    const api = kind === 'rest' ? buildRestApi(r, functions, log) : kind === 'http' ? buildHttpApi(r, functions, log) : buildFunctionUrl(r, functions, log);
    const apiUrl = baseUrl(r, api, apiOrigin);

    const exchanges = new ExchangeLog();
    handlers.api = async (request) => {
      const response: PreviewResponse = await api.handle(request);
      exchanges.record(request, response);
      return response;
    };

    const fn = [...functions.values()][0];
    const service = 'cors' in api ? api.cors : undefined;
    const plan = demoPlan(kind, apiUrl, api.routes, corsIntent(fn?.code.environment, service), assumptionsFor(kind).map((a) => a.text));
    const website = r.ofType('aws_s3_bucket_website_configuration')[0];
    const indexDocument = website ? nestedBlock(website.body, 'index_document', website)?.['suffix'] : undefined;
    const errorDocument = website ? nestedBlock(website.body, 'error_document', website)?.['key'] : undefined;
    const siteConfig = {
      plan,
      exchanges,
      ...(options.siteDir ? { siteDir: options.siteDir } : {}),
      ...(typeof indexDocument === 'string' ? { indexDocument } : {}),
      ...(typeof errorDocument === 'string' ? { errorDocument } : {}),
    };
    handlers.site = siteHandler({ ...siteConfig, role: 'site', origin: siteOrigin });
    handlers.foreign = siteHandler({ ...siteConfig, role: 'foreign', origin: foreignOrigin });

    const warnings = [...r.warnings, ...api.warnings];
    if (!website) warnings.push(`the module has no aws_s3_bucket_website_configuration, so the site origin ${siteOrigin} is not among its allowed origins: the demo page there will be blocked like the foreign one`);
    for (const w of warnings) log(`warning: ${w}`);
    return { api: apiUrl, site: `${siteOrigin}/`, foreignSite: `${foreignOrigin}/`, kind, routes: api.routes, warnings, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The module's `api_url` output when it has one (it names the stage), else the API server's root. */
function baseUrl(r: ModuleResolver, api: { kind: ApiKind; stages?: readonly string[]; basePath?: string }, origin: string): string {
  const output = r.doc.outputs.get('api_url');
  if (output && output.body['value'] !== undefined) {
    const v = r.evalRaw(output.body['value'], { file: output.file, address: 'output.api_url' });
    if (typeof v === 'string' && v.startsWith(origin)) return v.replace(/\/$/, '');
  }
  if (api.kind === 'rest') return `${origin}/${api.stages?.[0] ?? ''}`;
  return `${origin}${api.basePath ?? ''}`;
}
