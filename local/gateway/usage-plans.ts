import { readFile, writeFile } from 'node:fs/promises';
import { TIERS, type TierLimits, type TierName } from '../../lib/config/tiers';
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
 * API Gateway usage plans, one per tier, from the same TIERS the CDK usage plans are built from: a token
 * bucket per key (rate + burst, refused as throttled) and a quota per key per UTC day (refused as quota
 * exceeded). Throttled requests do not use quota. Day counters persist to disk so a restart does not hand
 * out a fresh quota; token buckets start full, as after any quiet period.
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
      plans.counters = new Map(Object.entries(saved));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return plans;
  }

  /** Decides one request of `apiKeyId` (whose key belongs to `tier`) and records it when allowed. */
  admit(apiKeyId: string, tier: TierName, now = Date.now()): UsageDecision {
    const limits = { ...TIERS[tier], ...this.throttleOverrides[tier] };
    const bucket = this.refill(apiKeyId, limits, now);
    if (bucket.tokens < 1) return 'throttled';
    const day = utcDay(new Date(now));
    const counter = this.counters.get(apiKeyId);
    const used = counter?.day === day ? counter.used : 0;
    if (used >= limits.dailyQuota) return 'quota-exceeded';
    bucket.tokens -= 1;
    this.counters.set(apiKeyId, { day, used: used + 1 });
    this.dirty = true;
    return 'allowed';
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush();
  }

  private refill(apiKeyId: string, limits: TierLimits, now: number): TokenBucket {
    const bucket = this.buckets.get(apiKeyId) ?? { tokens: limits.burstLimit, refilledAt: now };
    const elapsedSeconds = (now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + elapsedSeconds * limits.rateLimitPerSecond);
    bucket.refilledAt = now;
    this.buckets.set(apiKeyId, bucket);
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
