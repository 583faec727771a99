/**
 * `cors-gen preview` as a library: serves a generated module locally, on 127.0.0.1.
 *
 *   const preview = await startPreview({ module: 'generated/orders-api' });
 *   console.log(preview.site); // the URL to open
 *   ...
 *   await preview.close();
 *
 * Three servers: the API (the module's REST API, HTTP API or Function URL, emulated from its Terraform files,
 * with its Lambda code running for real), the site origin (standing in for the S3 website endpoint, or an
 * allowed local origin when the module has no website: see ./site/origin.ts) and a foreign origin, both serving
 * the demo page or `siteDir`. Whether the API allows each origin is asked, not assumed.
 */
import { spawnSync } from 'node:child_process';
import type { ApiKind } from '../spec/model.js';
import { assumptionsFor } from './assumptions.js';
import { ModuleError, PreviewSetupError } from './errors.js';
import { buildFunctionUrl, FUNCTION_URL_MAX_BODY_BYTES } from './function-url/function-url.js';
import { buildHttpApi, HTTP_API_MAX_BODY_BYTES } from './http-api/http-api.js';
import { moduleFunctions, type ModuleFunction } from './lambda/functions.js';
import { loadModule, nestedBlock } from './module/load.js';
import { ModuleResolver } from './module/resolve.js';
import { buildRestApi, REST_MAX_BODY_BYTES, type RouteInfo } from './rest/rest-api.js';
import { isLoopback, startServer, type Handler, type PreviewRequest, type PreviewResponse, type StartedServer } from './server/http-server.js';
import { ExchangeLog } from './site/explain.js';
import { chooseOrigins, portsBusy, sitePortNotAllowed, type LocalOrigin } from './site/origin.js';
import { corsIntent, demoPlan, type DemoPlan } from './site/plan.js';
import { siteHandler } from './site/site.js';

export { ModuleError, PreviewSetupError, terminalText } from './errors.js';
export { ASSUMPTIONS } from './assumptions.js';

export type { ApiKind } from '../spec/model.js';

export interface PreviewOptions {
  /** The module folder `cors-gen generate` wrote (`generated/<name>`). */
  readonly module: string;
  /**
   * Serve with the variable values of `stages/<stage>.tfvars`, as `-var-file` would.
   * @default the defaults; for a module without an S3 website whose defaults allow no local origin, the only
   * stage that allows one
   */
  readonly stage?: string;
  /** Address to bind. Anything but loopback exposes the Lambda code to the network. @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly apiPort?: number;
  /**
   * The site's port. With an S3 website in the module, 0 picks a free one; without, the page is served on an
   * allowed `http://localhost:<port>` or `http://127.0.0.1:<port>` origin, and this picks which.
   * @default 0 (any free port, or the first allowed local origin whose port is free)
   */
  readonly sitePort?: number;
  /** @default 0 */
  readonly foreignPort?: number;
  /** Serve this folder on the site and foreign origins instead of the demo page. */
  readonly siteDir?: string;
  /** Request log, Lambda output and warnings, one line each. @default nothing is logged */
  readonly log?: (line: string) => void;
  /** The spec's file name, used in the fixes the errors suggest. @default "the spec" */
  readonly spec?: string;
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
  /** The URL to open: the site origin, the website endpoint's stand-in or an allowed local origin. */
  readonly site: string;
  /** The foreign origin's URL. */
  readonly foreignSite: string;
  /** True when the site stands in for the module's S3 website endpoint; false when it is an allowed local origin. */
  readonly website: boolean;
  /** Whether the module's API lets the site origin read its answers (what its preflight says). */
  readonly siteAllowed: boolean;
  /** Whether it lets the foreign origin read them too (it allows `*`, or a pattern matches). */
  readonly foreignAllowed: boolean;
  /** The stage served; undefined for the module's defaults. */
  readonly stage: string | undefined;
  /** True when the stage was chosen by the preview: no stage was asked for and only this one has a local origin. */
  readonly stageChosen: boolean;
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
  const types = new Set([...doc.resources.values()].map((r) => r.type));
  const kind = detectKind(types);
  const website = types.has('aws_s3_bucket_website_configuration');
  const choice = await chooseOrigins(doc, { website, ...(options.stage !== undefined ? { stage: options.stage } : {}), ...(options.spec ? { spec: options.spec } : {}) });
  const stageValues = choice.stageValues;
  let local: readonly LocalOrigin[] = choice.local;
  if (!website && options.sitePort) {
    const port = options.sitePort;
    local = local.flatMap((o) => (o.port === 0 ? [{ origin: `http://127.0.0.1:${port}`, port }] : o.port === port ? [o] : []));
    if (local.length === 0) throw sitePortNotAllowed(options.sitePort, choice.local, choice.stage);
  }

