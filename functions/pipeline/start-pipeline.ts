import type { SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import { ENV } from '../../lib/config/env-names';
import { PIPELINE } from '../../lib/config/limits';
import { canTransition, parseUploadKey } from '../jobs/job';
import { type JobLifecycle, JobNotActiveError } from '../jobs/job-lifecycle';
import { requireEnv } from '../shared/env';
import { logger } from '../shared/powertools';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { type ExecutionStartOutcome, type StepFunctionsGateway, stepFunctionsFromEnv } from './common/step-functions';
import { executionInputOf } from './common/task-schemas';
import { taskHandler } from './common/task-handler';

export const SqsEvent = z.object({
  Records: z.array(
    z.object({
      messageId: z.string(),
      body: z.string(),
      attributes: z.object({ ApproximateReceiveCount: z.coerce.number().int().optional() }).partial().optional(),
    }),
  ),
});

/**
 * A queue message: the EventBridge "Object Created" event (AWS: the uploads bucket sends its events to
 * EventBridge and a rule forwards them here), a classic S3 notification (ObjectCreated records), or the
 * one-off test event S3 sends when a notification configuration is saved.
 */
const UploadMessage = z.union([
  z.object({ Event: z.literal('s3:TestEvent') }),
  z.object({
    source: z.literal('aws.s3'),
    'detail-type': z.literal('Object Created'),
    detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
  }),
  z.object({
    Records: z.array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string() }),
        }),
      }),
    ),
  }),
]);

export type IntakeOutcome = 'started' | 'duplicate' | 'ignored';

export interface StartPipelineDeps {
  readonly lifecycle: Pick<JobLifecycle, 'get' | 'enter' | 'finish'>;
  readonly stepFunctions: Pick<StepFunctionsGateway, 'startExecution'>;
  readonly stateMachineArn: string;
  /** @default PIPELINE.intakeMaxReceives */
  readonly maxReceives?: number;
}

export const NOT_STARTED_MESSAGE = 'The note was uploaded but its processing could not be started. Please upload it again.';

/**
 * SQS batch of upload notifications → one execution per job, named after the job id. S3 delivers
 * at least once and SQS may redeliver, so every step is idempotent: the job moves awaiting_upload → queued
 * (or is already queued), the execution input is derived from the job record alone (same job, same input),
 * and ExecutionAlreadyExists means the job already has its execution. Objects that are not an upload of a
 * job awaiting it are logged and dropped; messages that fail are reported as partial batch failures, so only
 * they are retried (and reach the DLQ after maxReceiveCount).
 */
export function startPipeline(deps: StartPipelineDeps) {
  const maxReceives = deps.maxReceives ?? PIPELINE.intakeMaxReceives;

  const startUpload = async (bucket: string, key: string, lastAttempt: boolean): Promise<IntakeOutcome> => {
    const parsed = parseUploadKey(key);
    if (parsed === undefined) {
      logger.warn('Ignoring an object that is not a job upload', { bucket, key });
      return 'ignored';
    }
    const job = await deps.lifecycle.get(parsed.jobId);
    // The job's own upload key names its owner: a key under another owner is not this job's upload.
    if (job === undefined || job.uploadKey !== key) {
      logger.warn('Ignoring an upload without a matching job', { bucket, key, jobId: parsed.jobId });
      return 'ignored';
    }
    if (!canTransition(job.status, 'queued')) {
      logger.info('Duplicate upload notification: the job is already past queued', { jobId: job.jobId, status: job.status });
      return 'duplicate';
    }
    try {
      await deps.lifecycle.enter(job.jobId, 'queued');
    } catch (error) {
      if (!(error instanceof JobNotActiveError)) throw error;
      logger.info('Duplicate upload notification: the job moved on meanwhile', { jobId: job.jobId });
      return 'duplicate';
    }
    const input = executionInputOf(job, bucket);
    let outcome: ExecutionStartOutcome;
    try {
      outcome = await deps.stepFunctions.startExecution(deps.stateMachineArn, job.jobId, input);
    } catch (error) {
      if (lastAttempt) {
        // No execution, so neither the state machine nor the watchdog will ever end this job: end it here,
        // like any other failure (stats, metrics, quota refund). The message still goes to the DLQ
        // (rethrown below) for operators.
        logger.error('Giving up starting the pipeline; failing the job', { jobId: job.jobId, error: error as Error });
        await deps.lifecycle.finish(job.jobId, { error: { code: 'INTERNAL_ERROR', message: NOT_STARTED_MESSAGE } });
      }
      throw error;
    }
    if (outcome.status === 'duplicate') {
      logger.info('Execution already exists for the job', { jobId: job.jobId });
      return 'duplicate';
    }
    logger.info('Pipeline started', { jobId: job.jobId, executionArn: outcome.executionArn });
    return 'started';
  };

  const processMessage = async (body: string, lastAttempt: boolean): Promise<void> => {
    const message = UploadMessage.parse(JSON.parse(body));
    if ('Event' in message) {
      logger.info('S3 test event received: the bucket notification is wired');
    } else if ('detail' in message) {
      await startUpload(message.detail.bucket.name, message.detail.object.key, lastAttempt);
    } else {
      for (const record of message.Records) {
        if (!record.eventName.startsWith('ObjectCreated:')) continue;
        // Keys in S3 notification records are URL-encoded with '+' for spaces.
        await startUpload(record.s3.bucket.name, decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), lastAttempt);
      }
    }
  };

  return async (event: z.infer<typeof SqsEvent>): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.allSettled(
      event.Records.map((record) =>
        processMessage(record.body, (record.attributes?.ApproximateReceiveCount ?? 1) >= maxReceives),
      ),
    );
    const batchItemFailures = outcomes.flatMap((outcome, i) => {
      if (outcome.status === 'fulfilled') return [];
      const messageId = event.Records[i]!.messageId;
      logger.error('Could not start the pipeline for a message; it will be retried', { messageId, error: outcome.reason as Error });
      return [{ itemIdentifier: messageId }];
    });
    return { batchItemFailures };
  };
}

export const handler = taskHandler(
  SqsEvent,
  startPipeline({
    lifecycle: jobLifecycleFromEnv(),
    stepFunctions: stepFunctionsFromEnv(),
    stateMachineArn: requireEnv(ENV.stateMachineArn),
  }),
);
