import { codeForStatus, type DescribableError } from './error-messages';

/** A failed call: a stable code to switch on, the HTTP status when there was one, the server's message. */
export class ApiError extends Error implements DescribableError {
  readonly code: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(code: string, message = '', status?: number, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Reads an error response of any shape: the API's `{"error":{"code","message"}}`, API Gateway's own
 * `{"message":"…"}`, or no JSON at all.
 */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    const message = typeof error.message === 'string' ? error.message : '';
    const details = isRecord(error.details) ? error.details : undefined;
    const detailWait = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
    return new ApiError(error.code, message, response.status, retryAfter ?? detailWait);
  }
  const gatewayMessage = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  return new ApiError(codeForStatus(response.status, gatewayMessage), gatewayMessage, response.status, retryAfter);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Normalises anything thrown into an ApiError so the page has one way to show failures. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TypeError) return new ApiError('NETWORK_ERROR', error.message);
  return new ApiError('UNEXPECTED_RESPONSE', error instanceof Error ? error.message : String(error));
}
