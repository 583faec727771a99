import {
  asBody,
  asList,
  mergedBlocks,
  moduleDocument,
  moduleEnvironment,
  reference,
  type AddressedBlock,
  type ModuleDocument,
  type RawBody as Body,
} from '../terraform/document.js';
import { LEGACY_TYPES } from '../constructs/rest-openapi.js';
import type { TerraformDocument } from './clean-document.js';
import { compareVersions, constraintMinimum, PROVIDER_FLOORS, usesFloor } from './provider-floors.js';
import { declaredHeaders, integrationResponses, restBodies, type RestOperation } from './rest-body.js';

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
  /** Where the fault is: a Terraform address (`aws_api_gateway_deployment.api`) or a place in a REST body. */
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
  readonly #localReferences = new Map<string, References>();
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

  /** The references in a local's value, scanned once per local (the REST API's OpenAPI document is large). */
  referencesOfLocal(name: string): References {
    let refs = this.#localReferences.get(name);
    if (!refs) this.#localReferences.set(name, (refs = references(this.locals[name])));
    return refs;
  }

  /** Variables a value depends on, through any chain of locals. */
  variablesBehind(value: unknown): Set<string> {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (refs: References) => {
      for (const v of refs.variables) out.add(v);
      for (const l of refs.locals) {
        if (seen.has(l)) continue;
        seen.add(l);
        walk(this.referencesOfLocal(l));
      }
    };
    walk(references(value));
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
      for (const name of Object.keys(ix.locals)) visitRefs(`local.${name}`, ix.referencesOfLocal(name));
      for (const [name, output] of ix.doc.outputs) visit(`output.${name}`, output.body);
      for (const d of ix.doc.data.values()) visit(d.address, d.body);
    },
  },
  {
    id: 'rest-body-document',
    description:
      'A REST API is defined by one OpenAPI 3.0 document in body (jsonencode of a local object) imported with put_rest_api_mode = "overwrite", so a route removed from the document is removed from the API; per-resource API Gateway resources beside it would be deleted by the next overwrite, or fight it (provider docs r/api_gateway_rest_api; docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html).',
    check(ix, report) {
      for (const rest of restBodies(ix.doc)) {
        const { api } = rest;
        if (rest.local === undefined || !ix.doc.locals.has(rest.local))
          report(
            api.address,
            `body ${JSON.stringify(api.body.body)} is not jsonencode(local.<an object of this module>)`,
          );
        else if (
          (typeof rest.document.openapi !== 'string' || !/^3\.0\.\d+$/.test(rest.document.openapi)) &&
          // A spec's own Swagger 2.0 document (`openapi:`) stays 2.0; API Gateway imports both.
          rest.document.swagger !== '2.0'
        )
          report(
            api.address,
            `local.${rest.local} is not an OpenAPI 3.0 or Swagger 2.0 document (openapi = ${JSON.stringify(rest.document.openapi)})`,
          );
        if (api.body.put_rest_api_mode !== 'overwrite')
          report(
            api.address,
            `put_rest_api_mode is ${JSON.stringify(api.body.put_rest_api_mode)}; "overwrite" removes what the document no longer holds`,
          );
        const id = `\${${api.address}.id}`;
        for (const type of LEGACY_TYPES)
          for (const r of ix.all(type))
            if (r.body.rest_api_id === id)
              report(
                r.address,
                `is declared beside the body of ${api.address}; define it in the OpenAPI document instead`,
              );
      }
    },
  },
  {
    id: 'method-has-integration',
    description:
      'Every operation of the document carries an x-amazon-apigateway-integration; a method without one fails the deployment with "No integration defined for method" (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html; github.com/hashicorp/terraform-provider-aws/issues/21210).',
    check(ix, report) {
      for (const op of operations(ix)) if (!op.integration) report(op.where, 'has no x-amazon-apigateway-integration');
    },
  },
  {
    id: 'response-header-declared',
    description:
      'Every method.response.header.X an integration response maps must be declared in the headers of the operation\'s response for that status, or the import fails with "Invalid mapping expression parameter specified" (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-response.html).',
    check(ix, report) {
      for (const op of operations(ix)) {
        for (const [key, response] of integrationResponses(op.integration)) {
          const declared = declaredHeaders(op.operation, response.statusCode);
          for (const param of Object.keys(asBody(response.responseParameters))) {
            const name = /^method\.response\.header\.(.+)$/.exec(param)?.[1];
            if (name !== undefined && !(name in declared))
              report(
                op.where,
                `integration response ${key} maps ${param}, which responses["${String(response.statusCode)}"].headers does not declare`,
              );
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
      // Every path repeats the same few mappings: each distinct one is judged once.
      const judged = new Map<string, string[]>();
      const check = (where: string, params: unknown, keyForm: RegExp, valueForm: RegExp) => {
        for (const [key, value] of Object.entries(asBody(params))) {
          const id = `${keyForm.source}\0${key}\0${typeof value === 'string' ? value : JSON.stringify(value)}`;
          let problems = judged.get(id);
          if (!problems) {
            problems = [];
            if (!keyForm.test(key)) problems.push(`response parameter ${key} is not of the form ${keyForm.source}`);
            // A whole-value Terraform expression is checked where it is evaluated (terraform console tests).
            if (typeof value === 'string' && !singleExpression(value) && !valueForm.test(value))
              problems.push(`${key} = ${JSON.stringify(value)} is not a 'quoted' static value or a documented source`);
            judged.set(id, problems);
          }
          for (const p of problems) report(where, p);
        }
      };
      for (const op of operations(ix))
        for (const [, response] of integrationResponses(op.integration))
          check(
            op.where,
            response.responseParameters,
            /^method\.response\.header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
            /^('[\s\S]*'|integration\.response\.(header\.[\w-]+|body(\..+)?)|context\.[\w.]+|stageVariables\.[\w]+)$/,
          );
      for (const rest of restBodies(ix.doc))
        for (const [type, response] of rest.gatewayResponses)
          check(
            `${rest.api.address} body x-amazon-apigateway-gateway-responses.${type}`,
            response.responseParameters,
            /^gatewayresponse\.(header|path|querystring)\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$/,
            /^('[\s\S]*'|method\.request\.(header|path|querystring)\.[\w-]+|context\.[\w.]+|stageVariables\.[\w]+)$/,
          );
    },
  },
  {
    id: 'proxy-integration-post',
    description:
      'Lambda is only ever invoked with POST: an aws_proxy integration needs httpMethod "POST" (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html).',
    check(ix, report) {
      for (const op of operations(ix)) {
        const type = String(op.integration?.type ?? '').toLowerCase();
        if ((type === 'aws_proxy' || type === 'aws') && op.integration?.httpMethod !== 'POST')
          report(
            op.where,
            `${type} integration uses httpMethod ${JSON.stringify(op.integration?.httpMethod)}; Lambda needs "POST"`,
          );
      }
    },
  },
  {
    id: 'request-templates-passthrough',
    description:
      'passthroughBehavior is set whenever requestTemplates is, so a request without a matching Content-Type is handled as intended (docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).',
    check(ix, report) {
      for (const op of operations(ix))
        if (op.integration?.requestTemplates !== undefined && typeof op.integration.passthroughBehavior !== 'string')
          report(op.where, 'sets requestTemplates without passthroughBehavior');
    },
  },
  {
    id: 'mock-default-response',
    description:
      'A mock integration needs a request template yielding {"statusCode": N} and a default integration response, or API Gateway answers 500 (docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html; docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html).',
    check(ix, report) {
      for (const op of operations(ix)) {
        if (String(op.integration?.type).toLowerCase() !== 'mock') continue;
        const template = asBody(op.integration!.requestTemplates)['application/json'];
        if (typeof template !== 'string' || !/"?statusCode"?\s*:\s*\d{3}/.test(template))
          report(op.where, 'mock integration has no application/json request template producing {"statusCode": 200}');
        if (!('default' in asBody(op.integration!.responses)))
          report(op.where, 'mock integration has no default integration response');
      }
    },
  },
  {
    id: 'preflight-on-every-resource',
    description:
      'Every path of the document, and every path API Gateway creates as a parent of one, answers OPTIONS through a mock integration with no security requirement (no authorizer, no API key); otherwise the preflight gets 403 Missing Authentication Token (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html; aws-cdk aws-apigateway Resource.addCorsPreflight).',
    check(ix, report) {
      for (const rest of restBodies(ix.doc)) {
        const keys = new Set(rest.paths.map((p) => p.path));
        for (const p of rest.paths) {
          const where = `${rest.api.address} body paths[${JSON.stringify(p.path)}]`;
          const segments = p.path.split('/').filter(Boolean);
          for (let i = 1; i < segments.length; i++) {
            const parent = `/${segments.slice(0, i).join('/')}`;
            if (!keys.has(parent)) {
              keys.add(parent);
              report(
                where,
                `its parent ${parent} has no path item: a browser preflight there gets 403 Missing Authentication Token`,
              );
            }
          }
          const options = p.operations.get('OPTIONS');
          if (!options) {
            report(where, 'has no options operation: a browser preflight gets 403 Missing Authentication Token');
            continue;
          }
          // A document-level `security` applies to every operation that does not set its own, OPTIONS included
          // (https://spec.openapis.org/oas/v3.0.3#openapi-object).
          const security = options.operation.security ?? rest.document.security;
          if (security !== undefined && !(Array.isArray(security) && security.length === 0))
            report(
              options.where,
              'OPTIONS has a security requirement (authorizer or API key); browsers never send credentials on a preflight',
            );
          // The older extension for AWS_IAM on one method
          // (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-auth.html).
          const legacyAuth = asBody(options.operation['x-amazon-apigateway-auth']).type;
          if (legacyAuth !== undefined && String(legacyAuth).toUpperCase() !== 'NONE')
            report(
              options.where,
              `OPTIONS has x-amazon-apigateway-auth ${JSON.stringify(legacyAuth)}; the preflight must be open`,
            );
          if (options.integration && String(options.integration.type).toLowerCase() !== 'mock')
            report(
              options.where,
              `OPTIONS integration is ${JSON.stringify(options.integration.type)}; the preflight should be answered by a mock integration`,
            );
        }
      }
    },
  },
  {
    id: 'deployment-trigger-coverage',
    description:
      "A deployment is a snapshot: its triggers must hash the REST API's body (which holds every route, integration, response and gateway response) and the body must be built from the origin list, or changes never reach the stage (provider docs r/api_gateway_deployment).",
    check(ix, report) {
      for (const d of ix.all('aws_api_gateway_deployment')) {
        const rest = restBodies(ix.doc).find((r) => d.body.rest_api_id === `\${${r.api.address}.id}`);
        if (!rest) continue;
        if (!JSON.stringify(d.body.triggers ?? {}).includes(`${rest.api.address}.body`))
          report(d.address, `triggers do not hash ${rest.api.address}.body; a change to the API would not be deployed`);
        if (
          'allowed_origins' in ix.variables &&
          !ix.variablesBehind(d.body.triggers).has('allowed_origins') &&
          !ix.variablesBehind(rest.api.body.body).has('allowed_origins')
        )
          report(
            d.address,
            'neither the triggers nor the body cover the allowed origins (var.allowed_origins or a local built from it)',
          );
      }
    },
  },
  {
    id: 'removed-not-declared',
    description:
      'A removed block may only name a resource the module no longer declares ("Removed resource block still exists"); it makes Terraform forget objects the body now owns (developer.hashicorp.com/terraform/language/resources/syntax#removing-resources).',
    check(ix, report) {
      for (const b of ix.doc.other.filter((o) => o.kind === 'removed'))
        for (const r of asList(b.value)) {
          const from = unwrapExpression(String(asBody(r).from));
          if (ix.byAddress.has(from))
            report(`removed ${from}`, `${from} is still declared; drop the removed block or the resource`);
          if (mergedBlocks(asBody(r).lifecycle).destroy !== false)
            report(
              `removed ${from}`,
              'lifecycle { destroy = false } is missing: Terraform would destroy objects the body now owns',
            );
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
    id: 'gateway-responses-cors',
    description:
      "API Gateway's own errors (403 for an unknown path, an authorizer's 401/403, 429, 502 from a malformed Lambda answer) fall back to DEFAULT_4XX/DEFAULT_5XX unless the document defines their type; DEFAULT_4XX, DEFAULT_5XX and every type defined carry Access-Control-Allow-Origin and the other CORS headers of DEFAULT_4XX, or the browser hides those errors behind a CORS error (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).",
    check(ix, report) {
      for (const rest of restBodies(ix.doc)) {
        // DEFAULT_4XX/5XX always; every other type the document defines replaces its fallback, so it needs the
        // same CORS headers (an authorizer's UNAUTHORIZED without them is the classic unreadable 401).
        const types = new Set(['DEFAULT_4XX', 'DEFAULT_5XX', ...rest.gatewayResponses.keys()]);
        const cors = (type: string) =>
          Object.keys(asBody(rest.gatewayResponses.get(type)?.responseParameters)).filter((k) =>
            /^gatewayresponse\.header\.(access-control-|vary$)/i.test(k),
          );
        const reference = cors('DEFAULT_4XX');
        for (const type of types) {
          const where = `${rest.api.address} body x-amazon-apigateway-gateway-responses.${type}`;
          const own = cors(type);
          if (!own.includes('gatewayresponse.header.Access-Control-Allow-Origin'))
            report(
              where,
              'has no gatewayresponse.header.Access-Control-Allow-Origin: the browser would hide these errors',
            );
          else if (type !== 'DEFAULT_4XX' && type !== 'DEFAULT_5XX')
            for (const k of reference.filter((h) => !own.includes(h)))
              report(where, `lacks ${k}, which DEFAULT_4XX sets: this error would not carry the same CORS headers`);
        }
      }
    },
  },
  {
    id: 'gateway-response-default-status',
    description:
      'A statusCode on DEFAULT_4XX/DEFAULT_5XX changes the status of every 4XX/5XX answer (docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).',
    check(ix, report) {
      for (const rest of restBodies(ix.doc))
        for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
          const status = rest.gatewayResponses.get(type)?.statusCode;
          if (status !== undefined && status !== null)
            report(
              `${rest.api.address} body x-amazon-apigateway-gateway-responses.${type}`,
              `sets statusCode ${JSON.stringify(status)}, which would replace the status of every such error`,
            );
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
        // A policy for CloudFront's service principal is not public: the rule below keeps that bucket private.
        if (cloudFrontPolicy(p)) continue;
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
    id: 'cdn-bucket-private',
    description:
      "Behind CloudFront the site bucket is private: no website configuration, BucketOwnerEnforced, all four public access blocks on, and the bucket policy lets only cloudfront.amazonaws.com s3:GetObject with AWS:SourceArn naming this module's distribution (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).",
    check(ix, report) {
      const distributions = ix.all('aws_cloudfront_distribution');
      if (distributions.length === 0) return;
      const arns = distributions.map((d) => `\${${d.address}.arn}`);
      for (const w of ix.all('aws_s3_bucket_website_configuration'))
        report(w.address, 'a website endpoint serves the bucket without CloudFront; remove it');
      for (const bucket of ix.all('aws_s3_bucket')) {
        const id = `\${${bucket.address}.id}`;
        const block = ix.all('aws_s3_bucket_public_access_block').find((b) => b.body.bucket === id);
        const flags = ['block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets'];
        if (!block || flags.some((f) => block.body[f] !== true))
          report(bucket.address, `needs an aws_s3_bucket_public_access_block with ${flags.join(', ')} all true`);
        const ownership = ix.all('aws_s3_bucket_ownership_controls').find((b) => b.body.bucket === id);
        const rule = ownership?.body.rule as Record<string, unknown> | Record<string, unknown>[] | undefined;
        const owner = (Array.isArray(rule) ? rule[0] : rule)?.['object_ownership'];
        if (owner !== 'BucketOwnerEnforced')
          report(
            bucket.address,
            'needs aws_s3_bucket_ownership_controls with object_ownership = "BucketOwnerEnforced"',
          );
      }
      for (const p of ix.all('aws_s3_bucket_policy')) {
        const statements = policyStatements(p);
        const scoped = (st: Record<string, unknown>) => {
          const principal = st['Principal'] as Record<string, unknown> | undefined;
          const equals = (st['Condition'] as Record<string, Record<string, unknown>> | undefined)?.['StringEquals'];
          return (
            principal !== null &&
            typeof principal === 'object' &&
            Object.keys(principal).join() === 'Service' &&
            principal['Service'] === 'cloudfront.amazonaws.com' &&
            typeof equals?.['AWS:SourceArn'] === 'string' &&
            arns.includes(equals['AWS:SourceArn'])
          );
        };
        const bad =
          statements === undefined ? [undefined] : statements.filter((st) => st['Effect'] !== 'Deny' && !scoped(st));
        if (bad.length > 0)
          report(
            p.address,
            `allows ${statements === undefined ? 'an unreadable policy' : JSON.stringify(bad[0]!['Principal'])} to read the bucket; only cloudfront.amazonaws.com with AWS:SourceArn = ${arns.join(' or ')} may`,
          );
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
    id: 'http-preflight-unguarded',
    description:
      'No HTTP API route that catches a preflight (OPTIONS, ANY or $default) has an authorizer: a preflight routed to one goes to the authorizer and fails for want of credentials ($default: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html; ANY: github.com/anomalyco/sst/issues/5493). The module declares no unguarded OPTIONS route that would outrank them, so none may be guarded.',
    check(ix, report) {
      for (const r of ix.all('aws_apigatewayv2_route')) {
        const key = String(r.body.route_key);
        const catchesPreflight = key === '$default' || key.startsWith('OPTIONS ') || key.startsWith('ANY ');
        const type = r.body.authorization_type;
        if (catchesPreflight && type !== undefined && type !== null && type !== 'NONE')
          report(
            r.address,
            `route ${JSON.stringify(key)} catches preflights and has authorization_type ${JSON.stringify(type)}; browsers send no credentials on a preflight, so it would fail: leave preflights to cors_configuration`,
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
    id: 'lambda-vpc-permissions',
    description:
      'A function with a vpc_config (or a dynamic one) depends on the attachment of AWSLambdaVPCAccessExecutionRole to its role: Lambda creates its network interfaces with the role, and CreateFunction fails without the ec2 permissions (docs.aws.amazon.com/lambda/latest/dg/configuring-vpc.html#configuring-vpc-permissions).',
    check(ix, report) {
      const vpcAccess = ix
        .all('aws_iam_role_policy_attachment')
        .filter((a) => /:policy\/service-role\/AWSLambdaVPCAccessExecutionRole$/.test(String(a.body.policy_arn)));
      for (const f of ix.all('aws_lambda_function')) {
        if (f.body.vpc_config === undefined && mergedBlocks(f.body.dynamic).vpc_config === undefined) continue;
        const deps = new Set(asList(f.body.depends_on).map((d) => unwrapExpression(String(d))));
        if (!vpcAccess.some((a) => deps.has(a.address)))
          report(
            f.address,
            'runs in a VPC but does not depend_on an attachment of AWSLambdaVPCAccessExecutionRole; CreateFunction may run before the role can create network interfaces',
          );
      }
    },
  },
  {
    id: 'lambda-cors-mode',
    description:
      'CORS_MODE is "lambda" behind a REST proxy (the Lambda owns the headers) and "service" behind an HTTP API or Function URL (the service owns them and ignores the Lambda\'s) (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html: with CORS configured, API Gateway ignores the CORS headers the integration returns).',
    check(ix, report) {
      for (const f of ix.all('aws_lambda_function')) {
        const env = moduleEnvironment(ix.doc, f.body);
        const modes = new Set<string>();
        const refersToF = (value: unknown) => references(value).resources.has(f.address);
        const uris = new Set(operations(ix).map((op) => op.integration?.uri));
        for (const uri of uris) if (refersToF(uri)) modes.add('lambda');
        for (const r of ix.referrers(f.address)) {
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
/** The statements of a bucket policy written as literal JSON (with `${...}` references), or undefined. */
function policyStatements(p: Resource): Record<string, unknown>[] | undefined {
  if (typeof p.body.policy !== 'string') return undefined;
  try {
    const statements = (JSON.parse(p.body.policy) as { Statement?: unknown }).Statement;
    const list = Array.isArray(statements) ? statements : [statements];
    return list.every((st) => st !== null && typeof st === 'object') ? (list as Record<string, unknown>[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether every statement of a bucket policy grants to the CloudFront service principal alone. */
function cloudFrontPolicy(p: Resource): boolean {
  const statements = policyStatements(p);
  return (
    statements !== undefined &&
    statements.length > 0 &&
    statements.every((st) => JSON.stringify(st['Principal']) === '{"Service":"cloudfront.amazonaws.com"}')
  );
}

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

/** Every operation of every REST API body, in document order. */
function operations(ix: DocIndex): readonly RestOperation[] {
  let ops = OPERATIONS.get(ix.doc);
  if (!ops)
    OPERATIONS.set(
      ix.doc,
      (ops = restBodies(ix.doc).flatMap((r) => r.paths.flatMap((p) => [...p.operations.values()]))),
    );
  return ops;
}

const OPERATIONS = new WeakMap<ModuleDocument, readonly RestOperation[]>();

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
    for (const k in value) references((value as Record<string, unknown>)[k], out);
  }
  return out;
}
