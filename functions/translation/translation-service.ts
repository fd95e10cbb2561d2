import type { LanguageCode } from '../../lib/config/languages';
import { CACHE_TTLS } from '../../lib/config/limits';
import { PipelineFailureError } from '../shared/errors';
import { joinTranslations, splitForTranslation } from './text-splitter';
import { type TextTranslationCache, textTranslationHash } from './text-translation-cache';
import type { Translator } from './translator';

export interface TranslationRequest {
  readonly text: string;
  readonly source: LanguageCode;
  readonly target: LanguageCode;
}

export interface TranslationOutcome {
  readonly translatedText: string;
  /** The source already was the target: nothing was translated or cached. */
  readonly skipped: boolean;
  /** The text cache answered (no translator call). */
  readonly cacheHit: boolean;
  /** Translator calls made (0 on skip or cache hit): a cost/latency signal for metrics. */
  readonly requests: number;
}

/**
 * Translation rules, engine-agnostic: skip when source = target, text cache first, split at the translator's
 * per-request limit (sentence boundaries), translate pieces in order, join, cache.
 */
export class TranslationService {
  constructor(
    private readonly translator: Translator,
    private readonly cache: TextTranslationCache,
    private readonly ttlSeconds: number = CACHE_TTLS.textTranslationSeconds,
  ) {}

  async translate(request: TranslationRequest): Promise<TranslationOutcome> {
    const { text, source, target } = request;
    if (source === target) return { translatedText: text, skipped: true, cacheHit: false, requests: 0 };
    if (!this.translator.supports(source, target)) {
      throw new PipelineFailureError('UNSUPPORTED_LANGUAGE_PAIR', `Translation from "${source}" to "${target}" is not available.`, {
        source,
        target,
      });
    }
    const hash = textTranslationHash(text, source, target);
    const cached = await this.cache.get(hash);
    if (cached) return { translatedText: cached.translatedText, skipped: false, cacheHit: true, requests: 0 };

    const pieces = splitForTranslation(text.trim(), this.translator.maxBytesPerRequest, source).filter((p) => p.trim() !== '');
    const translated: string[] = [];
    // In order, one at a time: pieces are few (9 KB each) and sequential calls stay under the TPS limits.
    for (const piece of pieces) {
      translated.push(await this.translator.translate(piece.trim(), source, target));
    }
    const translatedText = joinTranslations(translated, target);
    await this.cache.put(hash, { translatedText, sourceLanguage: source, targetLanguage: target }, this.ttlSeconds);
    return { translatedText, skipped: false, cacheHit: false, requests: pieces.length };
  }
}
