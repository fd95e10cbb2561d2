import type { InFlightStatus, Job, JobStatus } from './job';

/** One page of an owner's stored jobs, before the API turns them into public views and a signed cursor. */
export interface StoredHistoryPage {
  readonly items: readonly Job[];
  /** DynamoDB's LastEvaluatedKey, opaque to callers; the API signs it into a cursor. */
  readonly lastKey?: Record<string, unknown>;
}

/**
 * Fields a status change may write with the status: stage data as the pipeline learns it, and the result
 * or error of the terminal write. Which fields go with which status is JobLifecycle's business.
 */
export type JobPatch = Partial<
  Pick<Job, 'durationSeconds' | 'audioHash' | 'sourceLanguage' | 'timings' | 'result' | 'error'>
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
  listByOwner(ownerId: string, limit: number, startKey?: Record<string, unknown>): Promise<StoredHistoryPage>;
  /** Deletes the job and everything stored for it (callback, subscriptions, cached results). Idempotent. */
  delete(jobId: string): Promise<void>;
  /**
   * Moves an existing job to `to` only if its current status is one of `from` (a conditional write, so
   * duplicate or late events cannot move a job backwards, and a terminal write happens once). Returns the
   * updated job, or undefined if the job is gone or the condition failed. Callers take `from` from
   * JOB_TRANSITIONS (through JobLifecycle), never from a literal list.
   */
  transition(jobId: string, from: readonly JobStatus[], to: JobStatus, patch?: JobPatch): Promise<Job | undefined>;
}

/** The jobs not yet completed or failed: what the job sweeper looks at (DynamoJobRepository, over GSI2). */
export interface InFlightJobIndex {
  /**
   * Ids of the jobs still in `status`, oldest first (created before `createdBefore` when given). An index
   * read, so possibly a moment stale: read the job before acting on it.
   */
  inFlightJobIds(status: InFlightStatus, createdBefore?: Date): AsyncIterable<string>;
}
