/**
 * Quotas as users expect them, in the synthesised plans: uploads spend notes, reads never do. The metered
 * routes live on their own REST API whose per-tier plans carry the daily quota's backstop; every other route
 * and the WebSocket stage are covered by per-tier plans that only rate-limit.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/config/routes';
import { TIER_NAMES, TIERS } from '../../lib/config/tiers';
import {
  API_SURFACES,
  type ApiSurface,
  GATEWAY_RETRY_AFTER_SECONDS,
  restApiName,
  surfaceOf,
  usagePlanName,
} from '../../lib/config/usage-plans';
import { synthesize } from './helpers/synth';
import { type CfnResource, methodPath, render, resourcesOfType } from './helpers/template';

let stateless: Template;

beforeAll(() => {
  ({ stateless } = synthesize());
});

/** Logical id of the REST API of `surface`, found by its physical name. */
const restApiId = (surface: ApiSurface): string => {
  const found = resourcesOfType(stateless, 'AWS::ApiGateway::RestApi').filter(
    ([, api]) => api.Properties!.Name === restApiName('dev', surface),
  );
  expect(found, surface).toHaveLength(1);
  return found[0]![0];
};

const methods = () =>
  resourcesOfType(stateless, 'AWS::ApiGateway::Method').map(([, m]) => ({
    route: `${m.Properties!.HttpMethod} ${methodPath(stateless, m.Properties!.ResourceId)}`,
    apiKeyRequired: m.Properties!.ApiKeyRequired === true,
    restApi: render(m.Properties!.RestApiId),
  }));

const plans = () => resourcesOfType(stateless, 'AWS::ApiGateway::UsagePlan').map(([, p]) => p.Properties!);
const plan = (tier: string, surface: ApiSurface) => {
  const found = plans().filter((p) => p.UsagePlanName === usagePlanName('dev', tier as never, surface));
  expect(found, `${tier} ${surface}`).toHaveLength(1);
  return found[0]!;
};
const stagesOf = (p: Record<string, any>) =>
  (p.ApiStages as { ApiId: unknown; Stage: unknown }[]).map((s) => `${render(s.ApiId)}/${render(s.Stage)}`);

/** `<RestApi>/<its deployment stage>`, as a usage plan's ApiStages lists it. */
const restStage = (surface: ApiSurface) => {
  const api = restApiId(surface);
  const [[stageId]] = resourcesOfType(stateless, 'AWS::ApiGateway::Stage').filter(
    ([, s]) => render(s.Properties!.RestApiId) === `<${api}>`,
  ) as [[string, CfnResource]];
  return `<${api}>/<${stageId}>`;
};
const webSocketStage = () => {
  const [[apiId]] = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Api');
  const [[stageId]] = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Stage');
  return `<${apiId}>/<${stageId}>`;
};

describe('the two REST APIs', () => {
  it('serve POST /uploads (metered) from the metered API and every other route from the reads API', () => {
    expect(ROUTES.filter((r) => surfaceOf(r) === 'metered').map((r) => `${r.method} ${r.path}`)).toEqual(['POST /uploads']);
    const served = methods();
    for (const route of ROUTES) {
      const method = served.filter((m) => m.route === `${route.method} ${route.path}`);
      expect(method, `${route.method} ${route.path}`).toHaveLength(1);
      expect(method[0]!.restApi, `${route.method} ${route.path}`).toBe(`<${restApiId(surfaceOf(route))}>`);
    }
  });
});

