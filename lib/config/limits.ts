/**
 * Service-wide limits, cache lifetimes and timeouts that are not per tier. Same rule as tiers.ts:
 * defined once, read by CDK, handlers and the local stack.
 */
import { AUDIO_CONTENT_TYPES } from './audio-types';
import type { TierName } from './tiers';

export const DAY_SECONDS = 86_400;

export const CACHE_TTLS = {
  /** Translated text keyed by hash(normalised text + languages). */
  textTranslationSeconds: 30 * DAY_SECONDS,
  /** Whole-note results keyed by hash(decoded PCM) + target language. */
  audioResultSeconds: 30 * DAY_SECONDS,
  /** Per-key daily usage meters outlive their day by one day so /usage can still answer at midnight. */
  usageMeterSeconds: 2 * DAY_SECONDS,
  /** WebSocket subscriptions to a job's progress. */
  progressSubscriptionSeconds: 2 * 60 * 60,
  /** GET /stats answers from memory (and tells CloudFront/clients to cache) for this long. */
  statsSeconds: 10 * 60,
  /** GET /openapi.json and GET /languages: the same for every caller, so browsers and CloudFront keep them this long. */
  publicDocumentSeconds: 5 * 60,
  /**
   * A live API key's tier is remembered per container for this long: one DynamoDB read fewer on most
   * requests, and a revocation takes effect within it (API Gateway caches its own key checks for a similar while).
   */
  apiKeySeconds: 30,
} as const;

export const UPLOAD = {
  /** Presigned POST lifetime: short, a client uploads right after asking. */
  presignedPostSeconds: 5 * 60,
  /** A job still awaiting its upload after this long is reported as failed UPLOAD_EXPIRED. */
  awaitingUploadExpirySeconds: 60 * 60,
  /** Audio MIME types accepted at POST /uploads (audio-types.ts, with the extension map). */
  contentTypes: AUDIO_CONTENT_TYPES,
} as const;

export const STORAGE = {
  /** Raw uploads are deleted after this many days (lifecycle rule); long enough to investigate failures. */
  rawAudioRetentionDays: 7,
  /** Normalised PCM and chunk files are working data. */
  normalizedAudioRetentionDays: 1,
  /** Transcribe output in the work bucket. */
  transcriptRetentionDays: 7,
  uploadsPrefix: 'uploads/',
  normalizedPrefix: 'normalized/',
  transcriptsPrefix: 'transcripts/',
} as const;

export const AUDIO = {
  sampleRateHz: 16_000,
  channels: 1,
  bitsPerSample: 16,
  /** Mean volume below this (dBFS) counts as silent input. */
  silenceThresholdDb: -55,
  /**
   * Fast path: cut at silences into chunks of about this length, one Transcribe stream each. Streams run at real
   * time and each bills at least 15 s, so this trades latency (≈ the longest chunk + finalisation) against cost
   * (≈ 15 s ÷ this per second of audio): 6 s keeps a 30 s note at 5 streams and 2.5× the batch bill.
   * bench/cost/cost-model.ts (`npm run bench`) prints the alternatives.
   */
  fastPathChunkSeconds: 6,
} as const;

/**
 * A note's length as the pipeline counts it: whole milliseconds, rounded down. The job records it, ShortNote?
 * compares it with the tier's fastPathMaxSeconds, and fastPathStreams bounds the splitter by it: so a note the
 * state machine sends to the fast path never needs more streams than one of exactly fastPathMaxSeconds (an AAC
 * encoder's few samples past 30 s would otherwise allow a sixth chunk, more than the lease holds for it).
 */
export function countedNoteSeconds(pcmSeconds: number): number {
  // The epsilon absorbs binary rounding: 16,016 samples are 1.001 s, computed as 1000.9999… ms.
  return Math.floor(pcmSeconds * 1000 + 1e-6) / 1000;
}

/** Streams (chunks) one fast-path note of `noteSeconds` opens at most: the splitter never makes more. */
export function fastPathStreams(noteSeconds: number, chunkSeconds: number = AUDIO.fastPathChunkSeconds): number {
  return Math.max(1, Math.ceil(countedNoteSeconds(noteSeconds) / chunkSeconds));
}

/**
 * Transcribe streaming on the fast path. AWS's default quotas, per account and Region and adjustable: 25
 * concurrent HTTP/2 streams and 25 StartStreamTranscription calls per second (Amazon Transcribe Developer
 * Guide, "Guidelines and quotas", https://docs.aws.amazon.com/transcribe/latest/dg/limits-guidelines.html;
 * an earlier version of that page said 5: check the account's value in Service Quotas). Every stage in the
 * account, and anything else using Transcribe streaming there, shares them.
 */
