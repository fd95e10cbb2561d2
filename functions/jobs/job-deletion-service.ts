import type { JobAudioStore } from './job-audio-store';
import type { JobRepository } from './job-repository';
import { findOwnedJob } from './job-service';

/** Deletes a caller's job, its history entry and its audio. */
export class JobDeletionService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly audio: JobAudioStore,
  ) {}

  /**
   * Audio first, then the record, so a failure part-way leaves the record for a retry to finish.
   * Idempotent. A missing job or another key's job is a no-op that touches nothing and answers exactly
   * like a successful delete, so it reveals nothing about other tenants.
   */
  async delete(ownerId: string, jobId: string): Promise<void> {
    const job = await findOwnedJob(this.jobs, ownerId, jobId);
    if (!job) return;
    await this.audio.deleteJobAudio(job);
    await this.jobs.delete(jobId);
  }
}
