import { describe, expect, it, vi } from 'vitest';
import { QuotaExceededError } from '../../../functions/shared/errors';
import type { UsageMeter } from '../../../functions/usage/usage-meter';
import { UsageService } from '../../../functions/usage/usage-service';
import { nextUtcMidnight, secondsUntilNextUtcMidnight, utcDay } from '../../../functions/usage/utc-day';

const NOW = new Date('2026-03-14T22:00:00.000Z');

function fakeMeter(overrides: Partial<UsageMeter> = {}) {
  return {
    tryConsume: vi.fn(async () => ({ accepted: true, used: 1 })),
    release: vi.fn(async () => undefined),
    read: vi.fn(async () => 0),
    ...overrides,
  };
}

describe('UsageService.consume', () => {
  it("meters against the tier's daily quota for today (UTC) with a TTL past the day", async () => {
    const meter = fakeMeter();
    const receipt = await new UsageService(meter, () => NOW).consume('k1', 'basic');

    expect(receipt).toEqual({ apiKeyId: 'k1', day: '2026-03-14' });
    expect(meter.tryConsume).toHaveBeenCalledWith('k1', '2026-03-14', 1_000, NOW.getTime() / 1000 + 2 * 86_400);
  });

  it('throws 429 QUOTA_EXCEEDED with Retry-After up to the next UTC midnight', async () => {
    const meter = fakeMeter({ tryConsume: vi.fn(async () => ({ accepted: false, used: 100 })) });
    const error = await new UsageService(meter, () => NOW).consume('k1', 'free').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ httpStatus: 429, retryAfterSeconds: 7200 });
    expect((error as Error).message).toContain('100');
  });

  it('refunds a receipt on its own day', async () => {
    const meter = fakeMeter();
    await new UsageService(meter).refund({ apiKeyId: 'k1', day: '2026-03-13' });
    expect(meter.release).toHaveBeenCalledWith('k1', '2026-03-13');
  });
});

describe('UsageService.report', () => {
  it('reports the exact count, remaining and reset time', async () => {
    const meter = fakeMeter({ read: vi.fn(async () => 42) });
    await expect(new UsageService(meter, () => NOW).report('k1', 'free')).resolves.toEqual({
      tier: 'free',
      dailyQuota: 100,
      used: 42,
      remaining: 58,
      resetsAt: '2026-03-15T00:00:00.000Z',
    });
  });

  it('never reports negative remaining (a key moved to a smaller tier mid-day)', async () => {
    const meter = fakeMeter({ read: vi.fn(async () => 500) });
    expect((await new UsageService(meter, () => NOW).report('k1', 'free')).remaining).toBe(0);
  });
});

describe('utc-day', () => {
  it.each([
    ['2026-03-14T00:00:00.000Z', '2026-03-14', '2026-03-15T00:00:00.000Z', 86_400],
    ['2026-03-14T23:59:59.500Z', '2026-03-14', '2026-03-15T00:00:00.000Z', 1],
    ['2026-12-31T23:00:00.000Z', '2026-12-31', '2027-01-01T00:00:00.000Z', 3_600],
    ['2028-02-28T12:00:00.000Z', '2028-02-28', '2028-02-29T00:00:00.000Z', 43_200],
  ])('%s is day %s, resets at %s, retry after %i s', (iso, day, reset, seconds) => {
    const now = new Date(iso);
    expect(utcDay(now)).toBe(day);
    expect(nextUtcMidnight(now).toISOString()).toBe(reset);
    expect(secondsUntilNextUtcMidnight(now)).toBe(seconds);
  });
});
