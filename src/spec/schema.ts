import * as z from 'zod';
import { TOKEN } from '../cors/fetch-request.js';
import {
  ENV_NAME,
  ENV_NAME_RULE,
  LAYER_ARN,
  LAMBDA_MAX_LAYERS,
  maxUserLayers,
  POLICY_ARN,
  SECURITY_GROUP_ID,
  SUBNET_ID,
  VPC_LIMITS,
} from './lambda-config.js';
import { API_KINDS, CORS_METHODS, DEFAULTS, ROUTE_METHODS, RUNTIMES } from './model.js';

/**
 * The one schema of the spec, version 1. It checks shape and single values; the rules
 * that need the whole spec (target limits, duplicate routes, origins per target) live in `rules.ts`, so each
 * can say the path, the value and the fix in the user's words. `schema/cors-gen.schema.json` is generated from
 * this file (`npm run schema`) and a test fails when the committed copy is stale.
 */

/** An HTTP token (RFC 9110 section 5.6.2): the only legal header names. */
export const HEADER_TOKEN = TOKEN;

const headerName = z
  .string()
  .regex(HEADER_TOKEN, { error: "is not an HTTP header name (letters, digits and !#$%&'*+.^_`|~- only)" })
  .describe('A header name, or "*" (without credentials only).');

const origin = z
  .string()
  .describe(
    '"scheme://host[:port]" exactly as browsers send it, "*" alone, or a wildcard pattern the target supports.',
  );

/**
 * A stage's name: also the name of its `stages/<name>.tfvars` file in the module, and a key of plain objects.
 * "constructor" and "prototype" are the only names of this shape that JavaScript objects already carry
 * (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Object#instance_properties),
 * so they are refused; "__proto__" fails the first character.
 */
export const STAGE_NAME = /^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9_-]{0,62}$/;
export const STAGE_NAME_RULE =
  'stage names are lowercase letters, digits, "-" or "_", and not "constructor" or "prototype"';

/**
 * A Lambda handler setting, "<file>.<export>": folders separated by "/", a file name without its extension, then
 * the export (Node may name a nested one, "app.routes.get"). No "..": the Node runtime refuses it
 * (aws/aws-lambda-nodejs-runtime-interface-client src/UserFunction.js, `_throwIfInvalidHandler`).
 */
export const LAMBDA_HANDLER =
  /^(?!.*\.\.)(?:[A-Za-z0-9_@-][A-Za-z0-9_@.-]*\/)*[A-Za-z0-9_@-][A-Za-z0-9_@-]*(?:\.[A-Za-z_$][\w$]*)+$/;

const originList = z.array(origin).min(1, { error: 'must list at least one origin' });

const routeMethod = z.enum(ROUTE_METHODS);

const corsSchema = z
  .strictObject({
    allowOrigins: originList.describe(
      'Origins allowed to call the API. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Origin',
    ),
    allowMethods: z
      .array(z.enum(CORS_METHODS))
      .min(1)
      .optional()
      .describe(
        "Methods a preflight allows. @default the union of the routes' methods (all six route methods when there are no routes). https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Methods",
      ),
    allowHeaders: z
      .array(headerName)
      .optional()
      .describe(
        `Request headers a preflight allows. @default ${JSON.stringify(DEFAULTS.allowHeaders)}. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Headers`,
      ),
    exposeHeaders: z
      .array(headerName)
      .optional()
      .describe(
        'Response headers scripts may read beyond the safelisted ones. @default []. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Expose-Headers',
      ),
    allowCredentials: z
      .boolean()
      .optional()
      .describe(
        'Whether cookies and Authorization may be sent. Never with "*". @default false. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials',
      ),
    maxAge: z
      .int()
      .min(0)
      .max(86400)
      .optional()
      .describe(
        `Seconds a browser may cache a preflight; 0 is kept. @default ${DEFAULTS.maxAge}. https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age`,
      ),
    enforceOrigin: z
      .boolean()
      .optional()
      .describe('true: the Lambda answers 403 to a request whose Origin is present and not allowed. @default false.'),
  })
  .describe('The CORS policy.');

/**
 * Authorizers. Their ARNs and issuers become module inputs (defaults from here), so the patterns below are also
 * the inputs' validations (RE2 and JavaScript read them alike).
 * ARN formats: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncognitouserpools.html,
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html (FunctionName).
 */
export const AUTH_PATTERNS = {
  name: '^[a-z][a-z0-9_]{0,31}$',
  userPoolArn: '^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[a-z0-9-]+_[0-9A-Za-z]+$',
  functionArn: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,128})?$',
  issuer: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/%:@+=-]*)?$',
  audience: '^[A-Za-z0-9._~/%:@+=-]{1,256}$',
} as const;

const authorizerName = z.string().regex(new RegExp(AUTH_PATTERNS.name), {
  error: 'authorizer names are 1-32 lowercase letters, digits or "_", starting with a letter',
});

