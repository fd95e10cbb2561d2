import { startFauxqs } from 'fauxqs';
import { LOCAL } from '../config';

export interface QueueSpec {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  /** Moves a message to `deadLetterQueue` after this many receives, like an SQS redrive policy. */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

export interface LocalSqs {
  readonly endpoint: string;
  /** Queue URL by queue name. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Enqueues a message (what a service integration such as S3 or EventBridge delivers). */
  send(queueName: string, body: string): void;
  stop(): Promise<void>;
}

/**
 * fauxqs (SQS) persisted in SQLite under `directory`. Queue URLs use the host `sqs.<region>.localhost`, so
 * SDK clients must be built with `useQueueUrlAsEndpoint: false` (otherwise they resolve that name in DNS).
 */
export async function startSqs(directory: string, queues: readonly QueueSpec[]): Promise<LocalSqs> {
  const server = await startFauxqs({ port: 0, host: LOCAL.host, logger: false, dataDir: directory });
  const arnOf = (name: string) => `arn:aws:sqs:${LOCAL.region}:${LOCAL.account}:${name}`;
  // Dead-letter queues first: a redrive policy must point at an existing queue.
  const ordered = [...queues].sort((a, b) => Number(a.redrive !== undefined) - Number(b.redrive !== undefined));
  const result = server.setup({
    region: LOCAL.region,
    queues: ordered.map((queue) => ({
      name: queue.name,
      attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        ...(queue.redrive && {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: arnOf(queue.redrive.deadLetterQueue),
            maxReceiveCount: queue.redrive.maxReceiveCount,
          }),
        }),
      },
    })),
  });
  return {
    endpoint: `http://${LOCAL.host}:${server.port}`,
    queueUrls: Object.fromEntries(result.queues.map((queue) => [queue.name, queue.url])),
    send: (queueName, body) => {
      server.sendMessage(queueName, body, { region: LOCAL.region });
    },
    stop: () => server.stop(),
  };
}
