import { isLanguageCode } from '../../../lib/config/languages';
import type { LanguageIdentification, LanguageIdentifier } from '../language-identifier';

type EldDetector = (typeof import('eld/small'))['eld'];

/**
 * The module specifier is a variable on purpose: esbuild leaves `import(variable)` unbundled, so eld's 1.6 MB
 * n-gram database never ships in a Lambda bundle (only the local stack, running from source, loads it).
 */
const ELD_MODULE = 'eld/small';

/**
 * LanguageIdentifier over `eld` (n-gram detector, pure JS, small preloaded database): synchronous and fast
 * enough for a transcript. Build it with `EldLanguageIdentifier.load()`.
 */
export class EldLanguageIdentifier implements LanguageIdentifier {
  private constructor(private readonly detector: EldDetector) {}

  static async load(): Promise<EldLanguageIdentifier> {
    const { eld } = (await import(ELD_MODULE)) as typeof import('eld/small');
    return new EldLanguageIdentifier(eld);
  }

  identify(text: string): LanguageIdentification {
    const result = this.detector.detect(text);
    return isLanguageCode(result.language) ? { language: result.language, reliable: result.isReliable() } : { reliable: false };
  }
}
