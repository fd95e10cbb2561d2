import { S3Client } from '@aws-sdk/client-s3';
import { terminateRunningProcesses } from '../../functions/audio/run-process';
import { LOCAL } from '../config';
import { emulatorClientConfig } from '../emulators/aws-clients';
import { type S3NotificationRecord, matchesKeyFilter, objectCreatedEvent, startS3 } from '../emulators/s3';
import { startSqs } from '../emulators/sqs';
import { startSqsEventSource, type SqsEventSource } from '../emulators/sqs-event-source';
import { installLocalEngines } from '../engines/local-engines';
import { LocalEventBus } from '../events/event-bus';
import { LocalSchedules } from '../events/schedules';
import type { FunctionHost } from '../lambda/function-host';
import type { LocalCredentials } from '../local-credentials';
import { handlerEnvironments, localRuntimeEnvironment, processWideEnvironment } from '../lambda/handler-environment';
import type { LocalLog } from '../log';
import type { StateLayout } from '../state-dir';
import { startSfnEndpoint } from '../stepfunctions/sfn-endpoint';
import { sfnOperations } from '../stepfunctions/sfn-operations';
import { type SynthesizedApp, synthesizeApp } from '../template/synthesize';
import { bindTemplates, bucketCorsRules, type TemplateBindings } from '../template/template-bindings';
import { resolveFunctionEnvironments } from '../template/template-environment';
import { executionStatusChangeEvent, LocalStateMachine, type LocalTiming } from '../workflow';
import { localResources } from './local-resources';

export interface LocalPipelineOptions {
  readonly layout: StateLayout;
  readonly functions: FunctionHost;
  readonly log: LocalLog;
  /** The principal the local S3 lets in (what the handlers sign with). */
  readonly credentials: LocalCredentials;
  /** The DynamoDB emulator holding LOCAL.tableName. */
  readonly dynamoDbEndpoint: string;
  /** The WebSocket API's management endpoint, where handlers post job progress. */
  readonly progressEndpoint: string;
  /** The history-cursor secret's value (Secrets Manager is not emulated). */
  readonly cursorSecret: string;
  /** Handler log level (Powertools). @default WARN */
  readonly logLevel?: string;
  /** @default - synthesizeApp(): the CDK app, synthesised now */
  readonly app?: SynthesizedApp;
  /** Shorter waits, retry intervals and timeouts (tests). @default - the definition's own */
  readonly timing?: LocalTiming;
  /**
   * How long `stop` lets running notes finish. What is still running then is left as it is (its job keeps its
   * status) and the job sweeper's run at the next start processes it again. @default DEFAULT_STOP_GRACE_MS
   */
  readonly stopGraceMs?: number;
  /** Debugging: executions wait before these Task states until stopped (see LocalStateMachineOptions). */
  readonly holdBeforeStates?: readonly string[];
}

