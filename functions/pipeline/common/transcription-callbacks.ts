import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PIPELINE } from '../../../lib/config/limits';
import { keys, TABLE } from '../../../lib/config/table-design';
import { ENV } from '../../../lib/config/env-names';
import { dynamoDocumentClient } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { expiresAfter } from '../../shared/item-expiry';

/** The Step Functions task waiting for a job's batch transcription, and when the engine job started. */
export interface TranscriptionCallback {
  readonly taskToken: string;
  readonly startedAt: string;
}

/**
 * CALLBACK#<jobId>: the task token the Transcribe event handler completes, found by the engine job name
 * (= job id). A partition of its own, apart from the job item, so the functions that read it need no access to
 * jobs (table-design). A retried start overwrites it with the new attempt's token.
 */
export interface TranscriptionCallbackStore {
  save(jobId: string, callback: TranscriptionCallback): Promise<void>;
  get(jobId: string): Promise<TranscriptionCallback | undefined>;
}

export interface DynamoTranscriptionCallbackStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default PIPELINE.transcriptionCallbackTtlSeconds */
  readonly ttlSeconds?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export class DynamoTranscriptionCallbackStore implements TranscriptionCallbackStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(options: DynamoTranscriptionCallbackStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? PIPELINE.transcriptionCallbackTtlSeconds;
    this.now = options.now ?? (() => new Date());
  }

  async save(jobId: string, callback: TranscriptionCallback): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.transcriptionCallback(jobId),
          taskToken: callback.taskToken,
          startedAt: callback.startedAt,
          [TABLE.ttlAttribute]: expiresAfter(this.now(), this.ttlSeconds),
        },
      }),
    );
  }

  async get(jobId: string): Promise<TranscriptionCallback | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.transcriptionCallback(jobId), ConsistentRead: true }),
    );
    if (!Item || typeof Item.taskToken !== 'string') return undefined;
    return { taskToken: Item.taskToken, startedAt: String(Item.startedAt) };
  }
}

export function transcriptionCallbacksFromEnv(): DynamoTranscriptionCallbackStore {
  return new DynamoTranscriptionCallbackStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
