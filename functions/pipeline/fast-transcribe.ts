import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../../lib/config/env-names';
import { DEFAULT_IDENTIFICATION_CANDIDATES } from '../../lib/config/languages';
import { AUDIO, TRANSCRIBE_STREAMING } from '../../lib/config/limits';
import { METRICS } from '../../lib/config/metric-names';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import type { AudioTools } from '../audio/audio-tools';
import { FfmpegAudioTools } from '../audio/ffmpeg-audio-tools';
import { requireEnv } from '../shared/env';
import { RetryableError } from '../shared/errors';
import { logger, metrics } from '../shared/powertools';
import { streamLeaseStoreFromEnv } from '../speech/dynamo-stream-lease-store';
import { speechRecognitionServiceFromEnv } from '../speech/engines';
import { type StreamLease, StreamLeases } from '../speech/stream-leases';
import type { SpeechRecognitionService } from '../speech/transcript-service';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { type ObjectStore, objectStoreFromEnv } from './common/object-store';
import { taskHandler } from './common/task-handler';
import { elapsedMs, FAST_PATH_TRANSCRIBED, FastTranscribeInput, type FastTranscribeOutput } from './common/task-schemas';

export interface FastTranscribeDeps {
  readonly lifecycle: Pick<JobLifecycle, 'enter'>;
  readonly objects: Pick<ObjectStore, 'download'>;
  readonly audio: Pick<AudioTools, 'splitAtSilences'>;
  readonly speech: () => Promise<Pick<SpeechRecognitionService, 'transcribeChunks' | 'chunkCapacity'>>;
  /** The stage-wide bound on streams in flight. */
  readonly streams: Pick<StreamLeases, 'acquire'>;
  readonly workBucket: string;
  /** @default AUDIO.fastPathChunkSeconds */
  readonly chunkSeconds?: number;
  /** @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * The fast path for short notes: a batch Transcribe job queues, and a stream runs at real time, so the note is
 * cut at pauses into chunks of a few seconds that are recognised in parallel (Transcribe streams in AWS, one
 * pocketsphinx per core locally) and joined in order: the note takes about as long as its longest chunk.
 *
 * It needs one stream per chunk, all at once, from the stage's lease. When they are taken the note is not
 * failed: the task answers `streams-busy` and the state machine sends it to the batch path (the job enters
 * `transcribing` there). The same goes when Transcribe itself throttles the streams (the account's quota, shared
 * with whatever else runs in it): batch jobs queue instead of failing, so waiting for streams would only be
 * slower. One Lambda does it all: no per-chunk S3 objects or invocations on the critical path.
 */
export function fastTranscribe(deps: FastTranscribeDeps) {
  return async (input: FastTranscribeInput): Promise<FastTranscribeOutput> => {
    const started = Date.now();
    const dir = await mkdtemp(path.join(deps.tempDir ?? tmpdir(), 'vnt-fast-'));
    try {
      const wavPath = path.join(dir, 'normalized.wav');
      await deps.objects.download({ bucket: deps.workBucket, key: input.normalizedKey }, wavPath);
      const chunks = await deps.audio.splitAtSilences(wavPath, deps.chunkSeconds ?? AUDIO.fastPathChunkSeconds, dir);
      const speech = await deps.speech();
      const lease = await deps.streams.acquire(input.jobId, chunks.length, speech.chunkCapacity);
      if (lease === undefined) {
        return toBatchPath('Transcribe streams all taken', { streams: chunks.length, capacity: speech.chunkCapacity });
      }
      try {
        await deps.lifecycle.enter(input.jobId, 'transcribing');
        const transcript = await speech.transcribeChunks(
          chunks.map(({ index, wavPath: chunkPath }) => ({ index, wavPath: chunkPath })),
          input.languageHint ?? undefined,
          DEFAULT_IDENTIFICATION_CANDIDATES,
          lease.claim.streams,
        );
        return {
          outcome: FAST_PATH_TRANSCRIBED,
          transcript: { text: transcript.text, languageCode: transcript.languageCode, transcribeMs: elapsedMs(started) },
        };
      } catch (error) {
        if (!(error instanceof RetryableError && error.code === 'ENGINE_THROTTLED')) throw error;
        return toBatchPath('Transcribe throttled the streams', { streams: chunks.length, error: error.message });
      } finally {
        await release(lease);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Not a failure: the state machine sends the note to the batch path, which moves it to `transcribing` again. */
function toBatchPath(reason: string, details: Record<string, unknown>): FastTranscribeOutput {
  logger.info(`${reason}: the note goes to the batch path`, details);
  metrics.addMetric(METRICS.names.fastPathStreamsBusy, MetricUnit.Count, 1);
  return { outcome: 'streams-busy', transcript: null };
}

/** The note is done either way: a lease that cannot be released now expires with its claim. */
async function release(lease: StreamLease): Promise<void> {
  try {
    await lease.release();
  } catch (error) {
    logger.warn('Could not release the Transcribe streams; they come back when the claim expires', {
      claim: lease.claim,
      error: error instanceof Error ? error : String(error),
    });
  }
}

export const handler = taskHandler(
  FastTranscribeInput,
  fastTranscribe({
    lifecycle: jobLifecycleFromEnv(),
    objects: objectStoreFromEnv(),
    audio: new FfmpegAudioTools(),
    speech: speechRecognitionServiceFromEnv(),
    streams: new StreamLeases(streamLeaseStoreFromEnv(), { leaseSeconds: TRANSCRIBE_STREAMING.fastPathTimeoutSeconds }),
    workBucket: requireEnv(ENV.workBucket),
  }),
);
