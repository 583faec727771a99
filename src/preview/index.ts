/**
 * `cors-gen preview` as a library: serves a generated module locally, on 127.0.0.1.
 *
 *   const preview = await startPreview({ module: 'generated/orders-api' });
 *   console.log(preview.site); // the URL to open
 *   ...
 *   await preview.close();
 *
 * Three servers: the API (the module's REST API, HTTP API or Function URL, emulated from its Terraform files,
 * with its Lambda code running for real), the site origin (standing in for the S3 website endpoint, for the
 * CloudFront distribution over https on `https://localhost:<port>`, or an allowed local origin when the module has
 * no frontend: see ./site/origin.ts) and a foreign origin, both serving the demo page or `siteDir`. Whether the
 * API allows each origin is asked, not assumed.
 */
import { UsageError } from '../errors.js';
import type { ApiKind } from '../spec/model.js';
import { assumptionsFor } from './assumptions.js';
import type { PreviewAuthOptions } from './authorizers.js';
import { PreviewSetupError } from './errors.js';
import { FUNCTION_URL_MAX_BODY_BYTES, functionUrlHandler } from './function-url/function-url.js';
import { HTTP_API_MAX_BODY_BYTES, httpApiHandler } from './http-api/http-api.js';
import { LambdaPool } from './lambda/pool.js';
import { linkPythonSdk } from './lambda/runtime-sdk.js';
import { stageCode, temporaryFolder, type StagedCode } from './lambda/stage.js';
import { localPython, runtimeVersionWarnings } from './lambda/versions.js';
import { apiKind, planDeployment, type ApiModel } from './module/deployment.js';
import type { FunctionRuntime } from './module/functions.js';
import { loadModule } from './module/load.js';
import { parseVarFlags } from './module/stages.js';
import type { RouteInfo } from './module/routes.js';
import { REST_MAX_BODY_BYTES, restApiHandler } from './rest/rest-api.js';
import {
  isLoopback,
  startServer,
  type Handler,
  type PreviewResponse,
  type ServerTls,
  type StartedServer,
} from './server/http-server.js';
import { siteTls, type CertificateFiles } from './server/tls.js';
import { ExchangeLog } from './site/explain.js';
import { chooseOrigins, sitePortNotAllowed, type LocalOrigin } from './site/origin.js';
import { corsIntent, demoPlan, type DemoPlan } from './site/plan.js';
import { siteHandler } from './site/site.js';

export { ModuleError, PreviewSetupError } from './errors.js';
export { terminalText } from '../terminal-text.js';
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
  /**
   * `NAME=VALUE` values for the module's variables, as `terraform plan -var` takes them (collections as HCL);
   * they win over the stage's. @default none
   */
  readonly vars?: readonly string[];
  /** Address to bind. Anything but loopback exposes the Lambda code to the network. @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly apiPort?: number;
  /**
   * The site's port. With an S3 website or a CloudFront distribution in the module, 0 picks a free one; without,
   * the page is served on an allowed `http://localhost:<port>` or `http://127.0.0.1:<port>` origin, and this
   * picks which.
   * @default 0 (any free port, or the first allowed local origin whose port is free)
   */
  readonly sitePort?: number;
  /**
   * With a CloudFront distribution, the site is served over https on `https://localhost:<port>`: this PEM
   * certificate (for `localhost`, e.g. from mkcert, which browsers trust) and its key instead of one generated
   * for the run, which browsers warn about once.
   * @default a self-signed certificate for localhost, 127.0.0.1 and ::1, made in memory for this run
   */
  readonly siteCertificate?: CertificateFiles;
  /** @default 0 */
  readonly foreignPort?: number;
  /** Serve this folder on the site and foreign origins instead of the demo page. */
  readonly siteDir?: string;
  /** Request log, Lambda output and warnings, one line each. @default nothing is logged */
  readonly log?: (line: string) => void;
  /** The spec's file name, used in the fixes the errors suggest. @default "the spec" */
  readonly spec?: string;
  /**
   * The Python interpreter for python* runtimes: a command or a path, resolved once, at start, to the interpreter
   * it runs (its `sys.executable`), which then runs every Python function. @default "python3"
   */
  readonly python?: string;
  /**
   * The token the emulated authorizers accept (Cognito, JWT, Lambda: the identity header, with or without
   * `Bearer `); any other is denied as AWS denies it. @default "preview-token", what the demo page sends
   */
  readonly acceptToken?: string;
  /** The `x-api-key` value methods that require an API key accept. @default "preview", what the demo page sends */
  readonly apiKey?: string;
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
  /**
   * Whether the preview serves its demo page on `site`. False when every allowed local origin's port was taken
   * (most often by the user's own dev server, whose page on `site` can then call the API).
   */
  readonly demoPage: boolean;
  /** The foreign origin's URL. */
  readonly foreignSite: string;
  /** True when the site stands in for the module's S3 website endpoint; false when it is an allowed local origin. */
  readonly website: boolean;
  /**
   * Set when the site stands in for the module's CloudFront distribution (`https://localhost:<port>`, the
   * distribution's `domain_name` being `localhost:<port>`): where its certificate comes from, the certificate
   * (PEM, for a client to trust as its `ca`), and the aliases the module allows but the preview cannot serve
   * (their DNS is the real distribution's).
   */
  readonly cdn?: {
    readonly certificate: 'generated' | 'given';
    readonly certificatePem: string;
    readonly aliases: readonly string[];
  };
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

