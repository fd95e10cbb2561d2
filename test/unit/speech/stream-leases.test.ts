import { describe, expect, it } from 'vitest';
import { type StreamClaim, type StreamLeaseStore, StreamLeases } from '../../../functions/speech/stream-leases';

/** The store's contract in memory (the DynamoDB adapter is tested against dynalite in test/integration). */
class MemoryStore implements StreamLeaseStore {
  readonly held = new Map<string, StreamClaim>();
  writes = 0;
  /** Make the next add land but report a failure, as an SDK retry after a lost answer does. */
  loseNextAnswer = false;

  async add(claim: StreamClaim, capacity: number): Promise<boolean> {
    this.writes++;
    const inFlight = [...this.held.values()].reduce((sum, c) => sum + c.streams, 0);
    if (this.held.has(claim.id) || inFlight + claim.streams > capacity) return false;
    this.held.set(claim.id, claim);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      return false;
    }
    return true;
  }

  async claims(): Promise<readonly StreamClaim[]> {
    return [...this.held.values()];
  }

  async remove(claim: StreamClaim): Promise<void> {
    this.writes++;
    this.held.delete(claim.id);
  }
}

const T0 = Date.parse('2026-03-14T12:00:00.000Z');

describe('StreamLeases', () => {
  it('refuses a note that needs more streams than the stage has, without a write', async () => {
    const store = new MemoryStore();

    await expect(new StreamLeases(store, { leaseSeconds: 60, now: () => T0 }).acquire('job', 13, 12)).resolves.toBeUndefined();
    expect(store.writes).toBe(0);
  });

  it('names each claim after its holder, and makes it live for the lease time', async () => {
    const lease = await new StreamLeases(new MemoryStore(), { leaseSeconds: 60, now: () => T0, newId: () => 'u1' }).acquire('job-1', 5, 12);

    expect(lease?.claim).toEqual({ id: 'job-1#u1', streams: 5, expiresAt: T0 / 1000 + 60 });
  });

  it('grants a claim whose write landed although its answer was lost', async () => {
    const store = new MemoryStore();
    await new StreamLeases(store, { leaseSeconds: 60, now: () => T0 }).acquire('other', 10, 12);
    store.loseNextAnswer = true;

    const lease = await new StreamLeases(store, { leaseSeconds: 60, now: () => T0 }).acquire('job', 2, 12);

    expect(lease).toBeDefined();
    expect(store.held.has(lease!.claim.id)).toBe(true);
  });

  it('never takes back a live claim: a slow holder keeps its streams until its claim expires', async () => {
    const store = new MemoryStore();
    let now = T0;
    const leases = new StreamLeases(store, { leaseSeconds: 60, now: () => now });
    const slow = await leases.acquire('slow', 10, 12);

    now = T0 + 59_999;
    expect(await leases.acquire('next', 5, 12)).toBeUndefined();
    expect(store.held.has(slow!.claim.id)).toBe(true);
    now = T0 + 60_000;
    expect(await leases.acquire('next', 5, 12)).toBeDefined();
    expect(store.held.has(slow!.claim.id)).toBe(false);
  });

  it('rejects nonsense requests', async () => {
    const leases = new StreamLeases(new MemoryStore(), { leaseSeconds: 60 });
    await expect(leases.acquire('job', 0, 12)).rejects.toThrow(RangeError);
    await expect(leases.acquire('job', 1.5, 12)).rejects.toThrow(RangeError);
    expect(() => new StreamLeases(new MemoryStore(), { leaseSeconds: 0 })).toThrow(RangeError);
  });
});
