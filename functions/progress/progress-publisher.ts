import type { Job } from '../jobs/job';
import { toPublicJob } from '../jobs/job-view';
import { logger } from '../shared/powertools';
import { jobProgressMessage } from './progress-message';
import type { SubscriptionRepository } from './subscription-repository';

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
