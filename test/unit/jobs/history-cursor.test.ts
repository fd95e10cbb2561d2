import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HistoryCursorCodec } from '../../../functions/jobs/history-cursor';
import { InvalidCursorError } from '../../../functions/shared/errors';
import { JOB_ID, OTHER_OWNER, OWNER } from './fixtures';

const SECRET = 's'.repeat(40);
const codec = new HistoryCursorCodec(async () => SECRET);
const lastKey = { pk: `JOB#${JOB_ID}`, sk: 'JOB', gsi1pk: `OWNER#${OWNER}`, gsi1sk: `2026-03-14T11:59:00.000Z#${JOB_ID}` };

/** A cursor signed with the real secret over an arbitrary payload: what a leaked secret would allow. */
function signed(payload: unknown, secret = SECRET): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `v1.${body}.${createHmac('sha256', secret).update(`v1.${body}`).digest('base64url')}`;
}

describe('HistoryCursorCodec', () => {
  it('round-trips the owner’s last key', async () => {
    const cursor = await codec.encode(OWNER, lastKey);
    expect(cursor).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await expect(codec.decode(OWNER, cursor)).resolves.toEqual(lastKey);
  });

  it('refuses a cursor issued to another key', async () => {
    const cursor = await codec.encode(OWNER, lastKey);
    await expect(codec.decode(OTHER_OWNER, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a cursor signed with another secret', async () => {
    const cursor = await new HistoryCursorCodec(async () => 'x'.repeat(40)).encode(OWNER, lastKey);
    await expect(codec.decode(OWNER, cursor)).rejects.toMatchObject({ code: 'INVALID_CURSOR', httpStatus: 400 });
  });

  it('refuses a correctly signed cursor whose key points into another owner’s history', async () => {
    const forged = signed({ o: OWNER, k: { ...lastKey, gsi1pk: `OWNER#${OTHER_OWNER}` } });
    await expect(codec.decode(OWNER, forged)).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it.each([
    ['extra attribute', { ...lastKey, extra: 1 }],
    ['missing attribute', { pk: lastKey.pk, sk: 'JOB', gsi1pk: lastKey.gsi1pk }],
    ['non-job partition', { ...lastKey, pk: 'KEY#k1' }],
    ['mismatched sort key', { ...lastKey, gsi1sk: '2026#other' }],
    ['array', [lastKey]],
  ])('refuses a signed cursor with a malformed key (%s)', async (_case, key) => {
    await expect(codec.decode(OWNER, signed({ o: OWNER, k: key }))).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a signed payload that is not JSON', async () => {
    const body = Buffer.from('not json').toString('base64url');
    const cursor = `v1.${body}.${createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url')}`;
    await expect(codec.decode(OWNER, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
