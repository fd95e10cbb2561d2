import { UPLOAD } from '../../lib/config/limits';
import type { LanguageCode } from '../../lib/config/languages';
import { type Job, type JobError, type JobResult, type JobStatus, STATUS_PROGRESS } from './job';

/** A job as clients see it: no owner, tier, keys or internal timings. */
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

const UPLOAD_EXPIRED: JobError = {
  code: 'UPLOAD_EXPIRED',
  message: 'No audio was uploaded in time; request a new upload URL.',
};

/**
 * Maps a stored job to its public view. A job still awaiting its upload long after the presigned POST
 * expired can never start, so it is shown as failed UPLOAD_EXPIRED (without writing on a read).
 */
export function toJobView(job: Job, now: Date): JobView {
  const expired =
    job.status === 'awaiting_upload' &&
    now.getTime() - Date.parse(job.createdAt) > UPLOAD.awaitingUploadExpirySeconds * 1000;
  const status: JobStatus = expired ? 'failed' : job.status;
  const error = expired ? UPLOAD_EXPIRED : job.error;
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
