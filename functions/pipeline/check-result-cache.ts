import * as z from 'zod';
import { statsRepositoryFromEnv } from '../stats/dynamo-stats-repository';
import type { StatsRepository } from '../stats/stats-repository';
import { logger } from '../shared/powertools';
import { type AudioResultCache, audioResultCacheFromEnv } from './common/audio-result-cache';
import { type JobLifecycle, jobLifecycleFromEnv } from './common/job-lifecycle';
import { recordCacheLookup, recordCompletedNote } from './common/pipeline-metrics';
import { elapsedMs, JobId, Language } from './common/task-schemas';
import { taskHandler } from './common/task-handler';

export const CheckResultCacheInput = z.object({
  jobId: JobId,
  audioHash: z.string().min(1),
  targetLanguage: Language,
  languageHint: Language.nullable(),
  /** `$$.Execution.StartTime`: the note's total time on a hit is measured from it. */
  executionStartTime: z.string(),
  normalizeMs: z.number(),
});
export type CheckResultCacheInput = z.infer<typeof CheckResultCacheInput>;

export interface CheckResultCacheOutput {
  readonly cached: boolean;
}

export interface CheckResultCacheDeps {
  readonly cache: Pick<AudioResultCache, 'get'>;
  readonly lifecycle: Pick<JobLifecycle, 'complete'>;
  readonly stats: Pick<StatsRepository, 'recordCompletion'>;
}

/**
 * The same decoded audio with the same target language (and language hint) was already processed: complete the job from the
 * cache (`cached: true`) and skip Transcribe and Translate. The state machine ends on `cached: true`.
 */
export function checkResultCache(deps: CheckResultCacheDeps) {
  return async (input: CheckResultCacheInput): Promise<CheckResultCacheOutput> => {
    const hit = await deps.cache.get(input);
    recordCacheLookup(hit !== undefined);
    if (hit === undefined) return { cached: false };
    const timings = { normalize: input.normalizeMs, total: elapsedMs(input.executionStartTime) };
    const job = await deps.lifecycle.complete(
      input.jobId,
      { transcript: hit.transcript, detectedLanguage: hit.detectedLanguage, translation: hit.translation, cached: true },
      timings,
    );
    if (job === undefined) {
      logger.info('Job already terminal or deleted; cache hit not recorded', { jobId: input.jobId });
    } else {
      await deps.stats.recordCompletion({ detectedLanguage: hit.detectedLanguage, targetLanguage: input.targetLanguage, cached: true });
      recordCompletedNote(timings);
    }
    return { cached: true };
  };
}

export const handler = taskHandler(
  CheckResultCacheInput,
  checkResultCache({ cache: audioResultCacheFromEnv(), lifecycle: jobLifecycleFromEnv(), stats: statsRepositoryFromEnv() }),
);
