import type { JobLifecycle } from '../jobs/job-lifecycle';
import { logger } from '../shared/powertools';
import { jobErrorFrom } from './common/failure';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { taskHandler } from './common/task-handler';
import { MarkFailedInput, type MarkFailedOutput } from './common/task-schemas';

export interface MarkFailedDeps {
  readonly lifecycle: Pick<JobLifecycle, 'finish'>;
}

/**
 * Catch target of every task: the job becomes `failed` with a stable code and a human message (see
 * jobErrorFrom) through JobLifecycle.finish. The raw error goes to the log for operators, never to the client.
 * Idempotent: a job that is already terminal is left alone and not counted twice.
 */
export function markFailed(deps: MarkFailedDeps) {
  return async (input: MarkFailedInput): Promise<MarkFailedOutput> => {
    const jobError = jobErrorFrom(input.error);
    logger.info('Marking job failed', { code: jobError.code, stepFunctionsError: input.error.Error, cause: input.error.Cause });
    const finished = await deps.lifecycle.finish(input.jobId, { error: jobError });
    return { ...jobError, recorded: finished.status === 'finished' };
  };
}

export const handler = taskHandler(
  MarkFailedInput,
  markFailed({ lifecycle: jobLifecycleFromEnv() }),
);
