/**
 * Environment the API handler modules read at import (cold start). Import this FIRST in a handler test:
 * ES imports run in order, so the values are set before any handler module is evaluated.
 */
export const TEST_ENV = {
  TABLE_NAME: 'vnt-test-table',
  UPLOADS_BUCKET: 'vnt-test-uploads',
  WORK_BUCKET: 'vnt-test-work',
  CURSOR_SECRET: 'test-cursor-secret-0123456789abcdef0123456789',
  SERVICE_VERSION: '1.2.3-test',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  POWERTOOLS_SERVICE_NAME: 'vnt-api-test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
} as const;

Object.assign(process.env, TEST_ENV);
