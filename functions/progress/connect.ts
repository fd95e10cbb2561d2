import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../lib/config/metric-names';
import type { ApiKeyRepository } from '../keys/api-key-repository';
import { apiKeyRepositoryFromEnv } from '../keys/dynamo-api-key-repository';
import { AppError, ForbiddenError } from '../shared/errors';
import { logger, metrics } from '../shared/powertools';
import { type SubscriptionRepository, subscriptionRepositoryFromEnv } from './subscription-repository';
import { ok, type WebSocketEvent, type WebSocketResult, webSocketHandler } from './websocket-handler';

export interface ConnectDeps {
  readonly apiKeys: Pick<ApiKeyRepository, 'get'>;
  readonly subscriptions: Pick<SubscriptionRepository, 'registerConnection'>;
}

/**
 * The answer when API Gateway invoked $connect without the key id it must have set. Not a 401: the client
 * did send a key (API Gateway refuses a missing or unknown one itself, before this handler), so telling it
 * its key is bad would be false; the stage lost a setting, a fault on our side.
 */
export class ConnectIdentityMissingError extends AppError {
  constructor() {
    super('INTERNAL_ERROR', 500, 'Live progress is unavailable right now; follow the job with GET /jobs/{jobId}.');
  }
}

/**
 * $connect: API Gateway has already checked the API key (the route requires one, selected from the
 * authorizer's `usageIdentifierKey`) and passes its id. The key must still have a live record (revocation is
 * immediate here, API Gateway caches keys for a while); the connection remembers its owner because later
 * frames carry no key.
 */
export function connectHandler(deps: ConnectDeps) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const apiKeyId = event.requestContext.identity?.apiKeyId;
    if (apiKeyId === undefined || apiKeyId === '') {
      reportMissingIdentity(event);
      throw new ConnectIdentityMissingError();
    }
    const record = await deps.apiKeys.get(apiKeyId);
    if (record === undefined || record.revokedAt !== undefined) {
      throw new ForbiddenError('This API key is not valid.', 'API_KEY_INVALID');
    }
    await deps.subscriptions.registerConnection(event.requestContext.connectionId, apiKeyId);
    return ok();
  };
}

/**
 * Every connect fails while this lasts, so say loudly what arrived: the names of the request context's
 * fields (never their values: `identity.apiKey` is the caller's secret) and the metric the alarm watches.
 */
function reportMissingIdentity(event: WebSocketEvent): void {
  const { requestContext } = event;
  const fieldsOf = (value: unknown) => (typeof value === 'object' && value !== null ? Object.keys(value).sort() : []);
  logger.error(
    'WebSocket $connect without identity.apiKeyId: check the $connect route requires an API key, the API selects it with $context.authorizer.usageIdentifierKey, and the authorizer returns usageIdentifierKey',
    {
      routeKey: requestContext.routeKey,
      eventType: requestContext.eventType,
      stage: requestContext.stage,
      apiId: requestContext.apiId,
      requestContextFields: fieldsOf(requestContext),
      identityFields: fieldsOf(requestContext.identity),
      authorizerFields: fieldsOf(requestContext.authorizer),
    },
  );
  metrics.addMetric(METRICS.names.webSocketConnectWithoutKeyId, MetricUnit.Count, 1);
}

export const handler = webSocketHandler(
  connectHandler({ apiKeys: apiKeyRepositoryFromEnv(), subscriptions: subscriptionRepositoryFromEnv() }),
);
