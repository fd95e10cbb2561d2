import type { LanguageCode } from '../../lib/config/languages';
import type { PipelineFailureCode } from '../shared/errors';

export interface Transcript {
  readonly text: string;
  /** Language the engine identified (or the caller's hint). */
  readonly languageCode: LanguageCode;
}

export interface BatchTranscriptionRequest {
  readonly jobId: string;
  /** Normalised WAV in the work bucket. */
  readonly audio: { readonly bucket: string; readonly key: string };
  readonly languageHint?: LanguageCode;
  /** Candidates for automatic identification when there is no hint. */
  readonly candidates: readonly LanguageCode[];
}

export type BatchTranscriptionState =
  | { readonly status: 'IN_PROGRESS' }
  | { readonly status: 'COMPLETED'; readonly transcript: Transcript }
  /** `code` when the engine knows why (e.g. UNSUPPORTED_LANGUAGE); otherwise TRANSCRIPTION_FAILED. */
  | { readonly status: 'FAILED'; readonly reason: string; readonly code?: PipelineFailureCode };

/**
 * Whole-file recognition (Amazon Transcribe batch jobs; pocketsphinx locally). Jobs are named after the
 * job id so a retried start is a no-op. Completion arrives as an EventBridge-shaped "Transcribe Job State
 * Change" event; `fetch` is the fallback when that best-effort event is lost.
 */
export interface BatchSpeechToText {
  start(request: BatchTranscriptionRequest): Promise<void>;
  fetch(jobId: string): Promise<BatchTranscriptionState>;
}

/** Short-audio recognition for the fast path (Transcribe streaming; pocketsphinx locally). */
export interface ChunkSpeechToText {
  /**
   * Chunks this engine may recognise at once across every note of the stage (Transcribe: the stage's share
   * of the account's concurrent-stream quota; locally: what pocketsphinx on this machine keeps up with). The
   * fast path leases one per chunk under this bound and sends the note to the batch path when they are taken.
   */
  readonly maxConcurrentChunks: number;
  transcribeChunk(wavPath: string, languageHint: LanguageCode | undefined, candidates: readonly LanguageCode[]): Promise<Transcript>;
}

/**
 * Which spoken languages a deployment's recogniser knows, asked without building it for work: GET /languages
 * and POST /uploads read it to accept only notes it can hear.
 */
export interface SpeechLanguages {
  spokenLanguages(): readonly LanguageCode[];
}
