import { TranslateTextCommand, type TranslateClient } from '@aws-sdk/client-translate';
import type { LanguageCode } from '../../lib/config/languages';
import { PIPELINE } from '../../lib/config/limits';
import { PipelineFailureError, RetryableError } from '../shared/errors';
import { AMAZON_TRANSLATE_LANGUAGES } from './amazon-translate-languages';
import type { TranslationRoute, Translator } from './translator';

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);
const UNAVAILABLE = new Set(['ServiceUnavailableException', 'InternalServerException']);

/** Amazon Translate (TranslateText, real-time, one request per call). */
export class AwsTranslator implements Translator {
  readonly maxBytesPerRequest = PIPELINE.translateMaxBytesPerRequest;

  constructor(private readonly client: TranslateClient) {}

  routes(): readonly TranslationRoute[] {
    return AMAZON_TRANSLATE_LANGUAGES.routes();
  }

  /** Every pair of the languages Amazon Translate lists (ours are its codes); same-language is the service's skip. */
  supports(source: LanguageCode, target: LanguageCode): boolean {
    return AMAZON_TRANSLATE_LANGUAGES.supports(source, target);
  }

  async translate(text: string, source: LanguageCode, target: LanguageCode): Promise<string> {
    try {
      const { TranslatedText } = await this.client.send(
        new TranslateTextCommand({ Text: text, SourceLanguageCode: source, TargetLanguageCode: target }),
      );
      return TranslatedText ?? '';
    } catch (error) {
      throw classify(error, source, target);
    }
  }
}

function classify(error: unknown, source: LanguageCode, target: LanguageCode): unknown {
  const name = error instanceof Error ? error.name : '';
  // Unavailability is retried like throttling: both clear with backoff.
  if (THROTTLED.has(name) || UNAVAILABLE.has(name)) {
    return new RetryableError('ENGINE_THROTTLED', `Amazon Translate is busy (${name}); retrying.`);
  }
  if (name === 'UnsupportedLanguagePairException') {
    return new PipelineFailureError('UNSUPPORTED_LANGUAGE_PAIR', `Amazon Translate cannot translate from "${source}" to "${target}".`, {
      source,
      target,
    });
  }
  if (name === 'TextSizeLimitExceededException' || name === 'DetectedLanguageLowConfidenceException') {
    return new PipelineFailureError('TRANSLATION_FAILED', `Amazon Translate rejected the text (${name}).`);
  }
  return error;
}
