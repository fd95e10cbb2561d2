/**
 * Typed errors with a stable machine-readable `code` and an HTTP status. The `name` of every error equals
 * its code: the Lambda runtime reports `name` as the error type, so Step Functions Retry/Catch match on the
 * same stable codes the API shows (and `name` survives esbuild minification, unlike class names).
 */
export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, httpStatus: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = code;
    this.code = code;
    this.httpStatus = httpStatus;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code = 'VALIDATION_ERROR') {
    super(code, 400, message, details);
  }
}

export class InvalidCursorError extends AppError {
  constructor() {
    super('INVALID_CURSOR', 400, 'The cursor is not valid for this key; start again without a cursor.');
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'NOT_FOUND') {
    super(code, 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super(code, 409, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string, code = 'PAYLOAD_TOO_LARGE', details?: Record<string, unknown>) {
    super(code, 413, message, details);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string, code = 'UNSUPPORTED_MEDIA_TYPE') {
    super(code, 415, message);
  }
}

export class QuotaExceededError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('QUOTA_EXCEEDED', 429, message, { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden.', code = 'FORBIDDEN') {
    super(code, 403, message);
  }
}

/**
 * A pipeline failure that ends the job: the code is stored on the job as `error.code`. The HTTP status is
 * only used if such an error ever reaches an API response.
 */
export class PipelineFailureError extends AppError {
  constructor(code: PipelineFailureCode, message: string, details?: Record<string, unknown>) {
    super(code, 422, message, details);
  }
}

/** A transient failure the state machine retries with backoff (throttling, engine busy, eventual results). */
export class RetryableError extends AppError {
  constructor(code: RetryableCode, message: string) {
    super(code, 503, message);
  }
}

/** Every code a failed job can carry. Stable: clients switch on these. */
export const PIPELINE_FAILURE_CODES = [
  'EMPTY_AUDIO',
  'NOT_AUDIO',
  'CORRUPT_AUDIO',
  'AUDIO_TOO_LONG',
  'UPLOAD_TOO_LARGE',
  'SILENT_AUDIO',
  'NO_SPEECH',
  'UNSUPPORTED_LANGUAGE',
  'UNSUPPORTED_LANGUAGE_PAIR',
  'TRANSCRIPTION_FAILED',
  'TRANSLATION_FAILED',
  'UPLOAD_EXPIRED',
  'PIPELINE_TIMEOUT',
  'SERVICE_BUSY',
  'INTERNAL_ERROR',
] as const;
export type PipelineFailureCode = (typeof PIPELINE_FAILURE_CODES)[number];

/** Codes the state machine retries with backoff and jitter. */
export const RETRYABLE_CODES = ['ENGINE_THROTTLED', 'TRANSCRIPTION_PENDING', 'ENGINE_UNAVAILABLE'] as const;
export type RetryableCode = (typeof RETRYABLE_CODES)[number];

export function isPipelineFailureCode(value: unknown): value is PipelineFailureCode {
  return typeof value === 'string' && (PIPELINE_FAILURE_CODES as readonly string[]).includes(value);
}
