import type { Job, JobError, JobResult, JobStatus, StageTimings } from '../../jobs/job';
import type { JobProgressPatch, JobRepository } from '../../jobs/job-repository';
import type { ProgressPublisher } from '../../progress/progress-publisher';
import { AppError } from '../../shared/errors';
import { logger } from '../../shared/powertools';
import { jobRepositoryFromEnv } from '../../jobs/dynamo-job-repository';
import { progressPublisherFromEnv } from '../../progress/progress-publisher';

/**
 * Thrown when a task finds its job gone (deleted by its owner) or already terminal (failed by the watchdog):
 * the execution must stop. Not a PIPELINE_FAILURE_CODE, so MarkFailed records nothing new (fail() is a no-op
 * on a terminal or missing job) and the execution ends FAILED for operators to see.
 */
export class JobNotActiveError extends AppError {
  constructor(jobId: string, expected: readonly JobStatus[]) {
    super('JOB_NOT_ACTIVE', 409, `Job ${jobId} is no longer in ${expected.join('/')}; stopping.`);
  }
}

/**
 * Every status change of a job goes through here: the conditional write, then a progress push to the job's
 * WebSocket subscribers. Pushing is best-effort: a client that misses it still sees the status over HTTP.
 */
export class JobLifecycle {
  constructor(
    private readonly jobs: JobRepository,
    private readonly progress: ProgressPublisher,
  ) {}

  get(jobId: string): Promise<Job | undefined> {
    return this.jobs.get(jobId);
  }

  /**
   * Moves the job from one of `from` to `to` (a retried task finds it already in `to`, so `to` is usually
   * among `from`), or throws JobNotActiveError.
   */
  async advance(jobId: string, from: readonly JobStatus[], to: JobStatus, patch?: JobProgressPatch): Promise<Job> {
    const job = await this.jobs.transition(jobId, from, to, patch);
    if (job === undefined) throw new JobNotActiveError(jobId, from);
    await this.publish(job);
    return job;
  }

  /** Adds stage data without a status change (the same conditional write, no push). */
  async patch(jobId: string, status: JobStatus, patch: JobProgressPatch): Promise<Job> {
    const job = await this.jobs.transition(jobId, [status], status, patch);
    if (job === undefined) throw new JobNotActiveError(jobId, [status]);
    return job;
  }

  /** Undefined when the job was already terminal or is gone (nothing to do, nothing to count). */
  async complete(jobId: string, result: JobResult, timings?: StageTimings): Promise<Job | undefined> {
    const job = await this.jobs.complete(jobId, result, timings);
    if (job !== undefined) await this.publish(job);
    return job;
  }

  /** Undefined when the job was already terminal or is gone. */
  async fail(jobId: string, error: JobError): Promise<Job | undefined> {
    const job = await this.jobs.fail(jobId, error);
    if (job !== undefined) await this.publish(job);
    return job;
  }

  private async publish(job: Job): Promise<void> {
    try {
      await this.progress.publish(job);
    } catch (error) {
      logger.warn('Progress push failed; clients will see the status over HTTP', { jobId: job.jobId, error: error as Error });
    }
  }
}

export function jobLifecycleFromEnv(): JobLifecycle {
  return new JobLifecycle(jobRepositoryFromEnv(), progressPublisherFromEnv());
}
