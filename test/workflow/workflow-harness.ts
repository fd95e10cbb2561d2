/**
 * The pipeline of the synthesised app for workflow tests: local/pipeline itself (S3 → EventBridge rule → SQS
 * → starter → the state machine from the template, real handlers and the local engines, Transcribe events and
 * execution-end events through the template's rules to their functions), with dynalite and a stand-in for the
 * WebSocket management API that records what the handlers post. The harness stands between the event
 * sources and the bus: it sees every event, and can lose Transcribe's, as EventBridge may.
 */
import './workflow-env';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LanguageCode } from '../../lib/config/languages';
import { historyRetentionSeconds, type TierName } from '../../lib/config/tiers';
import { DynamoJobRepository } from '../../functions/jobs/dynamo-job-repository';
import { DynamoStreamLeaseStore } from '../../functions/speech/dynamo-stream-lease-store';
import { type StreamLease, StreamLeases } from '../../functions/speech/stream-leases';
import { localChunkCapacity } from '../../local/engines/local-chunk-speech-to-text';
import { type Job, isTerminal, uploadKeyFor } from '../../functions/jobs/job';
import type { JobProgressMessage } from '../../functions/progress/progress-message';
import { DynamoSubscriptionRepository } from '../../functions/progress/subscription-repository';
import { expiresAfter } from '../../functions/shared/item-expiry';
import { LOCAL } from '../../local/config';
import { localS3Client } from '../helpers/local-s3-client';
import { emulatorClientConfig } from '../../local/emulators/aws-clients';
import { startDynamoDb } from '../../local/emulators/dynamodb';
import type { objectCreatedEvent } from '../../local/emulators/s3';
import type { BusEvent } from '../../local/events/event-bus';
import { closeServer, listen, readBody } from '../../local/http/server';
import { FunctionHost } from '../../local/lambda/function-host';
import { consoleLog } from '../../local/log';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/local-pipeline';
import { stateLayout } from '../../local/state-dir';
import { matchesEventPattern } from '../../local/template/template-bindings';
import type { ExecutionDescription, LocalStateMachine, LocalTiming } from '../../local/workflow';

/** The stage the app is synthesised as: the handlers' STAGE, which scopes Transcribe job names. */
export const STAGE = LOCAL.templateStage;
/** The harness's principal: the local S3 lets in only requests signed with it. */
const CREDENTIALS = { accessKeyId: 'VNTWORKFLOW', secretAccessKey: randomBytes(32).toString('base64url') };

/** Fast timings for tests: retries and waits at 1/100, and a short Transcribe callback timeout. */
export const TEST_TIMING: LocalTiming = { intervalScale: 0.01, stateTimeoutSeconds: { TranscribeBatch: 60 } };

const TRANSCRIBE_EVENTS_ENTRY = 'functions/pipeline/transcribe-events.ts';
const STARTER_ENTRY = 'functions/pipeline/start-pipeline.ts';
/** How long an upload may take to reach the starter and start an execution (S3 → bus → SQS → starter). */
const EXECUTION_START_TIMEOUT_MS = 30_000;

