import { isLanguageCode } from '../../lib/config/languages';
import type { LanguageIdentification, LanguageIdentifier } from '../../functions/speech/language-identifier';

type EldDetector = (typeof import('eld/small'))['eld'];

/**
 * LanguageIdentifier over `eld` (n-gram detector, pure JS, small preloaded database): synchronous and fast
 * enough for a transcript. Build it with `EldLanguageIdentifier.load()`, which loads the 1.6 MB n-gram
 * database only when the local engines are first used.
 */
export class EldLanguageIdentifier implements LanguageIdentifier {
  private constructor(private readonly detector: EldDetector) {}

  static async load(): Promise<EldLanguageIdentifier> {
    const { eld } = await import('eld/small');
    return new EldLanguageIdentifier(eld);
  }

  identify(text: string): LanguageIdentification {
    const result = this.detector.detect(text);
    return isLanguageCode(result.language) ? { language: result.language, reliable: result.isReliable() } : { reliable: false };
  }
}
