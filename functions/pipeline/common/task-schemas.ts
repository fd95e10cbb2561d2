import * as z from 'zod';
import { isLanguageCode, type LanguageCode } from '../../../lib/config/languages';
import type { Job } from '../../jobs/job';
import { JOB_ID_PATTERN } from '../../jobs/job-id';
import { PIPELINE_FAILURE_CODES } from '../../shared/errors';

/**
 * The pipeline's data contract: what flows through the state machine, written once. Every task validates
 * its input with the schema here and returns its output type; lib/constructs/pipeline-workflow.ts builds
 * each state's Payload and ResultSelector from the same schemas, so a renamed field fails the typecheck
 * instead of the state machine. Side-effect free on purpose: the CDK app imports it.
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

/**
 * A job's execution input, from the job record alone (and the bucket its upload is in): every start of the
 * same job (the starter's, a redelivered upload event's, the job sweeper's) sends the same input, which is
 * what lets Step Functions answer a repeated start with the same execution.
 */
export function executionInputOf(
  job: Pick<Job, 'jobId' | 'uploadKey' | 'targetLanguage' | 'sourceLanguage'>,
  uploadsBucket: string,
): ExecutionInput {
  return {
    jobId: job.jobId,
    upload: { bucket: uploadsBucket, key: job.uploadKey },
    targetLanguage: job.targetLanguage,
    languageHint: job.sourceLanguage ?? null,
  };
}

/** `{Error, Cause}` as a Catch stores a caught error in the execution state. */
export const CaughtError = z.object({ Error: z.string().nullish(), Cause: z.string().nullish() });
export type CaughtError = z.infer<typeof CaughtError>;

// --- Normalize --------------------------------------------------------------------------------------------

export const NormalizeInput = ExecutionInput.extend({
  /** `$$.Execution.StartTime`: on a cache hit the note's total time is measured from it. */
  executionStartTime: z.string(),
});
export type NormalizeInput = z.infer<typeof NormalizeInput>;

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

// --- Transcription (fast path, batch with callback, polling fallback) --------------------------------------

/** `$.transcript`: the same shape from the fast path, the Transcribe callback and the polling fallback. */
export const TranscriptOutput = z.object({
  text: z.string(),
  languageCode: Language,
  transcribeMs: z.number(),
});
export type TranscriptOutput = z.infer<typeof TranscriptOutput>;

export const FastTranscribeInput = z.object({
  jobId: JobId,
  normalizedKey: z.string().min(1),
  languageHint: Language.nullable(),
});
export type FastTranscribeInput = z.infer<typeof FastTranscribeInput>;

/** The fast path's outcome when it recognised the note (the state machine's Choice tests for it). */
export const FAST_PATH_TRANSCRIBED = 'transcribed';

/**
 * `$.fastPath`: the fast path recognised the note, or found the stage's Transcribe streams all taken
 * (`streams-busy`, not an error: the state machine sends the note to the batch path instead). Every field is
 * in both members: the state's ResultSelector fails on a missing path.
 */
export const FastTranscribeOutput = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal(FAST_PATH_TRANSCRIBED), transcript: TranscriptOutput }),
  z.object({ outcome: z.literal('streams-busy'), transcript: z.null() }),
]);
export type FastTranscribeOutput = z.infer<typeof FastTranscribeOutput>;

export const StartTranscriptionInput = z.object({
  jobId: JobId,
  normalizedKey: z.string().min(1),
  languageHint: Language.nullable(),
  /** `$$.Task.Token` of the waiting `.waitForTaskToken` state. */
  taskToken: z.string().min(1),
});
export type StartTranscriptionInput = z.infer<typeof StartTranscriptionInput>;

export const FetchTranscriptionInput = z.object({ jobId: JobId });
export type FetchTranscriptionInput = z.infer<typeof FetchTranscriptionInput>;

// --- Translate, Complete, MarkFailed -------------------------------------------------------------------------

export const TranslateInput = z.object({
  jobId: JobId,
  transcript: TranscriptOutput,
  targetLanguage: Language,
});
export type TranslateInput = z.infer<typeof TranslateInput>;

/** `$.translation`: Translate's output. */
export const TranslationOutput = z.object({
  text: z.string(),
  translateMs: z.number(),
});
export type TranslationOutput = z.infer<typeof TranslationOutput>;

export const CompleteInput = z.object({
  jobId: JobId,
  audioHash: z.string().min(1),
  targetLanguage: Language,
  languageHint: Language.nullable(),
  transcript: TranscriptOutput,
  translation: TranslationOutput,
  normalizeMs: z.number(),
  /** `$$.Execution.StartTime`. */
  executionStartTime: z.string(),
});
export type CompleteInput = z.infer<typeof CompleteInput>;

export const MarkFailedInput = z.object({
  jobId: JobId,
  /** What Catch put at `$.error`. */
  error: CaughtError,
});
export type MarkFailedInput = z.infer<typeof MarkFailedInput>;

/** `$.failure`: the job's error as stored; the execution's Fail state reports its code and message. */
export const MarkFailedOutput = z.object({
  code: z.enum(PIPELINE_FAILURE_CODES),
  message: z.string(),
  /** False when the job was already terminal or gone (nothing new recorded or counted). */
  recorded: z.boolean(),
});
export type MarkFailedOutput = z.infer<typeof MarkFailedOutput>;

// --- The state machine's view ------------------------------------------------------------------------------

/**
 * Each state machine task's contract, by its handler (`functions/pipeline/<name>.ts`): the input its state's
 * Payload must build, and the result the state keeps (`undefined`: the state discards it). For the batch
 * Transcribe state the result is what the Transcribe-events handler sends with the task token.
 */
export const PIPELINE_TASKS = {
  normalize: { input: NormalizeInput, result: NormalizedAudioOutput },
  'fast-transcribe': { input: FastTranscribeInput, result: FastTranscribeOutput },
  'start-transcription': { input: StartTranscriptionInput, result: TranscriptOutput },
  'fetch-transcription': { input: FetchTranscriptionInput, result: TranscriptOutput },
  translate: { input: TranslateInput, result: TranslationOutput },
  complete: { input: CompleteInput, result: undefined },
  'mark-failed': { input: MarkFailedInput, result: MarkFailedOutput },
} as const satisfies Record<string, { readonly input: z.ZodObject; readonly result: z.ZodType | undefined }>;

/**
 * The execution state as it grows: the execution input, then each state's result under its own key. The
 * state machine's paths (`$.audio.normalizedKey`, …) are typed against it.
 */
export interface ExecutionState extends ExecutionInput {
  readonly audio: NormalizedAudioOutput;
  readonly fastPath: FastTranscribeOutput;
  /** Whichever path recognised the note: the fast path's transcript (moved here) or the batch path's. */
  readonly transcript: TranscriptOutput;
  readonly translation: TranslationOutput;
  /** A task's error, caught for MarkFailed. */
  readonly error: CaughtError;
  /** The callback state's timeout, caught for the polling fallback. */
  readonly callbackTimeout: CaughtError;
  readonly failure: MarkFailedOutput;
}

/** Milliseconds since `since`, for stage timings. */
export function elapsedMs(since: number | Date | string, now: number = Date.now()): number {
  const start = typeof since === 'number' ? since : new Date(since).getTime();
  return Math.max(0, Math.round(now - start));
}
