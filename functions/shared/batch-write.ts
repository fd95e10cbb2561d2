import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';

/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE_MAX = 25;
const MAX_ATTEMPTS = 7;

export type WriteRequest = Record<string, unknown>;

/**
 * Writes any number of put/delete requests in pages of 25, re-sending what DynamoDB hands back unprocessed
 * (throttling) with exponential backoff; fails if some are still unprocessed after the last attempt.
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) {
    let pending = requests.slice(i, i + BATCH_WRITE_MAX);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`${pending.length} write(s) left unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 1) await sleep(Math.min(1_000, 25 * 2 ** attempt));
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
      );
      pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}
