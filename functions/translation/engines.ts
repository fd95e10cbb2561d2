import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
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

let factory: TranslatorFactory = createAmazonTranslator;
let service: Promise<TranslationService> | undefined;

/**
 * Replaces the translator of every handler in this process. Lambda never calls it: its bundles hold Amazon
 * Translate only. The local stack calls it (local/engines) before it loads any handler.
 */
export function setTranslatorFactory(next: TranslatorFactory): void {
  factory = next;
  service = undefined;
}

/**
 * The `translation` dependency of the translate task handler. Call it at module scope: it reads the table name
 * now (cold start); the service (translator + the table's text cache) is built once per process on first use.
 */
export function translationServiceFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<TranslationService> {
  const tableName = requireEnv(ENV.tableName, env);
  return () => {
    service ??= (async () => {
      const [translator, { dynamoDocumentClient }] = await Promise.all([factory(), import('../shared/clients')]);
      return new TranslationService(translator, new DynamoTextTranslationCache(dynamoDocumentClient(), tableName));
    })().catch((error: unknown) => {
      service = undefined; // a failed cold start must not poison the container
      throw error;
    });
    return service;
  };
}
