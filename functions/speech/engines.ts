import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
import type { BatchSpeechToText, ChunkSpeechToText } from './speech-to-text';
import { SpeechRecognitionService } from './transcript-service';

export const ENGINE_NAMES = ['aws', 'local'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface SpeechEngines {
  readonly name: EngineName;
  readonly batch: BatchSpeechToText;
  readonly chunk: ChunkSpeechToText;
}

/** Reads an engine selector (SPEECH_ENGINE / TRANSLATION_ENGINE): `aws` unless set; anything else fails the cold start. */
export function engineNameFrom(variable: string, env: NodeJS.ProcessEnv = process.env): EngineName {
  const value = env[variable] ?? 'aws';
  if (!(ENGINE_NAMES as readonly string[]).includes(value)) {
    throw new Error(`${variable} must be one of ${ENGINE_NAMES.join(', ')}; got "${value}"`);
  }
  return value as EngineName;
}

/**
 * Builds the speech adapters SPEECH_ENGINE selects. Both adapter sets load with dynamic `import()`, so only the
 * chosen side initialises. esbuild still bundles both (literal specifiers), which costs an AWS bundle only the
 * small local adapter files: their one heavy dependency (eld's n-gram data) is loaded by a non-literal import
 * that esbuild leaves out, and pocketsphinx/ffmpeg are binaries, never bundled.
 */
export async function createSpeechEngines(env: NodeJS.ProcessEnv = process.env): Promise<SpeechEngines> {
  const name = engineNameFrom(ENV.speechEngine, env);
  const stage = requireEnv(ENV.stage, env);
  if (name === 'aws') {
    const [{ TranscribeClient }, { TranscribeStreamingClient }, { TranscribeBatchSpeechToText }, { TranscribeStreamingChunkSpeechToText }, { s3 }, { tracer }] =
      await Promise.all([
        import('@aws-sdk/client-transcribe'),
        import('@aws-sdk/client-transcribe-streaming'),
        import('./aws/transcribe-batch-speech-to-text'),
        import('./aws/transcribe-streaming-chunk-speech-to-text'),
        import('../shared/clients'),
        import('../shared/powertools'),
      ]);
    const outputBucket = requireEnv(ENV.workBucket, env);
    return {
      name,
      batch: new TranscribeBatchSpeechToText(tracer.captureAWSv3Client(new TranscribeClient({})), s3(), { outputBucket, stage }),
      chunk: new TranscribeStreamingChunkSpeechToText(tracer.captureAWSv3Client(new TranscribeStreamingClient({}))),
    };
  }
  const { createLocalSpeechEngines } = await import('./local/local-speech-engines');
  return { name, ...(await createLocalSpeechEngines(stage)) };
}

let engines: Promise<SpeechEngines> | undefined;

/** The process-wide engines (one set per Lambda container / local stack process). */
export function speechEngines(): Promise<SpeechEngines> {
  engines ??= createSpeechEngines().catch((error: unknown) => {
    engines = undefined; // a failed cold start must not poison the container
    throw error;
  });
  return engines;
}

/** The process-wide SpeechRecognitionService over `speechEngines()`: what pipeline task handlers call. */
export async function speechRecognitionService(): Promise<SpeechRecognitionService> {
  const { batch, chunk } = await speechEngines();
  return new SpeechRecognitionService(batch, chunk);
}
