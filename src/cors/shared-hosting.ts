/**
 * Shared-hosting domains: names under which anyone can publish a site (`github.io`, `cloudfront.net`, an S3
 * website endpoint, `herokuapp.com`, `vercel.app`, ...) or register a domain (`co.uk`). A wildcard origin one label
 * below such a name, `https://*.github.io`, trusts every tenant of it.
 *
 * The Public Suffix List is the maintained record of these names: its ICANN section lists registries (`co.uk`),
 * its private section the hosting services that asked to be listed so that browsers keep their tenants apart
 * (https://publicsuffix.org/learn/, https://github.com/publicsuffix/list/wiki/Guidelines). `tldts` ships the list;
 * `allowPrivateDomains: true` includes the private section (https://github.com/remusao/tldts#readme).
 *
 * `validate` (and so `generate`) and `check --scan`'s `third-party` class both ask this module, so they agree.
 */
import type * as Tldts from 'tldts';

let tldts: typeof Tldts | undefined;

/**
 * `require`, not a static import: spec validation is synchronous, and the list (about 130 KB of code) is
 * evaluated only when a spec has a wildcard origin. esbuild bundles the call as a lazily initialised module.
 */
function publicSuffixList(): typeof Tldts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return (tldts ??= require('tldts') as typeof Tldts);
}

/** Whether the list has been loaded in this process (start-up tests assert that plain specs never load it). */
export function isPublicSuffixListLoaded(): boolean {
  return tldts !== undefined;
}

/**
 * S3 website endpoints, in both documented forms: `s3-website-<region>.amazonaws.com` and
 * `s3-website.<region>.amazonaws.com` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html),
 * `.amazonaws.com.cn` in China. Matched here as well because the list names each region separately and a region
 * opened after the installed copy of the list would otherwise pass.
 */
const S3_WEBSITE = /^s3-website[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Whether `domain` is a public suffix, private section included: anyone can get a name directly under it. */
export function isPublicSuffix(domain: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (S3_WEBSITE.test(name)) return true;
  // Asking about a child: the list's wildcard rules (`*.compute.amazonaws.com`) describe children, not the name.
  return publicSuffixList().getPublicSuffix(`cors-gen-probe.${name}`, { allowPrivateDomains: true }) === name;
}

/**
 * The registrable domain ("site") of a host name, private section included, as browsers tell sites apart for
 * SameSite and third-party cookies (https://html.spec.whatwg.org/multipage/browsers.html#sites); for an IP address,
 * `localhost` or a name the list does not know, the host itself.
 */
export function registrableDomain(host: string): string {
  const name = host.toLowerCase().replace(/\.$/, '');
  return publicSuffixList().getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/**
 * For a one-label wildcard origin (`https://*.github.io`, `http://*.s3-website-us-east-1.amazonaws.com:8080`): its
 * parent domain when that is a public suffix, so that every tenant matches; otherwise undefined.
 */
export function sharedHostingParent(wildcardOrigin: string): string | undefined {
  const m = /^https?:\/\/\*\.([^/:]+)(?::\d+)?$/.exec(wildcardOrigin);
  return m && isPublicSuffix(m[1]!) ? m[1]! : undefined;
}

/**
 * Well-known shared-hosting suffixes with the scheme their sites use (S3 website endpoints serve http only).
 * `check --scan` sends an origin under each as a `third-party` probe; the tests assert that `validate` refuses
 * a credentialed wildcard over each, so the two lists cannot drift apart.
 */
export const SHARED_HOSTING_EXAMPLES: readonly { readonly scheme: 'http' | 'https'; readonly suffix: string }[] = [
  { scheme: 'https', suffix: 'github.io' },
  { scheme: 'https', suffix: 'cloudfront.net' },
  { scheme: 'http', suffix: 's3-website-us-east-1.amazonaws.com' },
  { scheme: 'http', suffix: 's3-website.eu-west-1.amazonaws.com' },
  { scheme: 'https', suffix: 'herokuapp.com' },
  { scheme: 'https', suffix: 'vercel.app' },
  { scheme: 'https', suffix: 'netlify.app' },
  { scheme: 'https', suffix: 'pages.dev' },
  { scheme: 'https', suffix: 'co.uk' },
];
