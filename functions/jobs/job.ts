import { JOB_STATUSES, type JobStatus, JOB_TRANSITIONS, type StageStatus, TERMINAL_STATUSES } from '../../lib/config/job-statuses';
import type { LanguageCode } from '../../lib/config/languages';
import { STORAGE, UPLOAD } from '../../lib/config/limits';
import type { TierName } from '../../lib/config/tiers';
import type { PipelineFailureCode } from '../shared/errors';

export {
  IN_FLIGHT_STATUSES,
  type InFlightStatus,
  JOB_STATUSES,
  JOB_TRANSITIONS,
  type JobStatus,
  type StageStatus,
  TERMINAL_STATUSES,
  type TerminalStatus,
} from '../../lib/config/job-statuses';

/**
 * Stages a job may be sent back to `queued` from, by the job sweeper alone, when the execution that moved it
 * there is gone (a crash of the local stack, whose executions live in memory): the note is then processed
 * again from its upload by a new execution. Kept apart from JOB_TRANSITIONS on purpose: no pipeline task or
 * event may move a job backwards, and the starter's duplicate check (may it move to `queued`?) must keep
 * refusing a job that is past `queued`.
 */
export const RESTARTABLE_STATUSES = ['normalizing', 'transcribing', 'translating'] as const satisfies readonly StageStatus[];
export type RestartableStatus = (typeof RESTARTABLE_STATUSES)[number];

export function isRestartable(status: JobStatus): status is RestartableStatus {
  return (RESTARTABLE_STATUSES as readonly JobStatus[]).includes(status);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return (JOB_TRANSITIONS[from] as readonly JobStatus[]).includes(to);
}

/** The statuses from which a job may move to `to`: the condition of the conditional write that moves it. */
export function predecessorsOf(to: JobStatus): readonly JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

/** Percent shown to clients for each status: coarse on purpose, stages differ wildly in length. */
export const STATUS_PROGRESS: Readonly<Record<JobStatus, number>> = {
  awaiting_upload: 0,
  queued: 10,
  normalizing: 25,
  transcribing: 50,
  translating: 80,
  completed: 100,
  failed: 100,
};

export interface JobResult {
  readonly transcript: string;
  readonly detectedLanguage: LanguageCode;
  readonly translation: string;
  readonly cached: boolean;
}

export interface JobError {
  readonly code: PipelineFailureCode;
  readonly message: string;
}

/** Stage timings in milliseconds, recorded by the pipeline for metrics and the benchmark report. */
export type StageTimings = Partial<Record<'normalize' | 'transcribe' | 'translate' | 'total', number>>;

export interface Job {
  readonly jobId: string;
  /** The API key id that created the job: the tenant boundary. */
  readonly ownerId: string;
  readonly tier: TierName;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly contentType: string;
  /** `uploads/<ownerId>/<jobId>` in the uploads bucket. */
  readonly uploadKey: string;
  readonly targetLanguage: LanguageCode;
  readonly sourceLanguage?: LanguageCode;
  readonly result?: JobResult;
  readonly error?: JobError;
  readonly durationSeconds?: number;
  readonly audioHash?: string;
  readonly timings?: StageTimings;
  /** Epoch seconds; DynamoDB TTL deletes the job (and so the history entry) after it. */
  readonly expiresAt: number;
}

export function isTerminal(status: JobStatus): boolean {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status);
}

/**
 * What a job that never got its upload ends with. The presigned POST expires within minutes; a job still
 * awaiting its upload after UPLOAD.awaitingUploadExpirySeconds can never start.
 */
export const UPLOAD_EXPIRED_ERROR: JobError = {
  code: 'UPLOAD_EXPIRED',
  message: 'No audio was uploaded in time; request a new upload URL.',
};

/** Whether `job` waited for its upload past the expiry: clients see it failed, a sweeper may finish it. */
export function isUploadExpired(job: Pick<Job, 'status' | 'createdAt'>, now: Date): boolean {
  return (
    job.status === 'awaiting_upload' &&
    now.getTime() - Date.parse(job.createdAt) > UPLOAD.awaitingUploadExpirySeconds * 1000
  );
}

export function uploadKeyFor(ownerId: string, jobId: string): string {
  return `${STORAGE.uploadsPrefix}${ownerId}/${jobId}`;
}

/** Parses `uploads/<ownerId>/<jobId>`; anything else is not ours. */
export function parseUploadKey(key: string): { ownerId: string; jobId: string } | undefined {
  if (!key.startsWith(STORAGE.uploadsPrefix)) return undefined;
  const match = /^([A-Za-z0-9_-]{1,128})\/([A-Za-z0-9_-]{1,64})$/.exec(key.slice(STORAGE.uploadsPrefix.length));
  return match ? { ownerId: match[1]!, jobId: match[2]! } : undefined;
}
