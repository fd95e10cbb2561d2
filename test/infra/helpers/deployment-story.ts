import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect, vi } from 'vitest';
import { ENV } from '../../../lib/config/env-names';
import { PIPELINE, processingCeilingSeconds, TRANSCRIBE_STREAMING, transcriptionJobName, UPLOAD } from '../../../lib/config/limits';
import { keys } from '../../../lib/config/table-design';
import { TIERS } from '../../../lib/config/tiers';
import type { JobStatus } from '../../../functions/jobs/job';
import { utcDay } from '../../../functions/usage/utc-day';
import { restEvent, type RestEventOptions } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { webSocketEvent } from '../../events/websocket-event';
import { FAKE_ACCOUNT } from './cfn-resolver';
import { RecordedAws } from './recorded-aws';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A Lambda function of the synthesized stack, with the environment it is deployed with (resolved). */
export interface DeployedFunction {
  readonly logicalId: string;
  /** `vnt:entry`: the handler module. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface DeploymentStoryProps {
  /** Our functions, by entry. */
  readonly functions: ReadonlyMap<string, DeployedFunction>;
  readonly aws: RecordedAws;
  /** Unrecorded access to the same table, for seeding and for the scenario's own moves. */
  readonly table: { readonly client: DynamoDBDocumentClient; readonly name: string };
  /** The pipeline's state machine: it issues the task tokens and names the executions. */
  readonly stateMachineArn: string;
  /** The voice note every upload carries. */
  readonly uploadAudio: string;
}

/** What the Lambda runtime adds to a function's environment, plus Powertools kept quiet and untraced for the test. */
const RUNTIME_ENV = {
  AWS_REGION: FAKE_ACCOUNT.region,
  AWS_ACCESS_KEY_ID: 'ASIATESTKEY',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_SESSION_TOKEN: 'test-session',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
} as const;

const ALICE = 'key-alice';
/** A key whose daily quota is used up. */
const BOB = 'key-bob';

/**
 * Drives every function of the deployment through the product's paths, each as deployed: its own handler
 * module, loaded cold with exactly the environment the template gives it, every AWS call recorded by
 * RecordedAws. The paths cover each AWS call the code can make: the fast and batch paths, a cache hit, a
 * Transcribe failure, the polling fallback, an upload that vanished (S3's 403), an execution that could not
 * start, the watchdog, the job sweeper, duplicate and late pipeline events, closed WebSocket connections, a
 * used-up quota, and deleting a job with everything stored for it.
 */
export class DeploymentStory {
  private readonly modules = new Map<string, { handler: (event: unknown, context: unknown) => Promise<any> }>();
  private readonly tokens = new Map<string, string>();
  /** The functions the story ran (some make no AWS calls at all). */
  readonly invoked = new Set<string>();
  private connections = 0;

  constructor(private readonly props: DeploymentStoryProps) {}

  private get aws(): RecordedAws {
    return this.props.aws;
  }

  /** Runs `scenario` while other notes hold every Transcribe stream of the stage (a live claim in the lease item). */
  private async takeAllTranscribeStreams(scenario: () => Promise<void>): Promise<void> {
    const { client, name } = this.props.table;
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    await client.send(
      new PutCommand({ TableName: name, Item: { ...keys.streamLease(), inFlight: TRANSCRIBE_STREAMING.maxStreamsPerStage, claims: new Set([`${expiresAt}|${TRANSCRIBE_STREAMING.maxStreamsPerStage}|other-notes#1`]) } }),
    );
    try {
      await scenario();
    } finally {
      await client.send(new DeleteCommand({ TableName: name, Key: keys.streamLease() }));
    }
  }

  /** The state machine whose execution issued `token` (tokens here are issued by the story, as Step Functions would). */
  stateMachineOfToken(token: string): string {
    const issuer = this.tokens.get(token);
    if (issuer === undefined) throw new Error(`unknown task token ${token}`);
    return issuer;
  }

