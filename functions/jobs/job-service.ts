import { NotFoundError } from '../shared/errors';
import type { Job } from './job';
import type { JobRepository } from './job-repository';
import { type JobView, toPublicJob } from './job-view';

/**
 * The tenant boundary for single-job operations (GET /jobs/{id}, DELETE /jobs/{id}, WebSocket subscribe):
 * another key's job is indistinguishable from a missing one.
 */
export async function findOwnedJob(jobs: Pick<JobRepository, 'get'>, ownerId: string, jobId: string): Promise<Job | undefined> {
  const job = await jobs.get(jobId);
  return job && job.ownerId === ownerId ? job : undefined;
}

/** Reads one of the caller's jobs, as clients see it. */
export class JobService {
  constructor(
    private readonly jobs: Pick<JobRepository, 'get'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws 404 JOB_NOT_FOUND for a missing job and for another key's job alike. */
  async get(ownerId: string, jobId: string): Promise<JobView> {
    const job = await findOwnedJob(this.jobs, ownerId, jobId);
    if (!job) throw new NotFoundError(`No job ${jobId}.`, 'JOB_NOT_FOUND');
    return toPublicJob(job, this.now());
  }
}
