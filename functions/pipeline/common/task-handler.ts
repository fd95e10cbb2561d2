import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { METRICS } from '../../../lib/config/metric-names';
import { PipelineFailureError, RetryableError } from '../../shared/errors';
import { handlerChain, parsedEvent } from '../../shared/handler-chain';
import { logger, metrics } from '../../shared/powertools';

export type TaskFunction<I, O> = (input: I, context: Context) => Promise<O>;

/**
 * Every pipeline Lambda's handler (Step Functions tasks, the SQS starter, the EventBridge handlers): the shared
 * chain with the zod-validated input (its job id added to the logs) and an error reporter last.
 *
 * Errors are never swallowed: Step Functions matches Retry/Catch on the Lambda error type, which is the
 * error's `name` (= its stable code). The reporter only logs them at the right level and counts throttling.
 */
export function taskHandler<S extends z.ZodType, O>(schema: S, task: TaskFunction<z.output<S>, O>) {
  return handlerChain<unknown, z.output<S>, O>(
    {
      input: parsedEvent(schema, 'task input', (input) => {
        const jobId = (input as { jobId?: unknown }).jobId;
        return typeof jobId === 'string' ? { jobId } : {};
      }),
      errors: { name: 'taskErrors', onError: (request) => reportTaskError(request.error) },
    },
    task,
  );
}

function reportTaskError(error: unknown): void {
  if (error instanceof RetryableError) {
    logger.info('Transient failure, Step Functions will retry', { code: error.code, reason: error.message });
    if (error.code === 'ENGINE_THROTTLED') metrics.addMetric(METRICS.names.engineThrottled, MetricUnit.Count, 1);
  } else if (error instanceof PipelineFailureError) {
    // An expected outcome (bad input, no speech…): the job fails with this code; not an operational error.
    logger.warn('Pipeline failure', { code: error.code, reason: error.message, details: error.details });
  } else {
    logger.error('Task failed', { error: error instanceof Error ? error : String(error) });
  }
}
