import type { LanguageCode } from '../../lib/config/languages';

/** One translation an engine can make: `source` → `target`, directly or through `via`. */
export interface TranslationRoute {
  readonly source: LanguageCode;
  readonly target: LanguageCode;
  /** The pivot language, when the engine has no direct pair (apertium: en → es → fr). */
  readonly via?: LanguageCode;
}

/**
 * What a translation engine can do, asked without building it for work: GET /languages and POST /uploads
 * read it to offer and accept only reachable targets. Same-language "translations" are not routes.
 */
export interface TranslationLanguages {
  routes(): readonly TranslationRoute[];
}

/**
 * Machine translation port (Amazon Translate; apertium locally). Implementations translate one request's
 * worth of text; splitting long text at sentence boundaries and the text cache live in the service above.
 */
export interface Translator extends TranslationLanguages {
  /** Largest input, in UTF-8 bytes, one `translate` call accepts. */
  readonly maxBytesPerRequest: number;
  supports(source: LanguageCode, target: LanguageCode): boolean;
  translate(text: string, source: LanguageCode, target: LanguageCode): Promise<string>;
}
