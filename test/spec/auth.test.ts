import { describe, expect, it } from 'vitest';
import type { SpecIssue } from '../../src/spec/issue.js';
import { routeAuth } from '../../src/spec/model.js';
import { parseSpecText } from '../../src/spec/parse.js';
import { validateSpec, type ValidationResult } from '../../src/spec/validate.js';

function validate(text: string): ValidationResult {
  const parsed = parseSpecText(text, 'cors-gen.yaml');
  if (!parsed.ok) throw new Error(`does not parse: ${JSON.stringify(parsed.errors)}`);
  return validateSpec(parsed.parsed.data, { file: 'cors-gen.yaml', parsed: parsed.parsed });
}

const errors = (text: string): SpecIssue[] => {
  const r = validate(text);
  expect(r.ok).toBe(false);
  return r.ok ? [] : [...r.errors];
};
const warnings = (text: string): SpecIssue[] => {
  const r = validate(text);
  expect(r.ok, JSON.stringify(!r.ok && r.errors)).toBe(true);
  return [...r.warnings];
};

const USERS = `  users:
    type: cognito
    userPoolArns: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123]
`;
const PARTNER = `  partner:
    type: lambda
    functionArn: arn:aws:lambda:eu-west-1:123456789012:function:partner-auth
`;
const OIDC = `  oidc:
    type: jwt
    issuer: https://issuer.example.com/
    audience: [web]
`;

/** A spec of `api` with these authorizers and extra top-level text; routes /orders and /health. */
function specText(
  api: string,
  authorizers: string,
  extra = '',
  allowHeaders = '[Content-Type, Authorization]',
): string {
  return `version: 1
name: shop
api: ${api}
cors:
  allowOrigins: [https://app.example.com]
  allowHeaders: ${allowHeaders}
${authorizers ? `authorizers:\n${authorizers}` : ''}${extra}routes:
  - path: /orders
    methods: [GET, POST]
  - path: /health
    methods: [GET]
    auth: none
`;
}

