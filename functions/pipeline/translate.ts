import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../lib/config/metric-names';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import { metrics } from '../shared/powertools';
import { translationServiceFromEnv } from '../translation/engines';
import type { TranslationService } from '../translation/translation-service';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { taskHandler } from './common/task-handler';
import { elapsedMs, TranslateInput, type TranslationOutput } from './common/task-schemas';

export interface TranslateDeps {
  readonly lifecycle: Pick<JobLifecycle, 'enter'>;
  readonly translation: () => Promise<Pick<TranslationService, 'translate'>>;
}

/**
 * Translate the transcript into the job's target language. The service skips same-language notes, answers
 * from the text cache first and splits long text at sentence boundaries; engine throttling surfaces as
 * RetryableError and an impossible pair as UNSUPPORTED_LANGUAGE_PAIR.
 */
export function translate(deps: TranslateDeps) {
  return async (input: TranslateInput): Promise<TranslationOutput> => {
    const started = Date.now();
    await deps.lifecycle.enter(input.jobId, 'translating', { sourceLanguage: input.transcript.languageCode });
    const service = await deps.translation();
    const outcome = await service.translate({
      text: input.transcript.text,
      source: input.transcript.languageCode,
      target: input.targetLanguage,
    });
    if (outcome.cacheHit) metrics.addMetric(METRICS.names.textCacheHit, MetricUnit.Count, 1);
    return { text: outcome.translatedText, translateMs: elapsedMs(started) };
  };
}

export const handler = taskHandler(
  TranslateInput,
  translate({ lifecycle: jobLifecycleFromEnv(), translation: translationServiceFromEnv() }),
);