  // Everything that does not need the servers' ports is checked before any port is taken.
  const probe = new ModuleResolver(doc, { apiOrigin: 'http://127.0.0.1:1', siteHost: '127.0.0.1:2' }, stageValues);
  probe.checkSyntax();
  probe.validateVariables();
  const websiteBlock = probe.ofType('aws_s3_bucket_website_configuration')[0];
  const indexDocument = websiteBlock ? nestedBlock(websiteBlock.body, 'index_document', websiteBlock)?.['suffix'] : undefined;
  const errorDocument = websiteBlock ? nestedBlock(websiteBlock.body, 'error_document', websiteBlock)?.['key'] : undefined;
  // S3 refuses such a suffix ("must not be empty and must not include a slash character",
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_IndexDocument.html); served, it could name a file
  // outside the site folder.
  if (typeof indexDocument === 'string' && (indexDocument === '' || /[/\\\0]/.test(indexDocument))) {
    throw new ModuleError(`index_document.suffix ${JSON.stringify(indexDocument)} is empty or contains a slash, which S3 refuses`, { file: websiteBlock!.file, address: websiteBlock!.address }, { fix: 'set frontend.indexDocument to a file name such as index.html and run "cors-gen generate"' });
  }
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
    const listen = async (name: string, port: number | undefined, maxBody: number, pick: () => Handler | undefined, on = host) => {
      const t = options.clientTimeouts ?? {};
      const limits = { maxBodyBytes: maxBody, ...(t.headersMs ? { headersTimeoutMs: t.headersMs } : {}), ...(t.requestMs ? { requestTimeoutMs: t.requestMs } : {}), ...(t.idleMs ? { idleTimeoutMs: t.idleMs } : {}) };
      const s = await startServer(name, on, port ?? 0, limits, (req) => (pick() ?? notReady)(req), log);
      servers.push(s);
      return s;
    };
    // URLs a browser can open: a wildcard bind address is reached through loopback.
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    // The site first: an allowed local origin's port is fixed, and the user's own dev server may hold it.
    let siteServer: StartedServer | undefined;
    let siteOrigin = '';
    if (website) {
      siteServer = await listen('site', options.sitePort, 1024 * 1024, () => handlers.site);
      siteOrigin = `http://${urlHost}:${siteServer.port}`;
    } else {
      const busy: LocalOrigin[] = [];
      for (const o of local) {
        try {
          // Loopback whatever --host says: the origin names 127.0.0.1 or localhost.
          siteServer = await listen('site', o.port, 1024 * 1024, () => handlers.site, '127.0.0.1');
          siteOrigin = o.port === 0 ? `http://127.0.0.1:${siteServer.port}` : o.origin;
          break;
        } catch (e) {
          if (!(e instanceof PreviewSetupError && e.code === 'port-in-use')) throw e;
          busy.push(o);
        }
      }
      if (!siteServer) throw portsBusy(busy, choice.local, choice.stage, options.spec);
      if (busy.length > 0) log(`warning: ${busy.map((o) => o.origin).join(', ')} in use (port ${busy.map((o) => o.port).join(', ')}); serving the demo page on ${siteOrigin}, also allowed`);
    }
    const apiServer = await listen('api', options.apiPort, MAX_BODY[kind], () => handlers.api);
    const foreignServer = await listen('foreign', options.foreignPort, 1024 * 1024, () => handlers.foreign);
    const apiOrigin = `http://${urlHost}:${apiServer.port}`;
    const foreignOrigin = `http://${urlHost}:${foreignServer.port}`;
    if (!isLoopback(host)) log(`warning: listening on ${host}, not loopback: anyone who can reach this machine can call the module's Lambda code`);

    const r = new ModuleResolver(doc, { apiOrigin, siteHost: new URL(siteOrigin).host }, stageValues);
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
    const [siteAllowed, foreignAllowed] = await Promise.all([allows(api, plan, siteOrigin), allows(api, plan, foreignOrigin)]);
    const siteConfig = {
      plan,
      exchanges,
      ...(options.siteDir ? { siteDir: options.siteDir } : {}),
      ...(typeof indexDocument === 'string' ? { indexDocument } : {}),
      ...(typeof errorDocument === 'string' ? { errorDocument } : {}),
    };
    handlers.site = siteHandler({ ...siteConfig, role: 'site', origin: siteOrigin, allowed: siteAllowed });
    handlers.foreign = siteHandler({ ...siteConfig, role: 'foreign', origin: foreignOrigin, allowed: foreignAllowed });

    const warnings = [...r.warnings, ...api.warnings];
    if (!siteAllowed) warnings.push(`the module's API does not allow the site origin ${siteOrigin} (a preflight from it gets no Access-Control-Allow-Origin naming it): the demo page there will be blocked like the foreign one`);
    for (const w of warnings) log(`warning: ${w}`);
    return { api: apiUrl, site: `${siteOrigin}/`, foreignSite: `${foreignOrigin}/`, website, siteAllowed, foreignAllowed, stage: choice.stage, stageChosen: choice.stageChosen, kind, routes: api.routes, warnings, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Whether the API lets `origin` read its answers, asked the way a browser asks: a preflight for the page's first
 * call, sent to the emulated API directly (not recorded, no Lambda runs), and its Access-Control-Allow-Origin.
 */
async function allows(api: { handle(request: PreviewRequest): Promise<PreviewResponse> }, plan: DemoPlan, origin: string): Promise<boolean> {
  const call = plan.calls.find((c) => c.kind === 'route') ?? plan.calls[0];
  if (!call) return false;
  const url = new URL(call.url);
  const headers = Object.keys(call.headers).map((h) => h.toLowerCase());
  const response = await api.handle({
    method: 'OPTIONS',
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers: [['Host', url.host], ['Origin', origin], ['Access-Control-Request-Method', call.method], ...(headers.length > 0 ? [['Access-Control-Request-Headers', headers.join(',')] as const] : [])],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    receivedAt: new Date(),
  });
  const allowOrigin = response.headers.filter(([k]) => k.toLowerCase() === 'access-control-allow-origin').map(([, v]) => v);
  return allowOrigin.length === 1 && (allowOrigin[0] === origin || allowOrigin[0] === '*');
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
