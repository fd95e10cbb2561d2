import { CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import { type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE } from '../config/table-design';

/**
 * The stateful stack's explicit export contract. The stateless stack imports these by name instead of
 * holding object references, which
 * - keeps CDK from generating exports that can never change while imported (the "deadly embrace"),
 * - lets the stateless stack attach S3 notifications and grants to the data resources without making the
 *   stateful stack depend back on it, and
 * - gives cross-stack ARNs a stable rendering (the export name), so grants can acknowledge their own
 *   cdk-nag findings precisely.
 */
export interface StatefulResources {
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  readonly accessLogsBucket: IBucket;
  readonly cursorSecret: ISecret;
}

const EXPORTED = [
  'TableName',
  'UploadsBucketName',
  'UploadsBucketArn',
  'WorkBucketName',
  'WorkBucketArn',
  'AccessLogsBucketName',
  'AccessLogsBucketArn',
  'CursorSecretArn',
] as const;
type ExportKey = (typeof EXPORTED)[number];

/** Export names are `<stateful stack name>:<key>`. */
export class StatefulExports {
  constructor(readonly stackName: string) {}

  name(key: ExportKey): string {
    return `${this.stackName}:${key}`;
  }

  /** Declares the exports on the stateful stack (called once, by it). */
  publish(stack: Stack, resources: StatefulResources): void {
    const values: Record<ExportKey, string> = {
      TableName: resources.table.tableName,
      UploadsBucketName: resources.uploadsBucket.bucketName,
      UploadsBucketArn: resources.uploadsBucket.bucketArn,
      WorkBucketName: resources.workBucket.bucketName,
      WorkBucketArn: resources.workBucket.bucketArn,
      AccessLogsBucketName: resources.accessLogsBucket.bucketName,
      AccessLogsBucketArn: resources.accessLogsBucket.bucketArn,
      CursorSecretArn: resources.cursorSecret.secretArn,
    };
    for (const key of EXPORTED) {
      new CfnOutput(stack, `${key}Export`, { value: values[key], exportName: this.name(key) });
    }
  }

  /** References to the exported resources, for use inside `scope`'s (the stateless) stack. */
  import(scope: Construct): StatefulResources {
    const value = (key: ExportKey) => Fn.importValue(this.name(key));
    return {
      table: TableV2.fromTableAttributes(scope, 'Table', {
        // The ARN follows from the name (the attributes take one or the other).
        tableName: value('TableName'),
        globalIndexes: [TABLE.gsi1.name],
      }),
      uploadsBucket: Bucket.fromBucketAttributes(scope, 'UploadsBucket', {
        bucketName: value('UploadsBucketName'),
        bucketArn: value('UploadsBucketArn'),
      }),
      workBucket: Bucket.fromBucketAttributes(scope, 'WorkBucket', {
        bucketName: value('WorkBucketName'),
        bucketArn: value('WorkBucketArn'),
      }),
      accessLogsBucket: Bucket.fromBucketAttributes(scope, 'AccessLogsBucket', {
        bucketName: value('AccessLogsBucketName'),
        bucketArn: value('AccessLogsBucketArn'),
      }),
      cursorSecret: Secret.fromSecretCompleteArn(scope, 'CursorSecret', value('CursorSecretArn')),
    };
  }
}
