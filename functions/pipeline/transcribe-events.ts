import * as z from 'zod';
import { ENV } from '../../lib/config/env-names';
import { jobIdFromTranscriptionJobName } from '../../lib/config/limits';
import { requireEnv } from '../shared/env';
import { AppError, RetryableError } from '../shared/errors';
import { logger } from '../shared/powertools';
import { speechRecognitionServiceFromEnv } from '../speech/engines';
import type { SpeechRecognitionService } from '../speech/transcript-service';
import { type StepFunctionsGateway, stepFunctionsFromEnv } from './common/step-functions';
import { taskHandler } from './common/task-handler';
import { elapsedMs, type TranscriptOutput } from './common/task-schemas';
import { type TranscriptionCallbackStore, transcriptionCallbacksFromEnv } from './common/transcription-callbacks';

/** EventBridge "Transcribe Job State Change" (the rule only forwards COMPLETED/FAILED of our job names). */
export const TranscribeJobStateChange = z.object({
  source: z.literal('aws.transcribe'),
  'detail-type': z.literal('Transcribe Job State Change'),
  detail: z.object({
    TranscriptionJobName: z.string(),
    TranscriptionJobStatus: z.string(),
  }),
});
export type TranscribeJobStateChange = z.infer<typeof TranscribeJobStateChange>;

export type CallbackResult = 'success' | 'failure' | 'not-ours' | 'closed';

export interface TranscribeEventsDeps {
  /** Deployment stage (ENV.stage): only this stage's Transcribe jobs are ours. */
  readonly stage: string;
  readonly callbacks: Pick<TranscriptionCallbackStore, 'get'>;
  readonly speech: () => Promise<Pick<SpeechRecognitionService, 'fetchBatch'>>;
  readonly stepFunctions: Pick<StepFunctionsGateway, 'sendTaskSuccess' | 'sendTaskFailure'>;
}

/**
 * Batch path, second half: a Transcribe job finished, so complete the waiting task. The transcript is read
 * through the same port as the polling fallback (BatchSpeechToText.fetch). A failed or empty transcription
 * fails the task with its pipeline code. Events are best-effort and may repeat: an unknown job or an already
 * closed task (timed out, fallback running) is logged and dropped.
 */
export function transcribeEvents(deps: TranscribeEventsDeps) {
  return async (event: TranscribeJobStateChange): Promise<CallbackResult> => {
    const name = event.detail.TranscriptionJobName;
    const jobId = jobIdFromTranscriptionJobName(deps.stage, name);
    const callback = jobId === undefined ? undefined : await deps.callbacks.get(jobId);
    if (jobId === undefined || callback === undefined) {
      logger.info('Ignoring a Transcribe event without a waiting task', { transcriptionJobName: name });
      return 'not-ours';
    }
    logger.appendKeys({ jobId });

    let delivered;
    let result: CallbackResult;
    try {
      const speech = await deps.speech();
      const progress = await speech.fetchBatch(jobId);
      if (progress.status === 'IN_PROGRESS') {
        // The event can overtake the job status: let the async invoke retry (the polling fallback also covers it).
        throw new RetryableError('TRANSCRIPTION_PENDING', `Transcription ${name} is not finished yet.`);
      }
      const output: TranscriptOutput = {
        text: progress.transcript.text,
        languageCode: progress.transcript.languageCode,
        transcribeMs: elapsedMs(callback.startedAt),
      };
      delivered = await deps.stepFunctions.sendTaskSuccess(callback.taskToken, output);
      result = 'success';
    } catch (error) {
      if (!(error instanceof AppError) || error instanceof RetryableError) throw error;
      delivered = await deps.stepFunctions.sendTaskFailure(callback.taskToken, error.code, error.message);
      result = 'failure';
    }
    if (delivered === 'closed') {
      logger.info('The waiting task is already closed; nothing to complete', { transcriptionJobName: name });
      return 'closed';
    }
    return result;
  };
}

export const handler = taskHandler(
  TranscribeJobStateChange,
  transcribeEvents({
    stage: requireEnv(ENV.stage),
    callbacks: transcriptionCallbacksFromEnv(),
    speech: speechRecognitionServiceFromEnv(),
    stepFunctions: stepFunctionsFromEnv(),
  }),
);
