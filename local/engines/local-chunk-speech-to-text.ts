import { availableParallelism } from 'node:os';
import type { LanguageCode } from '../../lib/config/languages';
import { fastPathStreams } from '../../lib/config/limits';
import { TIER_NAMES, TIERS } from '../../lib/config/tiers';
import type { ChunkSpeechToText, Transcript } from '../../functions/speech/speech-to-text';
import type { LocalLanguagePolicy } from './local-language-policy';
import type { PocketsphinxRecognizer } from './pocketsphinx-recognizer';

/**
 * The local stand-in for the stage's stream bound: room for one note of the longest fast path (fewer and such
 * notes would never get their chunks), or two chunks per core when that is more. pocketsphinx recognises a
 * chunk of a few seconds in about a second on one core, so more chunks in flight would only queue for a core:
 * past the bound a note takes the local batch path, exactly as it takes Transcribe batch in AWS.
 */
export function localChunkCapacity(cores: number = availableParallelism()): number {
  const longestNote = Math.max(...TIER_NAMES.map((tier) => fastPathStreams(TIERS[tier].fastPathMaxSeconds)));
  return Math.max(longestNote, 2 * cores);
}

/** Fast-path chunk recognition with pocketsphinx; the recogniser's semaphore spreads chunks over the cores. */
export class LocalChunkSpeechToText implements ChunkSpeechToText {
  constructor(
    private readonly recognizer: PocketsphinxRecognizer,
    private readonly languages: LocalLanguagePolicy,
    readonly maxConcurrentChunks: number = localChunkCapacity(),
  ) {}

  async transcribeChunk(wavPath: string, languageHint: LanguageCode | undefined, candidates: readonly LanguageCode[]): Promise<Transcript> {
    const chosen = this.languages.choose(languageHint, candidates);
    const text = await this.recognizer.recognize(wavPath);
    return { text, languageCode: this.languages.confirm(text, chosen, languageHint) };
  }
}
