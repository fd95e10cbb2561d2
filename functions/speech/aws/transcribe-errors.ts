import { RetryableError } from '../../shared/errors';

const THROTTLED = new Set(['ThrottlingException', 'LimitExceededException', 'TooManyRequestsException']);
const UNAVAILABLE = new Set(['InternalFailureException', 'ServiceUnavailableException']);

/**
 * Transcribe's transient errors as the retryable codes the state machine backs off on; anything else is
 * returned unchanged for the caller to classify.
 */
export function toRetryable(error: unknown): unknown {
  const name = error instanceof Error ? error.name : undefined;
  if (name && THROTTLED.has(name)) {
    return new RetryableError('ENGINE_THROTTLED', `Amazon Transcribe is throttling requests (${name}).`);
  }
  if (name && UNAVAILABLE.has(name)) {
    return new RetryableError('ENGINE_UNAVAILABLE', `Amazon Transcribe is temporarily unavailable (${name}).`);
  }
  return error;
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
