import type { JobError } from '../../jobs/job';
import { isPipelineFailureCode } from '../../shared/errors';

/** `{Error, Cause}` as Step Functions hands a caught error to the Catch target (or a failed execution reports). */
export interface StepFunctionsError {
  readonly Error?: string | null;
  readonly Cause?: string | null;
}

/** Step Functions' own names for a state or Lambda that ran out of time. */
const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout', 'Sandbox.Timedout']);

/** Retryable codes whose retries ran out: the engine stayed throttled, or a transcription never finished. */
const EXHAUSTED_RETRIES: Readonly<Record<string, JobError>> = {
  ENGINE_THROTTLED: { code: 'SERVICE_BUSY', message: 'The speech or translation service stayed busy. Please try again in a few minutes.' },
  ENGINE_UNAVAILABLE: { code: 'SERVICE_BUSY', message: 'The speech or translation service was unavailable. Please try again later.' },
  TRANSCRIPTION_PENDING: { code: 'PIPELINE_TIMEOUT', message: 'Transcription did not finish in time. Please try again.' },
};

export const INTERNAL_ERROR_MESSAGE = 'The note could not be processed because of an internal error. Please try again.';
export const TIMEOUT_MESSAGE = 'Processing the note took too long and was stopped. Please try again.';
export const PIPELINE_TIMEOUT_ERROR: JobError = { code: 'PIPELINE_TIMEOUT', message: TIMEOUT_MESSAGE };

/**
 * Maps a caught Step Functions error to what the job stores. Our task errors carry their code as the error
 * name, so a PIPELINE_FAILURE_CODES name is kept with its human message; everything else (a bug, an AWS
 * error, a validation error between our own functions) becomes INTERNAL_ERROR with a generic message, so no
 * internals reach the client.
 */
export function jobErrorFrom(error: StepFunctionsError): JobError {
  const name = error.Error ?? '';
  if (isPipelineFailureCode(name)) {
    return { code: name, message: causeMessage(error.Cause) ?? defaultMessage(name) };
  }
  if (TIMEOUT_ERRORS.has(name)) return PIPELINE_TIMEOUT_ERROR;
  const exhausted = EXHAUSTED_RETRIES[name];
  if (exhausted !== undefined) return exhausted;
  return { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

/**
 * A Lambda error's Cause is the runtime's JSON (`{"errorType","errorMessage","trace"}`); a SendTaskFailure
 * Cause is whatever the sender wrote (our handlers send the plain message).
 */
function causeMessage(cause: string | null | undefined): string | undefined {
  if (cause === undefined || cause === null || cause.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed === 'object' && parsed !== null) {
      return typeof parsed.errorMessage === 'string' && parsed.errorMessage !== '' ? parsed.errorMessage : undefined;
    }
  } catch {
    // Not JSON: a plain message.
  }
  return cause;
}

function defaultMessage(code: string): string {
  return code === 'INTERNAL_ERROR' ? INTERNAL_ERROR_MESSAGE : `The note could not be processed (${code}).`;
}
