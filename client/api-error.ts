import type { API_ERROR_CODES } from '../functions/api/openapi/error-codes';
import type { GATEWAY_ERROR_RESPONSES, GATEWAY_RESPONSE_TYPE_CODE } from '../lib/config/gateway-responses';

/** Codes the API's handlers answer with (functions/api/openapi/error-codes.ts). */
export type ServiceErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES][number];

/**
 * Codes API Gateway answers with itself (lib/config/gateway-responses.ts, the table the CDK API and the local
 * gateway are built from); DEFAULT_4XX passes API Gateway's own response type through as an open-ended code.
 */
export type GatewayErrorCode = Exclude<(typeof GATEWAY_ERROR_RESPONSES)[number]['code'], typeof GATEWAY_RESPONSE_TYPE_CODE>;

/** Codes the client produces when the API gave no code of its own. */
export type ClientErrorCode =
  /** No answer from the API: offline, DNS, connection refused, blocked by CORS. */
  | 'API_UNREACHABLE'
  /** The presigned upload got no answer from storage. */
  | 'STORAGE_UNREACHABLE'
  /** An answer the client cannot read (not JSON, or a status it does not know). */
  | 'UNEXPECTED_RESPONSE'
  /** 502/503/504 from something in front of the API. */
  | 'SERVICE_UNAVAILABLE'
  /** A bare 404 from something in front of the API. */
  | 'NOT_FOUND'
  /** No key configured for a keyed route; nothing was sent. */
  | 'MISSING_API_KEY'
  /** Storage refused the presigned upload (see the message); UPLOAD_TOO_LARGE when it was the size. */
  | 'UPLOAD_FAILED'
  /** The presigned POST expired before the audio was sent: create a new upload. */
  | 'UPLOAD_POLICY_EXPIRED'
  /** The caller's AbortSignal fired, or the watch was stopped. */
  | 'ABORTED';

/** Every code an ApiError can carry; open-ended because a newer API may add codes (switch with a default). */
export type ApiErrorCode = ServiceErrorCode | GatewayErrorCode | ClientErrorCode | (string & {});

export interface ApiErrorOptions {
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** How long to wait before trying again (`Retry-After`, or the error's `details.retryAfterSeconds`). */
  readonly retryAfterSeconds?: number;
  /** The error body's `details`, as the API sent them. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * Every failure of the client: a stable `code` to switch on (the API's own, or one of ClientErrorCode),
 * the HTTP status when there was an answer, and the server's message. One class, so callers need one
 * `catch` branch and a UI one table of words per code.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: ApiErrorCode, message: string = code, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
}

/** Anything thrown, as an ApiError: so a UI has one way to show failures. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('UNEXPECTED_RESPONSE', error instanceof Error ? error.message : String(error), { cause: error });
}

/** The error for an aborted operation; keeps the signal's reason as the cause. */
export function abortedError(signal?: AbortSignal): ApiError {
  return new ApiError('ABORTED', 'The operation was cancelled.', { cause: signal?.reason });
}
