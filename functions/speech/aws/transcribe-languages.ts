import { type LanguageCode, SPOKEN_LANGUAGE_LOCALES } from '../../../lib/config/languages';
import type { SpeechLanguages } from '../speech-to-text';

const SPOKEN = Object.keys(SPOKEN_LANGUAGE_LOCALES).sort() as LanguageCode[];

/**
 * What Amazon Transcribe recognises (lib/config/languages.ts). Static data without the SDK, so the API
 * functions that answer from it do not bundle the Transcribe clients.
 */
export const TRANSCRIBE_LANGUAGES: SpeechLanguages = {
  spokenLanguages: () => SPOKEN,
};
