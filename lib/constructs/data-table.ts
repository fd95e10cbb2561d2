import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, TABLE } from '../config/table-design';

export interface DataTableProps {
  /** Refuse DeleteTable even from CloudFormation (prod). @default false */
  readonly deletionProtection?: boolean;
}

/**
 * The single table (lib/config/table-design.ts): jobs and history, caches, usage meters, key records, with
 * GSI1 (history by owner) and GSI2 (jobs in flight by status).
 * On-demand billing (traffic is bursty and small), PITR (history is user data), TTL on `expiresAt` (cache
 * entries, meters and history expire by themselves), AWS-managed KMS key (key use is visible in CloudTrail).
 * Always retained: deleting the stack must never delete users' history.
 */
export class DataTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: DataTableProps = {}) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: RemovalPolicy.RETAIN,
      // GSI1: history by owner. GSI2: jobs in flight by status (sparse), the job sweeper's Query.
      globalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      })),
    });
  }
}