export interface LocalPipeline {
  /** What the synthesised templates declare (routes, gateway responses, WebSocket API, timeouts). */
  readonly bindings: TemplateBindings;
  /** The state machine executions run on (a new one after `useTiming`). */
  readonly stateMachine: LocalStateMachine;
  /** The default event bus: S3, Transcribe and execution-end events reach the template's rules through it. */
  readonly bus: LocalEventBus;
  /** The emulators' endpoints (what the handlers get as AWS_ENDPOINT_URL_<SERVICE>). */
  readonly endpoints: { readonly s3: string; readonly sqs: string; readonly sfn: string };
  /** Runs later executions with other timings (tests); call it while no execution runs. */
  useTiming(timing: LocalTiming): void;
  /** Resolves when no execution runs and every event has been delivered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** How long a stop lets running notes finish by default: a 30 s note takes about 5 s on two cores. */
export const DEFAULT_STOP_GRACE_MS = 30_000;
/** After the grace period, how long handlers still running get to end (their engines are gone). */
const SETTLE_MS = 5_000;

/**
 * Everything behind an upload, wired as the synthesised CDK app declares it: S3 (s3rver) → EventBridge
 * rules or bucket notifications → SQS (fauxqs, with the template's visibility timeouts and redrive
 * policies) → the starter function's event source mapping → the state machine from the template, run
 * locally and served on an SFN endpoint → engine events and execution-end events back through the rules
 * to the transcribe-events and watchdog functions.
 *
 * Every function gets its own template environment, resolved to the local resources; the start fails when a
 * template cannot be honoured (see handlerEnvironments) or a handler needs a variable its template lacks.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { layout, functions, log } = options;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => log.error(error, 'stop'));
  };
  try {
    const app = options.app ?? (await synthesizeApp());
    const { templates, logicalIds } = app;
    const bindings = bindTemplates(templates);
    const machineTemplate = templates.find((t) =>
      Object.values(t.Resources).some((r) => r.Type === 'AWS::StepFunctions::StateMachine'),
    );
    if (machineTemplate === undefined) throw new Error('The synthesised app has no state machine');

    const sqs = await startSqs(
      layout.sqs,
      bindings.queues.map((queue) => ({
        name: queue.logicalId,
        visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
        ...(queue.redrive && {
          redrive: { deadLetterQueue: queue.redrive.deadLetterQueueLogicalId, maxReceiveCount: queue.redrive.maxReceiveCount },
        }),
      })),
    );
    stops.push(sqs.stop);

    // Filled once the state machine exists; StartExecution cannot arrive earlier (no handler is loaded yet).
    const operations: Parameters<typeof startSfnEndpoint>[0] = {};
    const sfn = await startSfnEndpoint(operations);
    stops.push(sfn.stop);

    const bus = new LocalEventBus({
      functions,
      rules: bindings.eventRules,
      sendToQueue: async (queue, body) => sqs.send(queue, body),
      onError: log.error,
    });

    // The template's buckets by their local names.
    const localBuckets: Record<string, string> = {
      [LOCAL.uploadsBucket]: logicalIds.uploadsBucket,
      [LOCAL.workBucket]: logicalIds.workBucket,
    };
    const onObjectCreated = (record: S3NotificationRecord) => {
      const logicalId = localBuckets[record.s3.bucket.name];
      const notifications = bindings.bucketNotifications.find((n) => n.bucketLogicalId === logicalId);
      if (notifications === undefined) return;
      if (notifications.eventBridge) bus.put(objectCreatedEvent(record));
      for (const queue of notifications.queues) {
        const wanted = queue.events.some((e) => e === 's3:ObjectCreated:*' || e === `s3:${record.eventName}`);
        if (wanted && matchesKeyFilter(record, queue)) sqs.send(queue.queueLogicalId, JSON.stringify({ Records: [record] }));
      }
    };
    const s3 = await startS3({
      directory: layout.s3,
      buckets: Object.keys(localBuckets),
      cors: Object.fromEntries(
        Object.entries(localBuckets).map(([name, logicalId]) => [name, bucketCorsRules(templates, logicalId)]),
      ),
      credentials: options.credentials,
      onObjectCreated,
      onError: log.error,
    });
    stops.push(s3.stop);

    // Set when a stop's grace period is over: the executions still running are stopped as the process goes
    // away, which is not an end of theirs (in AWS they would run on): no watchdog event, the job keeps its status.
    let suspending = false;
    const stateMachineFor = (timing: LocalTiming | undefined) => {
      const machine = LocalStateMachine.fromTemplate(machineTemplate, {
        region: LOCAL.region,
        account: LOCAL.account,
        invoker: functions.invoker,
        ...(timing && { timing }),
        ...(options.holdBeforeStates && { holdBeforeStates: options.holdBeforeStates }),
        onExecutionEnd: (execution) => {
          if (!suspending) bus.put(executionStatusChangeEvent(execution, LOCAL.region, LOCAL.account));
        },
      });
      Object.assign(operations, sfnOperations(machine));
      return machine;
    };
    let stateMachine = stateMachineFor(options.timing);

    // The engines' own S3 client reads what the handlers wrote; their batch jobs end on the bus like Transcribe's.
    const engineS3 = new S3Client({ ...emulatorClientConfig(s3.endpoint), credentials: options.credentials, forcePathStyle: true });
    stops.push(async () => engineS3.destroy());
    installLocalEngines({
      s3: engineS3,
      onTranscribeJobStateChange: (event) => {
        if (bus.put(event) === 0) log.info(`No rule takes ${event['detail-type']} events`);
      },
    });

    const resources = localResources(templates, logicalIds, {
      stateMachineArn: stateMachine.arn,
      progressEndpoint: options.progressEndpoint,
      queueUrls: sqs.queueUrls,
      cursorSecret: options.cursorSecret,
    });
    functions.useEnvironments(
      handlerEnvironments(resolveFunctionEnvironments(templates, bindings.functions, resources), {
        runtime: localRuntimeEnvironment({
          s3Endpoint: s3.endpoint,
          sqsEndpoint: sqs.endpoint,
          dynamoDbEndpoint: options.dynamoDbEndpoint,
          sfnEndpoint: sfn.endpoint,
          credentials: options.credentials,
        }),
        processWide: processWideEnvironment(options.logLevel),
      }),
    );
    // Before any event source runs: while a module loads, the process environment is its function's alone.
    await functions.preload(bindings.functions.map((f) => f.entry));

    const sources: SqsEventSource[] = bindings.queueConsumers.map((consumer) =>
      startSqsEventSource({
        endpoint: sqs.endpoint,
        queueName: consumer.queueLogicalId,
        queueUrl: sqs.queueUrls[consumer.queueLogicalId]!,
        batchSize: consumer.batchSize,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        invoke: (event) =>
          functions.invoke(
            { entry: consumer.function.entry, name: consumer.function.logicalId, timeoutMs: consumer.function.timeoutMs },
            event,
          ),
        onError: (error) => log.error(error, `SQS ${consumer.queueLogicalId} → ${consumer.function.entry}`),
      }),
    );

    // Last, with everything above running: the job sweeper's first run restarts what the previous run of
    // the stack left in flight.
    const schedules = new LocalSchedules({
      rules: bindings.scheduledRules,
      bus,
      region: LOCAL.region,
      account: LOCAL.account,
      onError: log.error,
    });
    schedules.start();

    log.info(
      `Pipeline: ${bindings.functions.length} functions, state machine ${stateMachine.logicalId}, ` +
        `${bindings.queues.length} queues, ${bindings.eventRules.length} event rules, ${bindings.scheduledRules.length} schedules`,
    );
    const idle = async () => {
      do {
        await stateMachine.idle();
        await bus.drain();
      } while (stateMachine.list().some((execution) => execution.status === 'RUNNING'));
    };
    // In dependency order: no new work, running notes finish within the grace period (what does not is left
    // for the next start), their last events are delivered, then the emulators go.
    const graceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const stop = async () => {
      await schedules.stop();
      await Promise.all(sources.map((source) => source.stop()));
      if (!(await Promise.race([idle().then(() => true), sleep(graceMs).then(() => false)]))) {
        suspending = true;
        const running = stateMachine.list().filter((execution) => execution.status === 'RUNNING');
        for (const execution of running) stateMachine.stop(execution.executionArn);
        const tools = terminateRunningProcesses();
        log.info(
          `${running.length} note(s) still running after ${graceMs / 1000} s (${tools} engine process(es) stopped): ` +
            'the next start processes them again',
        );
      }
      // Handlers still running (those whose task timed out, as in Lambda, or whose engines were just stopped)
      // get a moment to end before their table goes.
      await functions.settled(SETTLE_MS);
      await bus.drain();
      await stopAll();
    };
    let stopped: Promise<void> | undefined;
    return {
      bindings,
      get stateMachine() {
        return stateMachine;
      },
      bus,
      endpoints: { s3: s3.endpoint, sqs: sqs.endpoint, sfn: sfn.endpoint },
      useTiming: (timing) => {
        stateMachine = stateMachineFor(timing);
      },
      idle,
      stop: () => (stopped ??= stop()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
