import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Fixed names and defaults of the embedded local stack. Physical names are fine here: there is one stack per
 * state directory and nothing else shares the emulators.
 */
export const LOCAL = {
  region: 'us-east-1',
  account: '000000000000',
  stage: 'local',
  /**
   * The stage the CDK app is synthesised as; in-process handlers get it as STAGE, like the deployed functions,
   * so names derived from it (Transcribe job names) match the template's rules.
   */
  templateStage: 'dev',
  defaultPort: 3000,
  /** Loopback only: the emulators and the admin endpoint must not be reachable from the network. */
  host: '127.0.0.1',
  tableName: 'vnt-local',
  uploadsBucket: 'vnt-local-uploads',
  workBucket: 'vnt-local-work',
  /** Key id of the local principal the handlers sign as; its secret is random per install (local-credentials.ts). */
  accessKeyId: 'VNTLOCAL',
  /** What the stack's own DynamoDB and SQS clients sign with: dynalite and fauxqs verify no signature. */
  unverifiedSecretAccessKey: 'unverified',
  /** Path of the WebSocket progress channel on the gateway's port. */
  webSocketPath: '/ws',
  /** Loopback admin endpoint for API keys (the local stand-in for API Gateway's key APIs). */
  adminKeysPath: '/__local/keys',
} as const;

/** Repository root, whatever the working directory. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.local');
