// The benchmark's baseline: the module `cors-gen generate` writes, as a hand-written CDKTF app that `cdktf synth`
// synthesizes. Written the way the CDKTF documentation writes apps (barrel imports of the providers,
// `import { s3Bucket } from "@cdktf/provider-aws"`), in the CommonJS that `tsc` makes of them, so no TypeScript
// compilation is timed. It builds the same resources with the same names and arguments as cors-gen's constructs
// (REST API with a frontend, as in the bench's specs), reading the routes and CORS settings of a spec that the
// bench passes as JSON in BENCH_SPEC_JSON. bench/run.mjs checks that both give the same set of addresses.
'use strict';
const { readFileSync } = require('node:fs');
const { App, Fn, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token } = require('cdktf');
const {
  apiGatewayDeployment,
  apiGatewayRestApi,
  apiGatewayStage,
  cloudwatchLogGroup,
  dataAwsPartition,
  iamRole,
  iamRolePolicy,
  iamRolePolicyAttachment,
  lambdaFunction,
  lambdaPermission,
  provider,
  s3Bucket,
  s3BucketPolicy,
  s3BucketPublicAccessBlock,
  s3BucketWebsiteConfiguration,
} = require('@cdktf/provider-aws');
const { dataArchiveFile, provider: archiveProvider } = require('@cdktf/provider-archive');

const spec = JSON.parse(readFileSync(process.env.BENCH_SPEC_JSON, 'utf8'));
const cors = spec.cors;
const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';

