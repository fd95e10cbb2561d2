/**
 * Runs the synthesised pipeline state machine locally for workflow tests: dynalite + s3rver in-process, the
 * ASL from the CDK template executed by aws-local-stepfunctions, every Lambda task bound to its real handler
 * module, the local speech/translation engines, and the starter, Transcribe-events and watchdog handlers
 * wired the way AWS wires them (S3 event → SQS-shaped batch → starter; Transcribe event → handler; execution
 * end → watchdog). Step Functions API calls made by handlers reach the local state machine through an
 * aws-sdk-client-mock bridge.
 */
import './workflow-env';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/config/env-names';
import type { LanguageCode } from '../../lib/config/languages';
import { keys } from '../../lib/config/table-design';
import type { TierName } from '../../lib/config/tiers';
import { TIERS } from '../../lib/config/tiers';
import { DynamoJobRepository } from '../../functions/jobs/dynamo-job-repository';
import { type Job, isTerminal, uploadKeyFor } from '../../functions/jobs/job';
import type { JobProgressMessage } from '../../functions/progress/progress-message';
import { installLocalEngines } from '../../local/engines/local-engines';
import type { TranscribeJobStateChangeEvent } from '../../local/engines/transcribe-job-events';
import { startDynamoDb } from '../../local/emulators/dynamodb';
import { matchesKeyFilter, objectCreatedEvent, type S3NotificationRecord, startS3 } from '../../local/emulators/s3';
import { closeServer, listen, readBody } from '../../local/http/server';
import {
  type ExecutionDescription,
  executionStatusChangeEvent,
  inProcessInvoker,
  type LambdaInvoker,
  type LambdaTarget,
  LocalSfnError,
  LocalStateMachine,
  type LocalTiming,
  TemplateResolver,
} from '../../local/workflow';
import { matchesEventPattern } from '../../local/template/template-bindings';
import { lambdaTargetsOf } from '../../local/workflow/lambda-invoker';
import { PIPELINE_TEST_STAGE, synthPipelineTestStack } from '../helpers/pipeline-workflow-stack';

const REGION = 'us-east-1';
/** The stage synthPipelineTestStack synthesises: the handlers' STAGE must match its Transcribe rule. */
export const STAGE = PIPELINE_TEST_STAGE;
const TABLE_NAME = 'vnt-workflow';
const UPLOADS_BUCKET = 'vnt-wf-uploads';
const WORK_BUCKET = 'vnt-wf-work';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Fast timings for tests: retries and waits at 1/100, and a short Transcribe callback timeout. */
export const TEST_TIMING: LocalTiming = { intervalScale: 0.01, stateTimeoutSeconds: { TranscribeBatch: 60 } };

export interface NoteOptions {
  readonly tier?: TierName;
  readonly targetLanguage?: LanguageCode;
  readonly sourceLanguage?: LanguageCode;
  /** Subscribe a WebSocket connection to the job's progress before the upload. */
  readonly subscribe?: boolean;
}

export interface NoteRun {
  readonly job: Job;
  readonly execution: ExecutionDescription;
  /** State names entered, in order. */
  readonly path: readonly string[];
  /** Progress messages the subscribed connection received. */
  readonly progress: readonly JobProgressMessage[];
  readonly elapsedMs: number;
}

export class WorkflowHarness {
  /** Whether Transcribe job events reach the Transcribe-events handler (false = the event is lost). */
  deliverTranscribeEvents = true;
  private machine!: LocalStateMachine;
  private readonly jobs: DynamoJobRepository;
  private readonly documents: DynamoDBDocumentClient;
  private readonly s3Client: S3Client;
  private readonly sfnMock = mockClient(SFNClient);
  private readonly pendingEventDeliveries = new Set<Promise<unknown>>();
  private readonly watchdogRuns = new Set<Promise<unknown>>();
  private readonly createdJobIds: string[] = [];

