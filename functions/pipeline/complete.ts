import { DAY_SECONDS } from '../../lib/config/limits';
import { TIERS } from '../../lib/config/tiers';
import type { StageTimings } from '../jobs/job';
import { logger } from '../shared/powertools';
import { statsRepositoryFromEnv } from '../stats/dynamo-stats-repository';
import type { StatsRepository } from '../stats/stats-repository';
import { type AudioResultCache, audioResultCacheFromEnv } from './common/audio-result-cache';
import { type JobLifecycle, jobLifecycleFromEnv } from './common/job-lifecycle';
import { recordCompletedNote } from './common/pipeline-metrics';
import { taskHandler } from './common/task-handler';
import { CompleteInput, elapsedMs } from './common/task-schemas';

export interface CompleteDeps {
  readonly lifecycle: Pick<JobLifecycle, 'complete'>;
  readonly cache: Pick<AudioResultCache, 'put'>;
  readonly stats: Pick<StatsRepository, 'recordCompletion'>;
}

/**
 * Terminal success: store the result on the job (which is the history entry, TTL by tier), then the
 * whole-note cache (kept no longer than the tier keeps history; deleting the job deletes it), the service
 * stats and the metrics. When the job is already terminal or deleted (its owner deleted it mid-flight)
 * nothing is cached or counted. Once the job is completed, the rest is best-effort: a failure there must
 * not turn a delivered result into a failed execution.
 */
export function complete(deps: CompleteDeps) {
  return async (input: CompleteInput): Promise<{ readonly status: 'completed' | 'skipped' }> => {
    const timings: StageTimings = {
      normalize: input.normalizeMs,
      transcribe: input.transcript.transcribeMs,
      translate: input.translation.translateMs,
      total: elapsedMs(input.executionStartTime),
    };
    const result = {
      transcript: input.transcript.text,
      detectedLanguage: input.transcript.languageCode,
      translation: input.translation.text,
    };
    const job = await deps.lifecycle.complete(input.jobId, { ...result, cached: false }, timings);
    if (job === undefined) {
      logger.info('Job already terminal or deleted; result not stored', { jobId: input.jobId });
      return { status: 'skipped' };
    }
    const sideEffects = await Promise.allSettled([
      deps.cache.put(input, result, TIERS[job.tier].historyRetentionDays * DAY_SECONDS),
      deps.stats.recordCompletion({ detectedLanguage: result.detectedLanguage, targetLanguage: input.targetLanguage, cached: false }),
    ]);
    for (const outcome of sideEffects) {
      if (outcome.status === 'rejected') {
        logger.error('Completed the job but could not update the cache or stats', { jobId: input.jobId, error: outcome.reason as Error });
      }
    }
    recordCompletedNote(timings);
    logger.info('Note completed', { timings });
    return { status: 'completed' };
  };
}

export const handler = taskHandler(
  CompleteInput,
  complete({ lifecycle: jobLifecycleFromEnv(), cache: audioResultCacheFromEnv(), stats: statsRepositoryFromEnv() }),
);
