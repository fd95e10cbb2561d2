import type { ProgressPublisher } from '../progress/progress-publisher';
import { AppError, type PipelineFailureCode } from '../shared/errors';
import { logger } from '../shared/powertools';
import type { StatsRepository } from '../stats/stats-repository';
import { refundsQuota } from '../usage/quota-refund-policy';
import type { QuotaReceipt, UsageService } from '../usage/usage-service';
import { utcDay } from '../usage/utc-day';
import {
  isTerminal,
  type Job,
  type JobError,
  type JobResult,
  type JobStatus,
  predecessorsOf,
  type RestartableStatus,
  type StageStatus,
  type StageTimings,
} from './job';
import type { JobPatch, JobRepository } from './job-repository';

/**
 * Thrown when a job may not move where a task wants it: it is gone (deleted by its owner), already
 * terminal (failed by the watchdog) or elsewhere than JOB_TRANSITIONS allows. The execution must stop.
 * Not a PIPELINE_FAILURE_CODE: MarkFailed turns it into INTERNAL_ERROR for a job still in flight and is a
 * no-op for a terminal or missing one, and the execution ends FAILED for operators to see.
 */
export class JobNotActiveError extends AppError {
  constructor(jobId: string, to: JobStatus, current?: JobStatus) {
    super('JOB_NOT_ACTIVE', 409, `Job ${jobId} may not move to ${to}${current === undefined ? '' : ` from ${current}`}; stopping.`);
  }
}

/** How a job ends: its result (`cached: true` when it came from the audio-result cache) or its error. */
export type JobOutcome =
  | { readonly result: JobResult; readonly timings?: StageTimings }
  | { readonly error: JobError };

/**
 * What `finish` did. Only `finished` wrote anything or had side effects; the others are the expected
 * no-ops of a duplicate or late finish (the watchdog after MarkFailed) and of a job its owner deleted.
 */
export type FinishOutcome =
  | { readonly status: 'finished'; readonly job: Job }
  | { readonly status: 'already-terminal'; readonly job: Job }
  | { readonly status: 'gone' };

/** EMF metrics of a finished note; the dashboard and the failed-notes alarm read them. */
export interface NoteMetrics {
  completed(timings: StageTimings): void;
  failed(code: PipelineFailureCode): void;
}

export interface JobLifecycleDeps {
  readonly jobs: Pick<JobRepository, 'get' | 'transition'>;
  readonly progress: Pick<ProgressPublisher, 'publish'>;
  readonly stats: Pick<StatsRepository, 'recordCompletion' | 'recordFailure'>;
  readonly quota: Pick<UsageService, 'refund'>;
  readonly metrics: NoteMetrics;
}

/**
 * The one place a job changes status. `enter` moves it into a pipeline stage; `finish` ends it, whoever
 * ends it (Complete, Normalize's cache hit, MarkFailed, the execution watchdog, the intake starter, a
 * job sweeper), with the same writes and the same side effects:
 *
 * 1. the conditional write, allowed only from the statuses JOB_TRANSITIONS lists for the target, so a
 *    duplicate, late or out-of-order call changes nothing;
 * 2. only if that write happened: the progress push, the EMF metrics, the `/stats` counters and, for a
 *    failure the refund policy covers, the job's daily quota unit back.
 *
 * Everything after the write is best-effort and never fails the caller: the job's state is what clients
 * read, and failing a task whose job is already final would only make Step Functions retry or catch work
 * that is done. Each side effect that fails is logged instead. Because nothing leaves a terminal status,
 * they run at most once per job (a crash between the write and them loses them rather than doubling them).
 */
export class JobLifecycle {
  constructor(private readonly deps: JobLifecycleDeps) {}

  get(jobId: string): Promise<Job | undefined> {
    return this.deps.jobs.get(jobId);
  }

  /**
   * Moves the job into `stage` (from a status JOB_TRANSITIONS allows, including `stage` itself for a retried
   * task), with stage data, then pushes the progress. Throws JobNotActiveError when it may not move.
   */
  async enter(jobId: string, stage: StageStatus, patch?: JobPatch): Promise<Job> {
    const job = await this.deps.jobs.transition(jobId, predecessorsOf(stage), stage, patch);
    if (job === undefined) throw new JobNotActiveError(jobId, stage);
    await this.pushProgress(job);
    return job;
  }

