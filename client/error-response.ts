import { ApiError } from './api-error';
import { isRecord, parseJson } from './json';

/**
 * Reads a failed answer of any shape: the API's `{"error":{"code","message","details"?}}` (handlers and the
 * customised gateway responses), API Gateway's default `{"message":"…"}`, or no JSON at all (a proxy's page).
 */
export async function errorFromResponse(response: Response, now = Date.now()): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const body = parseJson(text);
  const headerWait = retryAfterSeconds(response.headers.get('retry-after'), now);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    const details = isRecord(error.details) ? error.details : undefined;
    const detailWait = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
    return new ApiError(error.code, typeof error.message === 'string' ? error.message : error.code, {
      status: response.status,
      retryAfterSeconds: headerWait ?? detailWait,
      details,
    });
  }
  const gatewayMessage = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  return new ApiError(codeForStatus(response.status, gatewayMessage), gatewayMessage ?? `The API answered HTTP ${response.status}.`, {
    status: response.status,
    retryAfterSeconds: headerWait,
  });
}

/**
 * The code for an answer that carries none: API Gateway's default refusals (`{"message":"Forbidden"}`,
 * `{"message":"Limit Exceeded"}`) and bare statuses from proxies. The names match the customised gateway
 * responses, so a deployment with or without them reads the same.
 */
export function codeForStatus(status: number, gatewayMessage = ''): string {
  if (status === 403 && /missing authentication token/i.test(gatewayMessage)) return 'ROUTE_NOT_FOUND';
  if (status === 401 || status === 403) return 'API_KEY_INVALID';
  if (status === 429) return /limit exceeded|quota/i.test(gatewayMessage) ? 'QUOTA_EXCEEDED' : 'THROTTLED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 502 || status === 503 || status === 504) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'UNEXPECTED_RESPONSE';
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}
