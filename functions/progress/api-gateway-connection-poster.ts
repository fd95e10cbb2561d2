import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ENV } from '../../lib/config/env-names';
import { requireEnv } from '../shared/env';
import { tracer } from '../shared/powertools';
import { type ConnectionPoster, type PostOutcome, SubscriptionProgressPublisher } from './progress-publisher';
import { subscriptionRepositoryFromEnv } from './subscription-repository';

/** Posts through the API Gateway management API (the local stack serves the same `/@connections/{id}`). */
export class ApiGatewayConnectionPoster implements ConnectionPoster {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, message: unknown): Promise<PostOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException || (error as Error).name === 'GoneException') return 'gone';
      throw error;
    }
  }
}

/**
 * The publisher every pipeline function uses. The management API endpoint is the WebSocket stage's callback
 * URL (ENV.progressEndpoint); locally the same variable points at the local stack's WebSocket server.
 */
export function progressPublisherFromEnv(): SubscriptionProgressPublisher {
  const client = tracer.captureAWSv3Client(
    new ApiGatewayManagementApiClient({ endpoint: requireEnv(ENV.progressEndpoint) }),
  );
  return new SubscriptionProgressPublisher(subscriptionRepositoryFromEnv(), new ApiGatewayConnectionPoster(client));
}
