import {
  asBody,
  asList,
  mergedBlocks,
  moduleDocument,
  reference,
  type AddressedBlock,
  type ModuleDocument,
  type RawBody as Body,
} from '../terraform/document.js';
import type { TerraformDocument } from './clean-document.js';
import { compareVersions, constraintMinimum, PROVIDER_FLOORS, usesFloor } from './provider-floors.js';

/**
 * What AWS (or Terraform's plan) would reject, or silently get wrong, in a synthesized module — checked on the
 * document itself, as a postcondition of every `generate`, because `terraform apply` never runs there. Each rule's
 * description cites the public source of the fact it enforces ("provider docs r/x" is
 * hashicorp/terraform-provider-aws `website/docs/r/x.html.markdown`).
 *
 * Pure: the same document gives the same violations, in rule order then document order.
 */
export interface RuleViolation {
  /** The rule's stable id, e.g. `response-header-declared`. */
  readonly rule: string;
  /** The Terraform address at fault, e.g. `aws_api_gateway_integration_response.orders_options`. */
  readonly address: string;
  readonly message: string;
}

export interface ApplyRule {
  readonly id: string;
  /** What the rule asks, and what AWS does when it is broken. */
  readonly description: string;
}

type Report = (address: string, message: string) => void;

type Resource = AddressedBlock;

const REST_DEPLOYED_TYPES = [
  'aws_api_gateway_resource',
  'aws_api_gateway_method',
  'aws_api_gateway_integration',
  'aws_api_gateway_method_response',
  'aws_api_gateway_integration_response',
  'aws_api_gateway_gateway_response',
] as const;

/** The module reader's index, with the lookups the rules share. */
class DocIndex {
  readonly resources: readonly Resource[];
  readonly byAddress: ReadonlyMap<string, Resource>;
  /** `type.name` of every data source. */
  readonly dataSources: ReadonlySet<string>;
  readonly locals: Body;
  readonly variables: Body;
  readonly terraform: Body;

  readonly #references = new Map<Resource, References>();
  /** Most rules key REST resources by method; each body's key is built once. */
  readonly #methodKeys = new WeakMap<Body, string>();
  #referrers: Map<string, Resource[]> | undefined;

  constructor(readonly doc: ModuleDocument) {
    this.resources = [...doc.resources.values()];
    this.byAddress = doc.resources;
    this.dataSources = new Set([...doc.data.values()].map((d) => `${d.type}.${d.name}`));
    this.locals = Object.fromEntries([...doc.locals].map(([name, l]) => [name, l.value]));
    this.variables = Object.fromEntries([...doc.variables].map(([name, v]) => [name, v.body]));
    this.terraform = doc.terraform;
  }

  all(type: string): readonly Resource[] {
    return this.doc.ofType(type);
  }

  /** The resource `value` is exactly a reference to (`${type.name.attr}`), if any. */
  referenced(value: unknown, type: string, attr: string): Resource | undefined {
    const ref = reference(value);
    return ref && ref[0] === type && ref[2] === attr ? this.byAddress.get(`${type}.${ref[1]}`) : undefined;
  }

  /** The HTTP method a method/integration/response is for: a literal, or resolved through a method reference. */
  httpMethod(body: Body): string | undefined {
    const m = this.referenced(body.http_method, 'aws_api_gateway_method', 'http_method');
    const value = m ? m.body.http_method : body.http_method;
    return typeof value === 'string' ? value : undefined;
  }

