/**
 * No origin outside the allowlist is ever accepted. For random valid specs, the
 * module is synthesized, its Terraform expressions are evaluated the way `terraform apply` would (the preview's
 * evaluator: variables, locals, the website origin), and then every place that decides about an Origin is asked
 * about hundreds of request origins, most of them crafted to look like allowed ones (PortSwigger and Corsy
 * classes: prefix, suffix, unescaped dot, substring, any subdomain, http trusted by https, other port, special
 * characters, unicode lookalikes, `null`):
 *
 *   (a) the REST preflight: the MOCK integration's static header, overridden by the VTL response template, run
 *       with API Gateway's Java semantics (src/preview/rest/vtl.ts), with the Origin header spelled both ways;
 *   (b) the generated Lambda code with the module's environment: cors.mjs in-process, cors.py in one python3;
 *   (c) the service's CORS configuration (HTTP API, Function URL) as the preview models it.
 *
 * Each may accept an origin only if `compileOrigins(allowlist).allows(origin)` does (for a `*` list: only by
 * answering a literal `*`), and every allowed origin must be accepted, so an evaluator that accepts nothing
 * cannot pass. `compileOrigins` itself is cross-checked against a small independent matcher on the crafted set.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HclValue } from '../../src/terraform/expression/ast.js';
import { loadModule } from '../../src/preview/module/load.js';
import { ModuleResolver } from '../../src/preview/module/resolve.js';
import { compileTemplate } from '../../src/preview/rest/vtl.js';
import { originAllowed, serviceCors } from '../../src/preview/service-cors.js';
import type { CorsModel } from '../../src/spec/model.js';
import type { TerraformDocument } from '../../src/synth/clean-document.js';
import { synthesizeModule } from '../../src/synth/synthesize.js';
import {
  httpEvent,
  importNodeCors,
  restEvent,
  runNodeVectors,
  runPythonVectors,
  writeLambda,
  type NodeCorsModule,
  type RenderedLambda,
  type Vector,
} from '../support/lambda-harness.js';
import { recordFigures, Tally } from '../support/reliability-report.js';
import {
  allows,
  arbitraryOrigin,
  craft,
  isLookalike,
  modelOf,
  validSpec,
  type CraftedOrigin,
  type OriginClass,
} from '../support/reliability-specs.js';

/** The S3 website endpoint the evaluation stands in (its origin joins the allowlist when the frontend is on). */
const WEBSITE = 'cors-gen-site-20250101.s3-website-us-east-1.amazonaws.com';
const SPECS = 30;
const SEED = Number(process.env['CORS_GEN_RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);

interface Case {
  readonly spec: Record<string, unknown>;
  readonly doc: TerraformDocument;
  /** The stage's list, when a stage's .tfvars supplies allowed_origins. */
  readonly stageOrigins?: readonly string[];
  readonly model: CorsModel;
  /** The stage whose list is used: the spec's default, or a stage's .tfvars values. */
  readonly stage: string;
  /** The effective allowlist as Terraform computes it (local.allowed_origins). */
  readonly allowlist: readonly string[];
  readonly env: Record<string, string>;
  readonly origins: readonly CraftedOrigin[];
  /** REST: the preflight's static Allow-Origin and its VTL response template, evaluated. */
  readonly preflight?: { readonly staticOrigin: string; readonly template: string };
  /** REST: the gateway responses' (DEFAULT_4XX/5XX) Allow-Origin, Allow-Credentials and Vary sources, evaluated. */
  readonly gateway?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** HTTP API or Function URL: the service's CORS block, evaluated. */
  readonly service?: Readonly<Record<string, HclValue>>;
}

const tried = new Tally();
const verdicts = new Tally();
const failures: string[] = [];
let cases: Case[] = [];
let tmp: string;
let node: { lambda: RenderedLambda; cors: NodeCorsModule };
let python: RenderedLambda;

function fail(c: Case, component: string, o: CraftedOrigin, detail: string): void {
  if (failures.length < 20)
    failures.push(
      `${component} accepted ${JSON.stringify(o.origin)} (${o.kind}) ${detail}; allowlist ${JSON.stringify(c.allowlist)}, stage ${c.stage}, spec ${JSON.stringify(c.spec)}`,
    );
  else failures.push('...');
}

/** Whether the browser's CORS check would pass with this Allow-Origin (Fetch standard: byte equality or `*`). */
function browserAccepts(acao: string | undefined, origin: string, credentials: boolean): boolean {
  return acao !== undefined && (acao === origin || (acao === '*' && !credentials));
}

/** Checks one component's answer against the allowlist. `literalStar`: the answer was a literal `*`. */
function judge(c: Case, component: string, o: CraftedOrigin, acao: string | undefined): void {
  const credentials = c.model.cors.allowCredentials;
  const accepted = browserAccepts(acao, o.origin, credentials);
  const anyList = c.allowlist.includes('*');
  const allowed = allows(c.allowlist, o.origin);
  tried.add(component);
  verdicts.add(`${component}: ${accepted ? 'accepted' : 'refused'}`);
  if (accepted) {
    if (anyList) {
      if (acao !== '*') fail(c, component, o, `by echoing it (${JSON.stringify(acao)}) for a "*" list`);
    } else if (!allowed)
      fail(
        c,
        component,
        o,
        `with Access-Control-Allow-Origin ${JSON.stringify(acao)} although compileOrigins refuses it`,
      );
  } else if (o.kind === 'allowed' && allowed) {
    fail(
      c,
      component,
      o,
      `-- it did NOT accept this allowed origin (Access-Control-Allow-Origin ${JSON.stringify(acao)})`,
    );
  }
}

/** The parts of the REST module's OpenAPI document (`local.openapi`) these tests read. */
interface OpenApi {
  paths: Record<
    string,
    {
      options: {
        'x-amazon-apigateway-integration': {
          responses: {
            default: { responseParameters: Record<string, string>; responseTemplates: Record<string, string> };
          };
        };
      };
    }
  >;
  'x-amazon-apigateway-gateway-responses': Record<string, { responseParameters: Record<string, string> }>;
}

// ---- building the cases ---------------------------------------------------------------------------------------

async function evaluate(spec: Record<string, unknown>, index: number): Promise<Case[]> {
  const model = modelOf(spec);
  const dir = path.join(tmp, `module-${index}`);
  mkdirSync(dir);
  const synthesized = synthesizeModule(model);
  // `removed` blocks only tell Terraform what to forget; the emulator has nothing to do with them.
  const { removed: _removed, ...module } = synthesized;
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(module));
  const doc = await loadModule(dir);
  const out: Case[] = [];
  for (const stage of [undefined, ...model.stages]) {
    const values = new Map<string, HclValue>(stage ? [['allowed_origins', [...stage.allowOrigins]]] : []);
    const r = new ModuleResolver(doc, { apiOrigin: 'http://127.0.0.1:9', siteHost: WEBSITE }, values);
    r.validateVariables();
    const allowlist = r.local('allowed_origins') as string[];
    const env = (r.nested('aws_lambda_function.handler', 'environment')!['variables'] ?? {}) as Record<string, string>;
    let preflight: Case['preflight'];
    let gateway: Case['gateway'];
    let service: Case['service'];
    if (model.api === 'rest') {
      // Every preflight of the module is the same template; take the first path's.
      const openapi = r.local('openapi') as unknown as OpenApi;
      const response = Object.values(openapi.paths)[0]!.options['x-amazon-apigateway-integration'].responses.default;
      preflight = {
        staticOrigin: response.responseParameters['method.response.header.Access-Control-Allow-Origin']!.replace(
          /^'|'$/g,
          '',
        ),
        template: response.responseTemplates['application/json']!,
      };
      gateway = Object.values(openapi['x-amazon-apigateway-gateway-responses']).map((g) => g.responseParameters);
    } else {
      service =
        model.api === 'http'
          ? r.nested('aws_apigatewayv2_api.api', 'cors_configuration')
          : r.nested('aws_lambda_function_url.handler', 'cors');
    }
    const n = index * 7 + (stage ? 3 : 0);
    const crafted = allowlist.flatMap((entry, i) => craft(entry, ['app', 'x1', 'a-b', 'www'][(n + i) % 4]!, n + i));
    const extra = fc.sample(arbitraryOrigin, { numRuns: 15, seed: SEED + n });
    out.push({
      spec,
      doc: synthesized,
      ...(stage ? { stageOrigins: stage.allowOrigins } : {}),
      model,
      stage: stage?.name ?? model.stage,
      allowlist,
      env,
      origins: [...crafted, ...extra],
      preflight,
      gateway,
      service,
    });
  }
  return out;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cors-gen-origins-'));
  const specs = fc.sample(validSpec, { numRuns: SPECS, seed: SEED });
  // Always include the shapes that matter most: a wildcard REST list with credentials, a "*" list, an https://* list.
  specs.push(
    {
      version: 1,
      name: 'wild-rest',
      api: 'rest',
      cors: { allowOrigins: ['https://*.example.com', 'https://app.example.org'], allowCredentials: true },
      routes: [{ path: '/a', methods: ['GET'] }],
      frontend: { enabled: true },
    },
    {
      version: 1,
      name: 'star-rest',
      api: 'rest',
      cors: { allowOrigins: ['*'] },
      routes: [{ path: '/a', methods: ['GET'] }],
    },
    {
      version: 1,
      name: 'scheme-http',
      api: 'http',
      cors: { allowOrigins: ['https://*', 'http://localhost:3000'] },
      routes: [{ path: '/a', methods: ['GET'] }],
    },
    {
      version: 1,
      name: 'one-url',
      api: 'function-url',
      cors: { allowOrigins: ['https://dashboard.example.com'], allowCredentials: true },
      frontend: { enabled: true },
    },
    // Only a wildcard, with credentials: no exact origin for the static headers to name.
    {
      version: 1,
      name: 'wild-only',
      api: 'rest',
      cors: { allowOrigins: ['https://*.example.com'], allowCredentials: true },
      routes: [{ path: '/a', methods: ['GET'] }],
    },
    // Hosts with letters that have Unicode lookalikes which case-fold to ASCII ("\u212A".toLowerCase() === "k").
    {
      version: 1,
      name: 'kiosk-rest',
      api: 'rest',
      cors: { allowOrigins: ['https://kiosk.example.com', 'https://*.kiosk.example.com', 'https://sk.example.com'] },
      routes: [{ path: '/a', methods: ['GET'] }],
    },
    {
      version: 1,
      name: 'kiosk-http',
      api: 'http',
      cors: { allowOrigins: ['https://kiosk.example.com', 'https://sk.example.com'], allowCredentials: true },
      routes: [{ path: '/a', methods: ['GET'] }],
    },
  );
  cases = (await Promise.all(specs.map((s, i) => evaluate(s, i)))).flat();
  node = { lambda: writeLambda('nodejs22.x'), cors: undefined as unknown as NodeCorsModule };
  node.cors = await importNodeCors(node.lambda.dir);
  python = writeLambda('python3.12');
}, 120_000);