const MAX_BODY: Record<ApiKind, number> = {
  rest: REST_MAX_BODY_BYTES,
  http: HTTP_API_MAX_BODY_BYTES,
  'function-url': FUNCTION_URL_MAX_BODY_BYTES,
};

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const doc = await loadModule(options.module);
  const kind = apiKind(doc);
  const types = new Set([...doc.resources.values()].map((r) => r.type));
  const website = types.has('aws_s3_bucket_website_configuration');
  const cdn = !website && types.has('aws_cloudfront_distribution');
  if (options.siteCertificate && !cdn)
    throw new UsageError(
      `--site-cert ${options.siteCertificate.certFile}: the module has no CloudFront distribution, so its site is served over plain http`,
      { code: 'site-cert-without-cdn', fix: 'leave --site-cert and --site-key out (they are for frontend.cdn)' },
    );
  const choice = await chooseOrigins(doc, {
    hostsSite: website || cdn,
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    ...(options.spec ? { spec: options.spec } : {}),
  });
  const stageValues = new Map([...choice.stageValues, ...parseVarFlags(doc, options.vars ?? [])]);
  let local: readonly LocalOrigin[] = choice.local;
  if (!website && !cdn && options.sitePort) {
    const port = options.sitePort;
    local = local.flatMap((o) =>
      o.port === 0 ? [{ origin: `http://127.0.0.1:${port}`, port }] : o.port === port ? [o] : [],
    );
    if (local.length === 0) throw sitePortNotAllowed(options.sitePort, choice.local, choice.stage);
  }

  // The plan, like `terraform plan` with the endpoints AWS assigns at apply time not yet known (they are the
  // servers' ports): every refusal happens here, before any port is taken. Once the ports are, the same pure
  // planning runs against them; the endpoints flow through expressions (`replace(origin, ".", "[.]")`), so
  // they cannot be patched into the first plan's values afterwards.
  const plan = planDeployment(doc, { apiOrigin: 'http://127.0.0.1:1', siteHost: '127.0.0.1:2' }, stageValues);
  // `python3` resolved once to the interpreter it runs for the user, which then runs every Python function.
  const python = [...plan.functions.values()].some((f) => f.code.runtime.startsWith('python'))
    ? localPython(options.python ?? 'python3')
    : undefined;

  // A function with the user's own code runs from a staged copy of what its zips will hold; made (and its links
  // checked) now, before any port is taken. The code folders do not depend on the ports, the environment does.
  // Python code also gets the runtime's boto3 when this machine has it, and nothing else of its site-packages.
  const stagedCopies = new Map<string, StagedCode>();
  let pythonSdk: ReturnType<typeof temporaryFolder> | undefined;
  const removeCopies = () => {
    for (const s of stagedCopies.values()) s.cleanup();
    pythonSdk?.cleanup();
  };
  try {
    const sdk = python?.sdk;
    if (sdk) {
      pythonSdk = temporaryFolder('cors-gen-python-sdk-');
      linkPythonSdk(sdk, pythonSdk.dir);
    }
    for (const [address, f] of plan.functions) stagedCopies.set(address, stageCode(f.code));
  } catch (e) {
    removeCopies();
    throw e;
  }

  // Before any port is taken too: a certificate file that is wrong fails now, with its name.
  const tls = cdn ? await siteTls(options.siteCertificate) : undefined;

  const servers: StartedServer[] = [];
  const handlers: { api?: Handler; site?: Handler; foreign?: Handler } = {};
  const notReady: Handler = async () => ({
    status: 503,
    headers: [
      ['Content-Type', 'text/plain'],
      ['Retry-After', '1'],
    ],
    body: 'cors-gen preview is starting\n',
  });
  let pools = new Map<string, LambdaPool>();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all([...servers.map((s) => s.close()), ...[...pools.values()].map((p) => p.close())]);
    removeCopies();
  };
  try {
    const listen = async (
      name: string,
      port: number | undefined,
      maxBody: number,
      pick: () => Handler | undefined,
      on = host,
      secure?: ServerTls,
    ) => {
      const t = options.clientTimeouts ?? {};
      const limits = {
        maxBodyBytes: maxBody,
        ...(t.headersMs ? { headersTimeoutMs: t.headersMs } : {}),
        ...(t.requestMs ? { requestTimeoutMs: t.requestMs } : {}),
        ...(t.idleMs ? { idleTimeoutMs: t.idleMs } : {}),
      };
      const s = await startServer(name, on, port ?? 0, limits, (req) => (pick() ?? notReady)(req), log, secure);
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
    } else if (cdn) {
      // Loopback whatever --host says, named `localhost`: the name the certificate is for, and one browsers
      // resolve to loopback themselves (RFC 6761 section 6.3).
      siteServer = await listen('site', options.sitePort, 1024 * 1024, () => handlers.site, '127.0.0.1', tls);
      siteOrigin = `https://localhost:${siteServer.port}`;
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
      const inUse = `${busy.map((o) => o.origin).join(', ')} in use (port ${busy.map((o) => o.port).join(', ')})`;
      if (!siteServer && options.siteDir) {
        // The user asked for that folder to be served, and no allowed origin is free to serve it on.
        const o = busy[0]!;
        const scope = choice.stage === undefined ? 'the module allows' : `stage ${choice.stage} allows`;
        throw new PreviewSetupError(
          `site: port ${o.port} on 127.0.0.1 is already in use, and --site-dir ${options.siteDir} must be served on ${busy.map((b) => b.origin).join(' or ')}, the local origin ${scope}`,
          {
            code: 'port-in-use',
            fix: `stop what listens on port ${o.port} (often your own dev server) and run the preview again, or leave --site-dir out and open your own page on ${o.origin}`,
          },
        );
      }
      if (!siteServer) {
        // Every allowed local origin is taken, most often by the user's own dev server on the origin the stage
        // allows for it: that page is what should call the API, so the API is served without a demo page.
        siteOrigin = busy[0]!.origin;
        log(`warning: ${inUse}, often by your own dev server: serving the API without the demo page`);
      } else if (busy.length > 0) log(`warning: ${inUse}; serving the demo page on ${siteOrigin}, also allowed`);
    }
    const apiServer = await listen('api', options.apiPort, MAX_BODY[kind], () => handlers.api);
    const foreignServer = await listen('foreign', options.foreignPort, 1024 * 1024, () => handlers.foreign);
    const apiOrigin = `http://${urlHost}:${apiServer.port}`;
    const foreignOrigin = `http://${urlHost}:${foreignServer.port}`;
    if (!isLoopback(host))
      log(
        `warning: listening on ${host}, not loopback: anyone who can reach this machine can call the module's Lambda code`,
      );

    const deployment = planDeployment(doc, { apiOrigin, siteHost: new URL(siteOrigin).host }, stageValues);
    const poolOptions = {
      log,
      ...(python ? { python: python.executable } : {}),
      ...(pythonSdk ? { pythonSdkDir: pythonSdk.dir } : {}),
      ...(options.maxEnvironments ? { maxEnvironments: options.maxEnvironments } : {}),
    };
    pools = new Map(
      [...deployment.functions].map(([address, f]) => {
        const staged = stagedCopies.get(address)?.code;
        const code = staged
          ? { ...f.code, dir: staged.dir, ...(staged.optDir ? { optDir: staged.optDir } : {}) }
          : f.code;
        return [address, new LambdaPool(code, poolOptions)];
      }),
    );
    const runtime: FunctionRuntime = {
      invoke: (fn, event, requestId) => pools.get(fn.address)!.invoke(event, requestId),
      log,
    };
    const { api, apiUrl, site } = deployment;
    const handle = apiHandler(api, runtime, {
      ...(options.acceptToken !== undefined ? { acceptToken: options.acceptToken } : {}),
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    });

    const exchanges = new ExchangeLog();
    handlers.api = async (request) => {
      const response: PreviewResponse = await handle(request);
      exchanges.record(request, response);
      return response;
    };

    const fn = [...deployment.functions.values()][0];
    const service = 'cors' in api ? api.cors : undefined;
    const demo = demoPlan(
      kind,
      apiUrl,
      api.routes,
      corsIntent(fn?.code.environment, service),
      assumptionsFor(kind).map((a) => a.text),
    );
    const [siteAllowed, foreignAllowed] = await Promise.all([
      allows(handle, demo, siteOrigin),
      allows(handle, demo, foreignOrigin),
    ]);
    const siteConfig = {
      plan: demo,
      exchanges,
      ...(options.siteDir ? { siteDir: options.siteDir } : {}),
      ...(site.indexDocument !== undefined ? { indexDocument: site.indexDocument } : {}),
      ...(site.errorDocument !== undefined ? { errorDocument: site.errorDocument } : {}),
      ...(site.errorResponses !== undefined ? { errorResponses: site.errorResponses } : {}),
    };
    if (siteServer)
      handlers.site = siteHandler({ ...siteConfig, role: 'site', origin: siteOrigin, allowed: siteAllowed });
    handlers.foreign = siteHandler({ ...siteConfig, role: 'foreign', origin: foreignOrigin, allowed: foreignAllowed });

    const warnings = [
      ...deployment.warnings,
      ...new Set([...stagedCopies.values()].flatMap((s) => s.warnings)),
      ...runtimeVersionWarnings(
        [...deployment.functions.values()].map((f) => f.code),
        python?.version,
      ),
    ];
    if (!siteAllowed)
      warnings.push(
        `the module's API does not allow the site origin ${siteOrigin} (a preflight from it gets no Access-Control-Allow-Origin naming it): the demo page there will be blocked like the foreign one`,
      );
    for (const w of warnings) log(`warning: ${w}`);
    return {
      api: apiUrl,
      site: `${siteOrigin}/`,
      demoPage: siteServer !== undefined,
      foreignSite: `${foreignOrigin}/`,
      website,
      ...(tls ? { cdn: { certificate: tls.source, certificatePem: tls.cert, aliases: site.aliases ?? [] } } : {}),
      siteAllowed,
      foreignAllowed,
      stage: choice.stage,
      stageChosen: choice.stageChosen,
      kind,
      routes: api.routes,
      warnings,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Whether the API lets `origin` read its answers, asked the way a browser asks: a preflight for the page's first
 * call, sent to the emulated API directly (not recorded, no Lambda runs), and its Access-Control-Allow-Origin.
 */
async function allows(handle: Handler, plan: DemoPlan, origin: string): Promise<boolean> {
  const call = plan.calls.find((c) => c.kind === 'route') ?? plan.calls[0];
  if (!call) return false;
  const url = new URL(call.url);
  const headers = Object.keys(call.headers).map((h) => h.toLowerCase());
  const response = await handle({
    method: 'OPTIONS',
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers: [
      ['Host', url.host],
      ['Origin', origin],
      ['Access-Control-Request-Method', call.method],
      ...(headers.length > 0 ? [['Access-Control-Request-Headers', headers.join(',')] as const] : []),
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    receivedAt: new Date(),
  });
  const allowOrigin = response.headers
    .filter(([k]) => k.toLowerCase() === 'access-control-allow-origin')
    .map(([, v]) => v);
  return allowOrigin.length === 1 && (allowOrigin[0] === origin || allowOrigin[0] === '*');
}

/** The emulator of the module's API: its phases over the planned model, invoking the running functions. */
function apiHandler(api: ApiModel, runtime: FunctionRuntime, auth: PreviewAuthOptions = {}): Handler {
  if (api.kind === 'rest') return restApiHandler(api, runtime, auth);
  if (api.kind === 'http') return httpApiHandler(api, runtime, auth);
  return functionUrlHandler(api, runtime);
}