  /** `rest_api_id|resource_id|METHOD`: equal for a method and everything attached to it. */
  methodKey(body: Body): string {
    let key = this.#methodKeys.get(body);
    if (key === undefined)
      this.#methodKeys.set(
        body,
        (key = `${String(body.rest_api_id)}|${String(body.resource_id)}|${this.httpMethod(body) ?? '?'}`),
      );
    return key;
  }

  statusCode(body: Body): string | undefined {
    const r = this.referenced(body.status_code, 'aws_api_gateway_method_response', 'status_code');
    const value = r ? r.body.status_code : body.status_code;
    return value === undefined || value === null ? undefined : String(value);
  }

  /** Whether `from` waits for `to`: an explicit depends_on, or any reference to it in its arguments. */
  dependsOn(from: Resource, to: Resource): boolean {
    const deps = Array.isArray(from.body.depends_on) ? (from.body.depends_on as unknown[]).map(String) : [];
    if (deps.some((d) => unwrapExpression(d) === to.address)) return true;
    return this.referencesOf(from).resources.has(to.address);
  }

  /** The references in a resource's arguments, scanned once per resource. */
  referencesOf(r: Resource): References {
    let refs = this.#references.get(r);
    if (!refs) this.#references.set(r, (refs = references(r.body)));
    return refs;
  }

  /** The resources whose arguments refer to `address`, in document order (indexed on first use). */
  referrers(address: string): readonly Resource[] {
    if (!this.#referrers) {
      this.#referrers = new Map();
      for (const r of this.resources) {
        for (const a of this.referencesOf(r).resources) {
          const list = this.#referrers.get(a);
          if (list) list.push(r);
          else this.#referrers.set(a, [r]);
        }
      }
    }
    return this.#referrers.get(address) ?? [];
  }

  /** Variables a value depends on, through any chain of locals. */
  variablesBehind(value: unknown, seen = new Set<string>()): Set<string> {
    const refs = references(value);
    const out = new Set(refs.variables);
    for (const l of refs.locals) {
      if (seen.has(l)) continue;
      seen.add(l);
      for (const v of this.variablesBehind(this.locals[l], seen)) out.add(v);
    }
    return out;
  }
}

interface Check extends ApplyRule {
  check(ix: DocIndex, report: Report): void;
}

