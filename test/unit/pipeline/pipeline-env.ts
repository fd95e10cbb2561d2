/**
 * Environment the pipeline and progress handler modules read at import (cold start). Import this FIRST:
 * ES imports run in order, so the values are set before any handler module is evaluated.
 */
export const PIPELINE_TEST_ENV = {
  TABLE_NAME: 'vnt-test-table',
  UPLOADS_BUCKET: 'vnt-test-uploads',
  WORK_BUCKET: 'vnt-test-work',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:vnt-test-pipeline',
  PROGRESS_ENDPOINT: 'https://ws.example.test/test',
  STAGE: 'test',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  POWERTOOLS_SERVICE_NAME: 'vnt-pipeline-test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
} as const;

Object.assign(process.env, PIPELINE_TEST_ENV);
