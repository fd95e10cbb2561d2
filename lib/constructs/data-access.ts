import { Lazy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  GSI1_PARTITIONS,
  GSI2_PARTITIONS,
  type Gsi1Partition,
  type ItemType,
  leadingKeyPattern,
  PARTITIONS,
  TABLE,
} from '../config/table-design';
import { acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege grants on our data, narrower than the L2 `grant*` helpers (which add Scan,
 * ConditionCheckItem, DescribeTable, stream reads, `index/*` and wildcard S3 actions nobody here uses).
 * Table grants name the item types a function touches (dynamodb:LeadingKeys); object grants need a key
 * pattern, so each acknowledges its own cdk-nag IAM5 finding, scoped to that pattern.
 */

/**
 * The DynamoDB actions a grant may name: the item-level ones, whose requests carry the partition key values
 * (`dynamodb:LeadingKeys`). Scan and the Transact* actions are deliberately absent: a Scan has no leading keys,
 * and `ForAllValues` over an empty set is true, so a LeadingKeys condition would let it read the whole table.
 */
export type ItemAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** A function's access to the table: for each action, the item types (table-design PARTITIONS) it may touch. */
export type ItemAccess = Partial<Readonly<Record<ItemAction, readonly ItemType[]>>>;

/** The partitions granted so far, per grantee and statement (see addPartitions). */
const grantedPartitions = new WeakMap<IGrantable, Map<string, Set<string>>>();

/**
 * Lets `grantee` make each action only on the given item types, through a `ForAllValues:StringLike`
 * condition on `dynamodb:LeadingKeys` (the partition key values the request reads or writes). IAM has no
 * sort-key condition, which is why every item type has a partition of its own.
 *
 * Calls add up: each action stays ONE statement whose partition list grows, because all the keys of a
 * BatchWriteItem must be allowed by a single statement.
 */
export function grantItems(table: ITableV2, grantee: IGrantable, access: ItemAccess): void {
  for (const [action, types] of Object.entries(access) as [ItemAction, readonly ItemType[]][]) {
    addPartitions(grantee, `dynamodb:${action}`, table.tableArn, types.map((t) => PARTITIONS[t]));
  }
}

/** Query on GSI1 for the given index partitions (LeadingKeys on an index are the index's partition key). */
export function grantGsi1Query(table: ITableV2, grantee: IGrantable, partitions: readonly Gsi1Partition[]): void {
  addPartitions(grantee, 'dynamodb:Query', `${table.tableArn}/index/${TABLE.gsi1.name}`, partitions.map((p) => GSI1_PARTITIONS[p]));
}

/** Query on GSI2, the jobs in flight by status (the job sweeper's): its `INFLIGHT#<status>` partitions only. */
export function grantGsi2Query(table: ITableV2, grantee: IGrantable): void {
  addPartitions(grantee, 'dynamodb:Query', `${table.tableArn}/index/${TABLE.gsi2.name}`, [GSI2_PARTITIONS.inFlight]);
}

function addPartitions(grantee: IGrantable, action: string, resource: string, partitions: readonly string[]): void {
  const statements = grantedPartitions.get(grantee) ?? new Map<string, Set<string>>();
  grantedPartitions.set(grantee, statements);
  const id = `${action} ${resource}`;
  let granted = statements.get(id);
  if (granted === undefined) {
    const patterns = (granted = new Set<string>());
    statements.set(id, patterns);
    Grant.addToPrincipal({
      grantee,
      actions: [action],
      resourceArns: [resource],
      conditions: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': Lazy.list({ produce: () => [...patterns].sort().map(leadingKeyPattern) }),
        },
      },
    });
  }
  for (const partition of partitions) granted.add(partition);
}

/** s3:PutObject under `prefix` (also what a presigned POST signed by `grantee` needs). */
export function grantObjectPut(bucket: IBucket, grantee: IGrantable, prefix = ''): Grant {
  return grantOnObjects(bucket, grantee, 's3:PutObject', prefix);
}

export function grantObjectRead(bucket: IBucket, grantee: IGrantable, prefix = ''): Grant {
  return grantOnObjects(bucket, grantee, 's3:GetObject', prefix);
}

export function grantObjectDelete(bucket: IBucket, grantee: IGrantable, prefix = ''): Grant {
  return grantOnObjects(bucket, grantee, 's3:DeleteObject', prefix);
}

function grantOnObjects(bucket: IBucket, grantee: IGrantable, action: string, prefix: string): Grant {
  const objects = bucket.arnForObjects(`${prefix}*`);
  acknowledgeWildcardResources(
    grantee,
    [objects],
    `${action} on the objects under "${prefix || '/'}" only: object keys are per job, so the key part must be a pattern.`,
  );
  return Grant.addToPrincipal({ grantee, actions: [action], resourceArns: [objects] });
}
