import '../../events/api-env';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getStats, handler as getStatsHandler } from '../../../functions/api/get-stats';
import { getUsage, handler as getUsageHandler } from '../../../functions/api/get-usage';
import { apiEvent, restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { ALICE, ddb, givenKey, resetMocks } from './aws-mocks';

const NOW = new Date('2026-03-14T12:00:00.000Z');
const bodyOf = (r: { body: string }) => JSON.parse(r.body);

beforeEach(() => {
  resetMocks();
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  ddb.on(GetCommand).resolves({});
  return () => vi.useRealTimers();
});

describe('GET /usage', () => {
  it("reports today's exact count for the calling key's tier", async () => {
    givenKey(ALICE, 'basic');
    ddb.on(GetCommand, { Key: { pk: `USAGE#${ALICE}`, sk: 'DAY#2026-03-14' } }).resolves({ Item: { count: 17 } });

    const response = await getUsage(apiEvent({ resource: '/usage' }));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      tier: 'basic',
      dailyQuota: 1000,
      used: 17,
      remaining: 983,
      resetsAt: '2026-03-15T00:00:00.000Z',
    });
  });

  it('answers through the chain, 403 for an unregistered key', async () => {
    // Its own key id: the handler remembers live keys for a while (ApiKeyService cache).
    const response = await getUsageHandler(restEvent({ resource: '/usage', apiKeyId: 'key-unregistered' }), lambdaContext());
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response).error.code).toBe('KEY_NOT_REGISTERED');
  });
});

describe('GET /stats', () => {
  it('answers service totals with a max-age, from memory on the next call', async () => {
    ddb.on(GetCommand, { Key: { pk: 'STATS', sk: 'TOTALS' } }).resolves({
      Item: { notesCompleted: 4, cacheHits: 1, notesFailed: 0, 'detected:es': 4, 'target:en': 4 },
    });

    const first = await getStats(apiEvent({ resource: '/stats' }));
    const second = await getStatsHandler(restEvent({ resource: '/stats', apiKeyId: 'key-bob' }), lambdaContext());

    expect(first.statusCode).toBe(200);
    expect(bodyOf(first)).toMatchObject({
      notesTranslated: 4,
      cacheHitRatio: 0.25,
      languages: { detected: { es: 4 }, target: { en: 4 } },
    });
    expect(first.headers?.['Cache-Control']).toBe('private, max-age=600');
    expect(bodyOf(second)).toEqual(bodyOf(first));
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(JSON.stringify(bodyOf(first))).not.toContain(ALICE);
  });

  it('refuses a request without a key', async () => {
    const response = await getStatsHandler(restEvent({ resource: '/stats', apiKeyId: null }), lambdaContext());
    expect(response.statusCode).toBe(403);
  });
});
