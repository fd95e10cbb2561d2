import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ENV } from '../../lib/config/env-names';
import type { Job } from '../jobs/job';
import { toPublicJob } from '../jobs/job-view';
import { requireEnv } from '../shared/env';
import { logger, tracer } from '../shared/powertools';
import { jobProgressMessage } from './progress-message';
import { type SubscriptionRepository, subscriptionRepositoryFromEnv } from './subscription-repository';

/** Pushes a job's state to whoever follows it. Best-effort by design: progress never fails the pipeline. */
export interface ProgressPublisher {
  publish(job: Job): Promise<void>;
  /** Sends one message to one connection (the snapshot a new subscriber gets). */
  sendTo(connectionId: string, message: unknown): Promise<void>;
}

/** Outcome of one post: `gone` means the client disconnected and its subscriptions can go. */
export type PostOutcome = 'sent' | 'gone';

export interface ConnectionPoster {
  post(connectionId: string, message: unknown): Promise<PostOutcome>;
}

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

export class SubscriptionProgressPublisher implements ProgressPublisher {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly poster: ConnectionPoster,
    /** For the public view's UPLOAD_EXPIRED rule. @default - the system clock */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(job: Job): Promise<void> {
    const connections = await this.subscriptions.subscribers(job.jobId);
    const message = jobProgressMessage(toPublicJob(job, this.now()));
    const outcomes = await Promise.allSettled(
      connections.map(async (connectionId) => {
        if ((await this.poster.post(connectionId, message)) === 'gone') {
          await this.subscriptions.unsubscribe(job.jobId, connectionId);
        }
      }),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') {
        logger.warn('Could not post job progress', { jobId: job.jobId, connectionId: connections[i], error: outcome.reason as Error });
      }
    }
  }

  async sendTo(connectionId: string, message: unknown): Promise<void> {
    await this.poster.post(connectionId, message);
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
