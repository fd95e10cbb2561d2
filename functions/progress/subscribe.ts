import * as z from 'zod';
import { parseWith } from '../http/validation';
import { jobRepositoryFromEnv } from '../jobs/dynamo-job-repository';
import { JOB_ID_PATTERN } from '../jobs/job-id';
import { JobService } from '../jobs/job-service';
import { ApiKeyService } from '../keys/api-key-service';
import { apiKeyRepositoryFromEnv } from '../keys/dynamo-api-key-repository';
import { ForbiddenError, ValidationError } from '../shared/errors';
import { progressPublisherFromEnv } from './api-gateway-connection-poster';
import type { ProgressPublisher } from './progress-publisher';
import { jobProgressMessage } from './progress-message';
import { type SubscriptionRepository, subscriptionRepositoryFromEnv } from './subscription-repository';
import { ok, type WebSocketEvent, type WebSocketResult, webSocketHandler } from './websocket-handler';

export const SubscribeMessage = z.object({
  action: z.literal('subscribe'),
  jobId: z.string().regex(JOB_ID_PATTERN, 'must be a job id'),
});

export interface SubscribeDeps {
  /** The caller's jobs, as GET /jobs/{id} reads them: the same ownership rule and the same public view. */
  readonly jobs: Pick<JobService, 'get'>;
  /** A connection outlives its key's revocation (up to 2 hours): the key is checked on every subscribe. */
  readonly keys: Pick<ApiKeyService, 'caller'>;
  readonly subscriptions: Pick<SubscriptionRepository, 'connectionOwner' | 'subscribe'>;
  readonly publisher: Pick<ProgressPublisher, 'sendTo'>;
}

/**
 * `{action:'subscribe', jobId}`: follows one of the caller's own jobs. Someone else's job answers exactly like
 * a missing one (JobService.get), so job ids cannot be probed. The subscriber gets the job's current state
 * straight away, read after subscribing so no transition can fall between the snapshot and the first
 * pushed update.
 */
export function subscribeHandler(deps: SubscribeDeps) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId } = event.requestContext;
    const message = parseWith(SubscribeMessage, parseJson(event.body), 'subscribe message');
    const owner = await deps.subscriptions.connectionOwner(connectionId);
    if (owner === undefined) {
      throw new ForbiddenError('This connection is not authenticated; reconnect with your API key.', 'CONNECTION_UNKNOWN');
    }
    await deps.keys.caller(owner);
    await deps.jobs.get(owner, message.jobId); // 404 before anything is subscribed

    await deps.subscriptions.subscribe(message.jobId, connectionId);
    const current = await deps.jobs.get(owner, message.jobId);
    await deps.publisher.sendTo(connectionId, jobProgressMessage(current));
    return ok({ type: 'subscribed', jobId: message.jobId });
  };
}

function parseJson(body: string | null | undefined): unknown {
  try {
    return JSON.parse(body ?? '');
  } catch {
    throw new ValidationError('The message must be JSON: {"action":"subscribe","jobId":"…"}.');
  }
}

export const handler = webSocketHandler(
  subscribeHandler({
    jobs: new JobService(jobRepositoryFromEnv()),
    keys: new ApiKeyService(apiKeyRepositoryFromEnv()),
    subscriptions: subscriptionRepositoryFromEnv(),
    publisher: progressPublisherFromEnv(),
  }),
);