const RULES: readonly Check[] = [
  {
    id: 'no-provider-block',
    description:
      'A module must not configure providers; its caller does (developer.hashicorp.com/terraform/language/modules/develop/providers).',
    check(ix, report) {
      for (const name of ix.doc.other
        .filter((b) => b.kind === 'provider')
        .flatMap((b) => asList(b.value).flatMap((p) => Object.keys(asBody(p)))))
        report(`provider.${name}`, `a module must not contain a provider block; remove provider "${name}"`);
    },
  },
  {
    id: 'no-backend',
    description:
      "Backends are read only from the root module; a child module's backend is ignored with a warning (github.com/hashicorp/terraform/pull/26954).",
    check(ix, report) {
      if (ix.terraform.backend !== undefined) report('terraform.backend', 'a module must not declare a backend');
      if (ix.terraform.cloud !== undefined) report('terraform.cloud', 'a module must not declare a cloud block');
    },
  },
  {
    id: 'provider-source-namespaced',
    description:
      'required_providers sources are written as namespace/name and constrained by a minimum version only (developer.hashicorp.com/terraform/language/expressions/version-constraints).',
    check(ix, report) {
      for (const [name, req] of Object.entries(mergedBlocks(ix.terraform.required_providers))) {
        const r = asBody(req);
        if (typeof r.source !== 'string' || !/^([a-z0-9.-]+\/)?[a-z0-9-]+\/[a-z0-9-]+$/i.test(r.source)) {
          report(
            `terraform.required_providers.${name}`,
            `source ${JSON.stringify(r.source)} is not namespaced; write it as "hashicorp/${name}"`,
          );
        }
        if (typeof r.version !== 'string' || !/^>=\s*\d/.test(r.version)) {
          report(
            `terraform.required_providers.${name}`,
            `version ${JSON.stringify(r.version)} is not a minimum; a reusable module sets ">= x.y" and leaves pinning to the root module`,
          );
        }
      }
    },
  },
  {
    id: 'provider-version-covers-arguments',
    description:
      'A resource type, argument or value newer than the provider floor fails at plan time on the older providers the module admits (the provider CHANGELOG: e.g. nodejs24.x from 6.19.0, invoked_via_function_url from 6.28.0).',
    check(ix, report) {
      const providers = mergedBlocks(ix.terraform.required_providers);
      const blocks = [
        ...[...ix.doc.resources.values()].map((b) => ({ kind: 'resource' as const, block: b })),
        ...[...ix.doc.data.values()].map((b) => ({ kind: 'data' as const, block: b })),
      ];
      for (const floor of PROVIDER_FLOORS) {
        const declared = asBody(providers[floor.provider]).version;
        const admitted = constraintMinimum(declared);
        for (const { kind, block } of blocks) {
          if (!usesFloor(floor, { kind, type: block.type, body: block.body })) continue;
          if (!admitted || compareVersions(admitted, floor.version) < 0) {
            const what = floor.argument ? `${floor.argument}${floor.value ? ` = "${floor.value}"` : ''}` : block.type;
            report(
              block.address,
              `${what} exists only from ${floor.provider} provider ${floor.version} (${floor.source}), but required_providers admits ${JSON.stringify(declared)}`,
            );
          }
        }
      }
    },
  },
  {
    id: 'references-resolve',
    description: 'Every resource, data source, local and variable an expression refers to exists in the module.',
    check(ix, report) {
      const types = new Set(Object.keys(mergedBlocks(ix.terraform.required_providers)));
      const visitRefs = (address: string, refs: References) => {
        for (const a of refs.resources)
          if (types.has(a.split('_')[0]!) && !ix.byAddress.has(a))
            report(address, `refers to ${a}, which the module does not declare`);
        for (const d of refs.data)
          if (!ix.dataSources.has(d)) report(address, `refers to data.${d}, which the module does not declare`);
        for (const l of refs.locals)
          if (!(l in ix.locals)) report(address, `refers to local.${l}, which the module does not declare`);
        for (const v of refs.variables)
          if (!(v in ix.variables)) report(address, `refers to var.${v}, which the module does not declare`);
      };
      const visit = (address: string, value: unknown) => visitRefs(address, references(value));
      for (const r of ix.resources) {
        visitRefs(r.address, ix.referencesOf(r));
        for (const d of Array.isArray(r.body.depends_on) ? (r.body.depends_on as unknown[]) : []) {
          const target = unwrapExpression(String(d));
          if (!ix.byAddress.has(target) && !ix.dataSources.has(target.replace(/^data\./, '')))
            report(r.address, `depends_on ${target}, which the module does not declare`);
        }
      }
      for (const [name, value] of Object.entries(ix.locals)) visit(`local.${name}`, value);
      for (const [name, output] of ix.doc.outputs) visit(`output.${name}`, output.body);
      for (const d of ix.doc.data.values()) visit(d.address, d.body);
    },
  },
  {
    id: 'method-has-integration',
    description:
      'A deployment fails with "No integration defined for method" while any method lacks an integration (github.com/hashicorp/terraform-provider-aws/issues/21210).',
    check(ix, report) {
      const integrated = new Set(ix.all('aws_api_gateway_integration').map((i) => ix.methodKey(i.body)));
      for (const m of ix.all('aws_api_gateway_method')) {
        if (!integrated.has(ix.methodKey(m.body)))
          report(m.address, `method ${ix.httpMethod(m.body)} has no aws_api_gateway_integration`);
      }
    },
  },
  {
    id: 'integration-after-method',
    description:
      'An integration created before its method fails with "Invalid Method identifier specified" (github.com/hashicorp/terraform-provider-aws/issues/21210).',
    check(ix, report) {
      const methods = new Map(ix.all('aws_api_gateway_method').map((m) => [ix.methodKey(m.body), m]));
      for (const i of ix.all('aws_api_gateway_integration')) {
        const m = methods.get(ix.methodKey(i.body));
        if (!m) report(i.address, `integration for ${ix.httpMethod(i.body)} has no aws_api_gateway_method`);
        else if (!ix.dependsOn(i, m))
          report(
            i.address,
            `does not refer to ${m.address}, so Terraform may create it first; use http_method = ${m.address}.http_method`,
          );
      }
    },
  },
  {
    id: 'integration-response-after-integration',
    description:
      'An integration response created before its integration fails with "No integration defined for method"; it needs depends_on (provider docs r/api_gateway_integration_response; github.com/hashicorp/terraform-provider-aws/issues/21210).',
    check(ix, report) {
      const integrations = new Map(ix.all('aws_api_gateway_integration').map((i) => [ix.methodKey(i.body), i]));
      for (const r of ix.all('aws_api_gateway_integration_response')) {
        const i = integrations.get(ix.methodKey(r.body));
        if (!i)
          report(r.address, `integration response for ${ix.httpMethod(r.body)} has no aws_api_gateway_integration`);
        else if (!ix.dependsOn(r, i))
          report(r.address, `does not depend on ${i.address}; add depends_on = [${i.address}]`);
      }
    },
  },
  {
    id: 'integration-response-after-method-response',
    description:
      'An integration response needs its method response first: "No method response exists for method" (provider docs r/api_gateway_integration_response; github.com/awslabs/aws-solutions-constructs/issues/1130).',
    check(ix, report) {
      const responses = methodResponses(ix);
      for (const r of ix.all('aws_api_gateway_integration_response')) {
        const status = ix.statusCode(r.body);
        const mr = responses.get(`${ix.methodKey(r.body)}|${status}`);
        if (!mr)
          report(
            r.address,
            `status ${status} has no aws_api_gateway_method_response; API Gateway answers 500 when it is selected`,
          );
        else if (!ix.dependsOn(r, mr))
          report(r.address, `does not refer to ${mr.address}; use status_code = ${mr.address}.status_code`);
      }
    },
  },
  {
    id: 'response-header-declared',
    description:
      'Every method.response.header.X an integration response maps must be declared in its method response, or PutIntegrationResponse fails with "Invalid mapping expression parameter specified" (provider docs r/api_gateway_method_response; github.com/awslabs/aws-solutions-constructs/issues/1130).',
    check(ix, report) {
      const responses = methodResponses(ix);
      for (const r of ix.all('aws_api_gateway_integration_response')) {
        const mr = responses.get(`${ix.methodKey(r.body)}|${ix.statusCode(r.body)}`);
        const declared = asBody(mr?.body.response_parameters);
        for (const key of Object.keys(asBody(r.body.response_parameters))) {
          if (key.startsWith('method.response.header.') && !(key in declared)) {
            report(r.address, `maps ${key}, which ${mr ? mr.address : 'its method response'} does not declare`);
          }
        }
      }
    },
  },
  {
    id: 'mapping-expression-valid',
    description:
      'Response parameter keys and values must have the documented forms; an unquoted static value fails with "Invalid mapping expression specified" (docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html; docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html; github.com/awslabs/aws-solutions-constructs/issues/1130).',
    check(ix, report) {
      const check = (r: Resource, keyForm: RegExp, valueForm: RegExp) => {
        for (const [key, value] of Object.entries(asBody(r.body.response_parameters))) {
          if (!keyForm.test(key)) report(r.address, `response parameter ${key} is not of the form ${keyForm.source}`);
          // A whole-value Terraform expression is checked where it is evaluated (terraform console tests).
          if (typeof value !== 'string' || singleExpression(value)) continue;
          if (!valueForm.test(value))
            report(
              r.address,
              `${key} = ${JSON.stringify(value)} is not a 'quoted' static value or a documented source`,
            );
        }
      };
      for (const r of ix.all('aws_api_gateway_integration_response')) {
        check(
          r,
          /^method\.response\.header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
          /^('[\s\S]*'|integration\.response\.(header\.[\w-]+|body(\..+)?)|context\.[\w.]+|stageVariables\.[\w]+)$/,
        );
      }
      for (const r of ix.all('aws_api_gateway_gateway_response')) {
        check(
          r,
          /^gatewayresponse\.(header|path|querystring)\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
          /^('[\s\S]*'|method\.request\.(header|path|querystring)\.[\w-]+|context\.[\w.]+|stageVariables\.[\w]+)$/,
        );
      }
    },
  },
  {
    id: 'proxy-integration-post',
    description:
      'Lambda is only ever invoked with POST: an AWS_PROXY integration needs integration_http_method = "POST" (provider docs r/api_gateway_integration).',
    check(ix, report) {
      for (const i of ix.all('aws_api_gateway_integration')) {
        if ((i.body.type === 'AWS_PROXY' || i.body.type === 'AWS') && i.body.integration_http_method !== 'POST') {
          report(
            i.address,
            `${String(i.body.type)} integration uses integration_http_method ${JSON.stringify(i.body.integration_http_method)}; Lambda needs "POST"`,
          );
        }
      }
    },
  },
  {
    id: 'request-templates-passthrough',
    description:
      'passthrough_behavior is required whenever request_templates is set (provider docs r/api_gateway_integration).',
    check(ix, report) {
      for (const i of ix.all('aws_api_gateway_integration')) {
        if (i.body.request_templates !== undefined && typeof i.body.passthrough_behavior !== 'string')
          report(i.address, 'sets request_templates without passthrough_behavior');
      }
    },
  },
  {
    id: 'mock-default-response',
    description:
      'A MOCK integration needs a request template yielding {"statusCode": N} and a default integration response (no selection_pattern), or API Gateway answers 500 (docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html; docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html).',
    check(ix, report) {
      const withDefault = new Set(
        ix
          .all('aws_api_gateway_integration_response')
          .filter(
            (r) =>
              r.body.selection_pattern === undefined ||
              r.body.selection_pattern === null ||
              r.body.selection_pattern === '',
          )
          .map((r) => ix.methodKey(r.body)),
      );
      for (const i of ix.all('aws_api_gateway_integration').filter((x) => x.body.type === 'MOCK')) {
        const template = asBody(i.body.request_templates)['application/json'];
        if (typeof template !== 'string' || !/"?statusCode"?\s*:\s*\d{3}/.test(template)) {
          report(i.address, 'MOCK integration has no application/json request template producing {"statusCode": 200}');
        }
        if (!withDefault.has(ix.methodKey(i.body))) {
          report(i.address, 'MOCK integration has no default integration response (one without selection_pattern)');
        }
      }
    },
  },
  {
    id: 'preflight-on-every-resource',
    description:
      'Every resource (and a root that serves methods) answers OPTIONS with authorization NONE through a MOCK integration; otherwise the preflight gets 403 Missing Authentication Token (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html; aws-cdk aws-apigateway Resource.addCorsPreflight).',
    check(ix, report) {
      const methods = firstByKey(ix.all('aws_api_gateway_method'), (m) => ix.methodKey(m.body));
      const integrations = firstByKey(ix.all('aws_api_gateway_integration'), (i) => ix.methodKey(i.body));
      const servedResources = new Set(
        ix.all('aws_api_gateway_method').map((m) => `${String(m.body.rest_api_id)}|${String(m.body.resource_id)}`),
      );
      const targets: Array<{ address: string; restApi: string; resourceId: string }> = [];
      for (const api of ix.all('aws_api_gateway_rest_api')) {
        const restApi = `\${${api.address}.id}`;
        const root = `\${${api.address}.root_resource_id}`;
        if (servedResources.has(`${restApi}|${root}`))
          targets.push({ address: `${api.address} (root resource)`, restApi, resourceId: root });
      }
      for (const r of ix.all('aws_api_gateway_resource'))
        targets.push({ address: r.address, restApi: String(r.body.rest_api_id), resourceId: `\${${r.address}.id}` });
      for (const t of targets) {
        const options = methods.get(`${t.restApi}|${t.resourceId}|OPTIONS`);
        if (!options) {
          report(t.address, 'has no OPTIONS method: a browser preflight gets 403 Missing Authentication Token');
          continue;
        }
        if (options.body.authorization !== 'NONE')
          report(
            options.address,
            `OPTIONS uses authorization ${JSON.stringify(options.body.authorization)}; browsers never send credentials on a preflight, use "NONE"`,
          );
        if (options.body.api_key_required === true)
          report(options.address, 'OPTIONS requires an API key; browsers never send one on a preflight');
        const integration = integrations.get(ix.methodKey(options.body));
        if (integration && integration.body.type !== 'MOCK')
          report(
            integration.address,
            `OPTIONS integration is ${JSON.stringify(integration.body.type)}; the preflight should be answered by a MOCK integration`,
          );
      }
    },
  },
  {
    id: 'deployment-trigger-coverage',
    description:
      'A deployment is a snapshot: its triggers must hash every resource, method, integration, method and integration response and gateway response (whole resources, not ids) and the origin list, or changes never reach the stage (provider docs r/api_gateway_deployment; docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).',
    check(ix, report) {
      for (const d of ix.all('aws_api_gateway_deployment')) {
        const refs = references(d.body.triggers);
        const whole = wholeReferences(d.body.triggers);
        for (const type of REST_DEPLOYED_TYPES) {
          for (const r of ix.all(type).filter((x) => x.body.rest_api_id === d.body.rest_api_id)) {
            if (!refs.resources.has(r.address))
              report(d.address, `triggers do not cover ${r.address}; a change to it would not be deployed`);
            else if (!whole.has(r.address))
              report(
                d.address,
                `triggers cover only attributes of ${r.address}; hash the whole resource so every change redeploys`,
              );
          }
        }
        if ('allowed_origins' in ix.variables && !ix.variablesBehind(d.body.triggers).has('allowed_origins')) {
          report(d.address, 'triggers do not cover the allowed origins (var.allowed_origins or a local built from it)');
        }
      }
    },
  },
  {
    id: 'deployment-create-before-destroy',
    description:
      'Without create_before_destroy, replacing a deployment fails with "Active stages pointing to this deployment must be moved or deleted" (provider docs r/api_gateway_deployment).',
    check(ix, report) {
      for (const d of ix.all('aws_api_gateway_deployment')) {
        const lifecycle = mergedBlocks(d.body.lifecycle);
        if (lifecycle.create_before_destroy !== true)
          report(d.address, 'lifecycle { create_before_destroy = true } is missing');
      }
    },
  },
  {
    id: 'deployment-v6-arguments',
    description:
      'Provider v6 removed stage_name, stage_description and canary_settings from aws_api_gateway_deployment; the stage is a separate aws_api_gateway_stage (provider v6 upgrade guide; hashicorp/terraform-provider-aws#42249).',
    check(ix, report) {
      for (const d of ix.all('aws_api_gateway_deployment')) {
        for (const arg of ['stage_name', 'stage_description', 'canary_settings'])
          if (arg in d.body) report(d.address, `${arg} was removed in provider v6; use aws_api_gateway_stage`);
        if (
          !ix
            .all('aws_api_gateway_stage')
            .some((s) => ix.referenced(s.body.deployment_id, 'aws_api_gateway_deployment', 'id') === d)
        ) {
          report(d.address, 'no aws_api_gateway_stage publishes this deployment');
        }
      }
    },
  },
  {
    id: 'gateway-response-default-status',
    description:
      'A status_code on DEFAULT_4XX/DEFAULT_5XX changes the status of every 4XX/5XX answer (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).',
    check(ix, report) {
      for (const g of ix.all('aws_api_gateway_gateway_response')) {
        if (
          (g.body.response_type === 'DEFAULT_4XX' || g.body.response_type === 'DEFAULT_5XX') &&
          g.body.status_code !== undefined &&
          g.body.status_code !== null
        ) {
          report(
            g.address,
            `${String(g.body.response_type)} sets status_code ${JSON.stringify(g.body.status_code)}, which would replace the status of every such error`,
          );
        }
      }
    },
  },
  {
    id: 'bucket-policy-after-public-access-block',
    description:
      "PutBucketPolicy with a public statement is denied until the bucket's public access block is relaxed: the policy must depend on it (github.com/terraform-aws-modules/terraform-aws-s3-bucket/pull/227).",
    check(ix, report) {
      const blocks = ix.all('aws_s3_bucket_public_access_block');
      for (const p of ix.all('aws_s3_bucket_policy')) {
        const block = blocks.find((b) => b.body.bucket === p.body.bucket);
        if (!block)
          report(p.address, 'the bucket has no aws_s3_bucket_public_access_block; new buckets block public policies');
        else if (!ix.dependsOn(p, block))
          report(p.address, `does not depend on ${block.address}; add depends_on = [${block.address}]`);
        else if (block.body.block_public_policy !== false || block.body.restrict_public_buckets !== false)
          report(block.address, 'block_public_policy and restrict_public_buckets must be false for a public website');
      }
    },
  },
  {
    id: 'permission-scoped',
    description:
      'A Lambda permission for API Gateway is scoped to an execution_arn of this module, never to every API; a public one is limited to the Function URL (provider docs r/lambda_permission; github.com/awsdocs/aws-lambda-developer-guide/issues/494).',
    check(ix, report) {
      const arns = [...ix.all('aws_api_gateway_rest_api'), ...ix.all('aws_apigatewayv2_api')].map(
        (a) => `\${${a.address}.execution_arn}`,
      );
      for (const p of ix.all('aws_lambda_permission')) {
        const { principal, action } = p.body;
        if (principal === 'apigateway.amazonaws.com') {
          const arn = p.body.source_arn;
          if (typeof arn !== 'string' || !arns.some((a) => arn === a || arn.startsWith(`${a}/`))) {
            report(
              p.address,
              `source_arn ${JSON.stringify(arn)} is not scoped to an execution_arn of this module's API`,
            );
          }
        } else if (principal === '*') {
          const viaUrl =
            action === 'lambda:InvokeFunctionUrl'
              ? typeof p.body.function_url_auth_type === 'string'
              : action === 'lambda:InvokeFunction' && p.body.invoked_via_function_url === true;
          if (!viaUrl)
            report(
              p.address,
              `grants ${String(action)} to everyone; limit it to the Function URL (function_url_auth_type or invoked_via_function_url)`,
            );
        }
      }
    },
  },
  {
    id: 'http-integration-proxy',
    description:
      "An HTTP API Lambda integration uses payload format 2.0 (Terraform's default is 1.0) and integration_method POST (provider docs r/apigatewayv2_integration).",
    check(ix, report) {
      for (const i of ix.all('aws_apigatewayv2_integration').filter((x) => x.body.integration_type === 'AWS_PROXY')) {
        if (i.body.payload_format_version !== '2.0')
          report(i.address, `payload_format_version is ${JSON.stringify(i.body.payload_format_version)}; set "2.0"`);
        if (i.body.integration_method !== 'POST')
          report(i.address, `integration_method is ${JSON.stringify(i.body.integration_method)}; Lambda needs "POST"`);
      }
    },
  },
  {
    id: 'http-route-has-integration',
    description: 'Every HTTP API route targets an integration of this module.',
    check(ix, report) {
      for (const r of ix.all('aws_apigatewayv2_route')) {
        const m =
          typeof r.body.target === 'string'
            ? /^integrations\/\$\{(aws_apigatewayv2_integration\.[\w-]+)\.id\}$/.exec(r.body.target)
            : null;
        if (!m || !ix.byAddress.has(m[1]!))
          report(
            r.address,
            `target ${JSON.stringify(r.body.target)} is not "integrations/<an integration of this module>"`,
          );
      }
    },
  },
  {
    id: 'http-default-stage',
    description:
      'An HTTP API is served by a `$default` stage with auto_deploy = true (its default is false, so nothing would be deployed) (provider docs r/apigatewayv2_stage).',
    check(ix, report) {
      const stages = ix.all('aws_apigatewayv2_stage');
      for (const api of ix.all('aws_apigatewayv2_api')) {
        const own = stages.filter((s) => ix.referenced(s.body.api_id, 'aws_apigatewayv2_api', 'id') === api);
        const def = own.find((s) => s.body.name === '$default');
        if (!def) report(api.address, 'has no "$default" stage');
        else if (def.body.auto_deploy !== true)
          report(def.address, 'auto_deploy must be true, or no change is ever deployed');
      }
    },
  },
  {
    id: 'service-cors-limits',
    description:
      'HTTP API and Function URL CORS: no "*" origin with credentials (400); Function URL: at most 6 methods of at most 6 characters, max_age 0..86400 (github.com/aws/aws-cdk/issues/9076; docs.aws.amazon.com/lambda/latest/dg/API_Cors.html).',
    check(ix, report) {
      const check = (r: Resource, cors: Body, functionUrl: boolean) => {
        const origins = cors.allow_origins;
        if (cors.allow_credentials === true && Array.isArray(origins) && origins.includes('*'))
          report(r.address, 'allow_credentials with allow_origins "*" is rejected');
        if (!functionUrl) return;
        const methods = cors.allow_methods;
        if (Array.isArray(methods) && (methods.length > 6 || methods.some((m) => String(m).length > 6)))
          report(
            r.address,
            `cors.allow_methods ${JSON.stringify(methods)}: Function URLs take at most 6 methods of at most 6 characters`,
          );
        if (typeof cors.max_age === 'number' && (cors.max_age < 0 || cors.max_age > 86400))
          report(r.address, `cors.max_age ${cors.max_age} is outside 0..86400`);
      };
      for (const a of ix.all('aws_apigatewayv2_api'))
        if (a.body.cors_configuration !== undefined) check(a, mergedBlocks(a.body.cors_configuration), false);
      for (const u of ix.all('aws_lambda_function_url'))
        if (u.body.cors !== undefined) check(u, mergedBlocks(u.body.cors), true);
    },
  },
  {
    id: 'lambda-cors-mode',
    description:
      'CORS_MODE is "lambda" behind a REST proxy (the Lambda owns the headers) and "service" behind an HTTP API or Function URL (the service owns them and ignores the Lambda\'s) (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html: with CORS configured, API Gateway ignores the CORS headers the integration returns).',
    check(ix, report) {
      for (const f of ix.all('aws_lambda_function')) {
        const env = asBody(mergedBlocks(f.body.environment).variables);
        const modes = new Set<string>();
        for (const r of ix.referrers(f.address)) {
          const refersToF = (value: unknown) => references(value).resources.has(f.address);
          if (r.type === 'aws_api_gateway_integration' && refersToF(r.body.uri)) modes.add('lambda');
          else if (r.type === 'aws_apigatewayv2_integration' && refersToF(r.body.integration_uri)) modes.add('service');
          else if (r.type === 'aws_lambda_function_url' && refersToF(r.body.function_name)) modes.add('service');
        }
        if (modes.size > 1)
          report(f.address, 'serves both a REST API and a service-owned CORS target; one CORS_MODE cannot fit both');
        const [expected] = [...modes];
        if (expected && env.CORS_MODE !== expected)
          report(f.address, `environment CORS_MODE is ${JSON.stringify(env.CORS_MODE)}; expected "${expected}"`);
      }
    },
  },
];

