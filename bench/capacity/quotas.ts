/**
 * AWS default quotas the capacity model compares demand with. Written down offline (no internet on the
 * machine that wrote them) from AWS's documentation as last known; defaults change, differ by Region and
 * are often lower in new accounts: check the account's values in Service Quotas before relying on any of them.
 * Where a quota differs by Region, the value here is the one for Regions outside the largest three (the
 * lower), with the larger in `note`.
 */
export interface Quota {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
  readonly adjustable: boolean;
  readonly note?: string;
}

export const DEFAULT_QUOTAS = {
  transcribeConcurrentStreams: {
    value: 25,
    unit: 'streams',
    source: 'Amazon Transcribe, Guidelines and quotas (concurrent HTTP/2 streams)',
    adjustable: true,
    note: 'per account and Region, shared by every stage; the stage lease takes at most TRANSCRIBE_STREAMING.maxStreamsPerStage',
  },
  transcribeConcurrentBatchJobs: {
    value: 100,
    unit: 'jobs',
    source: 'Amazon Transcribe, Guidelines and quotas (concurrent batch transcription jobs)',
    adjustable: true,
    note: 'some Regions and later versions of the page list 250; job queueing (not enabled here) queues up to 10,000 beyond it',
  },
  lambdaConcurrentExecutions: {
    value: 1_000,
    unit: 'concurrent executions',
    source: 'AWS Lambda quotas',
    adjustable: true,
    note: 'new accounts can start far lower (10): check before the first deploy',
  },
  stepFunctionsStateTransitionsPerSecond: {
    value: 800,
    unit: 'transitions/s',
    source: 'Step Functions quotas, Standard workflows, StateTransition refill rate',
    adjustable: true,
    note: '5,000/s in us-east-1, us-west-2 and eu-west-1; new accounts start lower and AWS raises them with use',
  },
  stepFunctionsStartExecutionPerSecond: {
    value: 150,
    unit: 'executions/s',
    source: 'Step Functions quotas, StartExecution refill rate',
    adjustable: true,
    note: '300/s in us-east-1, us-west-2 and eu-west-1',
  },
  dynamoDbPartitionWritesPerSecond: {
    value: 1_000,
    unit: 'WCU/s per partition key value',
    source: 'DynamoDB, partition throughput (one item is one partition key value here)',
    adjustable: false,
  },
  dynamoDbTableWritesPerSecond: {
    value: 40_000,
    unit: 'WRU/s per table',
    source: 'DynamoDB quotas, on-demand table throughput',
    adjustable: true,
    note: 'a new on-demand table serves about 4,000 writes/s at once and doubles with previous peaks',
  },
  apiGatewayWebSocketNewConnectionsPerSecond: {
    value: 500,
    unit: 'connections/s',
    source: 'API Gateway quotas, WebSocket new connections per second per account and Region',
    adjustable: true,
  },
  translateTextRequestsPerSecond: {
    value: Number.NaN,
    unit: 'requests/s',
    source: 'Amazon Translate, Guidelines and quotas: no published TranslateText rate ("contact AWS Support on sustained throttling")',
    adjustable: true,
  },
} as const satisfies Record<string, Quota>;
