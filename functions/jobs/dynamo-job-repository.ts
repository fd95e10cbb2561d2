import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { keys, primaryKeyOf, TABLE } from '../../lib/config/table-design';
import { batchWriteAll } from '../shared/batch-write';
import { queryPartition } from '../shared/partition-query';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { ConflictError } from '../shared/errors';
import { type InFlightStatus, isTerminal, type Job, type JobStatus } from './job';
import type { InFlightJobIndex, JobPatch, JobRepository, StoredHistoryPage } from './job-repository';
import { epochSeconds, isLive } from '../shared/item-expiry';

export interface DynamoJobRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Injectable clock for `updatedAt` and expiry filtering. @default - the system clock */
  readonly now?: () => Date;
}

type Item = Record<string, unknown>;

/** Attributes that exist only to index the item; never part of a Job. */
const KEY_ATTRIBUTES = [
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.gsi1.partitionKey,
  TABLE.gsi1.sortKey,
  TABLE.gsi2.partitionKey,
  TABLE.gsi2.sortKey,
];
const PATCHABLE: readonly (keyof JobPatch)[] = ['durationSeconds', 'audioHash', 'sourceLanguage', 'timings', 'result', 'error'];
/** Pages are filled by re-querying past expired items; bounded so one request cannot scan a whole history. */
const MAX_QUERY_ROUNDS = 5;

/**
 * JobRepository over the single table. A job item is also its owner's history entry (GSI1
 * `OWNER#<owner>` / `<createdAt>#<jobId>`, newest first) and, until it ends, an entry of the in-flight index
 * (GSI2 `INFLIGHT#<status>` / `<createdAt>#<jobId>`, which the same conditional write keeps in step with the
 * status). Status changes are conditional writes on the statuses the caller allows (JobLifecycle derives
 * them from JOB_TRANSITIONS), so late or duplicate pipeline events cannot move a job backwards, and every
 * read hides items past `expiresAt` because DynamoDB TTL deletes lazily (and dynalite never).
 */
