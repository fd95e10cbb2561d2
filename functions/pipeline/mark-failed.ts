import { logger } from '../shared/powertools';
import { statsRepositoryFromEnv } from '../stats/dynamo-stats-repository';
import type { StatsRepository } from '../stats/stats-repository';
import { jobErrorFrom } from './common/failure';
import { type JobLifecycle, jobLifecycleFromEnv } from './common/job-lifecycle';
import { recordFailedNote } from './common/pipeline-metrics';
import { taskHandler } from './common/task-handler';
import { MarkFailedInput, type MarkFailedOutput } from './common/task-schemas';

export interface MarkFailedDeps {
  readonly lifecycle: Pick<JobLifecycle, 'fail'>;
  readonly stats: Pick<StatsRepository, 'recordFailure'>;
}

/**
 * Catch target of every task: the job becomes `failed` with a stable code and a human message (see
 * jobErrorFrom). The raw error goes to the log for operators, never to the client. Idempotent: a job that is
 * already terminal is left alone and not counted twice.
 */
export function markFailed(deps: MarkFailedDeps) {
  return async (input: MarkFailedInput): Promise<MarkFailedOutput> => {
    const jobError = jobErrorFrom(input.error);
    logger.info('Marking job failed', { code: jobError.code, stepFunctionsError: input.error.Error, cause: input.error.Cause });
    const job = await deps.lifecycle.fail(input.jobId, jobError);
    if (job === undefined) {
      logger.info('Job already terminal or deleted; failure not recorded', { jobId: input.jobId });
      return { ...jobError, recorded: false };
    }
    await deps.stats.recordFailure(jobError.code);
    recordFailedNote(jobError.code);
    return { ...jobError, recorded: true };
  };
}

export const handler = taskHandler(
  MarkFailedInput,
  markFailed({ lifecycle: jobLifecycleFromEnv(), stats: statsRepositoryFromEnv() }),
);
