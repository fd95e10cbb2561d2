import type { LanguageCode } from '../../lib/config/languages';

export interface LanguageIdentification {
  /** Undefined when nothing was identified (too little text). */
  readonly language?: LanguageCode;
  /** Whether the identifier trusts its own answer; unreliable answers must not fail a job. */
  readonly reliable: boolean;
}

/** Identifies the language of a transcript's text (the local engine cannot identify spoken language itself). */
export interface LanguageIdentifier {
  identify(text: string): LanguageIdentification;
}