const authRef = z
  .string()
  .describe('"none" (open), "iam" (AWS_IAM: SigV4-signed requests) or the name of an entry of authorizers.');

const authorizerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('cognito').describe('A Cognito user pool authorizer (api: rest).'),
    userPoolArns: z
      .array(z.string().regex(new RegExp(AUTH_PATTERNS.userPoolArn), { error: 'is not a Cognito user pool ARN' }))
      .min(1)
      .describe('arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>, one or more.'),
  }),
  z.strictObject({
    type: z.literal('lambda').describe('A Lambda authorizer (api: rest or http).'),
    functionArn: z
      .string()
      .regex(new RegExp(AUTH_PATTERNS.functionArn), { error: 'is not a Lambda function ARN' })
      .describe('arn:aws:lambda:<region>:<account>:function:<name>'),
    kind: z
      .enum(['token', 'request'])
      .optional()
      .describe(
        `REST: token reads one header, request every identity source; HTTP APIs always use request. @default "${DEFAULTS.authorizer.kind}"`,
      ),
    identitySource: z
      .array(headerName)
      .min(1)
      .optional()
      .describe(
        `Request headers the authorizer reads (token: exactly one). @default ${JSON.stringify(DEFAULTS.authorizer.identitySource)}`,
      ),
    resultTtl: z
      .int()
      .min(0)
      .max(3600)
      .optional()
      .describe(`Seconds API Gateway caches a result; 0 turns caching off. @default ${DEFAULTS.authorizer.resultTtl}`),
  }),
  z.strictObject({
    type: z.literal('jwt').describe('A JWT authorizer (api: http).'),
    issuer: z
      .string()
      .regex(new RegExp(AUTH_PATTERNS.issuer), { error: 'must be an https URL (the "iss" of the tokens)' })
      .describe('The tokens\' "iss", e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>'),
    audience: z
      .array(
        z
          .string()
          .regex(new RegExp(AUTH_PATTERNS.audience), { error: 'is not an audience (letters, digits, ._~/%:@+=-)' }),
      )
      .min(1)
      .describe('Accepted "aud" (or Cognito "client_id") values.'),
  }),
]);

/** A stage's own values for authorizers of the spec (their ARNs, issuers and audiences differ per account). */
const stageAuthorizers = z
  .record(
    authorizerName,
    z.strictObject({
      userPoolArns: authorizerSchema.options[0].shape.userPoolArns.optional(),
      functionArn: authorizerSchema.options[1].shape.functionArn.optional(),
      issuer: authorizerSchema.options[2].shape.issuer.optional(),
      audience: authorizerSchema.options[2].shape.audience.optional(),
    }),
  )
  .describe("This stage's values for authorizers of the spec, by name: userPoolArns, functionArn, issuer, audience.");

/**
 * A custom domain for the API (REST and HTTP API): a regional API Gateway domain name with an ACM certificate
 * of the API's own region, and optional Route 53 alias records. Their patterns are also the module inputs'
 * validations (RE2 and JavaScript read them alike). ACM ARNs:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html#awscertificatemanager-resources-for-iam-policies
 */
export const DOMAIN_PATTERNS = {
  name: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z][a-z0-9-]{0,61}[a-z0-9]$',
  certificateArn: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$',
  zoneId: '^Z[A-Z0-9]{1,31}$',
} as const;

const domainSchema = z
  .strictObject({
    name: z
      .string()
      .regex(new RegExp(DOMAIN_PATTERNS.name), {
        error: 'must be a lowercase DNS name such as "api.example.com" (no scheme, no port, no path)',
      })
      .max(253)
      .describe(
        'The API\'s own host name, e.g. "api.example.com". https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains.html',
      ),
    certificateArn: z
      .string()
      .regex(new RegExp(DOMAIN_PATTERNS.certificateArn), {
        error: 'is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)',
      })
      .describe(
        "ACM certificate covering name, in the API's region (a regional endpoint). https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains-prerequisites.html",
      ),
    zoneId: z
      .string()
      .regex(new RegExp(DOMAIN_PATTERNS.zoneId), {
        error: 'is not a Route 53 hosted zone id (Z followed by letters and digits)',
      })
      .optional()
      .describe(
        'Route 53 hosted zone of name: the module adds an alias A record. @default none: point your DNS at the domain_target output yourself.',
      ),
  })
  .describe(
    'A custom domain for the API (api: rest or http), so that the API is on the same site as your pages and its cookies are first-party.',
  );

const routeSchema = z.strictObject({
  path: z.string().describe('"/", or segments: literal, {param}, or a final {proxy+}. Example: /users/{id}'),
  methods: z
    .array(routeMethod)
    .min(1, { error: 'must list at least one method' })
    .describe('Methods this route serves.'),
  auth: authRef.optional().describe("Overrides the top-level auth for this route's methods (never for the preflight)."),
  apiKeyRequired: z.boolean().optional().describe('Overrides the top-level apiKeyRequired for this route (api: rest).'),
});

