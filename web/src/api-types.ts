/**
 * The wire shapes of the HTTP API as the browser sees them (docs/openapi.json is the source of truth).
 * Types only: importing the server's domain types keeps one definition of statuses and result fields
 * without pulling any server code into the bundle.
 */
import type { JobResult, JobStatus } from '../../functions/jobs/job';
import type { LanguageCode } from '../../lib/config/languages';
import type { TierName } from '../../lib/config/tiers';

export type { JobStatus, LanguageCode, TierName };

export interface JobView {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sourceLanguage?: LanguageCode;
  readonly targetLanguage: LanguageCode;
  readonly result?: JobResult;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface CreateUploadRequest {
  readonly contentType: string;
  readonly sizeBytes?: number;
  readonly targetLanguage?: LanguageCode;
  readonly sourceLanguage?: LanguageCode;
}

export interface CreateUploadResponse {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly upload: PresignedPost;
}

export interface HistoryPage {
  readonly items: readonly JobView[];
  readonly nextCursor?: string | null;
}

export interface UsageView {
  readonly tier: TierName;
  readonly dailyQuota: number;
  readonly used: number;
  readonly remaining: number;
  readonly resetsAt: string;
}

/** What the progress WebSocket pushes for a subscribed job. */
export interface JobProgressMessage {
  readonly type: 'job';
  readonly jobId: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly result?: JobResult;
  readonly error?: { readonly code: string; readonly message: string };
}
