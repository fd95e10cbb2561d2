import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStreamLeaseStore } from '../../functions/speech/dynamo-stream-lease-store';
import { type StreamLease, StreamLeases } from '../../functions/speech/stream-leases';
import { keys } from '../../lib/config/table-design';
import { type DynaliteTable, startDynaliteTable } from '../helpers/dynalite-table';

/**
 * The Transcribe stream lease against a real DynamoDB-compatible server: its conditional writes bound the
 * streams in flight under concurrency, and the streams of a holder that died come back once its claim expires.
 */
let table: DynaliteTable;
let store: DynamoStreamLeaseStore;
let clock: number;
const leases = () => new StreamLeases(store, { leaseSeconds: 60, now: () => clock });

/** What the item says: streams in flight and the claims held. */
async function leaseItem(): Promise<{ inFlight: number; claims: number }> {
  const { Item } = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: keys.streamLease(), ConsistentRead: true }));
  return { inFlight: Number(Item?.inFlight ?? 0), claims: Item?.claims instanceof Set ? Item.claims.size : 0 };
}

beforeAll(async () => {
  // One attempt per call: every grant must be a write that landed once.
  table = await startDynaliteTable('vnt-lease-test', { maxAttempts: 1 });
  store = new DynamoStreamLeaseStore({ client: table.documents, tableName: table.tableName });
});
afterAll(() => table?.stop());
beforeEach(async () => {
  clock = Date.parse('2026-03-14T12:00:00.000Z');
  for (const claim of await store.claims()) await store.remove(claim);
});

describe('Transcribe stream lease (dynalite)', () => {
  it('grants 40 concurrent notes of 5 streams no more than 12 streams in all, and gives them all back', async () => {
    const capacity = 12;

    const granted = (await Promise.all(Array.from({ length: 40 }, (_, i) => leases().acquire(`job-${i}`, 5, capacity)))).filter(
      (lease): lease is StreamLease => lease !== undefined,
    );

    expect(granted).toHaveLength(2);
    expect(await leaseItem()).toEqual({ inFlight: 10, claims: 2 });
    // The 2 streams left fit a small note, not another 5.
    expect(await leases().acquire('small', 3, capacity)).toBeUndefined();
    const small = await leases().acquire('small', 2, capacity);
    expect(small).toBeDefined();

    await Promise.all([...granted, small!].map((lease) => lease.release()));
    expect(await leaseItem()).toEqual({ inFlight: 0, claims: 0 });
  });

  it('reclaims the streams of a holder that died once its claim has expired, never before', async () => {
    const dead = await leases().acquire('crashed-job', 10, 12);
    expect(dead).toBeDefined();

    clock += 59_000;
    expect(await leases().acquire('next-job', 5, 12)).toBeUndefined();
    clock += 2_000;
    const next = await leases().acquire('next-job', 5, 12);

    expect(next?.claim.streams).toBe(5);
    expect(await leaseItem()).toEqual({ inFlight: 5, claims: 1 });
    // The dead holder's late release changes nothing: its claim is gone.
    await dead!.release();
    expect(await leaseItem()).toEqual({ inFlight: 5, claims: 1 });
  });

  it('counts a claim written twice (an SDK retry after a lost answer) once, and reads it back whole', async () => {
    const claim = { id: 'job-retried#7c9e|x', streams: 4, expiresAt: Math.floor(clock / 1000) + 60 };

    expect(await store.add(claim, 12)).toBe(true);
    expect(await store.add(claim, 12)).toBe(false);

    expect(await leaseItem()).toEqual({ inFlight: 4, claims: 1 });
    expect(await store.claims()).toEqual([claim]);
  });

  it('releases twice without giving the streams back twice', async () => {
    const lease = await leases().acquire('job', 3, 12);
    await lease!.release();
    await lease!.release();
    expect(await leaseItem()).toEqual({ inFlight: 0, claims: 0 });
  });
});
