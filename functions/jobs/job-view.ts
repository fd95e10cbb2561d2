import type { LanguageCode } from '../../lib/config/languages';
import { isUploadExpired, type Job, type JobError, type JobResult, type JobStatus, STATUS_PROGRESS, UPLOAD_EXPIRED_ERROR } from './job';

/**
 * A job as clients see it, over HTTP (GET /jobs/{id}, history, POST /uploads) and in every WebSocket
 * message: no owner, tier, keys or internal timings.
 */
export interface JobView {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sourceLanguage?: LanguageCode;
  readonly targetLanguage: LanguageCode;
  readonly result?: JobResult;
  readonly error?: JobError;
}

/**
 * The one mapping from a stored job to what clients see. A job still awaiting its upload past the expiry
 * can never start, so it is shown as failed UPLOAD_EXPIRED (without writing on a read; a sweeper may
 * persist it later through JobLifecycle.finish, and clients see no difference).
 */
export function toPublicJob(job: Job, now: Date): JobView {
  const expired = isUploadExpired(job, now);
  const status: JobStatus = expired ? 'failed' : job.status;
  const error = expired ? UPLOAD_EXPIRED_ERROR : job.error;
  return {
    jobId: job.jobId,
    status,
    progress: STATUS_PROGRESS[status],
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.sourceLanguage !== undefined ? { sourceLanguage: job.sourceLanguage } : {}),
    targetLanguage: job.targetLanguage,
    ...(status === 'completed' && job.result !== undefined ? { result: job.result } : {}),
    ...(status === 'failed' && error !== undefined ? { error } : {}),
  };
}