/** Every rule the checker applies, for documentation and tests. */
export const APPLY_RULES: readonly ApplyRule[] = RULES.map(({ id, description }) => ({ id, description }));

/** The rules on a module: a synthesized document, or one the module reader indexed. */
export function checkApplyRules(doc: TerraformDocument | ModuleDocument): RuleViolation[] {
  const ix = new DocIndex(moduleDocument(doc));
  const out: RuleViolation[] = [];
  try {
    for (const rule of RULES) rule.check(ix, (address, message) => out.push({ rule: rule.id, address, message }));
  } finally {
    SCANNED.clear();
  }
  return out;
}

/** The first item of each key, in document order (what `find` over the list would return). */
function firstByKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!out.has(k)) out.set(k, item);
  }
  return out;
}

function methodResponses(ix: DocIndex): Map<string, Resource> {
  return new Map(
    ix.all('aws_api_gateway_method_response').map((r) => [`${ix.methodKey(r.body)}|${ix.statusCode(r.body)}`, r]),
  );
}

/** `${x}` -> `x`; anything else unchanged. */
function unwrapExpression(s: string): string {
  return singleExpression(s) ? s.slice(2, -1) : s;
}

/** Whether `s` is exactly one `${...}` interpolation. */
function singleExpression(s: string): boolean {
  if (!s.startsWith('${') || !s.endsWith('}')) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 2; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i === s.length - 1;
      depth--;
    }
  }
  return false;
}