afterAll(() => {
  node?.lambda.cleanup();
  python?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
  const byClass = new Tally();
  for (const c of cases) for (const o of c.origins) byClass.add(o.kind);
  recordFigures('origin-acceptance', {
    seed: SEED,
    'specs (random + fixed)': new Set(cases.map((c) => c.spec)).size,
    'allowlists (spec and stage lists)': cases.length,
    'origins tried': cases.reduce((n, c) => n + c.origins.length, 0),
    'origins by class': byClass.toObject(),
    'decisions checked by component': tried.toObject(),
    verdicts: verdicts.toObject(),
    violations: failures.length,
  });
});

describe('no origin outside the allowlist is accepted', () => {
  it('evaluates every target and every class of lookalike', () => {
    const apis = new Set(cases.map((c) => c.model.api));
    expect(apis).toEqual(new Set(['rest', 'http', 'function-url']));
    const classes = new Set(cases.flatMap((c) => c.origins.map((o) => o.kind)));
    for (const k of [
      'allowed',
      'null',
      'prefix (post-domain)',
      'suffix (pre-domain)',
      'unescaped dot',
      'substring',
      'any subdomain',
      'http trusted by https',
      'other port',
      'special characters',
      'unicode lookalike',
      'case variant',
    ] as OriginClass[]) {
      expect(classes, k).toContain(k);
    }
  });

  it('compileOrigins agrees with an independent matcher on every crafted origin', () => {
    const disagreements: string[] = [];
    for (const c of cases) {
      for (const o of c.origins) {
        if (allows(c.allowlist, o.origin) !== reference(c.allowlist, o.origin))
          disagreements.push(`${JSON.stringify(o.origin)} (${o.kind}) against ${JSON.stringify(c.allowlist)}`);
        // A lookalike is only ever allowed when the list itself names it (another entry, or a wildcard's label).
        if (isLookalike(o.kind) && allows(c.allowlist, o.origin) && !reference(c.allowlist, o.origin))
          disagreements.push(`lookalike ${o.origin}`);
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
  });

  it('(a) the REST preflight: static header plus the VTL template, Origin spelled "Origin" and "origin"', () => {
    const start = failures.length;
    for (const c of cases.filter((x) => x.preflight)) {
      for (const o of c.origins) {
        for (const name of ['Origin', 'origin']) {
          const acao = preflightOrigin(c, name, o.origin);
          judge(c, 'REST preflight (VTL)', o, acao);
        }
      }
    }
    expect(failures.slice(start)).toEqual([]);
  });

  /**
   * Regression: Java's String.toLowerCase folds the Kelvin sign U+212A to an ASCII "k", so a template that only
   * lowercased would echo "https://\u212Aiosk.example.com" for "https://kiosk.example.com". The template admits
   * printable ASCII only, as browsers serialize origins (and as compileOrigins and the Lambda code do).
   */
  it('the preflight template never accepts an origin that only Unicode case folding would make allowed', () => {
    const c = cases.find((x) => x.spec['name'] === 'kiosk-rest')!;
    const kelvin = 'https://\u212Aiosk.example.com';
    expect(allows(c.allowlist, kelvin)).toBe(false);
    expect(preflightOrigin(c, 'Origin', kelvin)).not.toBe(kelvin);
    expect(preflightOrigin(c, 'Origin', 'https://kiosk.example.com')).toBe('https://kiosk.example.com');
    expect(preflightOrigin(c, 'Origin', 'https://kiosk.example.com.evil.io')).not.toBe(
      'https://kiosk.example.com.evil.io',
    );
  });

  it('evaluates the module as Terraform does (checked against terraform console where it is installed)', () => {
    const sample = [
      ...cases.filter((c) => c.preflight).slice(0, 3),
      ...cases.filter((c) => c.service).slice(0, 2),
      ...cases.filter((c) => c.stageOrigins).slice(0, 1),
    ];
    expect(sample.length).toBeGreaterThanOrEqual(5);
    for (const [i, c] of sample.entries()) {
      // Always: the effective list is the spec's (or the stage's) origins plus the website origin, "*" alone.
      const base = c.stageOrigins ?? c.model.cors.allowOrigins;
      const expected = base.includes('*')
        ? ['*']
        : [...new Set([...base, ...(c.model.frontend.enabled ? [`http://${WEBSITE}`] : [])])];
      expect(c.allowlist, JSON.stringify(c.spec)).toEqual(expected);
      expect(c.env['ALLOWED_ORIGINS']).toBe(expected.join(' '));
      if (!TERRAFORM) continue;
      const tf = terraformValues(c, path.join(tmp, `terraform-${i}`));
      tried.add('terraform console (cross-check)');
      expect(tf['allowed'], JSON.stringify(c.spec)).toEqual(c.allowlist);
      expect(tf['env']).toBe(c.env['ALLOWED_ORIGINS']);
      if (c.preflight) {
        expect(String(tf['acao']).replace(/^'|'$/g, '')).toBe(c.preflight.staticOrigin);
        expect(tf['vtl']).toBe(c.preflight.template);
      } else expect(tf['service']).toEqual(c.service!['allow_origins']);
    }
  });

  it('REST gateway responses: with credentials one fixed allowed origin, never the request\'s; Vary: Origin unless "*"', () => {
    const rest = cases.filter((c) => c.gateway);
    expect(rest.some((c) => c.model.cors.allowCredentials)).toBe(true);
    for (const c of rest) {
      expect(c.gateway!.length, JSON.stringify(c.spec)).toBe(2);
      for (const params of c.gateway!) {
        const acao = params['gatewayresponse.header.Access-Control-Allow-Origin']!;
        tried.add('REST gateway responses');
        if (c.allowlist.includes('*')) {
          expect(acao).toBe("'*'");
          continue;
        }
        expect(params['gatewayresponse.header.Vary'], JSON.stringify(c.spec)).toBe("'Origin'");
        const exact = c.allowlist.filter((o) => !o.includes('*'));
        if (c.model.cors.allowCredentials) {
          expect(acao, JSON.stringify(c.spec)).toMatch(/^'[^']+'$/);
          const value = acao.slice(1, -1);
          if (exact.length === 0) {
            // Only wildcard entries: the first pattern itself is sent, which no browser's Origin can equal (a host
            // never holds "*"): useless for reading the error, but it lets nobody in. Reported, not a leak.
            expect(value).toBe(c.allowlist[0]);
            expect(value).toContain('*');
            verdicts.add('REST gateway responses: a wildcard pattern as Allow-Origin (harmless)');
          } else expect(allows(c.allowlist, value), `${acao} for ${JSON.stringify(c.allowlist)}`).toBe(true);
          expect(params['gatewayresponse.header.Access-Control-Allow-Credentials']).toBe("'true'");
        } else if (exact.length === 1 && exact.length === c.allowlist.length) {
          expect(acao).toBe(`'${c.allowlist[0]}'`);
        } else {
          // Several origins, no credentials: the error echoes the request's Origin (`method.request.header.origin` in
          // the gateway response, https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
          expect(acao).toBe('method.request.header.origin');
          expect(params['gatewayresponse.header.Access-Control-Allow-Credentials']).toBeUndefined();
        }
      }
    }
  });

  it('(b) the Lambda code, Node: REST events (it answers CORS) and service events (it adds nothing)', async () => {
    const start = failures.length;
    const vectors = cases.map(lambdaVector);
    const outcomes = await runNodeVectors(node.cors, vectors);
    judgeLambda('Lambda cors.mjs', outcomes);
    expect(failures.slice(start)).toEqual([]);
  });

  it('(b) the Lambda code, Python: the same vectors in one python3 process', () => {
    const start = failures.length;
    judgeLambda('Lambda cors.py', runPythonVectors(python.dir, cases.map(lambdaVector)));
    expect(failures.slice(start)).toEqual([]);
  });

  it('(c) the service configuration of HTTP APIs and Function URLs', () => {
    const start = failures.length;
    for (const c of cases.filter((x) => x.service)) {
      const cors = serviceCors(c.service!, { address: c.model.api });
      const schemes = c.allowlist.filter((e) => /^https?:\/\/\*$/.test(e)).map((e) => e.slice(0, -1));
      for (const o of c.origins) {
        const accepted = originAllowed(cors, o.origin);
        const acao = accepted
          ? cors.allowOrigins.includes('*') && !cors.allowCredentials
            ? '*'
            : o.origin
          : undefined;
        // "https://*" means every https site. The preview's model of it (AWS documents none) admits any text
        // after the scheme, including strings no browser sends ("https://a b"), which compileOrigins' DNS rule
        // refuses; that is a difference of models, not a lookalike getting in, so it is only counted.
        if (accepted && schemes.some((s) => o.origin.startsWith(s))) {
          tried.add('service (scheme wildcard)');
          if (!allows(c.allowlist, o.origin)) verdicts.add('service (scheme wildcard): accepted a non-origin string');
          continue;
        }
        judge(c, `service (${c.model.api})`, o, acao);
      }
    }
    expect(failures.slice(start)).toEqual([]);
  });
});

const compiled = new Map<string, ReturnType<typeof compileTemplate>>();

/** The Allow-Origin a REST preflight answers: the static header, or the VTL template's override. */
function preflightOrigin(c: Case, headerName: string, origin: string): string {
  const text = c.preflight!.template;
  let template = compiled.get(text);
  if (!template)
    compiled.set(
      text,
      (template = compileTemplate(text, { file: 'main.tf.json', address: 'aws_api_gateway_integration_response' })),
    );
  const result = template.render({
    params: { path: {}, querystring: {}, header: { [headerName]: origin, Host: 'api.example.com' } },
    body: '',
    context: { httpMethod: 'OPTIONS' },
  });
  return result.responseOverride.headers['Access-Control-Allow-Origin'] ?? c.preflight!.staticOrigin;
}

// ---- Terraform itself, where it is installed ---------------------------------------------------------------------

const TERRAFORM = (process.env['PATH'] ?? '')
  .split(path.delimiter)
  .map((d) => path.join(d, 'terraform'))
  .find((f) => {
    try {
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/**
 * What `terraform console` computes for a case, on a provider-free copy (the variable with its validation blocks,
 * the locals with the website origin as a literal): the effective list, the Lambda's ALLOWED_ORIGINS, and for
 * REST the preflight's static Allow-Origin and rendered template, for the service its allow_origins.
 */
function terraformValues(c: Case, dir: string): Record<string, unknown> {
  mkdirSync(dir, { recursive: true });
  const doc = c.doc as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  const locals = { ...(doc['locals'] as unknown as Record<string, unknown>) };
  if ('website_origin' in locals) locals['website_origin'] = `http://${WEBSITE}`;
  const probe: Record<string, unknown> = {
    allowed: '${local.allowed_origins}',
    // The function's variables as Terraform merges them: the caller's, then the module's CORS ones.
    env: `\${${String((doc['resource']!['aws_lambda_function']!['handler']!['environment'] as { variables: string }).variables).slice(2, -1)}["ALLOWED_ORIGINS"]}`,
  };
  if (c.model.api === 'rest') {
    // The document itself names the Lambda, which a provider-free copy does not have: probe its parts.
    const openapi = locals['openapi'] as OpenApi;
    delete locals['openapi'];
    const ir = Object.values(openapi.paths)[0]!.options['x-amazon-apigateway-integration'].responses.default;
    probe['acao'] = ir.responseParameters['method.response.header.Access-Control-Allow-Origin'];
    probe['vtl'] = ir.responseTemplates['application/json'];
  } else {
    const block =
      c.model.api === 'http'
        ? doc['resource']!['aws_apigatewayv2_api']!['api']!['cors_configuration']
        : doc['resource']!['aws_lambda_function_url']!['handler']!['cors'];
    probe['service'] = (block as Record<string, unknown>)['allow_origins'];
  }
  for (const [k, v] of Object.entries(probe)) locals[`probe_${k}`] = v;
  locals['probe'] = `\${base64encode(jsonencode({ ${Object.keys(probe)
    .map((k) => `${k} = local.probe_${k}`)
    .join(', ')} }))}`;
  writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ variable: doc['variable'], locals }));
  writeFileSync(path.join(dir, 'cli.tfrc'), '');
  const args = c.stageOrigins ? ['-var', `allowed_origins=${JSON.stringify(c.stageOrigins)}`] : [];
  const r = spawnSync(TERRAFORM!, ['console', '-no-color', ...args], {
    cwd: dir,
    input: 'local.probe\n',
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: path.join(dir, 'cli.tfrc'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_INPUT: '0',
    },
  });
  const encoded = /"([A-Za-z0-9+/=]+)"/.exec(r.stdout)?.[1];
  if (r.status !== 0 || !encoded) throw new Error(`terraform console failed: ${r.stdout}\n${r.stderr}`);
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** One vector per allowlist: every origin as a request, REST (payload 1.0) or service (payload 2.0) events. */
function lambdaVector(c: Case, i: number): Vector {
  return {
    name: `case ${i}`,
    env: c.env,
    app: { return: { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' } },
    requests: c.origins.map((o) => ({ event: c.model.api === 'rest' ? restEvent(o.origin) : httpEvent(o.origin) })),
  };
}

function judgeLambda(component: string, outcomes: ReturnType<typeof runPythonVectors>): void {
  outcomes.forEach((perRequest, i) => {
    const c = cases[i]!;
    perRequest.forEach((outcome, j) => {
      const o = c.origins[j]!;
      if ('crash' in outcome) {
        failures.push(`${component} crashed on ${JSON.stringify(o.origin)}: ${outcome.crash.split('\n')[0]}`);
        return;
      }
      const headers = ((outcome.response as { headers?: Record<string, string> }).headers ?? {}) as Record<
        string,
        string
      >;
      const acao = Object.entries(headers).find(([k]) => k.toLowerCase() === 'access-control-allow-origin')?.[1];
      if (c.model.api !== 'rest') {
        // The service owns CORS: the function must not add a header the service could pass through.
        tried.add(component);
        verdicts.add(`${component}: service mode, no header`);
        if (acao !== undefined)
          failures.push(`${component} set Access-Control-Allow-Origin ${acao} in service mode (${c.model.api})`);
        return;
      }
      judge(c, component, o, acao);
    });
  });
}

// ---- an independent matcher -------------------------------------------------------------------------------------

/**
 * "Allowed" written out without regular expressions built from the list: printable ASCII only, lowercase
 * compare, `*` alone, "scheme://*" for any DNS host of that scheme, and "scheme://*.rest" for exactly one
 * DNS label in front of "rest".
 */
function reference(list: readonly string[], origin: string): boolean {
  if (origin === '' || origin === 'null') return false;
  for (const ch of origin) if (ch < '!' || ch > '~') return false;
  const o = origin.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const isLabel = (l: string) =>
    l.length >= 1 && l.length <= 63 && /^[a-z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-');
  for (const entry of list) {
    if (entry === '*') return true;
    if (entry === o) return true;
    if (entry === 'https://*' || entry === 'http://*') {
      const prefix = entry.slice(0, -1);
      if (!o.startsWith(prefix)) continue;
      const [hostPart, portPart, ...more] = o.slice(prefix.length).split(':');
      if (more.length > 0) continue;
      if (portPart !== undefined && !/^\d{1,5}$/.test(portPart)) continue;
      if (hostPart!.split('.').every(isLabel)) return true;
      continue;
    }
    const star = entry.indexOf('*.');
    if (star === -1) continue;
    const before = entry.slice(0, star);
    const after = entry.slice(star + 1);
    if (
      o.startsWith(before) &&
      o.endsWith(after) &&
      o.length > before.length + after.length &&
      isLabel(o.slice(before.length, o.length - after.length))
    )
      return true;
  }
  return false;
}