  async run(): Promise<void> {
    const env = (entry: string) => this.fn(entry).env;
    const uploadsBucket = env('functions/api/create-upload.ts').UPLOADS_BUCKET!;
    const stage = env('functions/pipeline/transcribe-events.ts').STAGE!;
    const audio = await readFile(this.props.uploadAudio);
    await this.seedKeys();

    // --- Public routes and the WebSocket authorizer: no AWS calls at all.
    expect((await this.http('health', { resource: '/health', apiKeyId: null })).statusCode).toBe(200);
    expect((await this.http('get-openapi', { resource: '/openapi.json', apiKeyId: null })).statusCode).toBe(200);
    expect((await this.http('get-languages', { resource: '/languages', apiKeyId: null })).statusCode).toBe(200);
    await this.invoke('functions/progress/authorize.ts', {
      methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc/dev/$connect',
      queryStringParameters: { apiKey: 'k'.repeat(40) },
    });

    // --- Uploads: jobs for every path, uploaded as a client would with the presigned POST.
    const upload = async (body: Record<string, unknown>): Promise<string> => {
      const response = await this.http('create-upload', { method: 'POST', resource: '/uploads', body, apiKeyId: ALICE });
      expect(response.statusCode).toBe(201);
      const { jobId, upload: post } = JSON.parse(response.body) as { jobId: string; upload: { fields: Record<string, string> } };
      this.aws.record({ entry: 'functions/api/create-upload.ts', service: 's3', command: 'PresignedPost', input: signedPostTarget(post.fields) });
      this.aws.objects.set(`${uploadsBucket}/${post.fields.key}`, audio);
      return jobId;
    };
    const note = { contentType: 'audio/mp4', targetLanguage: 'es' };
    const fast = await upload(note);
    const batch = await upload({ ...note, targetLanguage: 'fr' });
    const failedTranscription = await upload({ ...note, targetLanguage: 'de' });
    const notStarted = await upload(note);
    const vanished = await upload(note);
    const timedOut = await upload(note);
    const cacheHit = await upload(note);
    const raced = await upload(note);
    const refused = await this.http('create-upload', { method: 'POST', resource: '/uploads', body: note, apiKeyId: BOB });
    expect(refused.statusCode).toBe(429);

    // --- Progress: a live connection follows two jobs.
    const live = await this.connect();
    await this.subscribe(live, fast);
    await this.subscribe(live, batch);

    // --- Intake.
    for (const jobId of [fast, batch, failedTranscription, vanished, timedOut, cacheHit, raced]) {
      await this.followedByAClosedConnection(jobId);
      expect(await this.startPipeline(jobId)).toEqual({ batchItemFailures: [] });
    }
    this.aws.refusedExecutions.add(notStarted);
    await this.followedByAClosedConnection(notStarted);
    expect(await this.startPipeline(notStarted, PIPELINE.intakeMaxReceives)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });

    // --- Normalize: the upload a lifecycle rule removed meanwhile is gone (S3: 403 on HEAD).
    const normalize = (jobId: string, targetLanguage = 'es') =>
      this.task('normalize', {
        jobId,
        upload: { bucket: uploadsBucket, key: `uploads/${ALICE}/${jobId}` },
        targetLanguage,
        languageHint: null,
        executionStartTime: new Date().toISOString(),
      });
    await this.followedByAClosedConnection(fast);
    const fastAudio = await normalize(fast);
    expect(fastAudio).toMatchObject({ cached: false });
    const batchAudio = await normalize(batch, 'fr');
    await normalize(failedTranscription, 'de');
    this.aws.objects.delete(`${uploadsBucket}/uploads/${ALICE}/${vanished}`);
    const missing = await this.task('normalize', {
      jobId: vanished,
      upload: { bucket: uploadsBucket, key: `uploads/${ALICE}/${vanished}` },
      targetLanguage: 'es',
      languageHint: null,
      executionStartTime: new Date().toISOString(),
    }).catch((error: Error) => error);
    expect(missing).toMatchObject({ name: 'UPLOAD_MISSING' });

    // --- Fast path; and a note that finds the stage's Transcribe streams all taken, which goes to the batch path.
    await this.followedByAClosedConnection(fast);
    const fastPath = await this.task('fast-transcribe', { jobId: fast, normalizedKey: fastAudio.normalizedKey, languageHint: null });
    expect(fastPath).toMatchObject({ outcome: 'transcribed' });
    const fastTranscript = fastPath.transcript;
    await this.takeAllTranscribeStreams(async () =>
      expect(await this.task('fast-transcribe', { jobId: batch, normalizedKey: batchAudio.normalizedKey, languageHint: null })).toEqual({
        outcome: 'streams-busy',
        transcript: null,
      }),
    );

