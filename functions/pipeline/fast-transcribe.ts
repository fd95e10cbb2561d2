import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV } from '../../lib/config/env-names';
import { DEFAULT_IDENTIFICATION_CANDIDATES } from '../../lib/config/languages';
import { AUDIO } from '../../lib/config/limits';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import type { AudioTools } from '../audio/audio-tools';
import { FfmpegAudioTools } from '../audio/ffmpeg-audio-tools';
import { requireEnv } from '../shared/env';
import { speechRecognitionServiceFromEnv } from '../speech/engines';
import type { SpeechRecognitionService } from '../speech/transcript-service';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { type ObjectStore, objectStoreFromEnv } from './common/object-store';
import { taskHandler } from './common/task-handler';
import { elapsedMs, FastTranscribeInput, type TranscriptOutput } from './common/task-schemas';

export interface FastTranscribeDeps {
  readonly lifecycle: Pick<JobLifecycle, 'enter'>;
  readonly objects: Pick<ObjectStore, 'download'>;
  readonly audio: Pick<AudioTools, 'splitAtSilences'>;
  readonly speech: () => Promise<Pick<SpeechRecognitionService, 'transcribeChunks'>>;
  readonly workBucket: string;
  /** @default AUDIO.fastPathChunkSeconds */
  readonly chunkSeconds?: number;
  /** @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * The fast path for short notes: a batch Transcribe job queues and streaming runs at about real time, so the
 * note is cut at pauses into chunks of a few seconds that are recognised in parallel (Transcribe streams in
 * AWS, one pocketsphinx per core locally) and joined in order. One Lambda does it all: no per-chunk S3
 * objects or invocations on the critical path.
 */
export function fastTranscribe(deps: FastTranscribeDeps) {
  return async (input: FastTranscribeInput): Promise<TranscriptOutput> => {
    const started = Date.now();
    await deps.lifecycle.enter(input.jobId, 'transcribing');
    const dir = await mkdtemp(path.join(deps.tempDir ?? tmpdir(), 'vnt-fast-'));
    try {
      const wavPath = path.join(dir, 'normalized.wav');
      await deps.objects.download({ bucket: deps.workBucket, key: input.normalizedKey }, wavPath);
      const chunks = await deps.audio.splitAtSilences(wavPath, deps.chunkSeconds ?? AUDIO.fastPathChunkSeconds, dir);
      const speech = await deps.speech();
      const transcript = await speech.transcribeChunks(
        chunks.map(({ index, wavPath: chunkPath }) => ({ index, wavPath: chunkPath })),
        input.languageHint ?? undefined,
        DEFAULT_IDENTIFICATION_CANDIDATES,
      );
      return { text: transcript.text, languageCode: transcript.languageCode, transcribeMs: elapsedMs(started) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

export const handler = taskHandler(
  FastTranscribeInput,
  fastTranscribe({
    lifecycle: jobLifecycleFromEnv(),
    objects: objectStoreFromEnv(),
    audio: new FfmpegAudioTools(),
    speech: speechRecognitionServiceFromEnv(),
    workBucket: requireEnv(ENV.workBucket),
  }),
);
