import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { METRICS } from '../../../lib/config/metric-names';
import { parseWith } from '../../http/validation';
import { PipelineFailureError, RetryableError } from '../../shared/errors';
import { logger, metrics, tracer } from '../../shared/powertools';

export type TaskFunction<I, O> = (input: I, context: Context) => Promise<O>;

/**
 * The one middleware chain of every pipeline Lambda (Step Functions tasks, the SQS starter, the EventBridge
 * handlers, the WebSocket authorizer): tracer → logger → metrics (flushed after the handler) → input parser
 * (zod) → error reporter (last).
 *
 * Errors are never swallowed: Step Functions matches Retry/Catch on the Lambda error type, which is the
 * error's `name` (= its stable code). The reporter only logs them at the right level and counts throttling.
 */
export function taskHandler<S extends z.ZodType, O>(schema: S, task: TaskFunction<z.output<S>, O>) {
  return middy<unknown, O>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .use({
      name: 'taskInput',
      before: (request) => {
        const input = parseWith(schema, request.event, 'task input');
        const jobId = (input as { jobId?: unknown }).jobId;
        if (typeof jobId === 'string') logger.appendKeys({ jobId });
        request.event = input;
      },
    })
    .use({
      name: 'taskErrors',
      onError: (request) => reportTaskError(request.error),
    })
    .handler((input, context) => task(input as z.output<S>, context));
}

/**
 * Publishes the invocation's EMF metrics, if it recorded any. Powertools' logMetrics warns on every
 * invocation without metrics, and most pipeline invocations (a transition, a poll) have none.
 */
function flushMetrics(): MiddlewareObj {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { name: 'metrics', after: flush, onError: flush };
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