/**
 * A statement of an identity-based policy (the role's inline policy): Effect is case-sensitive, one of Action and
 * NotAction, one of Resource and NotResource; no Principal, which only resource-based policies have
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html). IAM refuses anything else
 * at apply time with MalformedPolicyDocument.
 */
const policyValues = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const policyStatement = z
  .strictObject({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny'], { error: 'must be "Allow" or "Deny" (IAM reads it case-sensitively)' }),
    Action: policyValues.optional(),
    NotAction: policyValues.optional(),
    Resource: policyValues.optional(),
    NotResource: policyValues.optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    // Known only to say why they do not belong here.
    Principal: z.unknown().optional().describe("Not allowed: the role's policy is identity-based."),
    NotPrincipal: z.unknown().optional().describe("Not allowed: the role's policy is identity-based."),
  })
  .superRefine((s, ctx) => {
    for (const key of ['Principal', 'NotPrincipal'] as const)
      if (s[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `the role's policy is identity-based: it applies to the role, and a ${key} belongs only in a resource-based policy (a bucket or queue policy); remove it`,
        });
    if ((s.Action === undefined) === (s.NotAction === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [s.NotAction === undefined ? 'Action' : 'NotAction'],
        message: 'a statement needs exactly one of Action and NotAction, e.g. Action: dynamodb:GetItem',
      });
    if ((s.Resource === undefined) === (s.NotResource === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [s.NotResource === undefined ? 'Resource' : 'NotResource'],
        message:
          "a statement of the role's policy needs exactly one of Resource and NotResource, e.g. Resource: arn:aws:dynamodb:us-east-1:123456789012:table/notes",
      });
  });

/**
 * The function's configuration beyond CORS: each key is the default of a module input (`environment_variables`,
 * `policy_arns`, `policy_json`, `layers`, `vpc_subnet_ids` / `vpc_security_group_ids`), which a caller can still
 * override. Which environment names the module reserves, and the 4 KB limit, are checked in `rules.ts`.
 */
const lambdaConfigSchema = {
  environment: z
    .record(z.string().regex(ENV_NAME, { error: `is not an environment variable name (${ENV_NAME_RULE})` }), z.string())
    .optional()
    .describe(
      "Environment variables for your code, merged with the module's CORS variables (which win). The default of the environment_variables input. @default {}. https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
    ),
  policyArns: z
    .array(
      z.string().regex(POLICY_ARN, {
        error: 'is not an IAM policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME)',
      }),
    )
    .optional()
    .describe(
      "Managed policies attached to the function's role, besides AWSLambdaBasicExecutionRole. The default of the policy_arns input. @default []",
    ),
  policy: z
    .strictObject({
      Version: z.enum(['2012-10-17', '2008-10-17']).optional(),
      Id: z.string().optional(),
      Statement: z.union([
        z.array(policyStatement).min(1, { error: 'must list at least one statement' }),
        policyStatement,
      ]),
    })
    .optional()
    .describe(
      "An IAM policy document added to the function's role as an inline policy; its JSON is the default of the policy_json input. @default none. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
    ),
  layers: z
    .array(
      z
        .string()
        .regex(LAYER_ARN, { error: 'is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)' }),
    )
    .max(LAMBDA_MAX_LAYERS, { error: `Lambda allows ${LAMBDA_MAX_LAYERS} layers per function` })
    .optional()
    .describe(
      `Layer version ARNs, at most ${LAMBDA_MAX_LAYERS} (${maxUserLayers(true)} with lambda.source, whose CORS wrapper is a layer). The default of the layers input. @default []`,
    ),
  vpc: z
    .strictObject({
      subnetIds: z
        .array(z.string().regex(SUBNET_ID, { error: 'is not a subnet id (subnet-0123456789abcdef0)' }))
        .min(1, { error: 'must list at least one subnet' })
        .max(VPC_LIMITS.subnets),
      securityGroupIds: z
        .array(z.string().regex(SECURITY_GROUP_ID, { error: 'is not a security group id (sg-0123456789abcdef0)' }))
        .min(1, { error: 'must list at least one security group' })
        .max(VPC_LIMITS.securityGroups),
    })
    .optional()
    .describe(
      'Runs the function in your VPC; the role then also gets AWSLambdaVPCAccessExecutionRole. The defaults of vpc_subnet_ids and vpc_security_group_ids. @default none. https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html',
    ),
};

