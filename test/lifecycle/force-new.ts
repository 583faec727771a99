/**
 * The arguments whose change makes the real `hashicorp/aws` provider replace a resource (`ForceNew: true` in the
 * resource's schema, or a plan modifier `RequiresReplace` in the framework resources). The replica puts these in
 * `terraform_data.triggers_replace` (a change replaces it, like the real resource) and everything else in `input`
 * (a change updates it in place). A type that is not listed is refused, so a new resource type in a generated
 * module cannot be modelled as "never replaced" by accident.
 *
 * Sources, all in github.com/hashicorp/terraform-provider-aws (schemas as of the 5.x/6.x lines):
 * - internal/service/apigateway/rest_api.go: no ForceNew argument (name, body, put_rest_api_mode update in place)
 * - internal/service/apigateway/resource.go: rest_api_id; parent_id and path_part are patched in place
 *   (`/parentId`, `/pathPart` PatchOperations in resourceResourceUpdate)
 * - internal/service/apigateway/method.go: http_method, resource_id, rest_api_id
 * - internal/service/apigateway/method_response.go: http_method, resource_id, rest_api_id, status_code
 * - internal/service/apigateway/integration.go: rest_api_id, resource_id, http_method, type,
 *   integration_http_method, passthrough_behavior, credentials (github.com/hashicorp/terraform-provider-aws/issues/21907)
 * - internal/service/apigateway/integration_response.go: rest_api_id, resource_id, http_method, status_code
 * - internal/service/apigateway/gateway_response.go: rest_api_id, response_type
 * - internal/service/apigateway/deployment.go: rest_api_id, triggers, variables
 * - internal/service/apigateway/stage.go: rest_api_id, stage_name (deployment_id is patched in place)
 * - internal/service/apigatewayv2/api.go: protocol_type; integration.go: api_id, integration_type;
 *   route.go: api_id; stage.go: api_id, name; authorizer.go: api_id (everything else goes through UpdateAuthorizer)
 * - internal/service/lambda/function.go: function_name, package_type
 * - internal/service/lambda/permission.go: every argument (the resource has no Update)
 * - internal/service/lambda/function_url.go: function_name, qualifier
 * - internal/service/lambda/layer_version.go: every argument the module sets (a layer version is immutable: the
 *   resource has no Update; only skip_destroy, which the module leaves unset, changes in place)
 * - internal/service/iam/role.go: name, name_prefix, path
 * - internal/service/iam/role_policy_attachment.go: role, policy_arn
 * - internal/service/iam/role_policy.go: name, name_prefix, role (policy is updated in place by PutRolePolicy)
 * - internal/service/logs/group.go: name, name_prefix
 * - internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled (force_destroy is state only)
 * - internal/service/s3/bucket_website_configuration.go, bucket_public_access_block.go, bucket_policy.go,
 *   bucket_cors_configuration.go: bucket, expected_bucket_owner
 * - internal/service/s3/bucket_ownership_controls.go: bucket (the rule is put again in place)
 * - internal/service/cloudfront/distribution.go: staging only; every other argument goes through
 *   UpdateDistribution (resourceDistributionUpdate sends the whole DistributionConfig)
 * - internal/service/cloudfront/origin_access_control.go: none (UpdateOriginAccessControl takes every argument)
 * - internal/service/apigateway/domain_name.go: domain_name (certificate_body, certificate_chain and
 *   certificate_private_key too, which the module never sets; certificates, endpoint types and the security policy
 *   are patched in place); base_path_mapping.go: domain_name (api_id, base_path and stage_name are patched)
 * - internal/service/apigatewayv2/domain_name.go: domain_name (domain_name_configuration goes through
 *   UpdateDomainName); api_mapping.go: api_id, domain_name
 * - internal/service/route53/record.go: name, zone_id
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[] | 'all'>> = {
  aws_api_gateway_rest_api: [],
  aws_api_gateway_resource: ['rest_api_id'],
  aws_api_gateway_method: ['http_method', 'resource_id', 'rest_api_id'],
  aws_api_gateway_method_response: ['http_method', 'resource_id', 'rest_api_id', 'status_code'],
  aws_api_gateway_integration: [
    'rest_api_id',
    'resource_id',
    'http_method',
    'type',
    'integration_http_method',
    'passthrough_behavior',
    'credentials',
  ],
  aws_api_gateway_integration_response: ['rest_api_id', 'resource_id', 'http_method', 'status_code'],
  aws_api_gateway_gateway_response: ['rest_api_id', 'response_type'],
  aws_api_gateway_deployment: ['rest_api_id', 'triggers', 'variables'],
  aws_api_gateway_stage: ['rest_api_id', 'stage_name'],
  aws_apigatewayv2_api: ['protocol_type'],
  aws_apigatewayv2_integration: ['api_id', 'integration_type'],
  aws_apigatewayv2_route: ['api_id'],
  aws_apigatewayv2_stage: ['api_id', 'name'],
  aws_apigatewayv2_authorizer: ['api_id'],
  aws_lambda_function: ['function_name', 'package_type'],
  aws_lambda_permission: 'all',
  aws_lambda_function_url: ['function_name', 'qualifier'],
  aws_lambda_layer_version: 'all',
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_cloudwatch_log_group: ['name', 'name_prefix'],
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_s3_bucket_website_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_public_access_block: ['bucket'],
  aws_s3_bucket_policy: ['bucket'],
  aws_s3_bucket_cors_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_ownership_controls: ['bucket'],
  aws_cloudfront_distribution: ['staging'],
  aws_cloudfront_origin_access_control: [],
  aws_api_gateway_domain_name: ['domain_name', 'certificate_body', 'certificate_chain', 'certificate_private_key'],
  aws_api_gateway_base_path_mapping: ['domain_name'],
  aws_apigatewayv2_domain_name: ['domain_name'],
  aws_apigatewayv2_api_mapping: ['api_id', 'domain_name'],
  aws_route53_record: ['name', 'zone_id'],
};
