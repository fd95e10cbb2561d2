import { TABLE } from '../../lib/config/table-design';

/**
 * DynamoDB TTL, in one place: the table's TTL attribute holds epoch seconds, and TTL deletes lazily (days
 * late, never in dynalite), so every reader treats an item past `expiresAt` as gone.
 */
export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** The TTL attribute value for an item that lives `seconds` from `at`. */
export function expiresAfter(at: Date, seconds: number): number {
  return epochSeconds(at) + seconds;
}

/** True unless the item carries an expiry that has passed. */
export function isLive(item: Readonly<Record<string, unknown>>, at: Date): boolean {
  const expiresAt = item[TABLE.ttlAttribute];
  return typeof expiresAt !== 'number' || expiresAt > epochSeconds(at);
}
