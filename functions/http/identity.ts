import { ForbiddenError } from '../shared/errors';
import type { ApiEvent } from './api-event';

/**
 * The caller's identity: the id of the API key API Gateway validated (the local gateway fills the same
 * field). It is the tenant boundary, so a keyed route without it is refused rather than guessed.
 */
export function callerKeyId(event: Pick<ApiEvent, 'requestContext'>): string {
  const apiKeyId = event.requestContext?.identity?.apiKeyId;
  if (typeof apiKeyId !== 'string' || apiKeyId === '') {
    throw new ForbiddenError('This route requires an API key (x-api-key header).');
  }
  return apiKeyId;
}
