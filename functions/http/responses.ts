import type { ApiResult } from './api-event';

/**
 * Headers on every API response. The API returns JSON only, so a strict CSP and nosniff cost nothing;
 * CORS is open because callers authenticate with an `x-api-key` header, never with cookies.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After',
};

/** Keyed (per-caller) responses must never be stored by a shared cache. */
export const NO_STORE = 'no-store';

export interface ResponseOptions {
  /** @default - `no-store` */
  readonly cacheControl?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function json(statusCode: number, body: unknown, options: ResponseOptions = {}): ApiResult {
  return {
    statusCode,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': options.cacheControl ?? NO_STORE,
      ...options.headers,
    },
    body: JSON.stringify(body),
  };
}

export function noContent(): ApiResult {
  return { statusCode: 204, headers: { 'Cache-Control': NO_STORE }, body: '' };
}

/** The one error body shape: `{"error":{"code","message","details"?}}`. */
export function errorBody(code: string, message: string, details?: Record<string, unknown>): unknown {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
