import { describe, expect, it } from 'vitest';
import { epochSeconds, expiresAfter, isLive } from '../../../functions/shared/item-expiry';

const at = new Date('2026-03-14T12:00:00.900Z');

describe('item expiry (DynamoDB TTL read side)', () => {
  it('counts whole epoch seconds and adds a lifetime to them', () => {
    expect(epochSeconds(at)).toBe(1_773_489_600);
    expect(expiresAfter(at, 60)).toBe(1_773_489_660);
  });

  it.each([
    ['an item without expiry', {}, true],
    ['an item expiring later', { expiresAt: 1_773_489_601 }, true],
    ['an item expiring this very second', { expiresAt: 1_773_489_600 }, false],
    ['an item past its expiry that TTL has not deleted yet', { expiresAt: 1_773_489_000 }, false],
  ])('%s is live: %s', (_name, item, live) => {
    expect(isLive(item, at)).toBe(live);
  });
});