    // --- Batch path: the callback, a Transcribe failure, and the polling fallback.
    this.aws.transcribeOutcomes.set(transcriptionJobName(stage, failedTranscription), { status: 'FAILED' });
    for (const jobId of [batch, failedTranscription]) {
      await this.followedByAClosedConnection(jobId);
      await this.task('start-transcription', {
        jobId,
        normalizedKey: `normalized/${jobId}.wav`,
        languageHint: null,
        taskToken: this.issueTaskToken(),
      });
      const outcome = await this.invoke('functions/pipeline/transcribe-events.ts', {
        version: '0',
        source: 'aws.transcribe',
        'detail-type': 'Transcribe Job State Change',
        detail: { TranscriptionJobName: transcriptionJobName(stage, jobId), TranscriptionJobStatus: 'COMPLETED' },
      });
      expect(outcome).toBe(jobId === batch ? 'success' : 'failure');
    }
    const batchTranscript = await this.task('fetch-transcription', { jobId: batch });

    // --- Translate and complete (a duplicate Complete finds the job already completed).
    for (const [jobId, transcript, targetLanguage, audioFacts] of [
      [fast, fastTranscript, 'es', fastAudio],
      [batch, batchTranscript, 'fr', batchAudio],
    ] as const) {
      await this.followedByAClosedConnection(jobId);
      const translation = await this.task('translate', { jobId, transcript, targetLanguage });
      await this.followedByAClosedConnection(jobId);
      const completion = {
        jobId,
        audioHash: audioFacts.audioHash,
        targetLanguage,
        languageHint: null,
        transcript,
        translation,
        normalizeMs: audioFacts.normalizeMs,
        executionStartTime: new Date().toISOString(),
      };
      expect(await this.task('complete', completion)).toEqual({ status: 'completed' });
      expect(await this.task('complete', completion)).toEqual({ status: 'skipped' });
    }

    // --- Audio-result cache hits: one completes the job, one finds it failed meanwhile (the watchdog got there first).
    await this.followedByAClosedConnection(cacheHit);
    expect(await normalize(cacheHit)).toMatchObject({ cached: true });
    this.aws.afterTableCall = async (command, input) => {
      const patchesRaced = command === 'UpdateCommand' && input.Key?.pk === keys.job(raced).pk && Object.values(input.ExpressionAttributeNames ?? {}).includes('audioHash');
      if (patchesRaced) await this.failDirectly(raced);
    };
    expect(await normalize(raced)).toMatchObject({ cached: true });
    this.aws.afterTableCall = async () => undefined;

    // --- Failures: MarkFailed (and its duplicate), the watchdog for a timed-out execution and for a failed one.
    await this.followedByAClosedConnection(vanished);
    const markFailed = { jobId: vanished, error: { Error: 'UPLOAD_MISSING', Cause: JSON.stringify({ errorMessage: 'The upload no longer exists.' }) } };
    expect(await this.task('mark-failed', markFailed)).toMatchObject({ recorded: true });
    expect(await this.task('mark-failed', markFailed)).toMatchObject({ recorded: false });
    await this.followedByAClosedConnection(timedOut);
    expect(await this.watchdog(timedOut, 'TIMED_OUT')).toEqual({ failed: true });
    expect(await this.watchdog(vanished, 'FAILED')).toEqual({ failed: false });

