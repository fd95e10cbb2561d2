/**
 * The API's wire shapes, as the service defines them (docs/openapi.json is generated from the same code).
 * Type-only imports: nothing of the server reaches a bundle, and a change to a server shape is a compile
 * error here rather than a silent drift.
 */
import type { HealthView } from '../functions/api/health';
import type { JobError, JobResult, JobStatus } from '../functions/jobs/job';
import type { JobView } from '../functions/jobs/job-view';
import type { HistoryPageView } from '../functions/jobs/history-service';
import type { UploadRequest } from '../functions/jobs/upload-service';
import type { PresignedUpload } from '../functions/jobs/upload-presigner';
import type { JobProgressMessage } from '../functions/progress/progress-message';
import type { StatsView } from '../functions/stats/stats-service';
import type { UsageReport } from '../functions/usage/usage-service';
import type { LanguageCode } from '../lib/config/languages';
import type { TierName } from '../lib/config/tiers';

export type {
  HealthView,
  JobError,
  JobProgressMessage,
  JobResult,
  JobStatus,
  JobView,
  LanguageCode,
  PresignedUpload,
  StatsView,
  TierName,
  UploadRequest,
  UsageReport,
};

/** GET /jobs: one page of the caller's history, newest first. */
export type HistoryPage = HistoryPageView;

/** POST /uploads answers 201 with the new job (awaiting its audio) and where to send the audio. */
export interface CreatedUpload {
  readonly jobId: JobView['jobId'];
  readonly status: JobStatus;
  readonly upload: PresignedUpload;
}

/**
 * What both progress transports deliver: a WebSocket frame or a polled GET /jobs/{id}. Everything a UI
 * needs while a note runs and when it ends.
 */
export type JobUpdate = Pick<JobView, 'jobId' | 'status' | 'progress' | 'result' | 'error'>;