/** The EventBridge "Object Created" event an upload puts on the bus. */
export type ObjectCreatedEvent = ReturnType<typeof objectCreatedEvent>;

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
  /** Whether Transcribe job events reach the bus (false = the event is lost). */
  deliverTranscribeEvents = true;
  private readonly jobs: DynamoJobRepository;
  private readonly documents: DynamoDBDocumentClient;
  private readonly s3Client: S3Client;
  /** Every event put on the bus, in order. */
  private readonly events: BusEvent[] = [];
  private readonly createdJobIds: string[] = [];

  private constructor(
    private readonly pipeline: LocalPipeline,
    private readonly functions: FunctionHost,
    private readonly stops: Array<() => Promise<void>>,
    /** Progress messages posted per connection id. */
    private readonly posted: Map<string, JobProgressMessage[]>,
    dynamoDbEndpoint: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(dynamoDbEndpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.jobs = new DynamoJobRepository({ client: this.documents, tableName: LOCAL.tableName });
    this.s3Client = localS3Client(pipeline.endpoints.s3, CREDENTIALS, { maxAttempts: 3 });
    const put = pipeline.bus.put.bind(pipeline.bus);
    pipeline.bus.put = (event) => {
      this.events.push(event);
      return !this.deliverTranscribeEvents && event.source === 'aws.transcribe' ? 0 : put(event);
    };
  }

  static async start(timing: LocalTiming = TEST_TIMING): Promise<WorkflowHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-workflow-'));
    const stops: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
    try {
      const layout = stateLayout(dir);
      const db = await startDynamoDb(layout.dynamodb, LOCAL.tableName);
      stops.unshift(db.stop);
      const posted = new Map<string, JobProgressMessage[]>();
      const progressServer = await startProgressReceiver(posted);
      stops.unshift(() => closeServer(progressServer.server));
      const functions = new FunctionHost();
      const pipeline = await startLocalPipeline({
        layout,
        functions,
        log: consoleLog(true),
        credentials: CREDENTIALS,
        dynamoDbEndpoint: db.endpoint,
        progressEndpoint: progressServer.endpoint,
        cursorSecret: randomBytes(32).toString('base64url'),
        logLevel: process.env.POWERTOOLS_LOG_LEVEL,
        timing,
      });
      stops.unshift(() => pipeline.stop());
      return new WorkflowHarness(pipeline, functions, stops, posted, db.endpoint);
    } catch (error) {
      for (const stop of stops) await stop();
      throw error;
    }
  }

  /** Whether the template's rules deliver `event` to the Transcribe-events function (its job-name prefix is the stage's). */
  routesTranscribeEvent(event: unknown): boolean {
    return this.pipeline.bindings.eventRules.some(
      (rule) =>
        matchesEventPattern(rule.eventPattern, event) &&
        rule.targets.some((target) => target.kind === 'function' && target.function.entry === TRANSCRIBE_EVENTS_ENTRY),
    );
  }

  /** Runs later executions on a state machine from the same template with other timings. */
  useTiming(timing: LocalTiming): void {
    this.pipeline.useTiming(timing);
  }

  get stateMachine(): LocalStateMachine {
    return this.pipeline.stateMachine;
  }

  async stop(): Promise<void> {
    await this.pipeline.idle();
    this.s3Client.destroy();
    this.documents.destroy();
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
      expiresAt: expiresAfter(now, historyRetentionSeconds(tier)),
    };
    await this.jobs.create(job);
    this.createdJobIds.push(jobId);
    return job;
  }

  /** Puts a WebSocket connection on the job's subscriber list (what the subscribe route does). */
  async subscribe(jobId: string): Promise<string> {
    const connectionId = `conn-${jobId.slice(0, 8)}`;
    await new DynamoSubscriptionRepository({ client: this.documents, tableName: LOCAL.tableName }).subscribe(jobId, connectionId);
    return connectionId;
  }

  /**
   * Uploads a file as the job's object, which starts the pipeline as in AWS, and returns the "Object Created"
   * events the upload put on the bus.
   */
  async upload(job: Job, filePath: string): Promise<ObjectCreatedEvent[]> {
    await this.s3Client.send(new PutObjectCommand({ Bucket: LOCAL.uploadsBucket, Key: job.uploadKey, Body: await readFile(filePath) }));
    return this.events.filter(
      (event): event is ObjectCreatedEvent => event.source === 'aws.s3' && (event as ObjectCreatedEvent).detail.object.key === job.uploadKey,
    );
  }

  /**
   * Takes every Transcribe stream of the stage (the local engine's bound), as other notes in flight would,
   * through the same lease item the fast path uses. Release the lease to give them back.
   */
  async takeAllTranscribeStreams(): Promise<StreamLease> {
    const capacity = localChunkCapacity();
    const lease = await this.streamLeases().acquire('other-notes', capacity, capacity);
    if (lease === undefined) throw new Error('The Transcribe streams are already taken');
    return lease;
  }

  /** Streams held by the fast path's lease now (0 once every note has given its streams back). */
  async transcribeStreamsInFlight(): Promise<number> {
    const claims = await new DynamoStreamLeaseStore({ client: this.documents, tableName: LOCAL.tableName }).claims();
    return claims.reduce((sum, claim) => sum + claim.streams, 0);
  }

  private streamLeases(): StreamLeases {
    return new StreamLeases(new DynamoStreamLeaseStore({ client: this.documents, tableName: LOCAL.tableName }), { leaseSeconds: 600 });
  }

  /** Whether the work bucket holds `key` (e.g. a job's normalised WAV). */
  async workObjectExists(key: string): Promise<boolean> {
    try {
      await this.s3Client.send(new HeadObjectCommand({ Bucket: LOCAL.workBucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      throw error;
    }
  }

  /** Delivers events to the starter again, as one SQS batch with one message per event (what the queue redelivers). */
  async deliverToStarter(events: readonly ObjectCreatedEvent[], messageIds?: readonly string[]): Promise<unknown> {
    const starter = this.pipeline.bindings.functions.find((f) => f.entry === STARTER_ENTRY)!;
    return this.functions.invoke(
      { entry: starter.entry, name: starter.logicalId, timeoutMs: starter.timeoutMs },
      {
        Records: events.map((event, i) => ({
          messageId: messageIds?.[i] ?? randomUUID(),
          receiptHandle: randomUUID(),
          body: JSON.stringify(event),
          attributes: {},
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${LOCAL.region}:${LOCAL.account}:intake`,
          awsRegion: LOCAL.region,
        })),
      },
    );
  }

  /** Creates a job, uploads the file (which starts the pipeline) and waits until the execution and job have ended. */
  async runNote(filePath: string, options: NoteOptions = {}): Promise<NoteRun> {
    const job = await this.createJob(options);
    const connectionId = options.subscribe ? await this.subscribe(job.jobId) : undefined;
    const started = Date.now();
    await this.upload(job, filePath);
    const execution = await this.waitForExecution(job.jobId);
    return {
      job: await this.terminalJob(job.jobId),
      execution,
      path: this.path(execution.executionArn),
      progress: connectionId ? (this.posted.get(connectionId) ?? []) : [],
      elapsedMs: Date.now() - started,
    };
  }

  /** Ends when the job's execution has started and ended, and the events of its end are delivered (the watchdog). */
  async waitForExecution(jobId: string): Promise<ExecutionDescription> {
    const deadline = Date.now() + EXECUTION_START_TIMEOUT_MS;
    let execution: ExecutionDescription | undefined;
    while ((execution = this.executionsOf(jobId)[0]) === undefined) {
      if (Date.now() > deadline) throw new Error(`No execution was started for job ${jobId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ended = await this.stateMachine.waitForEnd(execution.executionArn);
    await this.pipeline.bus.drain();
    return ended;
  }

  /**
   * Every job this harness created that is not terminal, after all executions and event deliveries have
   * settled. Tests assert it is empty: the pipeline must never leave a job in flight.
   */
  async jobsLeftInFlight(): Promise<Array<Pick<Job, 'jobId' | 'status'>>> {
    await this.pipeline.idle();
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
    return this.stateMachine.list().filter((e) => e.name === jobId);
  }

  path(executionArn: string): string[] {
    return this.stateMachine
      .history(executionArn)
      .filter((e) => e.type === 'StateEntered')
      .map((e) => e.stateName!);
  }

  retries(executionArn: string): string[] {
    return this.stateMachine
      .history(executionArn)
      .filter((e) => e.type === 'StateRetried')
      .map((e) => e.stateName!);
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
