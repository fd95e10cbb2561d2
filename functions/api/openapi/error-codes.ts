/**
 * Every error code the HTTP API's handlers answer with, by status. API Gateway's own answers (no key,
 * throttled, the usage plan's quota, timeouts) are GATEWAY_ERROR_RESPONSES; job failure codes (a failed
 * job's `error.code`) are PIPELINE_FAILURE_CODES. Stable: clients switch on these.
 */
export const API_ERROR_CODES = {
  400: ['VALIDATION_ERROR', 'INVALID_JSON', 'UNSUPPORTED_LANGUAGE', 'INVALID_JOB_ID', 'INVALID_CURSOR'],
  403: ['FORBIDDEN', 'KEY_NOT_REGISTERED', 'KEY_REVOKED'],
  404: ['JOB_NOT_FOUND'],
  413: ['BODY_TOO_LARGE', 'UPLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_AUDIO_TYPE'],
  429: ['QUOTA_EXCEEDED'],
  500: ['INTERNAL_ERROR'],
} as const;

