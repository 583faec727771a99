import type { ApiKind } from '../spec/model.js';

/**
 * `validation` blocks for the allowed-origins variable, mirroring the spec validator (`src/spec/rules.ts`) so
 * a list set at apply time (`-var`, tfvars) gets the same protection as the spec. RE2 syntax, written with
 * `[.]` rather than `\.` so no backslash has to survive HCL and JSON escaping.
 */
export function originValidations(
  variable: string,
  api: ApiKind,
  credentials: boolean,
): Array<{ condition: string; errorMessage: string }> {
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  const host = `(${label}[.])*${label}`;
  // 1-65535 without leading zeros: what a browser can put in an Origin (the default ports are ruled out below).
  const port = '(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?';
  const forms = [`^https?://${host}${port}$`, `^https?://\\\\[[0-9a-f:.]+\\\\]${port}$`];
  let allowed = 'exact origins';
  if (api === 'rest') {
    forms.push(`^https?://[*][.]${label}([.]${label})+${port}$`);
    allowed += ' or one-label wildcards like "https://*.example.com"';
  }
  if (api === 'http' && !credentials) {
    forms.push('^https?://[*]$');
    allowed += ', "https://*" or "http://*"';
  }
  const matches = forms.map((f) => `can(regex("${f}", o))`).join(' || ');
  const rules = [
    { condition: `\${length(${variable}) > 0}`, errorMessage: 'allowed_origins must list at least one origin.' },
    {
      condition: `\${alltrue([for o in ${variable} : o == "*" || ${matches}])}`,
      errorMessage: `Each allowed origin must be "*" alone or ${allowed}, written as browsers send them: lowercase, no path, no trailing slash, no default port (e.g. "https://app.example.com").`,
    },
    {
      condition: `\${!contains(${variable}, "*") || length(${variable}) == 1}`,
      errorMessage: 'allowed_origins: "*" allows every origin; list it alone or not at all.',
    },
    {
      condition: `\${!contains(${variable}, "null")}`,
      errorMessage: 'allowed_origins must not contain "null" (sandboxed and file: pages send it).',
    },
    {
      condition: `\${alltrue([for o in ${variable} : !can(regex("^(https://.*:443|http://.*:80)$", o))])}`,
      errorMessage:
        'allowed_origins: browsers omit the default port (443 for https, 80 for http) from Origin, so an origin naming it never matches; remove the port.',
    },
  ];
  if (credentials) {
    rules.push({
      condition: `\${!contains(${variable}, "*")}`,
      errorMessage:
        'allowed_origins: "*" cannot be used because this API allows credentials; browsers reject that combination. List the exact origins.',
    });
  }
  return rules;
}
