import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { ENV } from '../../lib/config/env-names';
import { TIERS } from '../../lib/config/tiers';
import { AudioValidationService } from '../audio/audio-validation';
import { FfmpegAudioTools } from '../audio/ffmpeg-audio-tools';
import { requireEnv } from '../shared/env';
import { AppError } from '../shared/errors';
import { normalizedAudioKey } from '../shared/work-objects';
import { type JobLifecycle, jobLifecycleFromEnv } from './common/job-lifecycle';
import { type ObjectStore, objectStoreFromEnv } from './common/object-store';
import { ExecutionInput, elapsedMs, type NormalizedAudioOutput } from './common/task-schemas';
import { taskHandler } from './common/task-handler';

export const NormalizeInput = ExecutionInput.pick({ jobId: true, upload: true });
export type NormalizeInput = z.infer<typeof NormalizeInput>;

export interface NormalizeDeps {
  readonly lifecycle: Pick<JobLifecycle, 'advance' | 'patch'>;
  readonly objects: ObjectStore;
  readonly validation: Pick<AudioValidationService, 'checkUploadSize' | 'normalizeUpload'>;
  readonly workBucket: string;
  /** Where temporary files go (Lambda: /tmp). @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Normalise: the real object size is checked against the tier before anything is downloaded (neither the
 * emulator nor a presigned PUT enforces the POST policy's size), then the bytes are probed and decoded to
 * 16 kHz mono 16-bit WAV by the audio validation service, which throws one PipelineFailureError per
 * problem (EMPTY_AUDIO, UPLOAD_TOO_LARGE, NOT_AUDIO, CORRUPT_AUDIO, AUDIO_TOO_LONG, SILENT_AUDIO).
 */
export function normalize(deps: NormalizeDeps) {
  return async (input: NormalizeInput): Promise<NormalizedAudioOutput> => {
    const started = Date.now();
    const job = await deps.lifecycle.advance(input.jobId, ['queued', 'normalizing'], 'normalizing');
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

      const key = normalizedAudioKey(input.jobId);
      await deps.objects.upload({ bucket: deps.workBucket, key }, outputWavPath, 'audio/wav');
      const durationSeconds = Math.round(audio.durationSeconds * 1000) / 1000;
      await deps.lifecycle.patch(input.jobId, 'normalizing', { durationSeconds, audioHash: audio.pcmSha256 });
      return {
        normalizedKey: key,
        durationSeconds,
        audioHash: audio.pcmSha256,
        fastPathMaxSeconds: limits.fastPathMaxSeconds,
        normalizeMs: elapsedMs(started),
      };
    } finally {
      // Lambda reuses /tmp across invocations: never leave audio behind.
      await rm(dir, { recursive: true, force: true });
    }
  };
}

export const handler = taskHandler(
  NormalizeInput,
  normalize({
    lifecycle: jobLifecycleFromEnv(),
    objects: objectStoreFromEnv(),
    validation: new AudioValidationService(new FfmpegAudioTools()),
    workBucket: requireEnv(ENV.workBucket),
  }),
);
