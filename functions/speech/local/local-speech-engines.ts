import { FfmpegAudioTools } from '../../audio/ffmpeg-audio-tools';
import { s3 } from '../../shared/clients';
import { EldLanguageIdentifier } from './eld-language-identifier';
import { LocalBatchSpeechToText, s3Downloader } from './local-batch-speech-to-text';
import { LocalChunkSpeechToText } from './local-chunk-speech-to-text';
import { LocalLanguagePolicy } from './local-language-policy';
import { PocketsphinxRecognizer } from './pocketsphinx-recognizer';

/**
 * The local engines, sharing one recogniser (so batch and fast path together never run more pocketsphinx
 * processes than there are cores). The batch engine reads the normalised WAV from S3 (s3rver) like Transcribe.
 */
export async function createLocalSpeechEngines(stage: string): Promise<{ batch: LocalBatchSpeechToText; chunk: LocalChunkSpeechToText }> {
  const recognizer = new PocketsphinxRecognizer();
  const languages = new LocalLanguagePolicy(recognizer.languages, await EldLanguageIdentifier.load());
  return {
    batch: new LocalBatchSpeechToText({ recognizer, languages, audioTools: new FfmpegAudioTools(), download: s3Downloader(s3()), stage }),
    chunk: new LocalChunkSpeechToText(recognizer, languages),
  };
}
