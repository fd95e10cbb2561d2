import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV } from '../../lib/config/env-names';
import { countedNoteSeconds } from '../../lib/config/limits';
import { TIERS } from '../../lib/config/tiers';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import { AudioValidationService } from '../audio/audio-validation';
import { FfmpegAudioTools } from '../audio/ffmpeg-audio-tools';
import { requireEnv } from '../shared/env';
import { AppError } from '../shared/errors';
import { normalizedAudioKey } from '../shared/work-objects';
import { type AudioResultCache, audioResultCacheFromEnv, type CachedNoteResult } from './common/audio-result-cache';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { type ObjectStore, objectStoreFromEnv } from './common/object-store';
import { recordCacheLookup } from './common/pipeline-metrics';
import { elapsedMs, type NormalizedAudioOutput, NormalizeInput } from './common/task-schemas';
import { taskHandler } from './common/task-handler';

export interface NormalizeDeps {
  readonly lifecycle: Pick<JobLifecycle, 'enter' | 'patch' | 'finish'>;
  readonly objects: ObjectStore;
  readonly validation: Pick<AudioValidationService, 'checkUploadSize' | 'normalizeUpload'>;
  readonly cache: Pick<AudioResultCache, 'get'>;
  readonly workBucket: string;
  /** Where temporary files go (Lambda: /tmp). @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Normalise: the real object size is checked against the tier before anything is downloaded (neither the
 * emulator nor a presigned PUT enforces the POST policy's size), then the bytes are probed and decoded to
 * 16 kHz mono 16-bit WAV by the audio validation service, which throws one PipelineFailureError per
 * problem (EMPTY_AUDIO, UPLOAD_TOO_LARGE, NOT_AUDIO, CORRUPT_AUDIO, AUDIO_TOO_LONG, SILENT_AUDIO).
 *
 * The audio-result cache is consulted here, as soon as the decoded audio's hash is known and before the WAV
 * is uploaded: a hit (same sound, target language and hint) completes the job at once (`cached: true`),
 * with no WAV PUT and no further task; the state machine ends on it.
 */
export function normalize(deps: NormalizeDeps) {
  return async (input: NormalizeInput): Promise<NormalizedAudioOutput> => {
    const started = Date.now();
    const job = await deps.lifecycle.enter(input.jobId, 'normalizing');
    const limits = TIERS[job.tier];

    const sizeBytes = await deps.objects.size(input.upload);
    if (sizeBytes === undefined) {
      throw new AppError('UPLOAD_MISSING', 404, `The upload s3://${input.upload.bucket}/${input.upload.key} no longer exists.`);
    }
    deps.validation.checkUploadSize(sizeBytes, limits);

    const dir = await mkdtemp(path.join(deps.tempDir ?? tmpdir(), 'vnt-normalize-'));
    try {
      const inputPath = path.join(dir, 'upload');
      const outputWavPath = path.join(dir, 'normalized.wav');
      await deps.objects.download(input.upload, inputPath);
      const { audio } = await deps.validation.normalizeUpload({ inputPath, sizeBytes, limits, outputWavPath });

      const durationSeconds = countedNoteSeconds(audio.durationSeconds);
      const audioHash = audio.pcmSha256;
      // Independent writes/reads: one round trip instead of two on both paths.
      const [, hit] = await Promise.all([
        deps.lifecycle.patch(input.jobId, 'normalizing', { durationSeconds, audioHash }),
        deps.cache.get({ audioHash, targetLanguage: input.targetLanguage, languageHint: input.languageHint }),
      ]);
      recordCacheLookup(hit !== undefined);
      const facts = { durationSeconds, audioHash, fastPathMaxSeconds: limits.fastPathMaxSeconds };

      if (hit !== undefined) {
        const normalizeMs = elapsedMs(started);
        await completeFromCache(deps, input, hit, normalizeMs);
        return { ...facts, cached: true, normalizedKey: null, normalizeMs };
      }

      const key = normalizedAudioKey(input.jobId);
      await deps.objects.upload({ bucket: deps.workBucket, key }, outputWavPath, 'audio/wav');
      return { ...facts, cached: false, normalizedKey: key, normalizeMs: elapsedMs(started) };
    } finally {
      // Lambda reuses /tmp across invocations: never leave audio behind.
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/**
 * Completes the job with the cached result (`cached: true`) through JobLifecycle.finish, exactly like
 * Complete does for a computed one (stats, metrics and progress push included, all best-effort). A job
 * that became terminal or was deleted meanwhile is left alone; the state machine ends on `cached` either way.
 */
async function completeFromCache(deps: NormalizeDeps, input: NormalizeInput, hit: CachedNoteResult, normalizeMs: number) {
  await deps.lifecycle.finish(input.jobId, {
    result: { transcript: hit.transcript, detectedLanguage: hit.detectedLanguage, translation: hit.translation, cached: true },
    timings: { normalize: normalizeMs, total: elapsedMs(input.executionStartTime) },
  });
}

export const handler = taskHandler(
  NormalizeInput,
  normalize({
    lifecycle: jobLifecycleFromEnv(),
    objects: objectStoreFromEnv(),
    validation: new AudioValidationService(new FfmpegAudioTools()),
    cache: audioResultCacheFromEnv(),
    workBucket: requireEnv(ENV.workBucket),
  }),
);
