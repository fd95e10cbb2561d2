import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
import { replaceableSingleton } from '../shared/replaceable-singleton';
import { DynamoTextTranslationCache } from './dynamo-text-translation-cache';
import { TranslationService } from './translation-service';
import type { Translator } from './translator';

/** Builds the machine translator; called once per process, on first use. */
export type TranslatorFactory = () => Translator | Promise<Translator>;

/** Amazon Translate, traced; the SDK client loads on first use. */
export const createAmazonTranslator: TranslatorFactory = async () => {
  const [{ TranslateClient }, { AwsTranslator }, { tracer }] = await Promise.all([
    import('@aws-sdk/client-translate'),
    import('./aws-translator'),
    import('../shared/powertools'),
  ]);
  return new AwsTranslator(tracer.captureAWSv3Client(new TranslateClient({})));
};

const translator = replaceableSingleton<Translator, []>(createAmazonTranslator);

/**
 * Replaces the translator of every handler in this process. Lambda never calls it: its bundles hold Amazon
 * Translate only. The local stack calls it (local/engines) before it loads any handler.
 */
export function setTranslatorFactory(factory: TranslatorFactory): void {
  translator.replaceFactory(factory);
}

/**
 * The `translation` dependency of the translate task handler. Call it at module scope: it reads the table name
 * now (cold start); the translator is built once per process on first use, over the table's text cache.
 */
export function translationServiceFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<TranslationService> {
  const tableName = requireEnv(ENV.tableName, env);
  return async () => {
    const [engine, { dynamoDocumentClient }] = await Promise.all([translator.get(), import('../shared/clients')]);
    return new TranslationService(engine, new DynamoTextTranslationCache(dynamoDocumentClient(), tableName));
  };
}
