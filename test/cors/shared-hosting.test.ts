import { describe, expect, it } from 'vitest';
import {
  isPublicSuffix,
  isPublicSuffixListLoaded,
  sharedHostingParent,
  SHARED_HOSTING_EXAMPLES,
} from '../../src/cors/shared-hosting.js';
import { validateSpec } from '../../src/spec/validate.js';

function spec(origins: string[], extra: Record<string, unknown> = {}, credentials = true): unknown {
  return {
    version: 1,
    name: 'demo',
    api: 'rest',
    stage: 'dev',
    cors: { allowOrigins: origins, allowCredentials: credentials },
    routes: [{ path: '/users', methods: ['GET'] }],
    ...extra,
  };
}

function issues(data: unknown): { errors: [string, string, string][]; warnings: [string, string, string][] } {
  const r = validateSpec(data);
  const rows = (list: readonly { code: string; path: string; message: string; fix?: string }[]) =>
    list.map((i): [string, string, string] => [i.code, i.path, `${i.message}; ${i.fix}`]);
  return { errors: r.ok ? [] : rows(r.errors), warnings: rows(r.warnings) };
}

// First in the file: the module is fresh here, so this sees whether validation alone loads the list.
it('loads the Public Suffix List only for a spec with a wildcard origin (validate start-up stays fast)', () => {
  expect(validateSpec(spec(['https://app.example.com', 'http://localhost:3000'])).ok).toBe(true);
  expect(isPublicSuffixListLoaded()).toBe(false);
  validateSpec(spec(['https://*.example.com']));
  expect(isPublicSuffixListLoaded()).toBe(true);
});

describe('public suffixes, private section included', () => {
  it.each([
    'github.io',
    'cloudfront.net',
    's3-website-us-east-1.amazonaws.com',
    's3-website.eu-central-1.amazonaws.com',
    'herokuapp.com',
    'vercel.app',
    'netlify.app',
    'pages.dev',
    'co.uk',
  ])('%s is a public suffix (tldts lists it)', (domain) => {
    expect(isPublicSuffix(domain)).toBe(true);
  });

  it.each([
    'example.com',
    'amazonaws.com',
    'myorg.github.io',
    'example.co.uk',
    'bucket.s3-website-us-east-1.amazonaws.com',
  ])('%s is not: one owner controls it', (domain) => {
    expect(isPublicSuffix(domain)).toBe(false);
  });

  it('knows S3 website endpoints of regions the installed list does not name yet, in both forms', () => {
    expect(isPublicSuffix('s3-website-xx-future-9.amazonaws.com')).toBe(true);
    expect(isPublicSuffix('s3-website.xx-future-9.amazonaws.com')).toBe(true);
    expect(isPublicSuffix('s3-website.cn-north-1.amazonaws.com.cn')).toBe(true);
  });

  it('takes the parent of a one-label wildcard origin, port or not', () => {
    expect(sharedHostingParent('https://*.github.io')).toBe('github.io');
    expect(sharedHostingParent('http://*.s3-website-us-east-1.amazonaws.com:8080')).toBe(
      's3-website-us-east-1.amazonaws.com',
    );
    expect(sharedHostingParent('https://*.example.com')).toBeUndefined();
    expect(sharedHostingParent('https://app.github.io')).toBeUndefined();
  });
});

describe('validate: wildcards over shared hosting', () => {
  it('refuses https://*.github.io with credentials, saying why and what to write', () => {
    const { errors, warnings } = issues(spec(['https://*.github.io']));
    // The generic wildcard warning for the same entry would say less: it gives way.
    expect(warnings.map(([code]) => code)).not.toContain('wildcard-with-credentials');
    expect(errors).toEqual([
      [
        'shared-hosting-wildcard',
        'cors.allowOrigins[0]',
        '"https://*.github.io" matches every site on github.io, a public suffix where anyone can publish (Public Suffix List); any tenant of github.io could read the responses with your users\' cookies; list your exact origins (e.g. "https://myapp.github.io"), or set cors.allowCredentials: false',
      ],
    ]);
  });

  it('warns without credentials, in every stage list', () => {
    const { errors, warnings } = issues(
      spec(['https://app.example.com'], { stages: { preview: { allowOrigins: ['https://*.vercel.app'] } } }, false),
    );
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual([
      'shared-hosting-wildcard',
      'stages.preview.allowOrigins[0]',
      '"https://*.vercel.app" matches every site on vercel.app, a public suffix where anyone can publish (Public Suffix List); any tenant of vercel.app could read the responses; list your exact origins (e.g. "https://myapp.vercel.app")',
    ]);
  });

  it('accepts a wildcard under a domain one owner controls', () => {
    expect(issues(spec(['https://*.example.com'])).errors).toEqual([]);
    expect(issues(spec(['https://*.myorg.github.io'])).errors).toEqual([]);
  });

  it.each(SHARED_HOSTING_EXAMPLES.map((e) => [`${e.scheme}://*.${e.suffix}`]))(
    'refuses %s with credentials (the list check --scan probes)',
    (origin) => {
      expect(issues(spec([origin])).errors.map(([code]) => code)).toEqual(['shared-hosting-wildcard']);
    },
  );

  it('warns that the plain-http S3 website origin is trusted with credentials in prod, as for a listed http:// origin', () => {
    const prod = issues(spec(['https://app.example.com'], { stage: 'prod', frontend: { enabled: true } }));
    expect(prod.warnings).toContainEqual([
      'http-in-prod',
      'frontend.enabled',
      'The S3 website origin (http://<bucket>.s3-website-<region>.amazonaws.com), allowed with credentials, is plain http in stage "prod"; a network attacker can act as it; serve the site over https with frontend.cdn: true (CloudFront in front of a private bucket; its https origin is allowed instead), or set cors.allowCredentials: false',
    ]);
    // Without credentials, or outside prod, the website origin is what it is meant to be.
    expect(
      issues(spec(['https://app.example.com'], { stage: 'prod', frontend: { enabled: true } }, false)).warnings.map(
        ([c]) => c,
      ),
    ).not.toContain('http-in-prod');
    expect(
      issues(spec(['https://app.example.com'], { stage: 'dev', frontend: { enabled: true } })).warnings.map(([c]) => c),
    ).not.toContain('http-in-prod');
  });
});
