import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/config/env-names';
import { keys } from '../../lib/config/table-design';
import { dynamoDocumentClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import type { StreamClaim, StreamLeaseStore } from './stream-leases';

export interface DynamoStreamLeaseStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * The lease item `LEASE#transcribe-streams` / `LEASE`: `inFlight` (streams held) and `claims`, a string set
 * of `<expiresAt>|<streams>|<id>`. Adding a claim is one UpdateItem that ADDs both under
 * `inFlight <= capacity - streams` (DynamoDB serialises writes to an item, so the check and the increment
 * are atomic); removing one DELETEs it from the set and subtracts its streams only if the set still holds it,
 * so a claim is never given back twice. No transactions (dynalite has none) and no TTL: the item is permanent
 * and expired claims are removed by the next acquirer that needs their streams.
 */
export class DynamoStreamLeaseStore implements StreamLeaseStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoStreamLeaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  add(claim: StreamClaim, capacity: number): Promise<boolean> {
    const entry = encodeClaim(claim);
    return this.update(
      'ADD #inFlight :streams, #claims :claim',
      '(attribute_not_exists(#inFlight) OR #inFlight <= :room) AND NOT contains(#claims, :entry)',
      { ':streams': claim.streams, ':claim': new Set([entry]), ':entry': entry, ':room': capacity - claim.streams },
    );
  }

  async claims(): Promise<readonly StreamClaim[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.streamLease(), ConsistentRead: true }));
    const entries = Item?.claims instanceof Set ? [...(Item.claims as Set<unknown>)] : [];
    return entries.flatMap((entry) => {
      const claim = typeof entry === 'string' ? decodeClaim(entry) : undefined;
      return claim === undefined ? [] : [claim];
    });
  }

  async remove(claim: StreamClaim): Promise<void> {
    const entry = encodeClaim(claim);
    // False: already released or reclaimed, nothing to give back.
    await this.update('DELETE #claims :claim ADD #inFlight :release', 'contains(#claims, :entry)', {
      ':claim': new Set([entry]),
      ':entry': entry,
      ':release': -claim.streams,
    });
  }

  /** One conditional write to the lease item; false when its condition does not hold. */
  private async update(expression: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.streamLease(),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#inFlight': 'inFlight', '#claims': 'claims' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

const SEPARATOR = '|';

function encodeClaim(claim: StreamClaim): string {
  return [claim.expiresAt, claim.streams, claim.id].join(SEPARATOR);
}

function decodeClaim(entry: string): StreamClaim | undefined {
  const [expiresAt, streams, ...id] = entry.split(SEPARATOR);
  const claim = { id: id.join(SEPARATOR), streams: Number(streams), expiresAt: Number(expiresAt) };
  return Number.isInteger(claim.streams) && claim.streams > 0 && Number.isFinite(claim.expiresAt) && claim.id !== '' ? claim : undefined;
}

/** The lease store every fast-path function uses: the container's shared client and the table from the environment. */
export function streamLeaseStoreFromEnv(): DynamoStreamLeaseStore {
  return new DynamoStreamLeaseStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
}
