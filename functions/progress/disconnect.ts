import { type SubscriptionRepository, subscriptionRepositoryFromEnv } from './subscription-repository';
import { ok, type WebSocketEvent, type WebSocketResult, webSocketHandler } from './websocket-handler';

export interface DisconnectDeps {
  readonly subscriptions: Pick<SubscriptionRepository, 'dropConnection'>;
}

/** $disconnect: best-effort cleanup (it is not always delivered; the TTL removes what it misses). */
export function disconnectHandler(deps: DisconnectDeps) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    await deps.subscriptions.dropConnection(event.requestContext.connectionId);
    return ok();
  };
}

export const handler = webSocketHandler(disconnectHandler({ subscriptions: subscriptionRepositoryFromEnv() }));
