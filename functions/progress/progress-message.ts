import { type Job, type JobError, type JobResult, type JobStatus, STATUS_PROGRESS } from '../jobs/job';

/** What a subscribed WebSocket client receives on every status change of a job (contract 5). */
export interface JobProgressMessage {
  readonly type: 'job';
  readonly jobId: string;
  readonly status: JobStatus;
  /** Coarse percent for a progress bar (STATUS_PROGRESS). */
  readonly progress: number;
  readonly result?: JobResult;
  readonly error?: JobError;
}

export function jobProgressMessage(job: Job): JobProgressMessage {
  return {
    type: 'job',
    jobId: job.jobId,
    status: job.status,
    progress: STATUS_PROGRESS[job.status],
    ...(job.result === undefined ? {} : { result: job.result }),
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}
