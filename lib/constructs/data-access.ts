import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { TABLE } from '../config/table-design';
import { acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege grants on our data, narrower than the L2 `grant*` helpers (which add Scan,
 * ConditionCheckItem, DescribeTable, stream reads, `index/*` and wildcard S3 actions nobody here uses).
 * Table grants name the table and GSI1 exactly (history is a Query on GSI1). Object grants need a key
 * pattern, so each acknowledges its own cdk-nag IAM5 finding, scoped to that pattern.
 */
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

export function grantTableRead(table: ITableV2, grantee: IGrantable): Grant {
  return grantOnTable(table, grantee, TABLE_READ);
}

export function grantTableReadWrite(table: ITableV2, grantee: IGrantable): Grant {
  return grantOnTable(table, grantee, [...TABLE_READ, ...TABLE_WRITE]);
}

function grantOnTable(table: ITableV2, grantee: IGrantable, actions: readonly string[]): Grant {
  return Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn, `${table.tableArn}/index/${TABLE.gsi1.name}`],
  });
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