const REFERENCE =
  /(?<![\w.$-])(?:(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)|local\.([A-Za-z_][\w-]*)|var\.([A-Za-z_][\w-]*))/g;

/**
 * The references found in each string during one `checkApplyRules`: a module repeats the same expressions
 * thousands of times (`${aws_api_gateway_rest_api.api.id}`), so each distinct string is scanned once per check.
 */
const SCANNED = new Map<string, Array<[keyof References, string]>>();

interface References {
  /** `aws_x.name` */
  readonly resources: Set<string>;
  /** `aws_x.name` of `data.aws_x.name` */
  readonly data: Set<string>;
  readonly locals: Set<string>;
  readonly variables: Set<string>;
}

/**
 * The text inside a string's `${...}` interpolations and `%{...}` directives, skipping their escaped forms `$${`
 * and `%%{` (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1): literal
 * text, which may hold spec values such as a header name `X${var.a}` written as `X$${var.a}`, is never an
 * expression.
 */
function expressionText(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if ((c === '$' || c === '%') && value[i + 1] === c && value[i + 2] === '{') {
      i += 2;
      continue;
    }
    if ((c !== '$' && c !== '%') || value[i + 1] !== '{') continue;
    let depth = 0;
    let j = i + 2;
    for (; j < value.length; j++) {
      if (value[j] === '{') depth++;
      else if (value[j] === '}') {
        if (depth === 0) break;
        depth--;
      }
    }
    out += ` ${value.slice(i + 2, j)} `;
    i = j;
  }
  return out;
}

