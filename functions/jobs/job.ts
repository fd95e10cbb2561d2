import type { LanguageCode } from '../../lib/config/languages';
import { STORAGE, UPLOAD } from '../../lib/config/limits';
import type { TierName } from '../../lib/config/tiers';
import type { PipelineFailureCode } from '../shared/errors';

/** Lifecycle of a voice note. Only `completed` and `failed` are terminal. */
export const JOB_STATUSES = [
  'awaiting_upload',
  'queued',
  'normalizing',
  'transcribing',
  'translating',
  'completed',
  'failed',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Every status change a job may make, as data: for each status, the statuses it may move to. Handlers name
 * only the status they enter; the allowed predecessors are derived from here (see `predecessorsOf`), so a
 * new stage or path is one edit.
 *
 * - A stage may re-enter itself: Step Functions retries a task that already moved the job (and S3 may
 *   notify an upload twice), and the retry must find its job where it left it.
 * - Every non-terminal status may fail (the pipeline's Catch, the execution watchdog, the intake on its
 *   last attempt, a sweeper ending jobs that never got their upload or were stranded by a crash).
 * - `completed` is reached after translation, or straight from normalisation on an audio-result cache hit.
 * - Nothing leaves `completed` or `failed`: that is what makes them terminal, and what makes the terminal
 *   write (and its stats, metrics and quota refund) happen at most once per job.
 */
export const JOB_TRANSITIONS = {
  awaiting_upload: ['queued', 'failed'],
  queued: ['queued', 'normalizing', 'failed'],
  normalizing: ['normalizing', 'transcribing', 'completed', 'failed'],
  transcribing: ['transcribing', 'translating', 'failed'],
  translating: ['translating', 'completed', 'failed'],
  completed: [],
  failed: [],
} as const satisfies Readonly<Record<JobStatus, readonly JobStatus[]>>;

/** Statuses with no way out (derived from JOB_TRANSITIONS): `completed` and `failed`. */
export type TerminalStatus = {
  [S in JobStatus]: (typeof JOB_TRANSITIONS)[S] extends readonly [] ? S : never;
}[JobStatus];

export const TERMINAL_STATUSES: readonly TerminalStatus[] = JOB_STATUSES.filter(
  (status): status is TerminalStatus => JOB_TRANSITIONS[status].length === 0,
);

/** A status the pipeline moves a job into: not the one it is created in, not a terminal one. */
export type StageStatus = Exclude<JobStatus, 'awaiting_upload' | TerminalStatus>;

/** Every status a job is still in flight in (derived): the statuses the job sweeper looks at. */
export type InFlightStatus = Exclude<JobStatus, TerminalStatus>;
export const IN_FLIGHT_STATUSES: readonly InFlightStatus[] = JOB_STATUSES.filter(
  (status): status is InFlightStatus => JOB_TRANSITIONS[status].length > 0,
);

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
