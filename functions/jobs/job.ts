import type { LanguageCode } from '../../lib/config/languages';
import { STORAGE } from '../../lib/config/limits';
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

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed'];

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
  return TERMINAL_STATUSES.includes(status);
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
