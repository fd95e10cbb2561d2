import { CACHE_TTLS } from '../../lib/config/limits';
import { type TierName, TIERS } from '../../lib/config/tiers';
import { QuotaExceededError } from '../shared/errors';
import { expiresAfter } from '../shared/item-expiry';
import type { UsageMeter } from './usage-meter';
import { nextUtcMidnight, secondsUntilNextUtcMidnight, utcDay } from './utc-day';

/** What GET /usage shows. */
export interface UsageReport {
  readonly tier: TierName;
  readonly dailyQuota: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time of the next reset (UTC midnight). */
  readonly resetsAt: string;
}

/** A unit taken from today's quota; hand it back with `refund` if the metered work failed on our side. */
export interface QuotaReceipt {
  readonly apiKeyId: string;
  readonly day: string;
}

/** Exact daily quotas per key, on top of API Gateway's best-effort usage plans. */
export class UsageService {
  constructor(
    private readonly meter: UsageMeter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Counts one metered request against the UTC day of `now`; throws QuotaExceededError (429 + Retry-After)
   * when that day's quota is used up. Pass the time the metered record is created at, so a refund can find
   * the same day's counter from the record alone.
   */
  async consume(apiKeyId: string, tier: TierName, now: Date = this.now()): Promise<QuotaReceipt> {
    const day = utcDay(now);
    const { dailyQuota } = TIERS[tier];
    const expiresAt = expiresAfter(now, CACHE_TTLS.usageMeterSeconds);
    const { accepted } = await this.meter.tryConsume(apiKeyId, day, dailyQuota, expiresAt);
    if (!accepted) {
      throw new QuotaExceededError(
        `The daily quota of ${dailyQuota} uploads for the ${tier} tier is used up; it resets at ${nextUtcMidnight(now).toISOString()}.`,
        secondsUntilNextUtcMidnight(now),
      );
    }
    return { apiKeyId, day };
  }

  async refund(receipt: QuotaReceipt): Promise<void> {
    await this.meter.release(receipt.apiKeyId, receipt.day);
  }

  async report(apiKeyId: string, tier: TierName): Promise<UsageReport> {
    const now = this.now();
    const { dailyQuota } = TIERS[tier];
    const used = await this.meter.read(apiKeyId, utcDay(now));
    return {
      tier,
      dailyQuota,
      used,
      remaining: Math.max(0, dailyQuota - used),
      resetsAt: nextUtcMidnight(now).toISOString(),
    };
  }
}