    // --- The job sweeper: a job stranded without an execution is started again, an upload that never came is
    // failed UPLOAD_EXPIRED (refunded), a job still running past its ceiling is failed and its execution stopped.
    const now = Date.now();
    const stranded = await this.seedJob('transcribing', new Date(now - 10 * 60_000));
    const abandoned = await this.seedJob('awaiting_upload', new Date(now - (UPLOAD.awaitingUploadExpirySeconds + 60) * 1000));
    const overdue = await this.seedJob('normalizing', new Date(now - (processingCeilingSeconds('premium') + 60) * 1000));
    this.aws.runningExecutions.add(`${this.props.stateMachineArn.replace(':stateMachine:', ':execution:')}:${overdue}`);
    for (const jobId of [stranded, abandoned, overdue]) await this.followedByAClosedConnection(jobId);
    const sweep = await this.invoke('functions/pipeline/sweep-jobs.ts', { version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(sweep).toMatchObject({ restarted: 1, failed: { UPLOAD_EXPIRED: 1, PIPELINE_TIMEOUT: 1 }, complete: true });

    // --- Reading: job, history, usage, stats.
    expect((await this.http('get-job', { resource: '/jobs/{jobId}', pathParameters: { jobId: fast }, apiKeyId: ALICE })).statusCode).toBe(200);
    const history = await this.http('list-jobs', { resource: '/jobs', query: { limit: '3' }, apiKeyId: ALICE });
    expect(history.statusCode).toBe(200);
    const { nextCursor } = JSON.parse(history.body) as { nextCursor?: string };
    expect(nextCursor).toEqual(expect.any(String));
    expect((await this.http('list-jobs', { resource: '/jobs', query: { cursor: nextCursor! }, apiKeyId: ALICE })).statusCode).toBe(200);
    expect((await this.http('get-usage', { resource: '/usage', apiKeyId: ALICE })).statusCode).toBe(200);
    expect((await this.http('get-stats', { resource: '/stats', apiKeyId: ALICE })).statusCode).toBe(200);

    // --- Deleting the batch job: its upload, working files, callback, subscriptions and cached results go too.
    const deleted = await this.http('delete-job', { method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId: batch }, apiKeyId: ALICE });
    expect(deleted.statusCode).toBe(204);

    // --- The live connection closes.
    expect(await this.invoke('functions/progress/disconnect.ts', webSocketEvent('$disconnect', live))).toEqual({ statusCode: 200 });
  }

  /** Runs one function's handler, as deployed, with its calls recorded as its own. */
  async invoke(entry: string, event: unknown): Promise<any> {
    const fn = this.fn(entry);
    this.invoked.add(entry);
    return this.aws.as(entry, () =>
      withEnv({ ...fn.env, ...RUNTIME_ENV }, async () => {
        let module = this.modules.get(entry);
        if (module === undefined) {
          // A cold start: this function's own module graph, evaluated with its own environment.
          vi.resetModules();
          module = (await import(path.join(ROOT, entry))) as { handler: (event: unknown, context: unknown) => Promise<any> };
          this.modules.set(entry, module);
        }
        return module.handler(event, lambdaContext({ functionName: fn.logicalId }));
      }),
    );
  }

  private fn(entry: string): DeployedFunction {
    const fn = this.props.functions.get(entry);
    if (fn === undefined) throw new Error(`no deployed function for ${entry}`);
    return fn;
  }

  private http(handler: string, options: RestEventOptions): Promise<{ statusCode: number; body: string }> {
    return this.invoke(`functions/api/${handler}.ts`, restEvent(options));
  }

  private task(name: string, input: unknown): Promise<any> {
    return this.invoke(`functions/pipeline/${name}.ts`, input);
  }

