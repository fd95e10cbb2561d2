import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { keys } from '../../lib/config/table-design';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import type { PipelineFailureCode } from '../shared/errors';
import type { CompletionRecord, StatsRepository, StatsTotals } from './stats-repository';

/**
 * Per-language and per-code counters are flat top-level attributes (`detected:es`, `target:en`,
 * `failed:NO_SPEECH`): DynamoDB's ADD cannot create a nested map path, and one flat item keeps every
 * increment a single atomic UpdateItem with no read-modify-write.
 */
const PREFIX = { detected: 'detected:', target: 'target:', failed: 'failed:' } as const;

export interface DynamoStatsRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoStatsRepository implements StatsRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoStatsRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async recordCompletion({ detectedLanguage, targetLanguage, cached }: CompletionRecord): Promise<void> {
    await this.add({
      notesCompleted: 1,
      cacheHits: cached ? 1 : 0,
      [`${PREFIX.detected}${detectedLanguage}`]: 1,
      [`${PREFIX.target}${targetLanguage}`]: 1,
    });
  }

  async recordFailure(code: PipelineFailureCode): Promise<void> {
    await this.add({ notesFailed: 1, [`${PREFIX.failed}${code}`]: 1 });
  }

  async read(): Promise<StatsTotals> {
    const { Item = {} } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.stats() }));
    return {
      notesCompleted: numberOr0(Item.notesCompleted),
      notesFailed: numberOr0(Item.notesFailed),
      cacheHits: numberOr0(Item.cacheHits),
      detectedLanguages: countsWithPrefix(Item, PREFIX.detected),
      targetLanguages: countsWithPrefix(Item, PREFIX.target),
      failures: countsWithPrefix(Item, PREFIX.failed),
    };
  }

  private async add(counters: Record<string, number>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const terms = Object.entries(counters).map(([name, by], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = by;
      return `#c${i} :c${i}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.stats(),
        UpdateExpression: `ADD ${terms.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function countsWithPrefix(item: Record<string, unknown>, prefix: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(prefix) && typeof value === 'number' && value > 0) counts[name.slice(prefix.length)] = value;
  }
  return counts;
}

/** The repository every function uses: the container's shared client and the table from the environment. */
export function statsRepositoryFromEnv(): DynamoStatsRepository {
  return new DynamoStatsRepository({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
