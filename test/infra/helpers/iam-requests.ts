import { GLOBAL_SECONDARY_INDEXES, TABLE } from '../../../lib/config/table-design';
import { FAKE_ACCOUNT } from './cfn-resolver';
import type { RecordedCall } from './recorded-aws';

/** One authorisation AWS makes for a call: the action, the resource and the request's condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
}

/** What only the deployment knows: where the calling function's resources live. */
export interface CallSite {
  /** The function's environment as deployed (resolved). */
  readonly env: Readonly<Record<string, string>>;
  /** The state machine whose execution issued a task token (Step Functions authorises SendTask* against it). */
  stateMachineOfToken(token: string): string;
}

const { account, region, partition } = FAKE_ACCOUNT;

/** lib-dynamodb's commands, by the DynamoDB API operation (= IAM action) each one sends. */
const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchWriteCommand: 'BatchWriteItem',
  BatchGetCommand: 'BatchGetItem',
};

/**
 * The IAM requests AWS evaluates for one SDK call: the action, the resource ARN and the condition keys the
 * service puts in the request context (the partition key values for DynamoDB, the output location for
 * StartTranscriptionJob). A call this does not know fails the test: mapping it is part of adding it.
 */
export function iamRequestsOf(call: RecordedCall, site: CallSite): IamRequest[] {
  const { input } = call;
  const unknown = () => new Error(`No IAM mapping for ${call.service} ${call.command}: add one in test/infra/helpers/iam-requests.ts`);
  switch (call.service) {
    case 'dynamodb':
      return dynamoRequests(call, unknown);
    case 's3': {
      const action = { HeadObjectCommand: 'GetObject', GetObjectCommand: 'GetObject', PutObjectCommand: 'PutObject', DeleteObjectCommand: 'DeleteObject', PresignedPost: 'PutObject' }[
        call.command
      ];
      if (action === undefined) throw unknown();
      return [{ action: `s3:${action}`, resource: `arn:${partition}:s3:::${input.Bucket}/${input.Key}`, context: {} }];
    }
    case 'states':
      if (call.command === 'StartExecutionCommand') return [{ action: 'states:StartExecution', resource: input.stateMachineArn, context: {} }];
      if (call.command === 'DescribeExecutionCommand' || call.command === 'StopExecutionCommand') {
        return [{ action: `states:${call.command.replace(/Command$/, '')}`, resource: input.executionArn, context: {} }];
      }
      if (/^SendTask(Success|Failure|Heartbeat)Command$/.test(call.command)) {
        return [{ action: `states:${call.command.replace(/Command$/, '')}`, resource: site.stateMachineOfToken(input.taskToken), context: {} }];
      }
      throw unknown();
    case 'transcribe':
      if (call.command === 'StartTranscriptionJobCommand') {
        const context: Record<string, string> = {};
        if (input.OutputBucketName !== undefined) context['transcribe:OutputBucketName'] = input.OutputBucketName;
        if (input.OutputKey !== undefined) context['transcribe:OutputKey'] = input.OutputKey;
        const media = /^s3:\/\/([^/]+)\/(.+)$/.exec(input.Media?.MediaFileUri ?? '');
        if (media === null) throw new Error(`StartTranscriptionJob media is not an S3 object: ${input.Media?.MediaFileUri}`);
        return [
          { action: 'transcribe:StartTranscriptionJob', resource: '*', context },
          // Without a DataAccessRoleArn, Transcribe reads the media and writes its output with the caller's permissions.
          { action: 's3:GetObject', resource: `arn:${partition}:s3:::${media[1]}/${media[2]}`, context: {} },
          ...(input.OutputBucketName === undefined
            ? []
            : [{ action: 's3:PutObject', resource: `arn:${partition}:s3:::${input.OutputBucketName}/${input.OutputKey ?? ''}`, context: {} }]),
        ];
      }
      if (call.command === 'GetTranscriptionJobCommand') {
        return [{ action: 'transcribe:GetTranscriptionJob', resource: `arn:${partition}:transcribe:${region}:${account}:transcription-job/${input.TranscriptionJobName}`, context: {} }];
      }
      if (call.command === 'StartStreamTranscriptionCommand') return [{ action: 'transcribe:StartStreamTranscription', resource: '*', context: {} }];
      throw unknown();
    case 'translate':
      if (call.command === 'TranslateTextCommand') return [{ action: 'translate:TranslateText', resource: '*', context: {} }];
      throw unknown();
    case 'execute-api': {
      const verb = { PostToConnectionCommand: 'POST', DeleteConnectionCommand: 'DELETE', GetConnectionCommand: 'GET' }[call.command];
      if (verb === undefined) throw unknown();
      // The management endpoint is https://<apiId>.execute-api.<region>.<suffix>/<stage>.
      const endpoint = new URL(site.env.PROGRESS_ENDPOINT!);
      const apiId = endpoint.hostname.split('.')[0];
      const stage = endpoint.pathname.replace(/^\/|\/$/g, '');
      return [{ action: 'execute-api:ManageConnections', resource: `arn:${partition}:execute-api:${region}:${account}:${apiId}/${stage}/${verb}/@connections/${input.ConnectionId}`, context: {} }];
    }
    case 'secretsmanager':
      if (call.command === 'GetSecretValueCommand') return [{ action: 'secretsmanager:GetSecretValue', resource: input.SecretId, context: {} }];
      throw unknown();
    default:
      throw unknown();
  }
}