  private startPipeline(jobId: string, receiveCount = 1): Promise<unknown> {
    const bucket = this.fn('functions/api/create-upload.ts').env.UPLOADS_BUCKET!;
    const objectCreated = { version: '0', source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key: `uploads/${ALICE}/${jobId}` } } };
    return this.task('start-pipeline', {
      Records: [
        {
          messageId: 'm0',
          receiptHandle: 'r0',
          body: JSON.stringify(objectCreated),
          attributes: { ApproximateReceiveCount: String(receiveCount) },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${FAKE_ACCOUNT.region}:${FAKE_ACCOUNT.account}:intake`,
          awsRegion: FAKE_ACCOUNT.region,
        },
      ],
    });
  }

  private watchdog(jobId: string, status: 'TIMED_OUT' | 'FAILED'): Promise<unknown> {
    return this.invoke('functions/pipeline/execution-watchdog.ts', {
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { executionArn: `${this.props.stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`, name: jobId, status },
    });
  }

  private async connect(connectionId = `conn-${++this.connections}`): Promise<string> {
    expect(await this.invoke('functions/progress/connect.ts', webSocketEvent('$connect', connectionId, { apiKeyId: ALICE }))).toEqual({ statusCode: 200 });
    return connectionId;
  }

  private async subscribe(connectionId: string, jobId: string): Promise<void> {
    const result = await this.invoke('functions/progress/subscribe.ts', webSocketEvent('subscribe', connectionId, { body: { action: 'subscribe', jobId } }));
    expect(result.statusCode).toBe(200);
  }

  /** A subscriber whose connection has closed: the next progress push gets 410 Gone and drops its subscription. */
  private async followedByAClosedConnection(jobId: string): Promise<void> {
    const connectionId = await this.connect(`gone-${++this.connections}`);
    await this.subscribe(connectionId, jobId);
    this.aws.goneConnections.add(connectionId);
  }

  private issueTaskToken(): string {
    const token = `token-${this.tokens.size + 1}-${'t'.repeat(40)}`;
    this.tokens.set(token, this.props.stateMachineArn);
    return token;
  }

  private async seedKeys(): Promise<void> {
    const createdAt = '2026-01-01T00:00:00.000Z';
    for (const [apiKeyId, tier] of [[ALICE, 'premium'], [BOB, 'free']] as const) {
      await this.put({ ...keys.apiKey(apiKeyId), ...keys.apiKeyListing(createdAt, apiKeyId), apiKeyId, name: apiKeyId, tier, createdAt });
    }
    // Today's and tomorrow's meters, so a run across midnight (UTC) still finds the quota used up.
    for (const day of [new Date(), new Date(Date.now() + 86_400_000)]) {
      await this.put({ ...keys.usage(BOB, utcDay(day)), count: TIERS.free.dailyQuota });
    }
  }

  /** A job of Alice's in `status`, created at `createdAt`, stored as the job repository stores it, and metered. */
  private async seedJob(status: JobStatus, createdAt: Date): Promise<string> {
    const jobId = randomUUID();
    const created = createdAt.toISOString();
    await this.put({
      ...keys.job(jobId),
      ...keys.jobHistory(ALICE, created, jobId),
      ...keys.jobInFlight(status, created, jobId),
      jobId,
      ownerId: ALICE,
      tier: 'premium',
      status,
      createdAt: created,
      updatedAt: created,
      contentType: 'audio/mp4',
      uploadKey: `uploads/${ALICE}/${jobId}`,
      targetLanguage: 'es',
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    });
    // Metered as POST /uploads meters it: one unit on its creation day.
    await RecordedAws.sendUnrecorded(
      this.props.table.client,
      new UpdateCommand({
        TableName: this.props.table.name,
        Key: keys.usage(ALICE, utcDay(createdAt)),
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    return jobId;
  }

  /** The job fails behind the function's back, as a concurrent watchdog would make it. */
  private async failDirectly(jobId: string): Promise<void> {
    await RecordedAws.sendUnrecorded(
      this.props.table.client,
      new UpdateCommand({
        TableName: this.props.table.name,
        Key: keys.job(jobId),
        UpdateExpression: 'SET #status = :failed, #error = :error',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':failed': 'failed', ':error': { code: 'PIPELINE_TIMEOUT', message: 'Timed out.' } },
      }),
    );
  }

  private put(item: Record<string, unknown>): Promise<unknown> {
    return RecordedAws.sendUnrecorded(this.props.table.client, new PutCommand({ TableName: this.props.table.name, Item: item }));
  }
}

/** The bucket and key a presigned POST's signed policy allows (what S3 authorises the PutObject against). */
function signedPostTarget(fields: Record<string, string>): { Bucket: string; Key: string } {
  const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] };
  const exact = (name: string) =>
    policy.conditions.map((c) => (c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, string>)[name] : undefined)).find(Boolean);
  const bucket = exact('bucket');
  const key = exact('key');
  if (bucket === undefined || key === undefined) throw new Error('the POST policy pins no bucket and key');
  return { Bucket: bucket, Key: key };
}

/**
 * Runs `work` with `env` as the function's environment, then puts the process environment back. The app's
 * own variables and SDK endpoint overrides the function is not deployed with are removed meanwhile, so a
 * variable missing from the template fails here as it would in Lambda.
 */
async function withEnv<T>(env: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const foreign = [...Object.values(ENV), ...Object.keys(process.env).filter((name) => name.startsWith('AWS_ENDPOINT_URL'))].filter(
    (name) => !(name in env),
  );
  const saved = new Map([...Object.keys(env), ...foreign].map((name) => [name, process.env[name]]));
  for (const name of foreign) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