/**
 * The references in the Terraform expressions of a value: the interpolations of every string that contains `${`
 * are scanned (bare `depends_on` entries are read by `DocIndex.dependsOn`).
 */
function references(
  value: unknown,
  out: References = { resources: new Set(), data: new Set(), locals: new Set(), variables: new Set() },
): References {
  if (typeof value === 'string') {
    if (!value.includes('${')) return out;
    let found = SCANNED.get(value);
    if (!found) {
      found = [];
      // One pass: a resource type always holds a "_", so `local.x` and `var.x` never match the first form.
      for (const m of expressionText(value).matchAll(REFERENCE)) {
        if (m[2] !== undefined) found.push([m[1] ? 'data' : 'resources', `${m[2]}.${m[3]}`]);
        else if (m[4] !== undefined) found.push(['locals', m[4]]);
        else found.push(['variables', m[5]!]);
      }
      SCANNED.set(value, found);
    }
    for (const [kind, name] of found) out[kind].add(name);
  } else if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) references(v, out);
  }
  return out;
}

/**
 * The resources a value refers to as a whole (`aws_x.name` not followed by `.attr` or an index), found in one
 * pass over its JSON text: hashing only an attribute misses changes to the rest of the resource.
 */
function wholeReferences(value: unknown): Set<string> {
  const out = new Set<string>();
  for (const m of JSON.stringify(value ?? {}).matchAll(
    /(?<![\w.$-])([a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)(?![\w.[-])/g,
  ))
    out.add(m[1]!);
  return out;
}
