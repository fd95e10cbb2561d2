import { NotFoundError } from '../shared/errors';
import type { Job } from './job';
import type { JobRepository } from './job-repository';
import { type JobView, toJobView } from './job-view';

/**
 * The tenant boundary for single-job operations, in one place: another key's job is indistinguishable
 * from a missing one.
 */
export async function findOwnedJob(jobs: JobRepository, ownerId: string, jobId: string): Promise<Job | undefined> {
  const job = await jobs.get(jobId);
  return job && job.ownerId === ownerId ? job : undefined;
}

/** Reads one of the caller's jobs. */
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(ownerId: string, jobId: string): Promise<JobView> {
    const job = await findOwnedJob(this.jobs, ownerId, jobId);
    if (!job) throw new NotFoundError(`No job ${jobId}.`, 'JOB_NOT_FOUND');
    return toJobView(job, this.now());
  }
}
