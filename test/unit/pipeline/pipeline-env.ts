/**
 * Environment the pipeline and progress handler modules read at import (cold start): the API handlers' (one
 * set of table, buckets, credentials and Powertools settings for every handler test) plus what only the
 * pipeline reads. Import this FIRST: ES imports run in order, so the values are set before any handler module
 * is evaluated.
 */
import { TEST_ENV } from '../../events/api-env';

export const PIPELINE_TEST_ENV = {
  ...TEST_ENV,
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:vnt-test-pipeline',
  PROGRESS_ENDPOINT: 'https://ws.example.test/test',
  STAGE: 'test',
  POWERTOOLS_SERVICE_NAME: 'vnt-pipeline-test',
} as const;

Object.assign(process.env, PIPELINE_TEST_ENV);