describe('usage plans', () => {
  it('are one metered and one reads plan per tier, and nothing else', () => {
    const names = plans().map((p) => p.UsagePlanName as string);
    const expected = TIER_NAMES.flatMap((tier) => API_SURFACES.map((surface) => usagePlanName('dev', tier, surface)));
    expect(names.sort()).toEqual(expected.sort());
  });

  it.each(TIER_NAMES)('%s: the metered plan carries the tier throttle and the quota backstop just above dailyQuota', (tier) => {
    const { dailyQuota, rateLimitPerSecond, burstLimit } = TIERS[tier];
    const metered = plan(tier, 'metered');
    expect(metered.Throttle).toEqual({ RateLimit: rateLimitPerSecond, BurstLimit: burstLimit });
    expect(metered.Quota).toEqual({ Limit: dailyQuota + Math.max(10, Math.ceil(dailyQuota / 10)), Period: 'DAY' });
  });

  it('sets the documented backstops: free 110, basic 1,100, premium 11,000 requests a day', () => {
    expect(Object.fromEntries(TIER_NAMES.map((tier) => [tier, plan(tier, 'metered').Quota.Limit]))).toEqual({
      free: 110,
      basic: 1_100,
      premium: 11_000,
    });
  });

  it.each(TIER_NAMES)('%s: the reads plan carries the tier throttle and no quota', (tier) => {
    const reads = plan(tier, 'reads');
    expect(reads.Throttle).toEqual({ RateLimit: TIERS[tier].rateLimitPerSecond, BurstLimit: TIERS[tier].burstLimit });
    expect(reads.Quota).toBeUndefined();
  });

  it('cover every keyed route with a plan of every tier, on the route’s own API stage', () => {
    for (const route of ROUTES.filter((r) => r.apiKeyRequired)) {
      for (const tier of TIER_NAMES) {
        const covering = plans().filter(
          (p) => (p.UsagePlanName as string).startsWith(`vnt-dev-${tier}-`) && stagesOf(p).includes(restStage(surfaceOf(route))),
        );
        expect(covering.map((p) => p.UsagePlanName), `${tier}: ${route.method} ${route.path}`).toEqual([
          usagePlanName('dev', tier, surfaceOf(route)),
        ]);
      }
    }
  });

  it('put the metered API stage in the metered plans only, and the reads and WebSocket stages in the reads plans only', () => {
    for (const tier of TIER_NAMES) {
      expect(stagesOf(plan(tier, 'metered'))).toEqual([restStage('metered')]);
      expect(stagesOf(plan(tier, 'reads')).sort()).toEqual([restStage('reads'), webSocketStage()].sort());
    }
  });

  it('never let two plans of one tier share a stage (API Gateway refuses one key in both otherwise)', () => {
    for (const tier of TIER_NAMES) {
      const stages = API_SURFACES.flatMap((surface) => stagesOf(plan(tier, surface)));
      expect(new Set(stages).size, tier).toBe(stages.length);
    }
  });
});

describe('gateway responses', () => {
  const responsesOf = (surface: ApiSurface) =>
    resourcesOfType(stateless, 'AWS::ApiGateway::GatewayResponse')
      .filter(([, r]) => render(r.Properties!.RestApiId) === `<${restApiId(surface)}>`)
      .map(([, r]) => r.Properties!);

  it('are the same on both REST APIs: one error shape whichever API answers', () => {
    const shape = (surface: ApiSurface) =>
      responsesOf(surface)
        .map(({ RestApiId: _api, ...rest }) => JSON.stringify(rest))
        .sort();
    expect(shape('metered').length).toBeGreaterThan(5);
    expect(shape('metered')).toEqual(shape('reads'));
  });

  it.each(API_SURFACES)('%s: every 429 carries a Retry-After (THROTTLED 1 s, QUOTA_EXCEEDED the static backstop hint)', (surface) => {
    const tooMany = responsesOf(surface).filter((r) => r.StatusCode === '429');
    expect(Object.fromEntries(tooMany.map((r) => [r.ResponseType, r.ResponseParameters]))).toEqual({
      THROTTLED: { 'gatewayresponse.header.Retry-After': `'${GATEWAY_RETRY_AFTER_SECONDS.throttled}'` },
      QUOTA_EXCEEDED: { 'gatewayresponse.header.Retry-After': `'${GATEWAY_RETRY_AFTER_SECONDS.quotaExceeded}'` },
    });
  });
});