  /** Adds stage data to a job that must still be in `status` (the same conditional write, no push). */
  async patch(jobId: string, status: StageStatus, patch: JobPatch): Promise<Job> {
    const job = await this.deps.jobs.transition(jobId, [status], status, patch);
    if (job === undefined) throw new JobNotActiveError(jobId, status);
    return job;
  }

  /**
   * Sends a job whose execution is gone back to `queued`, from the stage it was left in (RESTARTABLE_STATUSES,
   * only the job sweeper does this), so a new execution can process it again from its upload; pushes the
   * progress. Throws JobNotActiveError when the job is no longer in `from`.
   */
  async restart(jobId: string, from: RestartableStatus): Promise<Job> {
    const job = await this.deps.jobs.transition(jobId, [from], 'queued');
    if (job === undefined) throw new JobNotActiveError(jobId, 'queued', from);
    await this.pushProgress(job);
    return job;
  }

  /**
   * Ends the job with `outcome` (see the class comment). A failure may end a job in any non-terminal status,
   * `awaiting_upload` included (UPLOAD_EXPIRED); a completion only from the statuses that produce a
   * result. A completion the table forbids is a bug, not a no-op: it throws JobNotActiveError so the
   * execution's Catch fails the job instead of leaving it in flight.
   */
  async finish(jobId: string, outcome: JobOutcome): Promise<FinishOutcome> {
    const to = 'error' in outcome ? 'failed' : 'completed';
    const patch: JobPatch = 'error' in outcome ? { error: outcome.error } : { result: outcome.result, timings: outcome.timings };
    const job = await this.deps.jobs.transition(jobId, predecessorsOf(to), to, patch);
    if (job === undefined) return this.notFinished(jobId, to);
    await this.afterFinish(job, outcome);
    return { status: 'finished', job };
  }

  private async notFinished(jobId: string, to: JobStatus): Promise<FinishOutcome> {
    const current = await this.deps.jobs.get(jobId);
    if (current !== undefined && !isTerminal(current.status)) throw new JobNotActiveError(jobId, to, current.status);
    logger.info('Job already terminal or deleted; nothing recorded', { jobId, to, status: current?.status ?? 'gone' });
    return current === undefined ? { status: 'gone' } : { status: 'already-terminal', job: current };
  }

  /** The side effects of a finished job, in parallel; each failure is logged, none is thrown. */
  private async afterFinish(job: Job, outcome: JobOutcome): Promise<void> {
    const effects = Object.entries(this.sideEffectsOf(job, outcome));
    const [, ...settled] = await Promise.allSettled([this.pushProgress(job), ...effects.map(async ([, run]) => run())]);
    settled.forEach((result, i) => {
      if (result.status === 'rejected') {
        logger.error(`The job is ${job.status} but recording its ${effects[i]![0]} failed`, { jobId: job.jobId, error: result.reason as Error });
      }
    });
  }

  private sideEffectsOf(job: Job, outcome: JobOutcome): Record<string, () => unknown> {
    if ('error' in outcome) {
      const { code } = outcome.error;
      return {
        stats: () => this.deps.stats.recordFailure(code),
        metrics: () => this.deps.metrics.failed(code),
        ...(refundsQuota(code) ? { 'quota refund': () => this.deps.quota.refund(quotaUnitOf(job)) } : {}),
      };
    }
    const { detectedLanguage, cached } = outcome.result;
    return {
      stats: () => this.deps.stats.recordCompletion({ detectedLanguage, targetLanguage: job.targetLanguage, cached }),
      metrics: () => this.deps.metrics.completed(outcome.timings ?? {}),
    };
  }

  /** Best-effort: a client that misses a push still sees the status over HTTP. */
  private async pushProgress(job: Job): Promise<void> {
    try {
      await this.deps.progress.publish(job);
    } catch (error) {
      logger.warn('Progress push failed; clients will see the status over HTTP', { jobId: job.jobId, error: error as Error });
    }
  }
}

/** The quota unit a job's upload took: its owner's counter on the UTC day the job was created (metered). */
function quotaUnitOf(job: Job): QuotaReceipt {
  return { apiKeyId: job.ownerId, day: utcDay(new Date(job.createdAt)) };
}
