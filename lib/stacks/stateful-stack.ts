import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { CfnGlobalTable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type CfnBucket, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { type CfnSecret, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { AudioStorage } from '../constructs/audio-storage';
import { DataTable } from '../constructs/data-table';
import { acknowledgeCdkProviders } from '../constructs/nag';
import { SecureBucket } from '../constructs/secure-bucket';
import { StatefulExports } from './stateful-exports';

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * Everything that holds data: the table, the audio buckets, the access-log bucket and the cursor secret.
 * Deployed apart from the stateless stack so code changes can never replace a data resource, retained on
 * delete, and with logical IDs pinned so refactoring the construct tree cannot orphan them either.
 */
export class StatefulStack extends Stack {
  readonly table: ITableV2;
  readonly uploadsBucket: IBucket;
  readonly workBucket: IBucket;
  readonly accessLogsBucket: IBucket;
  /** HMAC key for history cursors (contract 7). */
  readonly cursorSecret: ISecret;
  /** What the stateless stack imports (by export name, see StatefulExports). */
  readonly exports: StatefulExports;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: props.stage.terminationProtection });

    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      removalPolicy: RemovalPolicy.RETAIN,
      // CloudFront standard logging still delivers through a bucket ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target; logging its own writes would recurse.',
    });
    // Buckets of the stateless stack (the web bucket) log here too; CDK cannot add that grant across stacks.
    accessLogs.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const storage = new AudioStorage(this, 'AudioStorage', {
      accessLogsBucket: accessLogs,
      corsAllowedOrigins: props.stage.uploadCorsOrigins,
    });
    const data = new DataTable(this, 'Data', { deletionProtection: props.stage.tableDeletionProtection });

    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs history pagination cursors',
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signs short-lived pagination cursors only; rotating it would just invalidate open cursors (clients restart from the first page).',
    });

    pin(data.table.node.defaultChild as CfnGlobalTable, 'DataTable');
    pin(storage.uploadsBucket.node.defaultChild as CfnBucket, 'UploadsBucket');
    pin(storage.workBucket.node.defaultChild as CfnBucket, 'WorkBucket');
    pin(accessLogs.node.defaultChild as CfnBucket, 'AccessLogsBucket');
    pin(cursorSecret.node.defaultChild as CfnSecret, 'CursorSecret');

    this.table = data.table;
    this.uploadsBucket = storage.uploadsBucket;
    this.workBucket = storage.workBucket;
    this.accessLogsBucket = accessLogs;
    this.cursorSecret = cursorSecret;
    this.exports = new StatefulExports(this.stackName);
    this.exports.publish(this, this);
    acknowledgeCdkProviders(this);
  }
}

/** Pins a stateful resource's logical ID: moving it in the construct tree must not replace it. */
function pin(resource: CfnGlobalTable | CfnBucket | CfnSecret, logicalId: string): void {
  resource.overrideLogicalId(logicalId);
}
