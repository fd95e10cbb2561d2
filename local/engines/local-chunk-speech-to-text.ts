import type { LanguageCode } from '../../lib/config/languages';
import type { ChunkSpeechToText, Transcript } from '../../functions/speech/speech-to-text';
import type { LocalLanguagePolicy } from './local-language-policy';
import type { PocketsphinxRecognizer } from './pocketsphinx-recognizer';

/** Fast-path chunk recognition with pocketsphinx; the recogniser's semaphore spreads chunks over the cores. */
export class LocalChunkSpeechToText implements ChunkSpeechToText {
  constructor(
    private readonly recognizer: PocketsphinxRecognizer,
    private readonly languages: LocalLanguagePolicy,
  ) {}

  async transcribeChunk(wavPath: string, languageHint: LanguageCode | undefined, candidates: readonly LanguageCode[]): Promise<Transcript> {
    const chosen = this.languages.choose(languageHint, candidates);
    const text = await this.recognizer.recognize(wavPath);
    return { text, languageCode: this.languages.confirm(text, chosen, languageHint) };
  }
}
