import * as z from 'zod';
import { isJobId } from '../jobs/job-id';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import { logger } from '../shared/powertools';
import { EXECUTION_STATUSES, jobErrorForEndedExecution } from './common/execution-status';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { taskHandler } from './common/task-handler';

/** EventBridge "Step Functions Execution Status Change" (the rule forwards only our machine's bad endings). */
export const ExecutionStatusChange = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    name: z.string(),
    status: z.enum(EXECUTION_STATUSES),
  }),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChange>;

export interface WatchdogDeps {
  readonly lifecycle: Pick<JobLifecycle, 'finish'>;
}

/**
 * Guarantees no job outlives its execution: when an execution (named after its job) ends TIMED_OUT, ABORTED or
 * FAILED, a job still in flight is failed (see jobErrorForEndedExecution). Normally MarkFailed got there first
 * and this is a no-op (JobLifecycle.finish's conditional write). The job sweeper covers a lost event.
 */
export function executionWatchdog(deps: WatchdogDeps) {
  return async (event: ExecutionStatusChange): Promise<{ readonly failed: boolean }> => {
    const { name: jobId, status, executionArn } = event.detail;
    if (!isJobId(jobId) || (status !== 'FAILED' && status !== 'TIMED_OUT' && status !== 'ABORTED')) {
      logger.info('Ignoring execution status change', { executionArn, status });
      return { failed: false };
    }
    const error = jobErrorForEndedExecution(status);
    const finished = await deps.lifecycle.finish(jobId, { error });
    if (finished.status !== 'finished') return { failed: false };
    logger.warn('Watchdog failed a job its execution left in flight', { jobId, executionArn, status, code: error.code });
    return { failed: true };
  };
}

export const handler = taskHandler(
  ExecutionStatusChange,
  executionWatchdog({ lifecycle: jobLifecycleFromEnv() }),
);
