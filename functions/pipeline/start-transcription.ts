import { ENV } from '../../lib/config/env-names';
import { DEFAULT_IDENTIFICATION_CANDIDATES } from '../../lib/config/languages';
import type { JobLifecycle } from '../jobs/job-lifecycle';
import { requireEnv } from '../shared/env';
import { speechRecognitionServiceFromEnv } from '../speech/engines';
import type { SpeechRecognitionService } from '../speech/transcript-service';
import { jobLifecycleFromEnv } from './common/job-lifecycle-from-env';
import { type TranscriptionCallbackStore, transcriptionCallbacksFromEnv } from './common/transcription-callbacks';
import { StartTranscriptionInput } from './common/task-schemas';
import { taskHandler } from './common/task-handler';

export interface StartTranscriptionDeps {
  readonly lifecycle: Pick<JobLifecycle, 'enter'>;
  readonly callbacks: Pick<TranscriptionCallbackStore, 'save'>;
  readonly speech: () => Promise<Pick<SpeechRecognitionService, 'startBatch'>>;
  readonly workBucket: string;
  readonly now?: () => Date;
}

/**
 * Batch path, first half: store the task token where the Transcribe-events handler finds it (CALLBACK#<jobId>,
 * written BEFORE the engine starts, so even an instant completion finds it), then start the engine job named
 * after the job id. The state waits for SendTaskSuccess/Failure; its timeout leads to the polling fallback.
 */
export function startTranscription(deps: StartTranscriptionDeps) {
  const now = deps.now ?? (() => new Date());
  return async (input: StartTranscriptionInput): Promise<{ readonly started: true }> => {
    await deps.lifecycle.enter(input.jobId, 'transcribing');
    await deps.callbacks.save(input.jobId, { taskToken: input.taskToken, startedAt: now().toISOString() });
    const speech = await deps.speech();
    await speech.startBatch({
      jobId: input.jobId,
      audio: { bucket: deps.workBucket, key: input.normalizedKey },
      ...(input.languageHint === null ? {} : { languageHint: input.languageHint }),
      candidates: DEFAULT_IDENTIFICATION_CANDIDATES,
    });
    return { started: true };
  };
}

export const handler = taskHandler(
  StartTranscriptionInput,
  startTranscription({
    lifecycle: jobLifecycleFromEnv(),
    callbacks: transcriptionCallbacksFromEnv(),
    speech: speechRecognitionServiceFromEnv(),
    workBucket: requireEnv(ENV.workBucket),
  }),
);
