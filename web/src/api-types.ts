/**
 * The wire shapes of the HTTP API as the browser sees them (docs/openapi.json is the source of truth).
 * Types only: importing the server's domain types keeps one definition of statuses and result fields
 * without pulling any server code into the bundle.
 */
import type { JobStatus } from '../../functions/jobs/job';
import type { JobView } from '../../functions/jobs/job-view';
import type { JobProgressMessage } from '../../functions/progress/progress-message';
import type { LanguageCode } from '../../lib/config/languages';
import type { TierName } from '../../lib/config/tiers';

export type { JobProgressMessage, JobStatus, JobView, LanguageCode, TierName };

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
