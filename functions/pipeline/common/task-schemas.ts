import * as z from 'zod';
import { isLanguageCode, type LanguageCode } from '../../../lib/config/languages';
import { JOB_ID_PATTERN } from '../../jobs/job-id';

/**
 * The data that flows through the state machine, one schema per piece. Every task validates its input
 * (the state machine's Parameters build it) and returns exactly its output type, which the state machine
 * stores under one key of the execution state (see lib/constructs/pipeline-workflow.ts).
 */
export const JobId = z.string().regex(JOB_ID_PATTERN, 'must be a job id');

export const Language = z.custom<LanguageCode>(isLanguageCode, 'must be a supported language code');

/** Execution input, built by the starter from the job record: the same job always gives the same input. */
export const ExecutionInput = z.object({
  jobId: JobId,
  upload: z.object({ bucket: z.string().min(1), key: z.string().min(1) }),
  targetLanguage: Language,
  /** The caller's spoken-language hint; null lets the engine identify the language. */
  languageHint: Language.nullable(),
});
export type ExecutionInput = z.infer<typeof ExecutionInput>;

const NormalizedAudioFacts = z.object({
  durationSeconds: z.number(),
  audioHash: z.string(),
  /** The job's tier limit for the fast path; the state machine's Choice compares the duration with it. */
  fastPathMaxSeconds: z.number(),
  normalizeMs: z.number(),
});

/**
 * `$.audio`: Normalize's output. On an audio-result cache hit Normalize has already completed the job and
 * stored no WAV (`normalizedKey: null`); the state machine's Choice ends the execution on `cached: true`.
 * Every field is always present: the state's ResultSelector fails on a missing path.
 */
export const NormalizedAudioOutput = z.discriminatedUnion('cached', [
  NormalizedAudioFacts.extend({ cached: z.literal(false), normalizedKey: z.string() }),
  NormalizedAudioFacts.extend({ cached: z.literal(true), normalizedKey: z.null() }),
]);
export type NormalizedAudioOutput = z.infer<typeof NormalizedAudioOutput>;

/** `$.transcript`: the same shape from the fast path, the Transcribe callback and the polling fallback. */
export const TranscriptOutput = z.object({
  text: z.string(),
  languageCode: Language,
  transcribeMs: z.number(),
});
export type TranscriptOutput = z.infer<typeof TranscriptOutput>;

/** `$.translation`: Translate's output. */
export const TranslationOutput = z.object({
  text: z.string(),
  translateMs: z.number(),
});
export type TranslationOutput = z.infer<typeof TranslationOutput>;

/** Milliseconds since `since`, for stage timings. */
export function elapsedMs(since: number | Date | string, now: number = Date.now()): number {
  const start = typeof since === 'number' ? since : new Date(since).getTime();
  return Math.max(0, Math.round(now - start));
}
