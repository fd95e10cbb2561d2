import { Readable } from 'node:stream';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetTranscriptionJobCommand, StartTranscriptionJobCommand, TranscribeClient } from '@aws-sdk/client-transcribe';
import {
  type AudioStream,
  StartStreamTranscriptionCommand,
  TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming';
import { TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { headObjectError } from '../../helpers/s3-http-responses';

/** One SDK call a function's code made, as the SDK received it. */
export interface RecordedCall {
  /** The function (its `vnt:entry`) whose code sent it. */
  readonly entry: string;
  /** The SDK client's service, as its IAM prefix. */
  readonly service: string;
  /** The SDK command's class name, e.g. `GetCommand` (lib-dynamodb) or `HeadObjectCommand`. */
  readonly command: string;
  readonly input: Record<string, any>;
}

/** What the fakes answer with, where a scenario needs more than the defaults. */
export interface TranscribeJobOutcome {
  readonly status: 'COMPLETED' | 'FAILED';
  readonly transcript?: string;
}

/** What recording needs of an aws-sdk-client-mock stub, whatever its client. */
interface RecordingStub {
  calls(): ReadonlyArray<{ readonly args: readonly unknown[] }>;
  resetHistory(): void;
  restore(): void;
}

const DOCUMENT_COMMANDS = [
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  ScanCommand,
  BatchWriteCommand,
  BatchGetCommand,
  TransactWriteCommand,
  TransactGetCommand,
] as const;

/**
 * Every AWS SDK client the functions use, replaced with aws-sdk-client-mock and recorded call by call:
 * - DynamoDB goes to a real table (dynalite), so conditional writes, queries and deletes behave for real;
 * - S3 is an in-memory bucket store that answers HEAD on a missing key with S3's own bodiless 403 (our roles
 *   have no s3:ListBucket);
 * - Step Functions, Transcribe (batch and streaming), Translate, the WebSocket management API and Secrets
 *   Manager answer as the services do on success, with the failures a scenario asks for.
 */
export class RecordedAws {
  readonly calls: RecordedCall[] = [];
  /** Objects by `bucket/key`. */
  readonly objects = new Map<string, Buffer>();
  /** Connections the management API answers 410 Gone for. */
  readonly goneConnections = new Set<string>();
  /** Execution names StartExecution refuses (throttled). */
  readonly refusedExecutions = new Set<string>();
  /** Executions running, by ARN (StartExecution adds them, StopExecution ends them); DescribeExecution knows no other. */
  readonly runningExecutions = new Set<string>();
  /** Transcribe batch jobs' outcomes by job name (default: COMPLETED with a phrase). */
  readonly transcribeOutcomes = new Map<string, TranscribeJobOutcome>();
  /** Runs after each table call, so a scenario can move data at a chosen moment (e.g. a job failing meanwhile). */
  afterTableCall: (command: string, input: Record<string, any>) => Promise<void> = async () => undefined;

  private readonly dynamo = mockClient(DynamoDBDocumentClient);
  private readonly s3 = mockClient(S3Client);
  private readonly sfn = mockClient(SFNClient);
  private readonly transcribe = mockClient(TranscribeClient);
  private readonly streaming = mockClient(TranscribeStreamingClient);
  private readonly translate = mockClient(TranslateClient);
  private readonly websocket = mockClient(ApiGatewayManagementApiClient);
  private readonly secrets = mockClient(SecretsManagerClient);
  /** Each stub with its service's IAM prefix. */
  private readonly stubs: ReadonlyArray<readonly [string, RecordingStub]> = [
    ['dynamodb', this.dynamo],
    ['s3', this.s3],
    ['states', this.sfn],
    ['transcribe', this.transcribe],
    ['transcribe', this.streaming],
    ['translate', this.translate],
    ['execute-api', this.websocket],
    ['secretsmanager', this.secrets],
  ];
  private forbiddenHead: Error | undefined;

  constructor(private readonly table: DynamoDBDocumentClient) {}

  /** A document client on the same table that is not recorded: the scenario's own reads and seeds. */
  static unrecordedClient(endpoint: string): DynamoDBDocumentClient {
    const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Sends through the SDK's base `send`, which the mocks do not replace. */
  static async sendUnrecorded<T>(client: DynamoDBDocumentClient, command: object): Promise<T> {
    const send = (Object.getPrototypeOf(DynamoDBDocumentClient.prototype) as { send(c: object): Promise<T> }).send;
    return send.call(client, command);
  }

  async install(): Promise<void> {
    this.forbiddenHead = await headObjectError(403);
    const { dynamo, s3, sfn, transcribe, streaming, translate, websocket, secrets } = this;

    for (const Command of DOCUMENT_COMMANDS) {
      dynamo.on(Command as never).callsFake(async (input: Record<string, any>) => {
        const output = await RecordedAws.sendUnrecorded(this.table, new (Command as new (i: object) => object)(input));
        await this.afterTableCall(Command.name, input);
        return output;
      });
    }

    s3.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const body = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (body === undefined) throw this.forbiddenHead;
      return { ContentLength: body.length };
    });
    s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const body = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (body === undefined) throw new Error(`s3://${input.Bucket}/${input.Key} is not in the fake bucket`);
      return { Body: sdkStreamMixin(Readable.from([body])), ContentLength: body.length };
    });
    s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: Uint8Array | string }) => {
      this.objects.set(`${input.Bucket}/${input.Key}`, Buffer.from(input.Body));
      return {};
    });
    s3.on(DeleteObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      this.objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    });

    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => {
      if (this.refusedExecutions.has(input.name)) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      const executionArn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`;
      this.runningExecutions.add(executionArn);
      return { executionArn, startDate: new Date() };
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      if (!this.runningExecutions.has(input.executionArn)) {
        throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${input.executionArn}'`, $metadata: {} });
      }
      return { executionArn: input.executionArn, status: 'RUNNING', startDate: new Date() };
    });
    sfn.on(StopExecutionCommand).callsFake((input: { executionArn: string }) => {
      this.runningExecutions.delete(input.executionArn);
      return { stopDate: new Date() };
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});

    // Transcribe writes its JSON where the job said, as the real service does once the job ends.
    transcribe.on(StartTranscriptionJobCommand).callsFake((input: { TranscriptionJobName: string; OutputBucketName: string; OutputKey: string }) => {
      const outcome = this.transcribeOutcome(input.TranscriptionJobName);
      if (outcome.status === 'COMPLETED') {
        const json = { results: { transcripts: [{ transcript: outcome.transcript ?? 'go forward ten meters' }] } };
        this.objects.set(`${input.OutputBucketName}/${input.OutputKey}`, Buffer.from(JSON.stringify(json)));
      }
      return { TranscriptionJob: { TranscriptionJobName: input.TranscriptionJobName, TranscriptionJobStatus: 'IN_PROGRESS' } };
    });
    transcribe.on(GetTranscriptionJobCommand).callsFake((input: { TranscriptionJobName: string }) => {
      const outcome = this.transcribeOutcome(input.TranscriptionJobName);
      return {
        TranscriptionJob: {
          TranscriptionJobName: input.TranscriptionJobName,
          TranscriptionJobStatus: outcome.status,
          ...(outcome.status === 'COMPLETED' ? { LanguageCode: 'en-US' } : { FailureReason: 'The media could not be decoded.' }),
        },
      };
    });
    streaming.on(StartStreamTranscriptionCommand).callsFake(async (input: { AudioStream: AsyncIterable<AudioStream> }) => {
      for await (const event of input.AudioStream) void event; // Transcribe reads the whole stream first
      return {
        TranscriptResultStream: (async function* () {
          yield {
            TranscriptEvent: {
              Transcript: { Results: [{ IsPartial: false, Alternatives: [{ Transcript: 'go forward ten meters' }], LanguageCode: 'en-US' }] },
            },
          };
        })(),
      };
    });
    translate.on(TranslateTextCommand).callsFake((input: { Text: string; SourceLanguageCode: string; TargetLanguageCode: string }) => ({
      TranslatedText: `[${input.TargetLanguageCode}] ${input.Text}`,
      SourceLanguageCode: input.SourceLanguageCode,
      TargetLanguageCode: input.TargetLanguageCode,
    }));
    websocket.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string }) => {
      if (this.goneConnections.has(input.ConnectionId)) throw new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
      return {};
    });
    secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({
      ARN: input.SecretId,
      SecretString: 'k'.repeat(64),
    }));
  }

  /** Runs `work` as function `entry`: every SDK call made meanwhile is recorded as that function's. */
  async as<T>(entry: string, work: () => Promise<T>): Promise<T> {
    for (const [, stub] of this.stubs) stub.resetHistory();
    try {
      return await work();
    } finally {
      for (const [service, stub] of this.stubs) {
        for (const call of stub.calls()) {
          const command = call.args[0] as { constructor: { name: string }; input: Record<string, any> };
          this.calls.push({ entry, service, command: command.constructor.name, input: command.input });
        }
      }
    }
  }

  /** A call the code made without the SDK sending it: a presigned POST is S3's PutObject, signed by the function. */
  record(call: RecordedCall): void {
    this.calls.push(call);
  }

  restore(): void {
    for (const [, stub] of this.stubs) stub.restore();
  }

  private transcribeOutcome(jobName: string): TranscribeJobOutcome {
    return this.transcribeOutcomes.get(jobName) ?? { status: 'COMPLETED' };
  }
}