class CorsApi extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    new provider.AwsProvider(this, 'aws', {});
    new archiveProvider.ArchiveProvider(this, 'archive', {});
    const named = (construct, name) => {
      construct.overrideLogicalId(name);
      return construct;
    };

    // Inputs
    const port = '(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?';
    const forms = [
      `^https?://(${LABEL}[.])*${LABEL}${port}$`,
      `^https?://\\\\[[0-9a-f:.]+\\\\]${port}$`,
      `^https?://[*][.]${LABEL}([.]${LABEL})+${port}$`,
    ];
    new TerraformVariable(this, 'allowed_origins', {
      type: 'list(string)',
      description: 'Origins allowed to call the API.',
      default: cors.allowOrigins,
      validation: [
        {
          condition: '${length(var.allowed_origins) > 0}',
          errorMessage: 'allowed_origins must list at least one origin.',
        },
        {
          condition: `\${alltrue([for o in var.allowed_origins : o == "*" || ${forms.map((f) => `can(regex("${f}", o))`).join(' || ')}])}`,
          errorMessage: 'Each allowed origin must be "*" alone or an origin.',
        },
        {
          condition: '${!contains(var.allowed_origins, "*") || length(var.allowed_origins) == 1}',
          errorMessage: 'allowed_origins: "*" alone or not at all.',
        },
        {
          condition: '${!contains(var.allowed_origins, "null")}',
          errorMessage: 'allowed_origins must not contain "null".',
        },
        {
          condition: '${alltrue([for o in var.allowed_origins : !can(regex("^(https://.*:443|http://.*:80)$", o))])}',
          errorMessage: 'allowed_origins: no default ports.',
        },
        {
          condition: '${!contains(var.allowed_origins, "*")}',
          errorMessage: 'allowed_origins: no "*" with credentials.',
        },
      ],
    });
    const namePrefix = new TerraformVariable(this, 'name_prefix', {
      type: 'string',
      description: 'Names the API and the Lambda function.',
      default: spec.name,
      validation: [
        {
          condition: '${can(regex("^[a-z][a-z0-9-]{1,55}$", var.name_prefix))}',
          errorMessage: 'name_prefix must be 2-56 characters.',
        },
      ],
    });
    const tags = new TerraformVariable(this, 'tags', { type: 'map(string)', description: 'Tags.', default: {} });
    const retention = new TerraformVariable(this, 'log_retention_days', {
      type: 'number',
      description: 'Days CloudWatch keeps the logs.',
      default: 14,
      validation: [
        {
          condition:
            '${contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)}',
          errorMessage: 'log_retention_days must be a CloudWatch value.',
        },
      ],
    });
    const stageName = new TerraformVariable(this, 'stage_name', {
      type: 'string',
      description: 'The REST API stage.',
      default: spec.stage,
      validation: [
        {
          condition: '${can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))}',
          errorMessage: 'stage_name must be 1-128 letters, digits, "-" or "_".',
        },
      ],
    });

    const forceDestroy = new TerraformVariable(this, 'force_destroy', {
      type: 'bool',
      description: 'Let terraform destroy delete the site bucket with its objects.',
      default: false,
    });

    // The function's inputs (environment, extra permissions, size, layers, VPC).
    const lambdaSpec = spec.lambda ?? {};
    const environmentVariables = new TerraformVariable(this, 'environment_variables', {
      type: 'map(string)',
      description: 'Environment variables for the function, merged under the CORS variables.',
      validation: [
        {
          condition:
            '${alltrue([for k in keys(var.environment_variables) : can(regex("^[a-zA-Z][a-zA-Z0-9_]+$", k))])}',
          errorMessage: 'environment_variables: names as Lambda accepts them.',
        },
      ],
    });
    // CDKTF snake-cases the keys of an object default: set on the synthesized block.
    environmentVariables.addOverride('default', lambdaSpec.environment ?? {});
    const policyArns = new TerraformVariable(this, 'policy_arns', {
      type: 'list(string)',
      description: 'Managed policies for the role.',
      default: lambdaSpec.policyArns ?? [],
    });
    const policyJson = new TerraformVariable(this, 'policy_json', {
      type: 'string',
      description: 'An inline policy for the role.',
      validation: [
        {
          condition: '${var.policy_json == null || can(keys(jsondecode(var.policy_json)))}',
          errorMessage: 'policy_json must be JSON.',
        },
      ],
    });
    policyJson.addOverride('default', lambdaSpec.policy ? JSON.stringify(lambdaSpec.policy) : null);
    const attachPolicyJson = new TerraformVariable(this, 'attach_policy_json', {
      type: 'bool',
      description: 'Attach policy_json to the role.',
      default: lambdaSpec.policy !== undefined,
    });
    const memorySize = new TerraformVariable(this, 'memory_size', {
      type: 'number',
      description: 'MB of memory.',
      default: lambdaSpec.memorySize ?? 256,
    });
    const timeout = new TerraformVariable(this, 'timeout', {
      type: 'number',
      description: 'Seconds per invocation.',
      default: lambdaSpec.timeout ?? 10,
    });
    const layers = new TerraformVariable(this, 'layers', {
      type: 'list(string)',
      description: 'Layer version ARNs.',
      default: lambdaSpec.layers ?? [],
    });
    const subnets = new TerraformVariable(this, 'vpc_subnet_ids', {
      type: 'list(string)',
      description: 'Subnets.',
      default: lambdaSpec.vpc?.subnetIds ?? [],
    });
    const securityGroups = new TerraformVariable(this, 'vpc_security_group_ids', {
      type: 'list(string)',
      description: 'Security groups.',
      default: lambdaSpec.vpc?.securityGroupIds ?? [],
    });
    const inVpc = `length(${subnets.fqn}) > 0 && length(${securityGroups.fqn}) > 0`;

    // Authorizers: one input per value, defaults from the spec.
    const authorizers = Object.entries(spec.authorizers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const authorizerInputs = {};
    for (const [name, a] of authorizers) {
      authorizerInputs[name] =
        a.type === 'cognito'
          ? new TerraformVariable(this, `authorizer_${name}_user_pool_arns`, {
              type: 'list(string)',
              description: `ARNs of the Cognito user pools of the "${name}" authorizer.`,
              default: a.userPoolArns,
            })
          : new TerraformVariable(this, `authorizer_${name}_function_arn`, {
              type: 'string',
              description: `ARN of the Lambda function that is the "${name}" authorizer.`,
              default: a.functionArn,
            });
    }

    // Frontend bucket
    const bucket = named(
      new s3Bucket.S3Bucket(this, 'site-bucket', {
        bucketPrefix: Fn.substr(`${namePrefix.value}-site-`, 0, 37),
        forceDestroy: forceDestroy.value,
        tags: tags.value,
      }),
      'site',
    );
    const website = named(
      new s3BucketWebsiteConfiguration.S3BucketWebsiteConfiguration(this, 'site-website', {
        bucket: bucket.id,
        indexDocument: { suffix: spec.frontend.indexDocument },
      }),
      'site',
    );
    const publicAccess = named(
      new s3BucketPublicAccessBlock.S3BucketPublicAccessBlock(this, 'site-public-access', {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      }),
      'site',
    );
    named(
      new s3BucketPolicy.S3BucketPolicy(this, 'site-policy', {
        bucket: bucket.id,
        policy: Fn.jsonencode({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PublicReadGetObject',
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `${bucket.arn}/*`,
            },
          ],
        }),
        dependsOn: [publicAccess],
      }),
      'site',
    );
    named(new TerraformLocal(this, 'website_origin', `http://${website.websiteEndpoint}`), 'website_origin');
    named(
      new TerraformLocal(
        this,
        'local-allowed_origins',
        '${contains(var.allowed_origins, "*") ? ["*"] : distinct(concat(var.allowed_origins, [local.website_origin]))}',
      ),
      'allowed_origins',
    );
    named(
      new TerraformLocal(this, 'cors_environment', {
        ALLOWED_ORIGINS: '${join(" ", local.allowed_origins)}',
        ALLOW_CREDENTIALS: String(cors.allowCredentials),
        ALLOW_HEADERS: cors.allowHeaders.join(','),
        CORS_MODE: 'lambda',
        ENFORCE_ORIGIN: 'false',
        EXPOSE_HEADERS: cors.exposeHeaders.join(','),
      }),
      'cors_environment',
    );

    // Lambda
    const archive = named(
      new dataArchiveFile.DataArchiveFile(this, 'lambda-archive', {
        type: 'zip',
        sourceDir: '${path.module}/lambda',
        outputPath: `\${path.root}/.terraform/cors-gen/${namePrefix.value}.zip`,
        excludes: ['**/__pycache__', '**/*.pyc', '**/.DS_Store', '**/.*.swp', '**/.*.swo', '**/*~', '**/.#*', '**/#*#'],
        outputFileMode: '0644',
      }),
      'lambda',
    );
    const partition = named(new dataAwsPartition.DataAwsPartition(this, 'partition', {}), 'current');
    const role = named(
      new iamRole.IamRole(this, 'role', {
        namePrefix: Fn.substr(`${namePrefix.value}-`, 0, 38),
        lifecycle: { createBeforeDestroy: true },
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
        tags: tags.value,
      }),
      'lambda',
    );
    const logs = named(
      new iamRolePolicyAttachment.IamRolePolicyAttachment(this, 'logs', {
        role: role.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
      }),
      'lambda_logs',
    );
    named(
      new iamRolePolicyAttachment.IamRolePolicyAttachment(this, 'extra', {
        count: Token.asNumber(`\${length(${policyArns.fqn})}`),
        role: role.name,
        policyArn: `\${${policyArns.fqn}[count.index]}`,
      }),
      'lambda_extra',
    );
    const vpcAccess = named(
      new iamRolePolicyAttachment.IamRolePolicyAttachment(this, 'vpc', {
        count: Token.asNumber(`\${${inVpc} ? 1 : 0}`),
        role: role.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
      }),
      'lambda_vpc',
    );
    named(
      new iamRolePolicy.IamRolePolicy(this, 'inline', {
        count: Token.asNumber(`\${${attachPolicyJson.fqn} ? 1 : 0}`),
        role: role.name,
        policy: policyJson.value,
      }),
      'lambda_extra',
    );
    const logGroup = named(
      new cloudwatchLogGroup.CloudwatchLogGroup(this, 'log-group', {
        name: `/aws/lambda/${namePrefix.value}`,
        retentionInDays: retention.value,
        tags: tags.value,
      }),
      'lambda',
    );
    const fn = named(
      new lambdaFunction.LambdaFunction(this, 'function', {
        functionName: namePrefix.value,
        role: role.arn,
        handler: 'index.handler',
        runtime: spec.lambda.runtime,
        filename: archive.outputPath,
        sourceCodeHash: archive.outputBase64Sha256,
        memorySize: memorySize.numberValue,
        timeout: timeout.numberValue,
        layers: layers.listValue,
        environment: { variables: Fn.merge([environmentVariables.value, '${local.cors_environment}']) },
        tags: tags.value,
        dependsOn: [logGroup, logs, vpcAccess],
        lifecycle: {
          precondition: [
            {
              condition:
                '${floor(length(replace(base64encode(join("", [for k, v in merge(var.environment_variables, local.cors_environment) : join("", [k, v])])), "=", "")) * 3 / 4) <= 4096}',
              errorMessage: "The function's environment exceeds Lambda's 4096 bytes.",
            },
            {
              condition: '${var.attach_policy_json || var.policy_json == null}',
              errorMessage: 'policy_json is set but attach_policy_json is false.',
            },
            {
              condition: `\${(length(${subnets.fqn}) == 0) == (length(${securityGroups.fqn}) == 0)}`,
              errorMessage: 'vpc_subnet_ids and vpc_security_group_ids go together.',
            },
          ],
        },
      }),
      'handler',
    );
    fn.addOverride('dynamic.vpc_config', {
      for_each: `\${${inVpc} ? ["vpc"] : []}`,
      content: { subnet_ids: subnets.value, security_group_ids: securityGroups.value },
    });

    // REST API
    const local = (name, expression) => {
      named(new TerraformLocal(this, name, expression), name);
      return `local.${name}`;
    };
    const all = local('cors_origins', '${local.allowed_origins}');
    const any = local('cors_any_origin', `\${contains(${all}, "*")}`);
    const exact = local('cors_exact_origins', `\${[for o in ${all} : o if !strcontains(o, "*")]}`);
    const patterns = local(
      'cors_origin_patterns',
      `\${[for o in ${all} : replace(replace(o, ".", "[.]"), "*", "${LABEL}") if strcontains(o, "*") && o != "*"]}`,
    );
    const vtl = [
      '#set($origin = $input.params().header.get("Origin"))',
      '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
      `#set($allowed = \${jsonencode(${exact})})`,
      `#set($patterns = \${jsonencode(${patterns})})`,
      '#set($match = "")',
      '#if("$!origin" != "" && "$origin" != "null" && $origin.matches("[!-~]+"))',
      '#set($lower = $origin.toLowerCase())',
      '#if($allowed.contains($lower))#set($match = $origin)#end',
      '#foreach($pattern in $patterns)#if($lower.matches($pattern))#set($match = $origin)#end#end',
      '#end',
      '#if($match != "")#set($context.responseOverride.header.Access-Control-Allow-Origin = $match)#end',
      '',
    ].join('\n');
    const allowOrigin = `'\${${any} ? "*" : try(${exact}[0], ${all}[0])}'`;
    const preflightHeaders = {
      'Access-Control-Allow-Origin': allowOrigin,
      Vary: "'Origin'",
      'Access-Control-Allow-Credentials': "'true'",
      'Access-Control-Allow-Methods': `'${cors.allowMethods.join(',')}'`,
      'Access-Control-Allow-Headers': `'${cors.allowHeaders.join(',')}'`,
      'Access-Control-Max-Age': `'${cors.maxAge}'`,
    };

    // The whole REST API as one OpenAPI document in the API's body (overwrite mode).
    const preflight = {
      summary: 'CORS preflight',
      responses: {
        204: {
          description: 'CORS preflight',
          headers: Object.fromEntries(Object.keys(preflightHeaders).map((h) => [h, { schema: { type: 'string' } }])),
        },
      },
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: 'when_no_match',
        contentHandling: 'CONVERT_TO_TEXT',
        responses: {
          default: {
            statusCode: '204',
            responseParameters: Object.fromEntries(
              Object.entries(preflightHeaders).map(([h, v]) => [`method.response.header.${h}`, v]),
            ),
            responseTemplates: { 'application/json': vtl },
          },
        },
      },
    };
    const paths = {};
    for (const route of spec.routes) {
      const segments = route.path.split('/').filter(Boolean);
      for (let i = 1; i <= segments.length; i++) {
        const key = `/${segments.slice(0, i).join('/')}`;
        if (!paths[key]) {
          const params = segments.slice(0, i).filter((x) => x.startsWith('{'));
          paths[key] = {
            ...(params.length > 0
              ? {
                  parameters: params.map((x) => ({
                    name: x.slice(1, -1).replace(/\+$/, ''),
                    in: 'path',
                    required: true,
                    schema: { type: 'string' },
                  })),
                }
              : {}),
            options: preflight,
          };
        }
      }
      const auth = route.auth ?? spec.auth ?? 'none';
      const security = auth === 'none' ? {} : { security: [{ [auth === 'iam' ? 'sigv4' : auth]: [] }] };
      for (const method of route.methods)
        paths[`/${segments.join('/')}`][method.toLowerCase()] = {
          responses: { default: { description: "The Lambda function's answer" } },
          ...security,
          'x-amazon-apigateway-integration': {
            type: 'aws_proxy',
            httpMethod: 'POST',
            uri: fn.invokeArn,
            passthroughBehavior: 'when_no_match',
          },
        };
    }
    const gatewayResponse = {
      responseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': `\${${any} ? "'*'" : length(${exact}) == 1 && length(${patterns}) == 0 ? "'\${${exact}[0]}'" : "'\${try(${exact}[0], ${all}[0])}'"}`,
        'gatewayresponse.header.Vary': "'Origin'",
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        'gatewayresponse.header.Access-Control-Expose-Headers': `'${cors.exposeHeaders.join(',')}'`,
      },
      responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
    };
    // With authorizers: a security scheme each, and the gateway responses they produce, with the CORS headers.
    const lambdaUri = (arn) =>
      `arn:\${regex("^arn:([^:]+):lambda:([^:]+):", ${arn})[0]}:apigateway:\${regex("^arn:([^:]+):lambda:([^:]+):", ${arn})[1]}:lambda:path/2015-03-31/functions/\${${arn}}/invocations`;
    const securitySchemes = Object.fromEntries(
      authorizers.map(([name, a]) => [
        name,
        {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': a.type === 'cognito' ? 'cognito_user_pools' : 'custom',
          'x-amazon-apigateway-authorizer':
            a.type === 'cognito'
              ? { type: 'cognito_user_pools', providerARNs: authorizerInputs[name].value }
              : {
                  type: a.kind ?? 'token',
                  authorizerUri: lambdaUri(authorizerInputs[name].fqn),
                  authorizerResultTtlInSeconds: a.resultTtl ?? 300,
                },
        },
      ]),
    );
    const responseTypes = ['DEFAULT_4XX', 'DEFAULT_5XX'];
    if (authorizers.length > 0)
      responseTypes.push(
        'UNAUTHORIZED',
        'ACCESS_DENIED',
        'MISSING_AUTHENTICATION_TOKEN',
        'EXPIRED_TOKEN',
        'INVALID_API_KEY',
        'THROTTLED',
      );
    local('openapi', {
      openapi: '3.0.1',
      info: { title: namePrefix.value, version: '1' },
      paths,
      ...(authorizers.length > 0 ? { components: { securitySchemes } } : {}),
      'x-amazon-apigateway-gateway-responses': Object.fromEntries(responseTypes.map((t) => [t, gatewayResponse])),
    });
    const api = named(
      new apiGatewayRestApi.ApiGatewayRestApi(this, 'api', {
        name: namePrefix.value,
        body: '${jsonencode(local.openapi)}',
        putRestApiMode: 'overwrite',
        tags: tags.value,
      }),
      'api',
    );
    const deployment = named(
      new apiGatewayDeployment.ApiGatewayDeployment(this, 'deployment', {
        restApiId: api.id,
        triggers: { redeployment: Fn.sha1(api.body) },
        lifecycle: { createBeforeDestroy: true },
      }),
      'openapi',
    );
    const stage = named(
      new apiGatewayStage.ApiGatewayStage(this, 'stage', {
        restApiId: api.id,
        stageName: stageName.value,
        deploymentId: deployment.id,
        tags: tags.value,
      }),
      'api',
    );
    named(
      new lambdaPermission.LambdaPermission(this, 'permission', {
        statementId: 'AllowInvokeFromThisRestApi',
        action: 'lambda:InvokeFunction',
        functionName: fn.functionName,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${api.executionArn}/*/*`,
      }),
      'api',
    );
    for (const [name, a] of authorizers)
      if (a.type === 'lambda')
        named(
          new lambdaPermission.LambdaPermission(this, `authorizer-${name}`, {
            statementId: `${namePrefix.value}-auth-${name}`,
            action: 'lambda:InvokeFunction',
            functionName: authorizerInputs[name].value,
            principal: 'apigateway.amazonaws.com',
            sourceArn: `${api.executionArn}/authorizers/*`,
          }),
          `authorizer_${name}`,
        );

    // Outputs
    const output = (name, value, description) =>
      named(new TerraformOutput(this, `output-${name}`, { value, description }), name);
    output('api_url', stage.invokeUrl, 'Base URL of the API.');
    output('website_url', '${local.website_origin}', 'URL of the S3 website.');
    output('website_origin', '${local.website_origin}', 'The Origin browsers send from the S3 website.');
    output('website_bucket', bucket.bucket, 'Bucket to upload the frontend to.');
    output('function_name', fn.functionName, 'The Lambda function serving every route.');
    output('allowed_origins', '${local.allowed_origins}', 'The effective allowed origins.');
    output('openapi_document', api.body, 'The OpenAPI document that defines the REST API.');
    output('function_arn', fn.arn, 'ARN of the Lambda function.');
    output('function_invoke_arn', fn.invokeArn, 'ARN API Gateway uses to invoke the function.');
    output('role_name', role.name, "Name of the function's IAM role.");
    output('role_arn', role.arn, "ARN of the function's IAM role.");
    output('rest_api_id', api.id, 'The REST API id.');
    output('rest_api_root_resource_id', api.rootResourceId, "The REST API's root resource id.");
    output('rest_api_execution_arn', api.executionArn, "The REST API's execution ARN.");
    output('stage_name', stage.stageName, 'The stage name.');
    output('stage_arn', stage.arn, 'The stage ARN.');
  }
}

const app = new App();
new CorsApi(app, spec.name);
app.synth();