  private constructor(
    private readonly template: Record<string, unknown>,
    private readonly invoker: LambdaInvoker,
    private readonly targets: Map<string, LambdaTarget>,
    private readonly stops: Array<() => Promise<void>>,
    /** Object-created records the emulator emitted for the uploads bucket. */
    private readonly s3Records: S3NotificationRecord[],
    /** Progress messages posted per connection id. */
    private readonly posted: Map<string, JobProgressMessage[]>,
    endpoints: { dynamodb: string; s3: string },
    timing: LocalTiming,
  ) {
    this.documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: endpoints.dynamodb, region: REGION, credentials: CREDENTIALS }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    this.jobs = new DynamoJobRepository({ client: this.documents, tableName: TABLE_NAME });
    this.s3Client = new S3Client({ endpoint: endpoints.s3, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
    this.useTiming(timing);
    this.bridgeStepFunctions();
    const onTranscribeEvent = (event: TranscribeJobStateChangeEvent) => {
      // Like EventBridge: only events the template's Transcribe rule matches reach the handler.
      if (!this.deliverTranscribeEvents || !this.routesTranscribeEvent(event)) return;
      const delivery = this.invoke('functions/pipeline/transcribe-events.ts', event).catch((error: unknown) => {
        console.error('transcribe-events handler failed', error);
      });
      this.pendingEventDeliveries.add(delivery);
      void delivery.finally(() => this.pendingEventDeliveries.delete(delivery));
    };
    installLocalEngines({ s3: this.s3Client, onTranscribeJobStateChange: onTranscribeEvent });
  }

  /** Whether the template's Transcribe job state change rule forwards `event` (its job-name prefix is the stage's). */
  routesTranscribeEvent(event: unknown): boolean {
    type Resource = { Type: string; Properties?: { EventPattern?: { source?: unknown[] } } };
    return Object.values((this.template as { Resources: Record<string, Resource> }).Resources).some(
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        r.Properties?.EventPattern?.source?.includes('aws.transcribe') === true &&
        matchesEventPattern(r.Properties.EventPattern, event),
    );
  }

  static async start(timing: LocalTiming = TEST_TIMING): Promise<WorkflowHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-workflow-'));
    const stops: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
    const db = await startDynamoDb(path.join(dir, 'dynamodb'), TABLE_NAME);
    stops.unshift(db.stop);
    const s3Records: S3NotificationRecord[] = [];
    const s3 = await startS3({
      directory: path.join(dir, 's3'),
      buckets: [UPLOADS_BUCKET, WORK_BUCKET],
      // The uploads bucket's events, filtered like the EventBridge rule (bucket + `uploads/` prefix).
      onObjectCreated: (record) => {
        if (record.s3.bucket.name === UPLOADS_BUCKET && matchesKeyFilter(record, { prefix: 'uploads/' })) s3Records.push(record);
      },
    });
    stops.unshift(s3.stop);
    const posted = new Map<string, JobProgressMessage[]>();
    const progressServer = await startProgressReceiver(posted);
    stops.unshift(() => closeServer(progressServer.server));

    const { template } = synthPipelineTestStack();
    const resolver = new TemplateResolver(template as never, { region: REGION });
    const targets = lambdaTargetsOf(template as never, (id) => resolver.arnOf(id));
    const stateMachineArn = resolver.arnOf(
      Object.entries((template as { Resources: Record<string, { Type: string }> }).Resources).find(
        ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
      )![0],
    );

    // Handlers read their environment once, at import: set it before the first invocation.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      [ENV.tableName]: TABLE_NAME,
      [ENV.uploadsBucket]: UPLOADS_BUCKET,
      [ENV.workBucket]: WORK_BUCKET,
      [ENV.stateMachineArn]: stateMachineArn,
      [ENV.progressEndpoint]: progressServer.endpoint,
      [ENV.stage]: STAGE,
    });

    return new WorkflowHarness(
      template,
      inProcessInvoker(),
      targets,
      stops,
      s3Records,
      posted,
      { dynamodb: db.endpoint, s3: s3.endpoint },
      timing,
    );
  }

  /** Replaces the local state machine with one built from the same template with other timings. */
  useTiming(timing: LocalTiming): void {
    this.machine = LocalStateMachine.fromTemplate(this.template as never, {
      region: REGION,
      invoker: this.invoker,
      timing,
      // The local watchdog: an execution that ends badly goes to the watchdog handler, like the EventBridge rule.
      onExecutionEnd: async (execution) => {
        if (execution.status === 'SUCCEEDED') return;
        const run = this.invoke('functions/pipeline/execution-watchdog.ts', executionStatusChangeEvent(execution, REGION));
        this.watchdogRuns.add(run);
        await run.finally(() => this.watchdogRuns.delete(run));
      },
    });
  }

  get stateMachine(): LocalStateMachine {
    return this.machine;
  }

  async stop(): Promise<void> {
    await this.machine.idle();
    await Promise.allSettled([...this.pendingEventDeliveries]);
    this.sfnMock.restore();
    for (const stop of this.stops) await stop();
  }

  /** A job awaiting its upload, as POST /uploads leaves it. */
  async createJob(options: NoteOptions = {}): Promise<Job> {
    const jobId = randomUUID();
    const ownerId = `key${jobId.slice(0, 8)}`;
    const now = new Date();
    const tier = options.tier ?? 'free';
    const job: Job = {
      jobId,
      ownerId,
      tier,
      status: 'awaiting_upload',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      contentType: 'audio/mp4',
      uploadKey: uploadKeyFor(ownerId, jobId),
      targetLanguage: options.targetLanguage ?? 'es',
      ...(options.sourceLanguage ? { sourceLanguage: options.sourceLanguage } : {}),
      expiresAt: Math.floor(now.getTime() / 1000) + TIERS[tier].historyRetentionDays * 86_400,
    };
    await this.jobs.create(job);
    this.createdJobIds.push(jobId);
    return job;
  }

  /** Puts a WebSocket connection on the job's subscriber list (what the subscribe route does). */
  async subscribe(jobId: string): Promise<string> {
    const connectionId = `conn-${jobId.slice(0, 8)}`;
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await this.documents.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...keys.subscription(jobId, connectionId), connectionId, expiresAt } }));
    await this.documents.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...keys.connection(connectionId, jobId), jobId, expiresAt } }));
    return connectionId;
  }

  /** Uploads a file as the job's object and returns the S3 notification records the upload produced. */
  async upload(job: Job, filePath: string): Promise<S3NotificationRecord[]> {
    const before = this.s3Records.length;
    await this.s3Client.send(
      new PutObjectCommand({ Bucket: UPLOADS_BUCKET, Key: job.uploadKey, Body: await readFile(filePath) }),
    );
    return this.s3Records.slice(before).filter((r) => decodeURIComponent(r.s3.object.key.replaceAll('+', ' ')) === job.uploadKey);
  }

  /** Whether the work bucket holds `key` (e.g. a job's normalised WAV). */
  async workObjectExists(key: string): Promise<boolean> {
    try {
      await this.s3Client.send(new HeadObjectCommand({ Bucket: WORK_BUCKET, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      throw error;
    }
  }

  /**
   * Delivers uploads to the starter as one SQS batch, one message per object, each body the EventBridge
   * "Object Created" event the rule forwards to the intake queue in AWS.
   */
  async deliverToStarter(records: readonly S3NotificationRecord[], messageIds?: readonly string[]): Promise<unknown> {
    return this.invoke('functions/pipeline/start-pipeline.ts', {
      Records: records.map((record, i) => ({
        messageId: messageIds?.[i] ?? randomUUID(),
        receiptHandle: randomUUID(),
        body: JSON.stringify(objectCreatedEvent(record)),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:000000000000:intake`,
        awsRegion: REGION,
      })),
    });
  }

  /** Creates a job, uploads the file, starts the pipeline and waits until the execution and job have ended. */
  async runNote(filePath: string, options: NoteOptions = {}): Promise<NoteRun> {
    const job = await this.createJob(options);
    const connectionId = options.subscribe ? await this.subscribe(job.jobId) : undefined;
    const started = Date.now();
    const records = await this.upload(job, filePath);
    await this.deliverToStarter(records);
    const execution = await this.waitForExecution(job.jobId);
    return {
      job: await this.terminalJob(job.jobId),
      execution,
      path: this.path(execution.executionArn),
      progress: connectionId ? (this.posted.get(connectionId) ?? []) : [],
      elapsedMs: Date.now() - started,
    };
  }

  /** Ends when the job's execution has ended and the watchdog (if it ran) is done. */
  async waitForExecution(jobId: string): Promise<ExecutionDescription> {
    const execution = this.machine.list().find((e) => e.name === jobId);
    if (!execution) throw new Error(`No execution was started for job ${jobId}`);
    const ended = await this.machine.waitForEnd(execution.executionArn);
    await Promise.allSettled([...this.watchdogRuns]);
    return ended;
  }

  /**
   * Every job this harness created that is not terminal, after all executions and watchdog runs have
   * settled. Tests assert it is empty: the pipeline must never leave a job in flight.
   */
  async jobsLeftInFlight(): Promise<Array<Pick<Job, 'jobId' | 'status'>>> {
    await this.machine.idle();
    await Promise.allSettled([...this.watchdogRuns]);
    const jobs = await Promise.all(this.createdJobIds.map((jobId) => this.jobs.get(jobId)));
    return jobs.filter((j): j is Job => j !== undefined && !isTerminal(j.status)).map(({ jobId, status }) => ({ jobId, status }));
  }

  async job(jobId: string): Promise<Job | undefined> {
    return this.jobs.get(jobId);
  }

  /** The job, asserting it is terminal: no test may leave a job in flight. */
  async terminalJob(jobId: string): Promise<Job> {
    const job = await this.jobs.get(jobId);
    if (!job) throw new Error(`Job ${jobId} is gone`);
    if (!isTerminal(job.status)) throw new Error(`Job ${jobId} was left non-terminal in status ${job.status}`);
    return job;
  }

  executionsOf(jobId: string): ExecutionDescription[] {
    return this.machine.list().filter((e) => e.name === jobId);
  }

  path(executionArn: string): string[] {
    return this.machine
      .history(executionArn)
      .filter((e) => e.type === 'StateEntered')
      .map((e) => e.stateName!);
  }

  retries(executionArn: string): string[] {
    return this.machine
      .history(executionArn)
      .filter((e) => e.type === 'StateRetried')
      .map((e) => e.stateName!);
  }

  private invoke(entry: string, event: unknown): Promise<unknown> {
    const target = [...this.targets.values()].find((t) => t.entry === entry);
    if (!target) throw new Error(`No function in the template runs ${entry}`);
    return this.invoker(target, event);
  }

  /** The handlers' SFNClient talks to the local state machine; its errors become the SDK's exceptions. */
  private bridgeStepFunctions(): void {
    const sdkError = (error: unknown): unknown => {
      if (!(error instanceof LocalSfnError)) return error;
      const options = { message: error.message, $metadata: {} };
      switch (error.code) {
        case 'ExecutionAlreadyExists':
          return new ExecutionAlreadyExists(options);
        case 'TaskTimedOut':
          return new TaskTimedOut(options);
        case 'TaskDoesNotExist':
          return new TaskDoesNotExist(options);
        case 'InvalidToken':
          return new InvalidToken(options);
        default:
          return error;
      }
    };
    const call = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (error) {
        throw sdkError(error);
      }
    };
    this.sfnMock
      .on(StartExecutionCommand)
      .callsFake((input) => {
        const { executionArn, startDate } = call(() => this.machine.start(input.name, input.input));
        return { executionArn, startDate };
      })
      .on(SendTaskSuccessCommand)
      .callsFake((input) => call(() => this.machine.sendTaskSuccess(input.taskToken, input.output)) ?? {})
      .on(SendTaskFailureCommand)
      .callsFake((input) => call(() => this.machine.sendTaskFailure(input.taskToken, input.error, input.cause)) ?? {})
      .on(SendTaskHeartbeatCommand)
      .callsFake((input) => call(() => this.machine.sendTaskHeartbeat(input.taskToken)) ?? {});
  }
}

/** Stands in for the WebSocket API's management endpoint: records `POST /@connections/{id}` bodies. */
async function startProgressReceiver(posted: Map<string, JobProgressMessage[]>): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/@connections\/([^/?]+)/.exec(req.url ?? '');
      const body = await readBody(req);
      if (req.method === 'POST' && match) {
        const connectionId = decodeURIComponent(match[1]!);
        const messages = posted.get(connectionId) ?? [];
        messages.push(JSON.parse(body.toString('utf8')) as JobProgressMessage);
        posted.set(connectionId, messages);
        res.writeHead(200).end();
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { server, endpoint: `http://127.0.0.1:${port}` };
}