export const specSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    version: z.literal(1, { error: 'must be 1 (the only spec version)' }).describe('Spec version.'),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,39}$/, {
        error: 'must be 2-40 characters: a lowercase letter, then lowercase letters, digits or "-"',
      })
      .describe('Names the resources and generated/<name>.'),
    api: z.enum(API_KINDS).optional().describe(`The API Gateway flavour. @default "${DEFAULTS.api}"`),
    stage: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be 1-128 letters, digits, "-" or "_"' })
      .optional()
      .describe(`REST stage name (http uses $default). @default "${DEFAULTS.stage}"`),
    cors: corsSchema,
    routes: z.array(routeSchema).optional().describe('API routes (rest, http; optional for function-url).'),
    openapi: z
      .string()
      .optional()
      .describe(
        'api: rest: your own OpenAPI 2.0 or 3.0 document (YAML or JSON), relative to this file and inside its repository. The routes are its paths and methods (no routes: key); cors-gen adds the preflights, the Lambda integration of methods without one and the CORS headers of gateway responses, and keeps the rest of the document. @default none: the document is built from routes',
      ),
    frontend: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(`An S3 website bucket whose origin is allowed. @default ${DEFAULTS.frontend.enabled}`),
        indexDocument: z
          .string()
          .regex(/^[^/\s][^\s]*$/, { error: 'must be an object key such as "index.html" (no leading "/", no spaces)' })
          .optional()
          .describe(`@default "${DEFAULTS.frontend.indexDocument}"`),
        cdn: z
          .boolean()
          .optional()
          .describe(
            "Serve the site over https from CloudFront in front of a private bucket (no S3 website endpoint); the distribution's https origins are allowed instead of the website origin. Implies enabled. @default false",
          ),
        aliases: z
          .array(
            z
              .string()
              .regex(/^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/, {
                error: 'must be a lowercase host name such as "www.example.com" (no scheme, port or path)',
              }),
          )
          .max(100)
          .optional()
          .describe(
            'With cdn: host names the distribution answers to (CNAMEs); each https://<alias> is allowed too. Needs certificateArn. @default []',
          ),
        certificateArn: z
          .string()
          .regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]{1,64}$/, {
            error:
              'must be an ACM certificate ARN in us-east-1 (CloudFront takes its certificates from there only), "arn:aws:acm:us-east-1:<account>:certificate/<id>"',
          })
          .optional()
          .describe(
            'With cdn and aliases: the ACM certificate (us-east-1) covering every alias. @default none: the *.cloudfront.net certificate',
          ),
        spa: z
          .boolean()
          .optional()
          .describe(
            'With cdn: a single-page app; a missing key (403/404) is answered with the index document and 200. @default false',
          ),
      })
      .optional(),
    lambda: z
      .strictObject({
        runtime: z.enum(RUNTIMES).optional().describe(`@default "${DEFAULTS.lambda.runtime}"`),
        memorySize: z.int().min(128).max(10240).optional().describe(`MB. @default ${DEFAULTS.lambda.memorySize}`),
        timeout: z.int().min(1).max(900).optional().describe(`Seconds. @default ${DEFAULTS.lambda.timeout}`),
        ...lambdaConfigSchema,
        source: z
          .string()
          .optional()
          .describe(
            'Folder of your own handler code, relative to this file and inside its repository (e.g. "backend/dist"); zipped as it is, never copied into generated/. @default none: the module holds a generated stub in lambda/.',
          ),
        handler: z
          .string()
          .regex(LAMBDA_HANDLER, {
            error: 'must be "<file>.<export>" as Lambda writes it, e.g. "app.handler" or "src/app.handler"',
          })
          .optional()
          .describe(
            'With source: your handler as Lambda writes it, "<file>.<export>" relative to source (e.g. "src/app.handler"). https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html',
          ),
      })
      .optional(),
    authorizers: z
      .record(authorizerName, authorizerSchema)
      .optional()
      .describe('Named authorizers, referenced by auth.'),
    auth: authRef
      .optional()
      .describe(
        `What guards every route's methods unless the route says otherwise; preflights are never guarded. @default "${DEFAULTS.auth}"`,
      ),
    apiKeyRequired: z
      .boolean()
      .optional()
      .describe(
        `api: rest: methods require an x-api-key header (keys and usage plans live outside the module). @default ${DEFAULTS.apiKeyRequired}`,
      ),
    domain: domainSchema.optional(),
    stages: z
      .record(
        z.string().regex(STAGE_NAME, { error: STAGE_NAME_RULE }),
        z.strictObject({
          allowOrigins: originList,
          authorizers: stageAuthorizers.optional(),
          domain: domainSchema.optional().describe("This stage's custom domain, instead of the top-level domain."),
        }),
      )
      .optional()
      .describe('Per-stage origin lists (and authorizer values), written to generated/<name>/stages/<stage>.tfvars.'),
  })
  .describe('cors-gen spec, version 1. https://github.com/cors-gen/cors-gen');

export type Spec = z.infer<typeof specSchema>;
