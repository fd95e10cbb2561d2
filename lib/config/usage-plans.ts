import type { RouteDefinition } from './routes';
import { TIERS, type TierName } from './tiers';

/**
 * How tiers become API Gateway usage plans: the one description the CDK app, the key provisioner and the
 * local gateway share.
 *
 * A usage plan's quota counts every request of a key on the stages the plan covers, refused ones included,
 * and AWS calls it best-effort. One plan over every route would let polling spend notes and block reads once
 * the day's notes are used. So the keyed routes are split over two REST APIs ("surfaces"), each with one plan
 * per tier, and every key joins both plans of its tier (API Gateway allows one key in several plans when the
 * plans cover different stages):
 *
 * - `metered`: the routes that spend a note (`metered: true` in routes.ts: POST /uploads). Its plans carry the
 *   tier's throttle and, as a backstop, a daily quota just above the tier's `dailyQuota` (see `quotaBackstop`).
 *   In normal use the exact meter (functions/usage) answers the quota, with a precise Retry-After.
 * - `reads`: every other route, and the progress WebSocket's connects. Its plans carry only the tier's
 *   throttle: results already paid for are rate-limited, never blocked by the daily quota.
 *
 * Each plan throttles on its own, so a key may upload and read at the tier's rate each.
 */
export const API_SURFACES = ['metered', 'reads'] as const;
export type ApiSurface = (typeof API_SURFACES)[number];

/** The surface (REST API) that serves `route`. */
export function surfaceOf(route: Pick<RouteDefinition, 'metered'>): ApiSurface {
  return route.metered === true ? 'metered' : 'reads';
}

/** WebSocket connects read progress: the WebSocket stage is in the reads plans, never under a quota. */
export const PROGRESS_SURFACE: ApiSurface = 'reads';

/**
 * The metered plan's daily quota for a tier of `dailyQuota` notes: 10 % above it, at least 10 requests.
 *
 * The plan counts requests the exact meter does not: uploads refused for bad input (400/413/415), notes
 * refunded because they failed on our side, and the meter's own 429s. The margin lets those through to the
 * meter, which answers with the precise Retry-After; past it, a client that keeps sending after being told
 * no is stopped at the edge, before any Lambda runs. A day with more such requests than the margin meets the
 * backstop before the meter's count (GET /usage may then still show notes left): the price of a quota that
 * the gateway can enforce without calling us.
 */
export function quotaBackstop(dailyQuota: number): number {
  return dailyQuota + Math.max(10, Math.ceil(dailyQuota / 10));
}

/** What one usage plan enforces per key. */
export interface UsagePlanLimits {
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
  /** Requests per UTC day on the plan's stages; undefined: no quota. */
  readonly dailyRequestQuota?: number;
}

export function usagePlanLimits(tier: TierName, surface: ApiSurface): UsagePlanLimits {
  const { rateLimitPerSecond, burstLimit, dailyQuota } = TIERS[tier];
  return surface === 'metered'
    ? { rateLimitPerSecond, burstLimit, dailyRequestQuota: quotaBackstop(dailyQuota) }
    : { rateLimitPerSecond, burstLimit };
}

/** The plan's physical name: the key provisioner finds a tier's plans by it. */
export function usagePlanName(stage: string, tier: TierName, surface: ApiSurface): string {
  return `vnt-${stage}-${tier}-${surface}`;
}

/** Stages may share an account: the name (the ApiName metric dimension) tells the stages' APIs apart. */
export function restApiName(stage: string, surface: ApiSurface): string {
  return `vnt-${stage}-${surface}-api`;
}

/**
 * `Retry-After` of API Gateway's own 429s. Gateway responses carry static headers only (no `$context` time),
 * so these are fixed:
 * - THROTTLED: 1 s refills at least one token of every tier's bucket.
 * - QUOTA_EXCEEDED: only the metered plan's backstop produces it, after the exact meter has already answered
 *   that day's refusals with the precise seconds to the next UTC midnight. The seconds left cannot be
 *   computed statically, so the gateway asks for an hour: a client that retries before the reset gets the
 *   same answer, and one that waits is at most an hour late.
 */
export const GATEWAY_RETRY_AFTER_SECONDS = {
  throttled: 1,
  quotaExceeded: 3_600,
} as const;
