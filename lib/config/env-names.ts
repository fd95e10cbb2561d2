/**
 * Environment variables the functions read, named once so the CDK constructs (which set them next to the
 * matching grant) and the local stack (which sets them for in-process handlers) cannot drift apart.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  uploadsBucket: 'UPLOADS_BUCKET',
  workBucket: 'WORK_BUCKET',
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** https endpoint of the WebSocket API's management API (or the local stack's equivalent). */
  progressEndpoint: 'PROGRESS_ENDPOINT',
  /** Secret used to sign history cursors (HMAC), from Secrets Manager in AWS. */
  cursorSecretArn: 'CURSOR_SECRET_ARN',
  cursorSecret: 'CURSOR_SECRET',
  serviceVersion: 'SERVICE_VERSION',
  stage: 'STAGE',
  /** Path to ffmpeg (the layer puts it in /opt/bin). */
  ffmpegPath: 'FFMPEG_PATH',
} as const;