export class DynamoJobRepository implements JobRepository, InFlightJobIndex {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: DynamoJobRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  async create(job: Job): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...job,
            ...keys.job(job.jobId),
            ...keys.jobHistory(job.ownerId, job.createdAt, job.jobId),
            ...(isTerminal(job.status) ? {} : keys.jobInFlight(job.status, job.createdAt, job.jobId)),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`Job ${job.jobId} already exists.`, 'JOB_EXISTS');
      }
      throw error;
    }
  }

  async get(jobId: string): Promise<Job | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.job(jobId), ConsistentRead: true }),
    );
    return Item && this.isLive(Item) ? toJob(Item) : undefined;
  }

  async listByOwner(ownerId: string, limit: number, startKey?: Record<string, unknown>): Promise<StoredHistoryPage> {
    const items: Job[] = [];
    let exclusiveStartKey = startKey;
    // Each round asks only for what is still missing, so a page never overshoots and the last key always
    // belongs to the last item returned.
    for (let round = 0; round < MAX_QUERY_ROUNDS && items.length < limit; round++) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.gsi1.name,
          KeyConditionExpression: '#gpk = :owner',
          FilterExpression: 'attribute_not_exists(#exp) OR #exp > :now',
          ExpressionAttributeNames: { '#gpk': TABLE.gsi1.partitionKey, '#exp': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':owner': keys.ownerHistory(ownerId), ':now': epochSeconds(this.now()) },
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(toJob));
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey) break;
    }
    return exclusiveStartKey ? { items, lastKey: exclusiveStartKey } : { items };
  }

  /**
   * Ids of the jobs in `status`, oldest first, created before `createdBefore` when given: a Query on the
   * in-flight index, page by page (its entries are eventually consistent, so callers read the job before
   * acting on it). Expired items are skipped like everywhere else.
   */
  async *inFlightJobIds(status: InFlightStatus, createdBefore?: Date): AsyncIterable<string> {
    const condition = createdBefore === undefined ? '#ipk = :status' : '#ipk = :status AND #isk < :before';
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.gsi2.name,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: { '#ipk': TABLE.gsi2.partitionKey, ...(createdBefore && { '#isk': TABLE.gsi2.sortKey }) },
          ExpressionAttributeValues: {
            ':status': keys.inFlightStatus(status),
            ...(createdBefore && { ':before': createdBefore.toISOString() }),
          },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const jobId = jobIdOf(item);
        if (jobId !== undefined) yield jobId;
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
  }

  /**
   * Deletes the job and every item stored for it: its transcription callback, its progress subscriptions (the
   * SUB#<jobId> items and each connection's back-reference) and the whole-note cache entries its result could
   * have written, so a deleted note's transcript is not served again from the cache (the entry is keyed by the
   * hint the caller gave, or `auto`). The job item goes last: a failure part-way leaves it for a retry.
   */
  async delete(jobId: string): Promise<void> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.job(jobId),
        ProjectionExpression: '#pk, #sk, audioHash, targetLanguage, sourceLanguage',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return; // deleted last, so nothing of the job is left
    const subscriptions = await queryPartition(this.client, this.tableName, keys.subscriptionPartition(jobId), { consistentRead: true });
    await this.deleteKeys([
      keys.transcriptionCallback(jobId),
      ...subscriptions.flatMap((subscription) => [
        primaryKeyOf(subscription),
        ...(typeof subscription.connectionId === 'string' ? [keys.connection(subscription.connectionId, jobId)] : []),
      ]),
      ...cachedResultKeys(Item),
    ]);
    await this.deleteKeys([keys.job(jobId)]);
  }

  async transition(
    jobId: string,
    from: readonly JobStatus[],
    to: JobStatus,
    patch: JobPatch = {},
  ): Promise<Job | undefined> {
    if (from.length === 0) throw new Error('transition needs at least one source status');
    const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    // The in-flight index follows the status: moved to the new status' partition, or left at the end.
    const fields: Record<string, unknown> = isTerminal(to) ? { status: to } : { status: to, [TABLE.gsi2.partitionKey]: keys.inFlightStatus(to) };
    for (const name of PATCHABLE) {
      if (patch[name] !== undefined) fields[name] = patch[name];
    }
    return this.conditionalSet(
      jobId,
      fields,
      `#status IN (${Object.keys(fromValues).join(', ')})`,
      fromValues,
      isTerminal(to) ? [TABLE.gsi2.partitionKey, TABLE.gsi2.sortKey] : [],
    );
  }

  /**
   * SETs `fields` (+ updatedAt) and REMOVEs `removals` only when the job exists and `condition` holds; a
   * failed condition is an expected outcome (duplicate or late event, deleted job) and returns undefined
   * rather than throwing.
   */
  private async conditionalSet(
    jobId: string,
    fields: Record<string, unknown>,
    condition: string,
    conditionValues: Record<string, unknown>,
    removals: readonly string[] = [],
  ): Promise<Job | undefined> {
    const all = { ...fields, updatedAt: this.now().toISOString() };
    const names: Record<string, string> = { '#pk': TABLE.partitionKey, '#status': 'status' };
    const values: Record<string, unknown> = { ...conditionValues };
    const assignments = Object.entries(all).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    const removed = removals.map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.job(jobId),
          UpdateExpression: `${removed.length > 0 ? `REMOVE ${removed.join(', ')} ` : ''}SET ${assignments.join(', ')}`,
          ConditionExpression: `attribute_exists(#pk) AND ${condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toJob(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async deleteKeys(items: Item[]): Promise<void> {
    await batchWriteAll(this.client, this.tableName, items.map((item) => ({ DeleteRequest: { Key: primaryKeyOf(item) } })));
  }

  private isLive(item: Item): boolean {
    return isLive(item, this.now());
  }
}

/** The job id of a job item (or of its index entry, which carries the table keys). */
function jobIdOf(item: Item): string | undefined {
  const pk = item[TABLE.partitionKey];
  const prefix = keys.jobPartition('');
  return typeof pk === 'string' && pk.startsWith(prefix) ? pk.slice(prefix.length) : undefined;
}

function toJob(item: Item): Job {
  const job: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete job[name];
  return job as unknown as Job;
}

/** The repository every function uses: the container's shared client and the table from the environment. */
export function jobRepositoryFromEnv(): DynamoJobRepository {
  return new DynamoJobRepository({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}

/** The audio-result cache keys a completed job may have written: without a hint, or with its language. */
function cachedResultKeys(item: Item): Item[] {
  const { audioHash, targetLanguage, sourceLanguage } = item;
  if (typeof audioHash !== 'string' || typeof targetLanguage !== 'string') return [];
  const hints = typeof sourceLanguage === 'string' ? [null, sourceLanguage] : [null];
  return hints.map((hint) => keys.audioResult(audioHash, targetLanguage, hint));
}
