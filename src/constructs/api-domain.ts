import { Construct } from 'constructs';
import { TerraformVariable, Token } from 'cdktf';
import { ApiGatewayBasePathMapping } from '@cdktf/provider-aws/lib/api-gateway-base-path-mapping/index.js';
import { ApiGatewayDomainName } from '@cdktf/provider-aws/lib/api-gateway-domain-name/index.js';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping/index.js';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name/index.js';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record/index.js';
import type { DomainModel } from '../spec/model.js';
import { DOMAIN_PATTERNS } from '../spec/schema.js';

export interface ApiDomainProps {
  /** Which API the domain maps to: a REST API stage, or the HTTP API's `$default` stage. */
  readonly api: 'rest' | 'http';
  /** The REST API id or the HTTP API id. */
  readonly apiId: string;
  /** REST: the stage name the base path mapping points at; HTTP API: the stage's id (`$default`). */
  readonly stage: string;
  /** The spec's `domain`: the inputs' defaults. @default null for each input (no custom domain) */
  readonly defaults?: DomainModel;
  readonly tags?: Record<string, string> | undefined;
}

/**
 * Route 53 record types of the aliases: A only. A custom domain name answers on IPv6 only with
 * `ip_address_type = "dualstack"`, which the provider lines this module supports do not all have
 * (hashicorp/terraform-provider-aws#42069); an AAAA alias to an IPv4-only target resolves to nothing
 * (amplify-education/serverless-domain-manager#588).
 */
const ALIAS_TYPES = ['A'] as const;

/**
 * An optional custom domain in front of the API, off while `domain_name` is null, so one module serves with and
 * without one (every resource is counted on the inputs):
 * - REST: `aws_api_gateway_domain_name` with a REGIONAL endpoint and `regional_certificate_arn` (the certificate
 *   lives in the API's own region), TLS 1.2 at least, and `aws_api_gateway_base_path_mapping` of the whole domain
 *   (no base path) to the stage.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
 * - HTTP API: `aws_apigatewayv2_domain_name` (REGIONAL, TLS_1_2) and `aws_apigatewayv2_api_mapping` to `$default`.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html
 * - With `domain_zone_id`: a Route 53 alias A record to the regional target name and its hosted zone.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-api-gateway.html
 * Security policies: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html
 */
export class ApiDomain extends Construct {
  /** Whether the domain is on, as a Terraform expression (without `${}`). */
  readonly on = 'var.domain_name != null';
  /** `"https://<domain_name>"`, a Terraform expression: `api_url` when the domain is on. */
  readonly url = '"https://${var.domain_name}"';
  /** The regional host name DNS must point at (CNAME or alias), a Terraform expression valid when on. */
  readonly target: string;

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const input = (name: string, description: string, value: string | null | undefined, pattern: string) => {
      const v = new TerraformVariable(this, name, {
        type: 'string',
        description,
        validation: [
          {
            condition: `\${var.${name} == null || can(regex("${pattern}", var.${name}))}`,
            errorMessage: `${name} must be null or match ${pattern}.`,
          },
        ],
      });
      v.overrideLogicalId(name);
      // CDKTF drops a null default: set it on the synthesized block (a literal default is required to be optional).
      v.addOverride('default', value ?? null);
    };
    const d = props.defaults;
    input(
      'domain_name',
      "Custom domain of the API, e.g. api.example.com (null: no custom domain, api_url is the API's own host). Put it on your pages' site so the API's cookies are first-party.",
      d?.name,
      DOMAIN_PATTERNS.name,
    );
    input(
      'domain_certificate_arn',
      "ARN of an ACM certificate for domain_name in the API's region (regional endpoint); required with domain_name.",
      d?.certificateArn,
      DOMAIN_PATTERNS.certificateArn,
    );
    input(
      'domain_zone_id',
      'Route 53 hosted zone of domain_name: the module adds an alias A record there (null: point your DNS at the domain_target output yourself).',
      d?.zoneId,
      DOMAIN_PATTERNS.zoneId,
    );

    const on = this.on;
    const count = Token.asNumber(`\${${on} ? 1 : 0}`);
    // A domain without a certificate is refused by API Gateway at apply time, after other resources changed.
    const precondition = [
      {
        condition: '${var.domain_certificate_arn != null}',
        errorMessage: 'domain_certificate_arn must be set when domain_name is set (an ACM certificate for the name).',
      },
    ];
    let targetName: string;
    let targetZone: string;
    if (props.api === 'rest') {
      const domain = new ApiGatewayDomainName(this, 'domain', {
        count,
        domainName: '${var.domain_name}',
        regionalCertificateArn: '${var.domain_certificate_arn}',
        securityPolicy: 'TLS_1_2',
        endpointConfiguration: { types: ['REGIONAL'] },
        tags: props.tags,
        lifecycle: { precondition },
      });
      domain.overrideLogicalId('api_domain');
      const mapping = new ApiGatewayBasePathMapping(this, 'mapping', {
        count,
        apiId: props.apiId,
        stageName: props.stage,
        domainName: '${aws_api_gateway_domain_name.api_domain[0].domain_name}',
      });
      mapping.overrideLogicalId('api_domain');
      targetName = 'aws_api_gateway_domain_name.api_domain[0].regional_domain_name';
      targetZone = 'aws_api_gateway_domain_name.api_domain[0].regional_zone_id';
    } else {
      const domain = new Apigatewayv2DomainName(this, 'domain', {
        count,
        domainName: '${var.domain_name}',
        domainNameConfiguration: {
          certificateArn: '${var.domain_certificate_arn}',
          endpointType: 'REGIONAL',
          securityPolicy: 'TLS_1_2',
        },
        tags: props.tags,
        lifecycle: { precondition },
      });
      domain.overrideLogicalId('api_domain');
      const mapping = new Apigatewayv2ApiMapping(this, 'mapping', {
        count,
        apiId: props.apiId,
        stage: props.stage,
        domainName: '${aws_apigatewayv2_domain_name.api_domain[0].id}',
      });
      mapping.overrideLogicalId('api_domain');
      targetName = 'aws_apigatewayv2_domain_name.api_domain[0].domain_name_configuration[0].target_domain_name';
      targetZone = 'aws_apigatewayv2_domain_name.api_domain[0].domain_name_configuration[0].hosted_zone_id';
    }
    for (const type of ALIAS_TYPES) {
      const record = new Route53Record(this, `alias-${type}`, {
        count: Token.asNumber(`\${${on} && var.domain_zone_id != null ? 1 : 0}`),
        zoneId: '${var.domain_zone_id}',
        name: '${var.domain_name}',
        type,
        // Alias records to API Gateway do not evaluate target health (the endpoint is regional and managed).
        alias: { name: `\${${targetName}}`, zoneId: `\${${targetZone}}`, evaluateTargetHealth: false },
      });
      record.overrideLogicalId(`api_domain_${type.toLowerCase()}`);
    }
    this.target = targetName;
  }
}
