import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
import { type EngineName, engineNameFrom } from '../speech/engines';
import { DynamoTextTranslationCache } from './dynamo-text-translation-cache';
import { TranslationService } from './translation-service';
import type { Translator } from './translator';

/**
 * The translator TRANSLATION_ENGINE selects (`aws` unless set). Adapters load through dynamic `import()` so
 * only the chosen one's client initialises; `apertium` is a local binary and never runs in Lambda.
 */
export async function createTranslator(env: NodeJS.ProcessEnv = process.env): Promise<{ name: EngineName; translator: Translator }> {
  const name = engineNameFrom(ENV.translationEngine, env);
  if (name === 'aws') {
    const [{ TranslateClient }, { AwsTranslator }, { tracer }] = await Promise.all([
      import('@aws-sdk/client-translate'),
      import('./aws-translator'),
      import('../shared/powertools'),
    ]);
    return { name, translator: new AwsTranslator(tracer.captureAWSv3Client(new TranslateClient({}))) };
  }
  const { ApertiumTranslator } = await import('./apertium-translator');
  return { name, translator: new ApertiumTranslator() };
}

let service: Promise<TranslationService> | undefined;

/** The process-wide TranslationService (chosen translator + the table's text cache): what task handlers call. */
export function translationService(): Promise<TranslationService> {
  service ??= (async () => {
    const [{ translator }, { dynamoDocumentClient }] = await Promise.all([createTranslator(), import('../shared/clients')]);
    return new TranslationService(translator, new DynamoTextTranslationCache(dynamoDocumentClient(), requireEnv(ENV.tableName)));
  })().catch((error: unknown) => {
    service = undefined; // a failed cold start must not poison the container
    throw error;
  });
  return service;
}
