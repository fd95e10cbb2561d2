import { readFile, writeFile } from 'node:fs/promises';
import type { TierLimits, TierName } from '../../lib/config/tiers';
import { type ApiSurface, type UsagePlanLimits, usagePlanLimits } from '../../lib/config/usage-plans';
import { utcDay } from '../../functions/usage/utc-day';

export type UsageDecision = 'allowed' | 'throttled' | 'quota-exceeded';

/** Throttle settings a caller may override per tier (tests that must not wait for the real refill rate). */
export type ThrottleOverrides = Partial<
  Record<TierName, Partial<Pick<TierLimits, 'rateLimitPerSecond' | 'burstLimit'>>>
>;

interface TokenBucket {
  tokens: number;
  refilledAt: number;
}

interface DailyCounter {
  day: string;
  used: number;
}

/**
 * API Gateway usage plans, one per tier and surface, from the same lib/config/usage-plans.ts the CDK plans are
 * built from: per key and plan, a token bucket (rate + burst, refused as throttled) and, where the plan has
 * one (the metered surface's quota backstop), a quota per UTC day (refused as quota exceeded). A key's plans
 * are independent, as in AWS: reads never spend the metered plan's quota. Like AWS, the quota counts every
 * request it lets through whatever the handler answers (the exact meter's own 429s included); throttled
 * requests use none. Day counters persist to disk so a restart does not hand out a fresh quota; token
 * buckets start full, as after any quiet period.
 */
export class UsagePlans {
  private readonly buckets = new Map<string, TokenBucket>();
  private counters = new Map<string, DailyCounter>();
  private dirty = false;
  /** Writes are chained so two flushes never interleave in the file. */
  private writing: Promise<void> = Promise.resolve();
  private readonly flushTimer: NodeJS.Timeout;

  private constructor(
    private readonly counterFile: string,
    private readonly throttleOverrides: ThrottleOverrides,
  ) {
    this.flushTimer = setInterval(() => void this.flush(), 2_000);
    this.flushTimer.unref();
  }

  static async load(counterFile: string, throttleOverrides: ThrottleOverrides = {}): Promise<UsagePlans> {
    const plans = new UsagePlans(counterFile, throttleOverrides);
    try {
      const saved = JSON.parse(await readFile(counterFile, 'utf8')) as Record<string, DailyCounter>;
      // Counters are per plan (`<surface>/<apiKeyId>`); older files counted per key over every route.
      plans.counters = new Map(Object.entries(saved).filter(([plan]) => plan.includes('/')));
      plans.dirty = plans.counters.size < Object.keys(saved).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return plans;
  }

  /**
   * Decides one request of `apiKeyId` (whose key belongs to `tier`) on a stage of `surface`, under that
   * tier's plan of that surface, and records it when allowed.
   */
  admit(apiKeyId: string, tier: TierName, surface: ApiSurface, now = Date.now()): UsageDecision {
    const limits: UsagePlanLimits = { ...usagePlanLimits(tier, surface), ...this.throttleOverrides[tier] };
    const plan = `${surface}/${apiKeyId}`;
    const bucket = this.refill(plan, limits, now);
    if (bucket.tokens < 1) return 'throttled';
    if (limits.dailyRequestQuota !== undefined) {
      const day = utcDay(new Date(now));
      const counter = this.counters.get(plan);
      const used = counter?.day === day ? counter.used : 0;
      if (used >= limits.dailyRequestQuota) return 'quota-exceeded';
      this.counters.set(plan, { day, used: used + 1 });
      this.dirty = true;
    }
    bucket.tokens -= 1;
    return 'allowed';
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush();
  }

  private refill(plan: string, limits: UsagePlanLimits, now: number): TokenBucket {
    const bucket = this.buckets.get(plan) ?? { tokens: limits.burstLimit, refilledAt: now };
    const elapsedSeconds = (now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + elapsedSeconds * limits.rateLimitPerSecond);
    bucket.refilledAt = now;
    this.buckets.set(plan, bucket);
    return bucket;
  }

  private flush(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const snapshot = JSON.stringify(Object.fromEntries(this.counters));
    this.writing = this.writing.then(() => writeFile(this.counterFile, snapshot)).catch(() => {
      this.dirty = true; // retried on the next tick
    });
    return this.writing;
  }
}
