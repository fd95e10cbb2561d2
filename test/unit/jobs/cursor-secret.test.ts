import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cursorSecretFromEnv } from '../../../functions/jobs/cursor-secret';

const secrets = mockClient(SecretsManagerClient);
const GOOD = 'g'.repeat(64);

beforeEach(() => {
  secrets.reset();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('CURSOR_SECRET', '');
  vi.stubEnv('CURSOR_SECRET_ARN', '');
});
afterEach(() => vi.unstubAllEnvs());

describe('cursorSecretFromEnv', () => {
  it('uses the secret given directly (local stack)', async () => {
    vi.stubEnv('CURSOR_SECRET', GOOD);
    await expect(cursorSecretFromEnv()()).resolves.toBe(GOOD);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('reads the Secrets Manager secret once per container', async () => {
    vi.stubEnv('CURSOR_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:once');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: GOOD });
    const secret = cursorSecretFromEnv();

    await expect(secret()).resolves.toBe(GOOD);
    await expect(secret()).resolves.toBe(GOOD);

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input.SecretId).toContain(':secret:once');
  });

  it('retries on the next request after a failed read', async () => {
    vi.stubEnv('CURSOR_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:retry');
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: GOOD });
    const secret = cursorSecretFromEnv();

    await expect(secret()).rejects.toThrow('throttled');
    await expect(secret()).resolves.toBe(GOOD);
  });

  it('fails the cold start when neither variable is set', () => {
    expect(() => cursorSecretFromEnv()).toThrow('CURSOR_SECRET');
  });

  it('refuses a short secret', async () => {
    vi.stubEnv('CURSOR_SECRET', 'short');
    expect(() => cursorSecretFromEnv()).toThrow('at least 32');
  });
});
