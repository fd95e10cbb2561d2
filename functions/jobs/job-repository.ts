import type { Job, JobError, JobResult, JobStatus, StageTimings } from './job';

export interface HistoryPage {
  readonly items: readonly Job[];
  /** DynamoDB's LastEvaluatedKey, opaque to callers; the API signs it into a cursor. */
  readonly lastKey?: Record<string, unknown>;
}

/** Fields the pipeline may add while a job moves through its stages. */
export type JobProgressPatch = Partial<
  Pick<Job, 'durationSeconds' | 'audioHash' | 'sourceLanguage' | 'timings'>
>;

/**
 * Persistence of jobs (which are also the history entries). Implemented over DynamoDB; every read filters
 * out items past their `expiresAt`, because DynamoDB TTL deletes lazily (and dynalite not at all).
 */
export interface JobRepository {
  /** Fails with ConflictError if the id exists. */
  create(job: Job): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  /** Newest first. */
  listByOwner(ownerId: string, limit: number, startKey?: Record<string, unknown>): Promise<HistoryPage>;
  /** Idempotent. */
  delete(jobId: string): Promise<void>;
  /**
   * Moves a job to `to` only if its current status is one of `from` (a conditional write, so duplicate or
   * late events cannot move a job backwards). Returns the updated job, or undefined if the condition failed.
   */
  transition(jobId: string, from: readonly JobStatus[], to: JobStatus, patch?: JobProgressPatch): Promise<Job | undefined>;
  /** Terminal success from any non-terminal status; undefined if already terminal. */
  complete(jobId: string, result: JobResult, timings?: StageTimings): Promise<Job | undefined>;
  /** Terminal failure from any non-terminal status; undefined if already terminal. */
  fail(jobId: string, error: JobError): Promise<Job | undefined>;
}
