import type { Job } from '../../../functions/jobs/job';

export const OWNER = 'key-alice';
export const OTHER_OWNER = 'key-mallory';
export const JOB_ID = '0b9d1c1e-3f4a-4b5c-8d6e-7f8091a2b3c4';
export const OTHER_JOB_ID = '1c2d3e4f-5a6b-4c7d-9e8f-a0b1c2d3e4f5';
export const NOW = new Date('2026-03-14T12:00:00.000Z');

/** A stored job as the repository returns it (no key attributes). */
export function job(overrides: Partial<Job> = {}): Job {
  const jobId = overrides.jobId ?? JOB_ID;
  const ownerId = overrides.ownerId ?? OWNER;
  return {
    jobId,
    ownerId,
    tier: 'free',
    status: 'queued',
    createdAt: '2026-03-14T11:59:00.000Z',
    updatedAt: '2026-03-14T11:59:30.000Z',
    contentType: 'audio/mp4',
    uploadKey: `uploads/${ownerId}/${jobId}`,
    targetLanguage: 'en',
    expiresAt: Math.floor(NOW.getTime() / 1000) + 7 * 86_400,
    ...overrides,
  };
}
