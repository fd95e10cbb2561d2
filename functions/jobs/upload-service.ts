import { DEFAULT_TARGET_LANGUAGE, isLanguageCode, type LanguageCode } from '../../lib/config/languages';
import { UPLOAD } from '../../lib/config/limits';
import { historyRetentionSeconds, TIERS } from '../../lib/config/tiers';
import type { Caller } from '../keys/api-key-service';
import type { LanguageCatalog } from '../languages/language-catalog';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../shared/errors';
import { expiresAfter } from '../shared/item-expiry';
import type { UsageService } from '../usage/usage-service';
import { type Job, uploadKeyFor } from './job';
import { newJobId } from './job-id';
import type { JobRepository } from './job-repository';
import { type JobView, toPublicJob } from './job-view';
import type { PresignedUpload, UploadPresigner } from './upload-presigner';

export interface UploadRequest {
  readonly contentType: string;
  readonly sizeBytes?: number;
  readonly targetLanguage?: string;
  readonly sourceLanguage?: string;
}

export interface StartedUpload {
  readonly job: JobView;
  readonly upload: PresignedUpload;
}

export interface UploadServiceDeps {
  readonly jobs: JobRepository;
  readonly presigner: UploadPresigner;
  readonly usage: UsageService;
  /** What this deployment can recognise and translate (its engines'), built on first use. */
  readonly languages: () => Promise<LanguageCatalog>;
  /** @default - the system clock */
  readonly now?: () => Date;
  /** @default - random UUIDv4 */
  readonly newId?: () => string;
}

const ACCEPTED_TYPES: readonly string[] = UPLOAD.contentTypes;

/**
 * Starts a voice note: checks the request against the caller's tier and the languages this deployment can
 * recognise and translate into, counts it against the daily quota, signs an upload bound to
 * `uploads/<owner>/<jobId>` and records the job as awaiting its upload. Every check that can refuse the
 * request runs before the quota is touched, so a bad request costs nothing; a failure on our side after
 * metering gives the unit back.
 */
export class UploadService {
  private readonly jobs: JobRepository;
  private readonly presigner: UploadPresigner;
  private readonly usage: UsageService;
  private readonly languages: () => Promise<LanguageCatalog>;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(deps: UploadServiceDeps) {
    this.jobs = deps.jobs;
    this.presigner = deps.presigner;
    this.usage = deps.usage;
    this.languages = deps.languages;
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? newJobId;
  }

  async start(caller: Caller, request: UploadRequest): Promise<StartedUpload> {
    const contentType = audioContentType(request.contentType);
    const targetLanguage = targetLanguageOf(request.targetLanguage);
    const sourceLanguage = sourceLanguageOf(request.sourceLanguage);
    const limits = TIERS[caller.tier];
    if (request.sizeBytes !== undefined && request.sizeBytes > limits.maxUploadBytes) {
      throw new PayloadTooLargeError(
        `The ${caller.tier} tier accepts uploads up to ${limits.maxUploadBytes} bytes.`,
        'UPLOAD_TOO_LARGE',
        { maxBytes: limits.maxUploadBytes },
      );
    }
    (await this.languages()).requireDeliverable(sourceLanguage, targetLanguage);

    // One clock reading: the job's createdAt day is the day metered, which is how a refund finds its counter.
    const now = this.now();
    const receipt = await this.usage.consume(caller.apiKeyId, caller.tier, now);
    try {
      const jobId = this.newId();
      const createdAt = now.toISOString();
      const job: Job = {
        jobId,
        ownerId: caller.apiKeyId,
        tier: caller.tier,
        status: 'awaiting_upload',
        createdAt,
        updatedAt: createdAt,
        contentType,
        uploadKey: uploadKeyFor(caller.apiKeyId, jobId),
        targetLanguage,
        ...(sourceLanguage !== undefined ? { sourceLanguage } : {}),
        expiresAt: expiresAfter(now, historyRetentionSeconds(caller.tier)),
      };
      const upload = await this.presigner.presign({
        key: job.uploadKey,
        contentType,
        maxBytes: limits.maxUploadBytes,
        expiresInSeconds: UPLOAD.presignedPostSeconds,
      });
      await this.jobs.create(job);
      return { job: toPublicJob(job, now), upload };
    } catch (error) {
      await this.usage.refund(receipt).catch(() => undefined); // the original error matters more
      throw error;
    }
  }
}

/**
 * The accepted audio media type, lower-cased and without parameters (`audio/webm;codecs=opus` →
 * `audio/webm`): that exact value is signed into the upload policy.
 */
function audioContentType(declared: string): string {
  const mediaType = declared.split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED_TYPES.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `${JSON.stringify(declared)} is not a supported audio type. Supported: ${ACCEPTED_TYPES.join(', ')}.`,
      'UNSUPPORTED_AUDIO_TYPE',
    );
  }
  return mediaType;
}

function targetLanguageOf(code: string | undefined): LanguageCode {
  if (code === undefined) return DEFAULT_TARGET_LANGUAGE;
  if (!isLanguageCode(code)) {
    throw new ValidationError(`Cannot translate into ${JSON.stringify(code)}.`, { field: 'targetLanguage' }, 'UNSUPPORTED_LANGUAGE');
  }
  return code;
}

/** A known code; whether this deployment recognises it is the language catalog's to say. */
function sourceLanguageOf(code: string | undefined): LanguageCode | undefined {
  if (code === undefined) return undefined;
  if (!isLanguageCode(code)) {
    throw new ValidationError(`Cannot recognise speech in ${JSON.stringify(code)}.`, { field: 'sourceLanguage' }, 'UNSUPPORTED_LANGUAGE');
  }
  return code;
}
