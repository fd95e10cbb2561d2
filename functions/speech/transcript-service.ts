import type { LanguageCode } from '../../lib/config/languages';
import { PipelineFailureError } from '../shared/errors';
import { mapWithConcurrency } from './map-with-concurrency';
import type {
  BatchSpeechToText,
  BatchTranscriptionRequest,
  ChunkSpeechToText,
  Transcript,
} from './speech-to-text';

/** One chunk's transcript and its place in the note. */
export interface ChunkTranscript extends Transcript {
  readonly index: number;
}

export type BatchProgress =
  | { readonly status: 'IN_PROGRESS' }
  | { readonly status: 'COMPLETED'; readonly transcript: Transcript };

/**
 * NO_SPEECH is decided here, in the domain, not in the adapters: an engine returning no words is a valid
 * engine answer (Transcribe completes with an empty transcript), and the rule is the same for every engine
 * and both paths (batch and chunks).
 */
export function requireSpeech(transcript: Transcript): Transcript {
  const text = transcript.text.trim();
  if (text === '') {
    throw new PipelineFailureError('NO_SPEECH', 'No speech was recognised in the recording.');
  }
  return { ...transcript, text };
}

/**
 * The note's language from its chunks: the language that covers the most recognised text wins (a chunk that
 * is one mumbled word must not outvote the rest); ties go to the earliest chunk. Chunks without words have
 * no say. `fallback` (the hint) answers when no chunk has words.
 */
export function decideLanguage(parts: readonly ChunkTranscript[], fallback?: LanguageCode): LanguageCode {
  const ordered = [...parts].sort((a, b) => a.index - b.index);
  const weight = new Map<LanguageCode, number>();
  for (const part of ordered) {
    const length = part.text.trim().length;
    if (length > 0) weight.set(part.languageCode, (weight.get(part.languageCode) ?? 0) + length);
  }
  let best: LanguageCode | undefined;
  for (const [language, total] of weight) {
    // Map iteration order is first-seen order, so `>` keeps the earliest language on a tie.
    if (best === undefined || total > (weight.get(best) ?? 0)) best = language;
  }
  const decided = best ?? fallback ?? ordered[0]?.languageCode;
  if (decided === undefined) throw new RangeError('decideLanguage needs at least one chunk or a fallback');
  return decided;
}

/** Joins chunk transcripts in chunk order into the note's transcript; NO_SPEECH when no chunk has words. */
export function joinChunkTranscripts(parts: readonly ChunkTranscript[], languageHint?: LanguageCode): Transcript {
  const ordered = [...parts].sort((a, b) => a.index - b.index);
  const text = ordered
    .map((part) => part.text.trim())
    .filter((t) => t !== '')
    .join(' ');
  return requireSpeech({ text, languageCode: languageHint ?? decideLanguage(ordered) });
}

export interface ChunkInput {
  readonly index: number;
  readonly wavPath: string;
}

/**
 * Speech rules over the two engine ports: batch start/fetch with failures turned into pipeline codes, and the
 * fast path that recognises chunks in parallel and joins them in order. Knows no AWS types.
 */
export class SpeechRecognitionService {
  constructor(
    private readonly batch: BatchSpeechToText,
    private readonly chunk: ChunkSpeechToText,
  ) {}

  /** How many chunks the fast path may recognise at once across the stage (see ChunkSpeechToText). */
  get chunkCapacity(): number {
    return this.chunk.maxConcurrentChunks;
  }

  /** Idempotent: the engine names the job after `request.jobId`. */
  startBatch(request: BatchTranscriptionRequest): Promise<void> {
    return this.batch.start(request);
  }

  /** IN_PROGRESS or the transcript; a failed job throws its PipelineFailureError (TRANSCRIPTION_FAILED by default). */
  async fetchBatch(jobId: string): Promise<BatchProgress> {
    const state = await this.batch.fetch(jobId);
    switch (state.status) {
      case 'IN_PROGRESS':
        return state;
      case 'FAILED':
        throw new PipelineFailureError(state.code ?? 'TRANSCRIPTION_FAILED', `Transcription failed: ${state.reason}`);
      case 'COMPLETED':
        return { status: 'COMPLETED', transcript: requireSpeech(state.transcript) };
    }
  }

  /**
   * Recognises the chunks, `concurrency` at a time (the streams the caller holds: with one per chunk, the note
   * takes about as long as its longest chunk), and joins them in order.
   */
  async transcribeChunks(
    chunks: readonly ChunkInput[],
    languageHint: LanguageCode | undefined,
    candidates: readonly LanguageCode[],
    concurrency: number = chunks.length,
  ): Promise<Transcript> {
    const parts = await mapWithConcurrency(chunks, concurrency, async (chunk) => ({
      index: chunk.index,
      ...(await this.chunk.transcribeChunk(chunk.wavPath, languageHint, candidates)),
    }));
    return joinChunkTranscripts(parts, languageHint);
  }
}
