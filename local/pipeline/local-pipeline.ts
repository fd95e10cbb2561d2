import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL } from '../config';
import { emulatorClientConfig } from '../emulators/aws-clients';
import { type S3NotificationRecord, matchesKeyFilter, objectCreatedEvent, startS3 } from '../emulators/s3';
import { startSqs } from '../emulators/sqs';
import { startSqsEventSource, type SqsEventSource } from '../emulators/sqs-event-source';
import { LocalEventBus } from '../events/event-bus';
import type { FunctionHost } from '../lambda/function-host';
import type { LocalLog } from '../log';
import type { StateLayout } from '../state-dir';
import { startSfnEndpoint } from '../stepfunctions/sfn-endpoint';
import { sfnOperations } from '../stepfunctions/sfn-operations';
import { synthesizeApp } from '../template/synthesize';
import { bindTemplates, bucketCorsRules, type TemplateBindings } from '../template/template-bindings';
import { executionStatusChangeEvent, LocalStateMachine } from '../workflow';
import { installLocalEngines } from '../engines/local-engines';

export interface PipelineEndpoints {
  readonly s3Endpoint: string;
  readonly sqsEndpoint: string;
  readonly sfnEndpoint: string;
  readonly stateMachineArn: string;
}

export interface LocalPipelineOptions {
  readonly layout: StateLayout;
  readonly functions: FunctionHost;
  readonly log: LocalLog;
  /** Sets the handlers' environment; called once every endpoint is known, before any handler is loaded. */
  configureEnvironment(endpoints: PipelineEndpoints): void;
}

export interface LocalPipeline {
  /** What the synthesised templates declare (routes, gateway responses, WebSocket API, timeouts). */
  readonly bindings: TemplateBindings;
  readonly stateMachine: LocalStateMachine;
  stop(): Promise<void>;
}

/** How long shutdown lets running executions finish before stopping them (they end ABORTED). */
const DRAIN_MS = 5_000;

/**
 * Everything behind an upload, wired as the synthesised CDK app declares it: S3 (s3rver) → EventBridge
 * rules or bucket notifications → SQS (fauxqs, with the template's visibility timeouts and redrive
 * policies) → the starter function's event source mapping → the state machine from the template, run
 * locally and served on an SFN endpoint → engine events and execution-end events back through the rules
 * to the transcribe-events and watchdog functions.
 */
export async function startPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { layout, functions, log } = options;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => log.error(error, 'stop'));
  };
  try {
    const { templates, logicalIds } = await synthesizeApp();
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
      onObjectCreated,
    });
    stops.push(s3.stop);

    const stateMachine = LocalStateMachine.fromTemplate(machineTemplate, {
      region: LOCAL.region,
      account: LOCAL.account,
      invoker: functions.invoker,
      onExecutionEnd: (execution) => {
        bus.put(executionStatusChangeEvent(execution, LOCAL.region, LOCAL.account));
      },
    });
    Object.assign(operations, sfnOperations(stateMachine));

    // The engines' S3 client reads what the handlers wrote; their batch jobs end on the bus like Transcribe's.
    const engineS3 = new S3Client({ ...emulatorClientConfig(s3.endpoint), forcePathStyle: true });
    stops.push(async () => engineS3.destroy());
    installLocalEngines({
      s3: engineS3,
      onTranscribeJobStateChange: (event) => {
        if (bus.put(event) === 0) log.info(`No rule takes ${event['detail-type']} events`);
      },
    });
    options.configureEnvironment({
      s3Endpoint: s3.endpoint,
      sqsEndpoint: sqs.endpoint,
      sfnEndpoint: sfn.endpoint,
      stateMachineArn: stateMachine.arn,
    });
    await functions.preload([...new Set(bindings.functions.map((f) => f.entry))]);

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

    log.info(
      `Pipeline: ${bindings.functions.length} functions, state machine ${stateMachine.logicalId}, ` +
        `${bindings.queues.length} queues, ${bindings.eventRules.length} event rules`,
    );
    // In dependency order: no new work, running notes finish (or end ABORTED, which the watchdog turns into
    // failed jobs), their last events are delivered, then the emulators go.
    const stop = async () => {
      await Promise.all(sources.map((source) => source.stop()));
      const idle = stateMachine.idle();
      if (!(await Promise.race([idle.then(() => true), sleep(DRAIN_MS).then(() => false)]))) {
        for (const execution of stateMachine.list()) {
          if (execution.status === 'RUNNING') stateMachine.stop(execution.executionArn);
        }
        await idle;
      }
      await bus.drain();
      await stopAll();
    };
    let stopped: Promise<void> | undefined;
    return { bindings, stateMachine, stop: () => (stopped ??= stop()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

