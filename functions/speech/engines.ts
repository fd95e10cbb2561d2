import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
import { replaceableSingleton } from '../shared/replaceable-singleton';
import type { BatchSpeechToText, ChunkSpeechToText } from './speech-to-text';
import { SpeechRecognitionService } from './transcript-service';

/** The speech adapters the pipeline's recognition tasks use. */
export interface SpeechEngines {
  readonly batch: BatchSpeechToText;
  readonly chunk: ChunkSpeechToText;
}

/** What the adapters are built with, read from the function's environment at cold start. */
export interface SpeechEngineSettings {
  /** Deployment stage (ENV.stage): Transcribe job names are scoped by it. */
  readonly stage: string;
  /** Work bucket (ENV.workBucket): where Transcribe batch jobs write their output. */
  readonly workBucket: string;
}

/** Builds the speech adapters; called once per process, on first use. */
export type SpeechEnginesFactory = (settings: SpeechEngineSettings) => SpeechEngines | Promise<SpeechEngines>;

/**
 * Amazon Transcribe batch jobs and Transcribe streaming, traced. The SDK clients load on first use, so a cold
 * start that never recognises (a retried task that fails early) does not pay for them.
 */
export const createTranscribeEngines: SpeechEnginesFactory = async ({ stage, workBucket }) => {
  const [{ TranscribeClient }, { TranscribeStreamingClient }, { TranscribeBatchSpeechToText }, { TranscribeStreamingChunkSpeechToText }, { s3 }, { tracer }] =
    await Promise.all([
      import('@aws-sdk/client-transcribe'),
      import('@aws-sdk/client-transcribe-streaming'),
      import('./aws/transcribe-batch-speech-to-text'),
      import('./aws/transcribe-streaming-chunk-speech-to-text'),
      import('../shared/clients'),
      import('../shared/powertools'),
    ]);
  return {
    batch: new TranscribeBatchSpeechToText(tracer.captureAWSv3Client(new TranscribeClient({})), s3(), { outputBucket: workBucket, stage }),
    chunk: new TranscribeStreamingChunkSpeechToText(tracer.captureAWSv3Client(new TranscribeStreamingClient({}))),
  };
};

const engines = replaceableSingleton<SpeechEngines, [SpeechEngineSettings]>(createTranscribeEngines);

/**
 * Replaces the speech adapters of every handler in this process. Lambda never calls it: its bundles hold the
 * Transcribe adapters only. The local stack calls it (local/engines) before it loads any handler, so local
 * engine code stays out of the functions/ tree and out of every bundle.
 */
export function setSpeechEnginesFactory(factory: SpeechEnginesFactory): void {
  engines.replaceFactory(factory);
}

/**
 * The `speech` dependency of the recognition task handlers. Call it at module scope: it reads the settings now,
 * so a function whose environment lacks them fails its cold start; the engines are built once per process
 * (one Lambda container, or the local stack, where every function's environment agrees) on first use.
 */
export function speechRecognitionServiceFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<SpeechRecognitionService> {
  const settings: SpeechEngineSettings = { stage: requireEnv(ENV.stage, env), workBucket: requireEnv(ENV.workBucket, env) };
  return async () => {
    const { batch, chunk } = await engines.get(settings);
    return new SpeechRecognitionService(batch, chunk);
  };
}
