import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoStatsRepository } from '../../../functions/stats/dynamo-stats-repository';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DynamoStatsRepository({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'tbl',
});

/** The counters one UpdateItem ADDs, by attribute name. */
function added(call = 0): Record<string, unknown> {
  const input = ddb.commandCalls(UpdateCommand)[call]!.args[0].input;
  expect(input.UpdateExpression).toMatch(/^ADD /);
  expect(input.Key).toEqual({ pk: 'STATS', sk: 'TOTALS' });
  return Object.fromEntries(
    Object.entries(input.ExpressionAttributeNames!).map(([ph, name]) => [name, input.ExpressionAttributeValues![ph.replace('#', ':')]]),
  );
}

beforeEach(() => ddb.reset());

describe('DynamoStatsRepository', () => {
  it('records a completion as one atomic ADD of every counter it touches', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repo.recordCompletion({ detectedLanguage: 'es', targetLanguage: 'en', cached: true });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(added()).toEqual({ notesCompleted: 1, cacheHits: 1, 'detected:es': 1, 'target:en': 1 });
  });

  it('adds 0 cache hits for an uncached completion', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repo.recordCompletion({ detectedLanguage: 'fr', targetLanguage: 'de', cached: false });
    expect(added()).toMatchObject({ cacheHits: 0, 'detected:fr': 1, 'target:de': 1 });
  });

  it('records a failure by code', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repo.recordFailure('NO_SPEECH');
    expect(added()).toEqual({ notesFailed: 1, 'failed:NO_SPEECH': 1 });
  });

  it('propagates write errors to the caller (the pipeline decides whether to retry)', async () => {
    ddb.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(repo.recordFailure('NO_SPEECH')).rejects.toThrow('throttled');
  });

  it('reads the flat counters back into totals', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'STATS',
        sk: 'TOTALS',
        notesCompleted: 10,
        notesFailed: 2,
        cacheHits: 4,
        'detected:es': 6,
        'detected:en': 4,
        'target:en': 10,
        'failed:NO_SPEECH': 2,
        'failed:EMPTY_AUDIO': 0,
      },
    });
    await expect(repo.read()).resolves.toEqual({
      notesCompleted: 10,
      notesFailed: 2,
      cacheHits: 4,
      detectedLanguages: { es: 6, en: 4 },
      targetLanguages: { en: 10 },
      failures: { NO_SPEECH: 2 },
    });
  });

  it('reads zeros before anything was recorded', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(repo.read()).resolves.toEqual({
      notesCompleted: 0,
      notesFailed: 0,
      cacheHits: 0,
      detectedLanguages: {},
      targetLanguages: {},
      failures: {},
    });
  });
});