function dynamoRequests(call: RecordedCall, unknown: () => Error): IamRequest[] {
  const operation = DOCUMENT_OPERATIONS[call.command];
  if (operation === undefined) throw unknown();
  const action = `dynamodb:${operation}`;
  const { input } = call;
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    // One authorisation per table, over the partition keys of all of the batch's items in it.
    return Object.entries(input.RequestItems as Record<string, any>).map(([tableName, requests]) => {
      const keysOfBatch: Record<string, unknown>[] =
        operation === 'BatchGetItem'
          ? (requests as { Keys: Record<string, unknown>[] }).Keys
          : (requests as any[]).map((r) => r.PutRequest?.Item ?? r.DeleteRequest?.Key);
      return { action, resource: tableArn(tableName), context: leadingKeys(keysOfBatch.map((k) => k[TABLE.partitionKey])) };
    });
  }
  if (operation === 'Scan') return [{ action, resource: tableArn(input.TableName, input.IndexName), context: {} }];
  if (operation === 'Query') {
    const partitionKey =
      input.IndexName === undefined ? TABLE.partitionKey : GLOBAL_SECONDARY_INDEXES.find((index) => index.name === input.IndexName)?.partitionKey;
    if (partitionKey === undefined) throw new Error(`no index ${input.IndexName} in the table design`);
    return [{ action, resource: tableArn(input.TableName, input.IndexName), context: leadingKeys([queriedPartition(input, partitionKey)]) }];
  }
  const key = (operation === 'PutItem' ? input.Item : input.Key) as Record<string, unknown>;
  return [{ action, resource: tableArn(input.TableName), context: leadingKeys([key[TABLE.partitionKey]]) }];
}

function tableArn(tableName: string, indexName?: string): string {
  const table = `arn:${partition}:dynamodb:${region}:${account}:table/${tableName}`;
  return indexName === undefined ? table : `${table}/index/${indexName}`;
}

function leadingKeys(values: unknown[]): Record<string, string[]> {
  const strings = [...new Set(values)].map((v) => {
    if (typeof v !== 'string') throw new Error(`partition key ${JSON.stringify(v)} is not a string`);
    return v;
  });
  return { 'dynamodb:LeadingKeys': strings };
}

/** The partition a Query reads: the value its key condition binds to the partition key (`#n = :v`). */
function queriedPartition(input: Record<string, any>, partitionKey: string): unknown {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  for (const [, name, placeholder] of (input.KeyConditionExpression as string).matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    if ((names[name!] ?? name) === partitionKey) return input.ExpressionAttributeValues[placeholder!];
  }
  throw new Error(`no partition key condition in ${input.KeyConditionExpression}`);
}
