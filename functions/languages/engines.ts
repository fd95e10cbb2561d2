import { replaceableSingleton } from '../shared/replaceable-singleton';
import { TRANSCRIBE_LANGUAGES } from '../speech/aws/transcribe-languages';
import type { SpeechLanguages } from '../speech/speech-to-text';
import { AMAZON_TRANSLATE_LANGUAGES } from '../translation/amazon-translate-languages';
import type { TranslationLanguages } from '../translation/translator';
import { LanguageCatalog } from './language-catalog';

/** The engines' language queries: what the recogniser hears and what the translator can reach. */
export interface LanguageEngines {
  readonly speech: SpeechLanguages;
  readonly translation: TranslationLanguages;
}

export type LanguageEnginesFactory = () => LanguageEngines | Promise<LanguageEngines>;

/**
 * Amazon Transcribe's and Amazon Translate's sets, as data: the API functions answer from them without
 * bundling or building an SDK client (the pipeline's engines live in functions/speech and functions/translation).
 */
export const awsLanguageEngines: LanguageEnginesFactory = () => ({ speech: TRANSCRIBE_LANGUAGES, translation: AMAZON_TRANSLATE_LANGUAGES });

const catalog = replaceableSingleton<LanguageCatalog, []>(catalogOf(awsLanguageEngines));

function catalogOf(factory: LanguageEnginesFactory): () => Promise<LanguageCatalog> {
  return async () => {
    const { speech, translation } = await factory();
    return new LanguageCatalog(speech, translation);
  };
}

/**
 * Replaces the language queries of every handler in this process. Lambda never calls it. The local stack calls
 * it (local/engines) with its installed engines, the same instances its pipeline uses, before it loads any handler.
 */
export function setLanguageEnginesFactory(factory: LanguageEnginesFactory): void {
  catalog.replaceFactory(catalogOf(factory));
}

/** The deployment's language catalog, built once per process on first use. */
export function languageCatalog(): Promise<LanguageCatalog> {
  return catalog.get();
}
