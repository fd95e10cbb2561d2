/**
 * The one definition of tiers, limits and TTLs. Imported by the CDK stacks (usage plans, lifecycle rules),
 * the Lambda handlers (quota meter, upload policy, normaliser checks, history TTL) and the local stack
 * (local API gateway quotas and throttles). Change a number here and every runtime follows.
 */

import { DAY_SECONDS } from './limits';

export const TIER_NAMES = ['free', 'basic', 'premium'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export interface TierLimits {
  /**
   * Notes (`POST /uploads`) per UTC day: the exact meter's ceiling. Reads never count. The metered usage
   * plan's quota is a backstop just above it (lib/config/usage-plans.ts).
   */
  readonly dailyQuota: number;
  /** Steady-state requests per second on every keyed route (usage plan throttle rateLimit). */
  readonly rateLimitPerSecond: number;
  /** Token-bucket burst on every keyed route (usage plan throttle burstLimit). */
  readonly burstLimit: number;
  /** Longest decoded audio the normaliser accepts. */
  readonly maxAudioSeconds: number;
  /** Largest upload: enforced by the presigned POST policy and re-checked on the real object. */
  readonly maxUploadBytes: number;
  /** How long a finished job stays in the caller's history (DynamoDB TTL). */
  readonly historyRetentionDays: number;
  /**
   * Notes up to this length take the chunked, parallel recognition path; 0 turns it off. At most
   * fastPathStreams(this) streams per note, all held at once: keep it well within
   * TRANSCRIBE_STREAMING.maxStreamsPerStage, or long notes only ever find the streams taken.
   */
  readonly fastPathMaxSeconds: number;
}

const MIB = 1024 * 1024;

export const TIERS: Readonly<Record<TierName, TierLimits>> = {
  free: {
    dailyQuota: 100,
    rateLimitPerSecond: 2,
    burstLimit: 5,
    maxAudioSeconds: 60,
    maxUploadBytes: 5 * MIB,
    historyRetentionDays: 7,
    fastPathMaxSeconds: 30,
  },
  basic: {
    dailyQuota: 1_000,
    rateLimitPerSecond: 10,
    burstLimit: 20,
    maxAudioSeconds: 300,
    maxUploadBytes: 25 * MIB,
    historyRetentionDays: 30,
    fastPathMaxSeconds: 30,
  },
  premium: {
    dailyQuota: 10_000,
    rateLimitPerSecond: 50,
    burstLimit: 100,
    maxAudioSeconds: 1_800,
    maxUploadBytes: 100 * MIB,
    historyRetentionDays: 365,
    fastPathMaxSeconds: 30,
  },
};

/** How long a tier keeps a job in its owner's history (the job item's TTL), in seconds. */
export function historyRetentionSeconds(tier: TierName): number {
  return TIERS[tier].historyRetentionDays * DAY_SECONDS;
}

export function isTierName(value: unknown): value is TierName {
  return typeof value === 'string' && (TIER_NAMES as readonly string[]).includes(value);
}
