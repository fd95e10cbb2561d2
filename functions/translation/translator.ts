import type { LanguageCode } from '../../lib/config/languages';

/**
 * Machine translation port (Amazon Translate; apertium locally). Implementations translate one request's
 * worth of text; splitting long text at sentence boundaries and the text cache live in the service above.
 */
export interface Translator {
  /** Largest input, in UTF-8 bytes, one `translate` call accepts. */
  readonly maxBytesPerRequest: number;
  supports(source: LanguageCode, target: LanguageCode): boolean;
  translate(text: string, source: LanguageCode, target: LanguageCode): Promise<string>;
}
