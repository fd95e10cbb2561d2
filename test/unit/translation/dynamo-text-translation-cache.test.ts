import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoTextTranslationCache } from '../../../functions/translation/dynamo-text-translation-cache';

const ddbMock = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2025-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const cache = () => new DynamoTextTranslationCache(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'table', () => NOW);

beforeEach(() => ddbMock.reset());

describe('DynamoTextTranslationCache', () => {
  it('puts TEXT#<hash>/TRANSLATION with expiresAt = now + ttl', async () => {
    ddbMock.on(PutCommand).resolves({});

    await cache().put('abc', { translatedText: 'hola', sourceLanguage: 'en', targetLanguage: 'es' }, 3600);

    expect(ddbMock.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'table',
      Item: {
        pk: 'TEXT#abc',
        sk: 'TRANSLATION',
        translatedText: 'hola',
        sourceLanguage: 'en',
        targetLanguage: 'es',
        expiresAt: NOW_S + 3600,
        createdAt: NOW.toISOString(),
      },
    });
  });

  it('gets a live entry by key', async () => {
    ddbMock
      .on(GetCommand, { TableName: 'table', Key: { pk: 'TEXT#abc', sk: 'TRANSLATION' } })
      .resolves({ Item: { pk: 'TEXT#abc', sk: 'TRANSLATION', translatedText: 'hola', sourceLanguage: 'en', targetLanguage: 'es', expiresAt: NOW_S + 1 } });

    await expect(cache().get('abc')).resolves.toEqual({ translatedText: 'hola', sourceLanguage: 'en', targetLanguage: 'es' });
  });

  it.each([
    ['expired but not yet deleted by TTL', { translatedText: 'hola', expiresAt: NOW_S }],
    ['absent', undefined],
  ])('a %s entry is a miss', async (_label, item) => {
    ddbMock.on(GetCommand).resolves({ Item: item });

    await expect(cache().get('abc')).resolves.toBeUndefined();
  });
});
