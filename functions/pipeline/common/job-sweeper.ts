import { processingCeilingSeconds, UPLOAD } from '../../../lib/config/limits';
import {
  IN_FLIGHT_STATUSES,
  isRestartable,
  isTerminal,
  isUploadExpired,
  type InFlightStatus,
  type Job,
  type JobError,
  UPLOAD_EXPIRED_ERROR,
} from '../../jobs/job';
import { type JobLifecycle, JobNotActiveError } from '../../jobs/job-lifecycle';
import type { InFlightJobIndex } from '../../jobs/job-repository';
import type { PipelineFailureCode } from '../../shared/errors';
import { logger } from '../../shared/powertools';
import { type ExecutionLookup, hasEnded, jobErrorForEndedExecution } from './execution-status';
import { PIPELINE_TIMEOUT_ERROR } from './failure';

/** The pipeline's executions, by job: what the sweeper asks of Step Functions. */
export interface JobExecutions {
  statusOf(jobId: string): Promise<ExecutionLookup>;
  /** Starts the job's execution, with the input every start of that job sends (executionInputOf). */
  start(job: Job): Promise<void>;
  /** Stops a running execution (it ends ABORTED). */
  stop(jobId: string, cause: string): Promise<void>;
}

export interface JobSweeperDeps {
  readonly index: InFlightJobIndex;
  readonly lifecycle: Pick<JobLifecycle, 'get' | 'restart' | 'finish'>;
  readonly executions: JobExecutions;
  /** @default - the system clock */
  readonly now?: () => Date;
  /** Jobs examined at once (each is a read, a DescribeExecution and maybe a write or two). @default 8 */
  readonly concurrency?: number;
}

/** What the sweeper decided for one job. */
export type SweepAction =
  /** Its execution is running within the ceiling, or its upload may still come: nothing to do. */
  | { readonly kind: 'leave' }
  /** No execution carries it: start one (back to `queued` first when it was left in a later stage). */
  | { readonly kind: 'restart' }
  /** End it failed; `stopExecution` when its execution still runs past the ceiling. */
  | { readonly kind: 'fail'; readonly error: JobError; readonly stopExecution: boolean };

/** What one run did: jobs examined and, of those, restarted or failed (by code). */
export interface SweepReport {
  examined: number;
  restarted: number;
  failed: Partial<Record<PipelineFailureCode, number>>;
  /** False when the run's time was up before every job in flight was examined (the next run goes on). */
  complete: boolean;
}

/**
 * The decision for a job still in flight, from its execution's status: the rule the job sweeper applies.
 *
 * - `awaiting_upload` past UPLOAD.awaitingUploadExpirySeconds: failed UPLOAD_EXPIRED (what clients already see).
 * - Past the tier's processing ceiling (limits.ts), whatever its state: failed PIPELINE_TIMEOUT, and a
 *   still-running execution is stopped.
 * - An execution that ended without ending its job (the watchdog's event was lost): failed as the watchdog
 *   would have failed it.
 * - No execution (the local stack's executions died with it, or the starter never started one): started
 *   again; the note is processed again from its upload, which is still there.
 */
export function decide(job: Job, execution: ExecutionLookup, now: Date): SweepAction {
  if (job.status === 'awaiting_upload') {
    return isUploadExpired(job, now) ? { kind: 'fail', error: UPLOAD_EXPIRED_ERROR, stopExecution: false } : { kind: 'leave' };
  }
  const pastCeiling = now.getTime() - Date.parse(job.createdAt) > processingCeilingSeconds(job.tier) * 1000;
  if (execution === 'MISSING') {
    return pastCeiling ? { kind: 'fail', error: PIPELINE_TIMEOUT_ERROR, stopExecution: false } : { kind: 'restart' };
  }
  if (hasEnded(execution)) return { kind: 'fail', error: jobErrorForEndedExecution(execution), stopExecution: false };
  return pastCeiling ? { kind: 'fail', error: PIPELINE_TIMEOUT_ERROR, stopExecution: true } : { kind: 'leave' };
}