describe('authorizers in the spec', () => {
  it('normalizes the default, the route overrides and the Lambda authorizer defaults', () => {
    const r = validate(
      specText(
        'rest',
        USERS + PARTNER,
        'auth: users\napiKeyRequired: true\n',
        '[Content-Type, Authorization, X-Api-Key]',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.auth).toEqual({
      authorizers: [
        {
          name: 'partner',
          type: 'lambda',
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:partner-auth',
          kind: 'token',
          identitySource: ['Authorization'],
          resultTtl: 300,
        },
        {
          name: 'users',
          type: 'cognito',
          userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123'],
        },
      ],
      default: 'users',
      routes: [
        { path: '/orders', auth: 'users', apiKeyRequired: true },
        { path: '/health', auth: 'none', apiKeyRequired: true },
      ],
    });
    expect(routeAuth(r.model, '/health').auth).toBe('none');
  });

  it('leaves the model without auth when the spec sets none of its keys', () => {
    const r = validate(specText('rest', '').replace('    auth: none\n', ''));
    expect(r.ok && r.model.auth).toBeUndefined();
  });

  it('refuses an unknown authorizer name, naming the route and the names it could be', () => {
    expect(errors(specText('rest', USERS, 'auth: user\n'))).toContainEqual(
      expect.objectContaining({
        code: 'auth-unknown',
        path: 'auth',
        message: '"user" is neither "none", "iam" nor an authorizer of this spec (users)',
        fix: 'write one of: none, iam, users',
        line: 11,
      }),
    );
    expect(errors(specText('rest', '', 'auth: users\n'))).toContainEqual(
      expect.objectContaining({ code: 'auth-unknown', fix: 'write none or iam, or define it under authorizers.users' }),
    );
  });

  it('refuses authorizer types the API kind lacks, with the fix for each', () => {
    expect(errors(specText('rest', OIDC, 'auth: oidc\n'))).toContainEqual(
      expect.objectContaining({
        code: 'authorizer-type-unsupported',
        path: 'authorizers.oidc.type',
        message: 'a jwt authorizer is not available for api: rest',
        fix: expect.stringContaining('REST APIs have no JWT authorizer: use type: cognito'),
      }),
    );
    expect(errors(specText('http', USERS, 'auth: users\n'))).toContainEqual(
      expect.objectContaining({
        code: 'authorizer-type-unsupported',
        path: 'authorizers.users.type',
        message: 'a cognito authorizer is not available for api: http',
        fix: expect.stringContaining('type: jwt, issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>'),
      }),
    );
  });

  it('refuses any authorizer but AWS_IAM on a Function URL, and accepts auth: iam', () => {
    const url = (authorizers: string, extra: string) =>
      specText('function-url', authorizers, extra).replace(/routes:[\s\S]*$/, '');
    const found = errors(url(PARTNER, 'auth: partner\n'));
    expect(found).toContainEqual(
      expect.objectContaining({
        code: 'function-url-auth',
        path: 'auth',
        message: 'a Function URL cannot use the authorizer "partner": its only auth types are AWS_IAM and NONE',
        fix: 'a Function URL only knows AWS_IAM: write auth: iam (callers sign requests with SigV4), or use api: http or api: rest for authorizers',
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ code: 'authorizer-type-unsupported', path: 'authorizers.partner.type' }),
    );
    const r = validate(
      url('', 'auth: iam\n').replace(
        '[Content-Type, Authorization]',
        '[Content-Type, Authorization, X-Amz-Date, X-Amz-Security-Token]',
      ),
    );
    expect(r.ok && r.model.auth?.default).toBe('iam');
  });

  it('refuses apiKeyRequired outside REST, at the top level and on a route', () => {
    const found = errors(
      specText('http', '', 'apiKeyRequired: true\n').replace('    auth: none\n', '    apiKeyRequired: false\n'),
    );
    expect(found.map((e) => [e.code, e.path])).toEqual([
      ['api-key-not-rest', 'apiKeyRequired'],
      ['api-key-not-rest', 'routes[1].apiKeyRequired'],
    ]);
    expect(found[0]!.fix).toBe(
      'remove it, and check a key in a Lambda authorizer (identitySource: [X-Api-Key]) if you need one',
    );
  });

  it('refuses a token authorizer with several identity sources, and reserved names', () => {
    expect(
      errors(
        specText(
          'rest',
          `${PARTNER}    identitySource: [Authorization, X-Tenant]\n`,
          'auth: partner\n',
          '[Authorization, X-Tenant]',
        ),
      ),
    ).toContainEqual(
      expect.objectContaining({
        code: 'token-authorizer-sources',
        path: 'authorizers.partner.identitySource',
        fix: 'write kind: request to read several headers, or list one',
      }),
    );
    expect(errors(specText('rest', USERS.replace('users:', 'sigv4:'), 'auth: sigv4\n'))).toContainEqual(
      expect.objectContaining({ code: 'authorizer-name-reserved', path: 'authorizers.sigv4' }),
    );
  });

  it('refuses malformed ARNs and issuers where they are written', () => {
    const found = errors(
      specText(
        'rest',
        USERS.replace('eu-west-1_Abc123]', 'eu-west-1_Abc123/x]') + PARTNER.replace('function:partner', 'fn:partner'),
        'auth: users\n',
      ),
    );
    expect(found.map((e) => e.path)).toEqual(
      expect.arrayContaining(['authorizers.users.userPoolArns[0]', 'authorizers.partner.functionArn']),
    );
    expect(errors(specText('http', OIDC.replace('https://issuer', 'http://issuer'), 'auth: oidc\n'))).toContainEqual(
      expect.objectContaining({ path: 'authorizers.oidc.issuer' }),
    );
  });

  it('warns when a header an authorizer, AWS_IAM or an API key needs is not in allowHeaders', () => {
    const found = warnings(
      specText(
        'rest',
        `${PARTNER}    kind: request\n    identitySource: [Authorization, X-Tenant]\n`,
        'auth: partner\napiKeyRequired: true\n',
        '[Content-Type]',
      ),
    ).filter((w) => w.code === 'auth-header-not-allowed');
    expect(found).toEqual([
      expect.objectContaining({
        path: 'cors.allowHeaders',
        message:
          'the authorizer "partner" needs the request headers Authorization, X-Tenant, which cors.allowHeaders does not list: the preflight refuses them, so the browser never sends the request',
        fix: 'add "Authorization", "X-Tenant" to cors.allowHeaders',
      }),
      expect.objectContaining({ fix: 'add "X-Api-Key" to cors.allowHeaders' }),
    ]);
    const iam = warnings(specText('rest', '', 'auth: iam\n')).filter((w) => w.code === 'auth-header-not-allowed');
    expect(iam.map((w) => w.fix)).toEqual(['add "X-Amz-Date", "X-Amz-Security-Token" to cors.allowHeaders']);
    // Listed, or covered by "*" without credentials (never Authorization): nothing to say.
    expect(warnings(specText('rest', '', 'auth: iam\n', '[Authorization, "*"]')).map((w) => w.code)).not.toContain(
      'auth-header-not-allowed',
    );
    expect(warnings(specText('rest', USERS, 'auth: users\n', '["*"]')).map((w) => w.fix)).toContain(
      'add "Authorization" to cors.allowHeaders',
    );
  });

  it('warns about an authorizer no route uses', () => {
    expect(warnings(specText('rest', USERS + PARTNER, 'auth: users\n'))).toContainEqual(
      expect.objectContaining({
        code: 'authorizer-unused',
        path: 'authorizers.partner',
        fix: 'write auth: partner at the top level or on a route, or remove it',
      }),
    );
  });

  it("takes a stage's own authorizer values, and refuses an unknown authorizer or a value its type lacks", () => {
    const stage = (values: string) =>
      specText('rest', USERS, 'auth: users\n') +
      `stages:\n  dev:\n    allowOrigins: [http://localhost:3000]\n    authorizers:\n${values}`;
    const r = validate(
      stage(
        '      users:\n        userPoolArns: [arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1]\n',
      ),
    );
    expect(r.ok && r.model.stages[0]!.authorizers).toEqual({
      users: { userPoolArns: ['arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1'] },
    });
    expect(
      errors(
        stage(
          '      user:\n        userPoolArns: [arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1]\n',
        ),
      ),
    ).toContainEqual(
      expect.objectContaining({
        code: 'stage-authorizer-unknown',
        path: 'stages.dev.authorizers.user',
        fix: 'write one of: users',
      }),
    );
    expect(errors(stage('      users:\n        issuer: https://issuer.example.com\n'))).toContainEqual(
      expect.objectContaining({
        code: 'stage-authorizer-field',
        path: 'stages.dev.authorizers.users.issuer',
        message: 'a cognito authorizer has no issuer',
        fix: 'set userPoolArns, or remove it',
      }),
    );
    expect(errors(stage('      users:\n        userPoolArns: [not-an-arn]\n'))).toContainEqual(
      expect.objectContaining({ path: 'stages.dev.authorizers.users.userPoolArns[0]' }),
    );
    // A __proto__ key was dropped without a word (the stage then used the spec's pool).
    expect(
      errors(
        stage(
          '      __proto__:\n        userPoolArns: [arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_Dev1]\n',
        ),
      ).map((e) => e.path),
    ).toContain('stages.dev.authorizers.__proto__');
  });
});

describe('identity sources copied from an existing API', () => {
  const partner = (sources: string) =>
    `  partner:\n    type: lambda\n    functionArn: arn:aws:lambda:us-east-1:123456789012:function:auth\n    kind: request\n    identitySource: ${sources}\n`;

  it('refuses a mapping expression, which the module would prefix a second time, and names the header to write', () => {
    expect(errors(specText('http', partner('["$request.header.Authorization"]'), 'auth: partner\n'))).toContainEqual({
      severity: 'error',
      code: 'identity-source-expression',
      path: 'authorizers.partner.identitySource[0]',
      file: 'cors-gen.yaml',
      line: expect.any(Number),
      column: expect.any(Number),
      message:
        '"$request.header.Authorization" is a mapping expression; identitySource lists request header names, and the module writes the "$request.header." prefix itself',
      fix: 'write the header name alone: "Authorization"',
    });
    const rest = errors(
      specText(
        'rest',
        partner('[X-Session, method.request.querystring.tok]'),
        'auth: partner\n',
        '[Authorization, X-Session]',
      ),
    );
    expect(rest.map((e) => [e.code, e.path, e.fix])).toContainEqual([
      'identity-source-expression',
      'authorizers.partner.identitySource[1]',
      'write request header names (query strings, context and stage variables are not supported as identity sources here)',
    ]);
  });
});

describe('a spec whose routes fail the schema', () => {
  it('still gets its errors, not a crash, from the rules that ask whether it uses auth', () => {
    const r = validateSpec({
      version: 1,
      name: 'broken',
      cors: { allowOrigins: ['https://a.example.com', 'https://b.example.com'], allowCredentials: true },
      routes: 'GET /orders',
    });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toContain('routes');
  });
});
