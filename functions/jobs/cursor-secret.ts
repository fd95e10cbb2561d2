import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '../../lib/config/env-names';
import { optionalEnv } from '../shared/env';

const MIN_SECRET_LENGTH = 32;

/**
 * The HMAC secret for history cursors. Locally it is given directly (ENV.cursorSecret); on AWS it is read
 * from Secrets Manager (ENV.cursorSecretArn) once per container and kept, because it never rotates under
 * a running container's feet (a rotation just invalidates outstanding cursors: clients restart paging).
 * Throws at call time if neither is configured, so call it at module scope to fail the cold start.
 */
export function cursorSecretFromEnv(): () => Promise<string> {
  const direct = optionalEnv(ENV.cursorSecret);
  if (direct !== undefined) {
    const checked = checkSecret(direct);
    return () => Promise.resolve(checked);
  }
  const arn = optionalEnv(ENV.cursorSecretArn);
  if (arn === undefined) {
    throw new Error(`Missing required environment variable ${ENV.cursorSecret} or ${ENV.cursorSecretArn}`);
  }
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= getSecret(arn).then((value) => {
      if (typeof value !== 'string') throw new Error('The cursor secret must be a string secret');
      return checkSecret(value);
    });
    // A failed read (throttling, cold network) is not cached: the next request tries again.
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}

function checkSecret(value: string): string {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new Error(`The cursor secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return value;
}
