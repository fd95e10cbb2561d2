import { createHmac, timingSafeEqual } from 'node:crypto';
import { keys, TABLE } from '../../lib/config/table-design';
import { InvalidCursorError } from '../shared/errors';
import { JOB_ID_PATTERN } from './job-id';

/** Longest cursor accepted before any work is done on it. */
export const MAX_CURSOR_LENGTH = 1024;
const VERSION = 'v1';

/**
 * History cursors: the DynamoDB LastEvaluatedKey, bound to its owner and signed with HMAC-SHA256.
 * Clients treat it as opaque; any edit, a cursor minted for another key, or one signed with another
 * secret is refused as INVALID_CURSOR, so a cursor can never page into someone else's history.
 */
export class HistoryCursorCodec {
  constructor(private readonly secret: () => Promise<string>) {}

  async encode(ownerId: string, lastKey: Record<string, unknown>): Promise<string> {
    const payload = Buffer.from(JSON.stringify({ o: ownerId, k: lastKey })).toString('base64url');
    return `${VERSION}.${payload}.${await this.sign(payload)}`;
  }

  /** Returns the start key for the owner's next page; throws InvalidCursorError for anything else. */
  async decode(ownerId: string, cursor: string): Promise<Record<string, unknown>> {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
    const [version, payload, signature, ...rest] = cursor.split('.');
    if (version !== VERSION || !payload || !signature || rest.length > 0) throw new InvalidCursorError();
    const expected = Buffer.from(await this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorError();
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError();
    }
    const { o, k } = (decoded ?? {}) as { o?: unknown; k?: unknown };
    if (o !== ownerId || !isHistoryKeyOf(ownerId, k)) throw new InvalidCursorError();
    return k;
  }

  private async sign(payload: string): Promise<string> {
    return createHmac('sha256', await this.secret()).update(`${VERSION}.${payload}`).digest('base64url');
  }
}

/** Defence in depth: even a validly signed key must be exactly a history key of this owner. */
function isHistoryKeyOf(ownerId: string, key: unknown): key is Record<string, unknown> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const k = key as Record<string, unknown>;
  const names = Object.keys(k).sort();
  const expectedNames = [TABLE.partitionKey, TABLE.sortKey, TABLE.gsi1.partitionKey, TABLE.gsi1.sortKey].sort();
  if (names.join() !== expectedNames.join()) return false;
  const pk = k[TABLE.partitionKey];
  const gsi1sk = k[TABLE.gsi1.sortKey];
  const jobId = typeof pk === 'string' ? pk.slice(keys.jobPartition('').length) : '';
  return (
    typeof pk === 'string' &&
    pk === keys.job(jobId).pk &&
    JOB_ID_PATTERN.test(jobId) &&
    k[TABLE.sortKey] === keys.job(jobId).sk &&
    k[TABLE.gsi1.partitionKey] === keys.ownerHistory(ownerId) &&
    typeof gsi1sk === 'string' &&
    gsi1sk.endsWith(`#${jobId}`)
  );
}