/**
 * Every job ends: finds the jobs in flight with a Query per status on the in-flight index (never a Scan) and
 * applies `decide` to each, through JobLifecycle (the same conditional writes, progress pushes, metrics, stats
 * and quota refunds as every other end of a job). Runs on a schedule in AWS (defence in depth beside the
 * execution watchdog and the intake's last attempt) and in the local stack, where it also runs at start.
 *
 * Idempotent and safe beside the pipeline: each job is read again (consistently) before anything is decided,
 * every write is conditional on the status it read, and a start repeats the input every start of that job
 * sends, so a starter that starts the same execution meanwhile gets the same execution, not a second one.
 * Every job in flight is looked at on every run, whatever its age (one DescribeExecution each, a few at a
 * time): a lost execution is found within one run, not after some guessed delay.
 */
export class JobSweeper {
  private readonly now: () => Date;
  private readonly concurrency: number;

  constructor(private readonly deps: JobSweeperDeps) {
    this.now = deps.now ?? (() => new Date());
    this.concurrency = deps.concurrency ?? 8;
  }

  /** One pass over every job in flight; stops taking new jobs once `hasTime` says so (the rest wait a run). */
  async sweep(hasTime: () => boolean = () => true): Promise<SweepReport> {
    const report: SweepReport = { examined: 0, restarted: 0, failed: {}, complete: true };
    const started = this.now();
    for (const status of IN_FLIGHT_STATUSES) {
      // Jobs awaiting their upload matter only once it has expired; every other status, at any age.
      const createdBefore =
        status === 'awaiting_upload' ? new Date(started.getTime() - UPLOAD.awaitingUploadExpirySeconds * 1000) : undefined;
      await this.sweepStatus(status, createdBefore, hasTime, report);
      if (!report.complete) break;
    }
    return report;
  }

  private async sweepStatus(
    status: InFlightStatus,
    createdBefore: Date | undefined,
    hasTime: () => boolean,
    report: SweepReport,
  ): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for await (const jobId of this.deps.index.inFlightJobIds(status, createdBefore)) {
      if (!hasTime()) {
        report.complete = false;
        break;
      }
      report.examined++;
      const work = this.sweepJob(jobId, report)
        .catch((error: unknown) => logger.error('Could not sweep a job; the next run tries again', { jobId, error: error as Error }))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  private async sweepJob(jobId: string, report: SweepReport): Promise<void> {
    const job = await this.deps.lifecycle.get(jobId);
    if (job === undefined || isTerminal(job.status)) return;
    const execution = job.status === 'awaiting_upload' ? 'MISSING' : await this.deps.executions.statusOf(jobId);
    const action = decide(job, execution, this.now());
    if (action.kind === 'leave') return;
    const context = { jobId, status: job.status, tier: job.tier, createdAt: job.createdAt, execution };

    if (action.kind === 'restart') {
      try {
        const queued = isRestartable(job.status) ? await this.deps.lifecycle.restart(jobId, job.status) : job;
        await this.deps.executions.start(queued);
      } catch (error) {
        if (!(error instanceof JobNotActiveError)) throw error;
        logger.info('The job moved while the sweeper looked at it; leaving it', context);
        return;
      }
      report.restarted++;
      logger.warn('Job in flight without an execution: started it again from its upload', context);
      return;
    }

    const finished = await this.deps.lifecycle.finish(jobId, { error: action.error });
    if (action.stopExecution) {
      await this.deps.executions
        .stop(jobId, `The job sweeper ended job ${jobId} ${action.error.code} past its processing ceiling`)
        .catch((error: unknown) => logger.warn('Could not stop the execution of a job past its ceiling', { ...context, error: error as Error }));
    }
    if (finished.status !== 'finished') return;
    report.failed[action.error.code] = (report.failed[action.error.code] ?? 0) + 1;
    const log = action.error.code === UPLOAD_EXPIRED_ERROR.code ? logger.info.bind(logger) : logger.warn.bind(logger);
    log('Job swept: failed', { ...context, code: action.error.code });
  }
}