export const TRANSCRIBE_STREAMING = {
  /** AWS's default quota of concurrent streams per account and Region. */
  defaultAccountQuota: 25,
  /**
   * Streams in flight at once across every note of one stage, held by a lease in the table (the fast path
   * falls back to the batch path when it cannot get one stream per chunk). 12 keeps two stages sharing an
   * account (dev and prod may) under the default 25 together, with headroom: AWS also refuses streams that
   * ramp up too quickly. A stage alone in its account, or with a raised quota, can take more.
   */
  maxStreamsPerStage: 12,
  /**
   * Audio per AudioEvent. Pre-recorded audio must be sent at its real-time rate (AWS's streaming SDK), and an
   * AudioChunk holds at most 1 s of audio (API reference, AudioEvent); 100 ms keeps a stream within a tenth of
   * a second of real time.
   */
  audioEventMs: 100,
  /**
   * The fast-path function's timeout, and so how long a lease lives: a holder that dies without releasing
   * cannot outlive it, and its streams come back when its claim expires.
   */
  fastPathTimeoutSeconds: 60,
} as const;

export const PIPELINE = {
  /** Whole execution ceiling; past it the watchdog marks the job failed PIPELINE_TIMEOUT. */
  executionTimeoutSeconds: 60 * 60,
  /** How long to wait for the Transcribe EventBridge event before polling GetTranscriptionJob. */
  transcribeCallbackTimeoutSeconds: 15 * 60,
  /** A batch transcription's stored task token outlives any execution (the token dies with it). */
  transcriptionCallbackTtlSeconds: DAY_SECONDS,
  /** Amazon Translate's per-request limit is 10,000 UTF-8 bytes; stay under it. */
  translateMaxBytesPerRequest: 9_000,
  /**
   * Deliveries of an upload notification before it goes to the intake DLQ. On the last one the starter
   * fails the job if it still cannot start it, so no job waits in `queued` for an execution that never comes.
   */
  intakeMaxReceives: 3,
  /**
   * How often the job sweeper looks for jobs left in flight (an EventBridge schedule; the local stack runs the
   * same rule on a timer, and once at start, when every job in flight lost its execution to the restart).
   */
  sweepIntervalMinutes: 5,
} as const;

/**
 * A tier's processing ceiling: how long after its creation a job may legitimately still be in flight. Past it,
 * the job sweeper ends the job PIPELINE_TIMEOUT whatever its state (and stops its execution if one still
 * runs); within it, a job whose execution is missing is started again.
 *
 * Derived from the limits that already bound a job: its upload may arrive until
 * UPLOAD.awaitingUploadExpirySeconds after its creation, and its execution then runs at most
 * PIPELINE.executionTimeoutSeconds (the state machine's own timeout, whose watchdog normally fails the job
 * first). The same for every tier today, because one state machine serves every tier and every tier's longest
 * note can take the batch path (the Transcribe callback wait and its polling fallback alone run to ~40 minutes).
 * A tier that promises less lowers its entry: the sweeper then ends its notes earlier.
 */
export function processingCeilingSeconds(tier: TierName): number {
  return PROCESSING_CEILING_SECONDS[tier];
}

const DEFAULT_PROCESSING_CEILING_SECONDS = UPLOAD.awaitingUploadExpirySeconds + PIPELINE.executionTimeoutSeconds;
const PROCESSING_CEILING_SECONDS: Readonly<Record<TierName, number>> = {
  free: DEFAULT_PROCESSING_CEILING_SECONDS,
  basic: DEFAULT_PROCESSING_CEILING_SECONDS,
  premium: DEFAULT_PROCESSING_CEILING_SECONDS,
};

/**
 * Prefix of a stage's Transcribe job names (`vnt-<stage>-<jobId>`; job names derive from the job id so a retried
 * start is idempotent). Stage-scoped because Transcribe job names, their EventBridge events and IAM resource
 * names are account-wide: stages sharing an account must not see or touch each other's jobs.
 */
export function transcribeJobPrefix(stage: string): string {
  return `vnt-${stage}-`;
}

/** The Transcribe job of a stage's pipeline job: deterministic, so a retried start hits ConflictException. */
export function transcriptionJobName(stage: string, jobId: string): string {
  return `${transcribeJobPrefix(stage)}${jobId}`;
}

/**
 * Pipeline job id from a Transcribe job name (e.g. from the EventBridge event), or undefined if the job is not
 * this stage's (another stage's or someone else's).
 */
export function jobIdFromTranscriptionJobName(stage: string, name: string): string | undefined {
  const prefix = transcribeJobPrefix(stage);
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/** Where an ARN points: a CDK Stack is one (its values may be unresolved tokens). */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Every Transcribe job of a stage: the narrowest IAM resource for them (job names are not known in advance). */
export function transcriptionJobsArn(scope: ArnScope, stage: string): string {
  return `arn:${scope.partition}:transcribe:${scope.region}:${scope.account}:transcription-job/${transcribeJobPrefix(stage)}*`;
}

export const API = {
  /** Largest JSON body a route accepts before parsing. */
  maxBodyBytes: 16 * 1024,
  historyPageDefault: 20,
  historyPageMax: 100,
} as const;
