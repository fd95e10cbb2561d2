import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../lib/config/tiers';
import { QuotaExceededError } from '../../functions/shared/errors';
import { DynamoUsageMeter } from '../../functions/usage/dynamo-usage-meter';
import { UsageService } from '../../functions/usage/usage-service';
import { type DynaliteTable, startDynaliteTable } from '../helpers/dynalite-table';

/**
 * The exact quota meter against a real DynamoDB-compatible server: concurrent requests over the quota are
 * refused exactly at N+1, and /usage reads the exact count.
 */
let table: DynaliteTable;
let service: UsageService;
let meter: DynamoUsageMeter;
const now = new Date('2026-03-14T23:59:30.000Z');

beforeAll(async () => {
  // One attempt per call: the count must reflect exactly the calls made, not SDK retries.
  table = await startDynaliteTable('vnt-quota-test', { maxAttempts: 1 });
  meter = new DynamoUsageMeter({ client: table.documents, tableName: table.tableName });
  service = new UsageService(meter, () => now);
});

afterAll(() => table?.stop());

describe('exact daily quota meter (dynalite)', () => {
  it('accepts exactly the free quota out of 150 concurrent uploads and refuses the rest with 429', async () => {
    const quota = TIERS.free.dailyQuota;
    const attempts = 150;

    const outcomes = await Promise.allSettled(
      Array.from({ length: attempts }, () => service.consume('key-free-concurrent', 'free')),
    );

    const accepted = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(accepted).toHaveLength(quota);
    expect(refused).toHaveLength(attempts - quota);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(QuotaExceededError);
      expect(reason).toMatchObject({ code: 'QUOTA_EXCEEDED', httpStatus: 429, retryAfterSeconds: 30 });
    }
    await expect(service.report('key-free-concurrent', 'free')).resolves.toEqual({
      tier: 'free',
      dailyQuota: quota,
      used: quota,
      remaining: 0,
      resetsAt: '2026-03-15T00:00:00.000Z',
    });
  });

  it('keeps keys and days apart', async () => {
    await service.consume('key-a', 'free');
    await service.consume('key-a', 'free');
    await service.consume('key-b', 'free');
    const tomorrow = new UsageService(meter, () => new Date('2026-03-15T00:00:01.000Z'));

    expect((await service.report('key-a', 'free')).used).toBe(2);
    expect((await service.report('key-b', 'free')).used).toBe(1);
    expect((await tomorrow.report('key-a', 'free')).used).toBe(0);
  });

  it('gives a refunded unit back, never going below zero', async () => {
    const receipt = await service.consume('key-refund', 'basic');
    await service.refund(receipt);
    await service.refund(receipt);

    expect((await service.report('key-refund', 'basic')).used).toBe(0);
  });

  it('counts concurrent refunds and consumes exactly', async () => {
    const receipts = await Promise.all(Array.from({ length: 40 }, () => service.consume('key-mixed', 'free')));
    await Promise.all([
      ...receipts.slice(0, 10).map((r) => service.refund(r)),
      ...Array.from({ length: 5 }, () => service.consume('key-mixed', 'free')),
    ]);

    expect((await service.report('key-mixed', 'free')).used).toBe(35);
  });
});
