import type { ApiKeyRepository } from '../keys/api-key-repository';
import { apiKeyRepositoryFromEnv } from '../keys/dynamo-api-key-repository';
import { AppError, ForbiddenError } from '../shared/errors';
import { type SubscriptionRepository, subscriptionRepositoryFromEnv } from './subscription-repository';
import { ok, type WebSocketEvent, type WebSocketResult, webSocketHandler } from './websocket-handler';

export interface ConnectDeps {
  readonly apiKeys: Pick<ApiKeyRepository, 'get'>;
  readonly subscriptions: Pick<SubscriptionRepository, 'registerConnection'>;
}

/**
 * $connect: API Gateway has already checked the API key (the route requires one) and passes its id. The key
 * must still have a live record (revocation is immediate here, API Gateway caches keys for a while); the
 * connection remembers its owner because later frames carry no key.
 */
export function connectHandler(deps: ConnectDeps) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const apiKeyId = event.requestContext.identity?.apiKeyId;
    if (apiKeyId === undefined || apiKeyId === '') {
      throw new AppError('API_KEY_REQUIRED', 401, 'Connecting requires an API key (x-api-key header).');
    }
    const record = await deps.apiKeys.get(apiKeyId);
    if (record === undefined || record.revokedAt !== undefined) {
      throw new ForbiddenError('This API key is not valid.', 'API_KEY_INVALID');
    }
    await deps.subscriptions.registerConnection(event.requestContext.connectionId, apiKeyId);
    return ok();
  };
}

export const handler = webSocketHandler(
  connectHandler({ apiKeys: apiKeyRepositoryFromEnv(), subscriptions: subscriptionRepositoryFromEnv() }),
);
