import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render, resources, resourcesOfType } from './helpers/template';
import { fakeWebBuild, synthesize } from './helpers/synth';

let stateless: Template;
let webBuild: ReturnType<typeof fakeWebBuild>;

beforeAll(() => {
  // The deployment must pick up whatever the build produced.
  webBuild = fakeWebBuild();
  ({ stateless } = synthesize({ webAssetsPath: webBuild.dir }));
});

afterAll(() => webBuild.remove());

const distribution = () => resourcesOfType(stateless, 'AWS::CloudFront::Distribution')[0]![1].Properties!.DistributionConfig;
const behavior = (pattern: string) =>
  (distribution().CacheBehaviors as { PathPattern: string; [k: string]: any }[]).find((b) => b.PathPattern === pattern)!;
const byRef = (ref: { Ref: string }) => resources(stateless)[ref.Ref]!.Properties!;
const originOf = (pattern: string) =>
  (distribution().Origins as { Id: string; DomainName: unknown }[]).find((o) => o.Id === behavior(pattern).TargetOriginId)!;

/** Runs a CloudFront Function's code the way the JS 2.0 runtime calls it. */
function runFunction(logicalIdPart: string, uri: string): string {
  const [, fn] = resourcesOfType(stateless, 'AWS::CloudFront::Function').find(([id]) => id.includes(logicalIdPart))!;
  const handler = new Function(`${fn.Properties!.FunctionCode as string}; return handler;`)() as (e: unknown) => {
    uri: string;
  };
  return handler({ request: { uri } }).uri;
}

describe('CloudFront', () => {
  it('serves the web bucket by default: compressed, https, short-lived entry files, SPA routes', () => {
    const d = distribution().DefaultCacheBehavior;
    expect(d).toMatchObject({ Compress: true, ViewerProtocolPolicy: 'redirect-to-https' });
    expect(byRef(d.CachePolicyId).CachePolicyConfig).toMatchObject({ DefaultTTL: 60, MaxTTL: 300, MinTTL: 0 });
    expect(byRef(d.ResponseHeadersPolicyId).ResponseHeadersPolicyConfig.CustomHeadersConfig.Items).toEqual([
      { Header: 'Cache-Control', Value: 'no-cache', Override: true },
    ]);
    expect(distribution().DefaultRootObject).toBe('index.html');
    expect(runFunction('SpaFallback', '/history')).toBe('/index.html');
    expect(runFunction('SpaFallback', '/sw.js')).toBe('/sw.js');
    expect(runFunction('SpaFallback', '/assets/main-abc123.js')).toBe('/assets/main-abc123.js');
  });

  it('caches hashed assets for a year and marks them immutable', () => {
    const assets = behavior('/assets/*');
    expect(assets.Compress).toBe(true);
    expect(byRef(assets.CachePolicyId).CachePolicyConfig).toMatchObject({ DefaultTTL: 31_536_000, MinTTL: 86_400 });
    expect(byRef(assets.ResponseHeadersPolicyId).ResponseHeadersPolicyConfig.CustomHeadersConfig.Items).toEqual([
      { Header: 'Cache-Control', Value: 'public, max-age=31536000, immutable', Override: true },
    ]);
  });

  it('serves the REST APIs under /api uncached, forwarding every viewer header but Host', () => {
    for (const pattern of ['/api/uploads*', '/api/*']) {
      const api = behavior(pattern);
      expect(api, pattern).toMatchObject({
        CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        ViewerProtocolPolicy: 'https-only',
        Compress: true,
      });
      expect(api.AllowedMethods, pattern).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE', 'OPTIONS']));
      expect(render(originOf(pattern).DomainName), pattern).toContain('.execute-api.');
      expect(api.FunctionAssociations, pattern).toEqual(behavior('/api/*').FunctionAssociations);
    }
    expect(runFunction('StripApiPrefix', '/api/jobs/abc')).toBe('/jobs/abc');
    expect(runFunction('StripApiPrefix', '/api/uploads')).toBe('/uploads');
    expect(runFunction('StripApiPrefix', '/api/')).toBe('/');
  });

  it('sends /api/uploads to the metered API, before the catch-all sends every other /api path to the reads API', () => {
    const apiIdByName = Object.fromEntries(
      resourcesOfType(stateless, 'AWS::ApiGateway::RestApi').map(([id, api]) => [api.Properties!.Name as string, id]),
    );
    const domainOf = (pattern: string) => JSON.stringify(originOf(pattern).DomainName);
    expect(domainOf('/api/uploads*')).toContain(`{"Ref":"${apiIdByName['vnt-dev-metered-api']}"}`);
    expect(domainOf('/api/*')).toContain(`{"Ref":"${apiIdByName['vnt-dev-reads-api']}"}`);
    // CloudFront takes the first behaviour whose pattern matches.
    const patterns = (distribution().CacheBehaviors as { PathPattern: string }[]).map((b) => b.PathPattern);
    expect(patterns.indexOf('/api/uploads*')).toBeLessThan(patterns.indexOf('/api/*'));
    expect(patterns.filter((p) => p.startsWith('/api/'))).toEqual(['/api/uploads*', '/api/*']);
  });

  it('never keys a cache on headers, so nothing keyed by x-api-key can be shared', () => {
    for (const [, policy] of resourcesOfType(stateless, 'AWS::CloudFront::CachePolicy')) {
      const params = policy.Properties!.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
      expect(params.HeadersConfig.HeaderBehavior).toBe('none');
      expect(params.EnableAcceptEncodingGzip && params.EnableAcceptEncodingBrotli).toBe(true);
    }
  });

  it('reads the private web bucket through Origin Access Control only', () => {
    const [[bucketId, bucket]] = resourcesOfType(stateless, 'AWS::S3::Bucket');
    expect(bucket.Properties!.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
    stateless.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [, policy] = resourcesOfType(stateless, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties!.Bucket.Ref === bucketId)!;
    const cloudFront = (policy.Properties!.PolicyDocument.Statement as any[]).find(
      (s) => s.Principal?.Service === 'cloudfront.amazonaws.com',
    );
    expect(cloudFront).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(render(cloudFront.Condition.StringEquals['AWS:SourceArn'])).toContain('distribution/');
  });

  it('writes standard logs to the access-log bucket', () => {
    expect(render(distribution().Logging.Bucket)).toContain('VoiceNoteTranslator-dev-Stateful:AccessLogsBucketName');
  });
});

describe('web deployment', () => {
  it('uploads the build plus a config.json and invalidates the distribution, keeping old hashed assets', () => {
    const [[, deployment]] = resourcesOfType(stateless, 'Custom::CDKBucketDeployment');
    expect(deployment.Properties).toMatchObject({ Prune: false, DistributionPaths: ['/*'] });
    // Source 1: the build. Source 2: config.json, whose wss:// URL is filled in at deploy time (markers).
    expect(deployment.Properties!.SourceObjectKeys).toHaveLength(2);
    const markers = Object.values((deployment.Properties!.SourceMarkers as Record<string, unknown>[])[1]!).map(render);
    expect(markers.some((m) => /^<ProgressApi\w+>$/.test(m))).toBe(true);
    expect(deployment.Properties!.SourceMarkersConfig[1]).toEqual({ jsonEscape: true });
  });
});
