import type { S3Client } from '@aws-sdk/client-s3';
import { FfmpegAudioTools } from '../../functions/audio/ffmpeg-audio-tools';
import { setLanguageEnginesFactory } from '../../functions/languages/engines';
import { type SpeechEngineSettings, setSpeechEnginesFactory } from '../../functions/speech/engines';
import { setTranslatorFactory } from '../../functions/translation/engines';
import { ApertiumTranslator } from './apertium-translator';
import { EldLanguageIdentifier } from './eld-language-identifier';
import { LocalBatchSpeechToText, s3Downloader } from './local-batch-speech-to-text';
import { LocalChunkSpeechToText } from './local-chunk-speech-to-text';
import { LocalLanguagePolicy } from './local-language-policy';
import { PocketsphinxRecognizer } from './pocketsphinx-recognizer';
import type { TranscribeJobStateChangeListener } from './transcribe-job-events';

export interface LocalEngineOptions {
  /** Reads the normalised WAVs the batch engine recognises (the local S3). */
  readonly s3: S3Client;
  /** Where finished batch jobs are announced, as Transcribe's EventBridge events (the local event bus). */
  readonly onTranscribeJobStateChange: TranscribeJobStateChangeListener;
}

export interface LocalSpeechEngines {
  readonly batch: LocalBatchSpeechToText;
  readonly chunk: LocalChunkSpeechToText;
}

/**
 * The local speech engines, sharing one recogniser (so batch and fast path together never run more
 * pocketsphinx processes than there are cores). The batch engine reads the normalised WAV from S3 like
 * Transcribe does.
 */
export async function createLocalSpeechEngines(
  settings: SpeechEngineSettings,
  options: LocalEngineOptions,
  recognizer: PocketsphinxRecognizer = new PocketsphinxRecognizer(),
): Promise<LocalSpeechEngines> {
  const languages = new LocalLanguagePolicy(recognizer.languages, await EldLanguageIdentifier.load());
  return {
    batch: new LocalBatchSpeechToText({
      recognizer,
      languages,
      audioTools: new FfmpegAudioTools(),
      download: s3Downloader(options.s3),
      stage: settings.stage,
      onJobStateChange: options.onTranscribeJobStateChange,
    }),
    chunk: new LocalChunkSpeechToText(recognizer, languages),
  };
}

/**
 * Makes every handler in this process use the offline engines (pocketsphinx + eld for speech, apertium for
 * translation) through the factories the handlers already call. Call it before any handler is loaded; the
 * engines themselves are built on first use, with the settings the calling function's environment gives.
 * GET /languages and POST /uploads ask the same recogniser and translator the pipeline runs, so what the API
 * offers is what the pipeline can do.
 */
export function installLocalEngines(options: LocalEngineOptions): void {
  const recognizer = once(() => new PocketsphinxRecognizer());
  const translator = once(() => new ApertiumTranslator());
  setSpeechEnginesFactory((settings) => createLocalSpeechEngines(settings, options, recognizer()));
  setTranslatorFactory(translator);
  setLanguageEnginesFactory(() => ({ speech: recognizer(), translation: translator() }));
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
