import type { LanguageCode } from '../../lib/config/languages';
import { PipelineFailureError } from '../../functions/shared/errors';
import type { LanguageIdentifier } from '../../functions/speech/language-identifier';

/**
 * Language rules for a local recogniser that only knows some languages (pocketsphinx: English) and cannot
 * identify spoken language: pick the language before recognising, then check the words with a text
 * language identifier. Anything outside the installed models fails clearly with UNSUPPORTED_LANGUAGE.
 */
export class LocalLanguagePolicy {
  constructor(
    private readonly supported: readonly LanguageCode[],
    private readonly identifier: LanguageIdentifier,
  ) {}

  /** The language to recognise in: the hint, else the first supported candidate. */
  choose(hint: LanguageCode | undefined, candidates: readonly LanguageCode[]): LanguageCode {
    if (hint !== undefined) {
      if (!this.supported.includes(hint)) {
        throw new PipelineFailureError(
          'UNSUPPORTED_LANGUAGE',
          `The local speech engine recognises only ${this.supported.join(', ')}; "${hint}" is not installed.`,
          { language: hint, supported: [...this.supported] },
        );
      }
      return hint;
    }
    const chosen = candidates.length === 0 ? this.supported[0] : candidates.find((c) => this.supported.includes(c));
    if (chosen === undefined) {
      throw new PipelineFailureError(
        'UNSUPPORTED_LANGUAGE',
        `The local speech engine recognises only ${this.supported.join(', ')}; none of the candidates (${candidates.join(', ')}) is installed.`,
        { candidates: [...candidates], supported: [...this.supported] },
      );
    }
    return chosen;
  }

  /**
   * After recognition without a hint: if the words reliably read as a language the engine does not have, the
   * speaker was not speaking a supported language (the recogniser forced foreign speech into its own words).
   */
  confirm(text: string, chosen: LanguageCode, hint: LanguageCode | undefined): LanguageCode {
    if (hint !== undefined || text.trim() === '') return chosen;
    const identified = this.identifier.identify(text);
    if (identified.reliable && identified.language !== undefined && !this.supported.includes(identified.language)) {
      throw new PipelineFailureError(
        'UNSUPPORTED_LANGUAGE',
        `The speech appears to be in "${identified.language}", which the local speech engine cannot recognise (installed: ${this.supported.join(', ')}).`,
        { identified: identified.language, supported: [...this.supported] },
      );
    }
    return chosen;
  }
}
