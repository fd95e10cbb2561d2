import { historyRetentionSeconds } from '../../lib/config/tiers';
import type { StageTimings } from '../jobs/job';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import { logger } from '../shared/powertools';
import { type AudioResultCache, audioResultCacheFromEnv } from './common/audio-result-cache';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { taskHandler } from './common/task-handler';
import { CompleteInput, elapsedMs } from './common/task-schemas';

export interface CompleteDeps {
  readonly lifecycle: Pick<JobLifecycle, 'finish'>;
  readonly cache: Pick<AudioResultCache, 'put'>;
}

/**
 * Terminal success: JobLifecycle.finish stores the result on the job (which is the history entry, TTL by
 * tier) and records the stats, metrics and progress push; then the whole-note cache entry is written (kept
 * no longer than the tier keeps history; deleting the job deletes it). When the job is already terminal or
 * deleted (its owner deleted it mid-flight) nothing is cached. Once the job is completed, the rest is
 * best-effort: a failure there must not turn a delivered result into a failed execution.
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
    const finished = await deps.lifecycle.finish(input.jobId, { result: { ...result, cached: false }, timings });
    if (finished.status !== 'finished') return { status: 'skipped' };
    try {
      await deps.cache.put(input, result, historyRetentionSeconds(finished.job.tier));
    } catch (error) {
      logger.error('Completed the job but could not cache its result', { jobId: input.jobId, error: error as Error });
    }
    logger.info('Note completed', { timings });
    return { status: 'completed' };
  };
}

export const handler = taskHandler(
  CompleteInput,
  complete({ lifecycle: jobLifecycleFromEnv(), cache: audioResultCacheFromEnv() }),
);
