import { RetryableError } from '../shared/errors';
import { speechRecognitionServiceFromEnv } from '../speech/engines';
import type { SpeechRecognitionService } from '../speech/transcript-service';
import { taskHandler } from './common/task-handler';
import { elapsedMs, FetchTranscriptionInput, type TranscriptOutput } from './common/task-schemas';
import { type TranscriptionCallbackStore, transcriptionCallbacksFromEnv } from './common/transcription-callbacks';

export interface FetchTranscriptionDeps {
  readonly callbacks: Pick<TranscriptionCallbackStore, 'get'>;
  readonly speech: () => Promise<Pick<SpeechRecognitionService, 'fetchBatch'>>;
  readonly now?: () => number;
}

/**
 * Batch path fallback, entered when the callback state times out because the Transcribe event never came
 * (EventBridge delivery is best-effort). Polls the engine job: still running → RetryableError
 * TRANSCRIPTION_PENDING, which the state machine retries with backoff and jitter.
 */
export function fetchTranscription(deps: FetchTranscriptionDeps) {
  const now = deps.now ?? Date.now;
  return async (input: FetchTranscriptionInput): Promise<TranscriptOutput> => {
    const speech = await deps.speech();
    const progress = await speech.fetchBatch(input.jobId);
    if (progress.status === 'IN_PROGRESS') {
      throw new RetryableError('TRANSCRIPTION_PENDING', `Transcription of job ${input.jobId} is still running.`);
    }
    const callback = await deps.callbacks.get(input.jobId);
    return {
      text: progress.transcript.text,
      languageCode: progress.transcript.languageCode,
      transcribeMs: callback === undefined ? 0 : elapsedMs(callback.startedAt, now()),
    };
  };
}

export const handler = taskHandler(
  FetchTranscriptionInput,
  fetchTranscription({ callbacks: transcriptionCallbacksFromEnv(), speech: speechRecognitionServiceFromEnv() }),
);
