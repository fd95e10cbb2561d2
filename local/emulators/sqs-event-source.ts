import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL } from '../config';
import { emulatorClientConfig } from './aws-clients';

export interface SqsEventSourceOptions {
  readonly endpoint: string;
  readonly queueName: string;
  readonly queueUrl: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** Honour `batchItemFailures` in the result (FunctionResponseTypes ReportBatchItemFailures). @default true */
  readonly reportBatchItemFailures?: boolean;
  /** The function under test: receives a Lambda SQS event, may return partial batch failures. */
  invoke(event: SQSEvent): Promise<unknown>;
  onError(error: unknown): void;
}

export interface SqsEventSource {
  stop(): Promise<void>;
}

/**
 * Polls a queue and invokes a function with Lambda SQS events, like an event source mapping with
 * `ReportBatchItemFailures`: it deletes the messages the function did not list in `batchItemFailures`; if
 * the function throws, it deletes none and the messages come back after the visibility timeout (and move
 * to the dead-letter queue after maxReceiveCount).
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const client = new SQSClient({ ...emulatorClientConfig(options.endpoint), useQueueUrlAsEndpoint: false });
  const abort = new AbortController();
  const queueArn = `arn:aws:sqs:${LOCAL.region}:${LOCAL.account}:${options.queueName}`;

  const pollOnce = async () => {
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return;
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, queueArn)) };
    let failed: Set<string>;
    try {
      const result = await options.invoke(event);
      failed = options.reportBatchItemFailures === false ? new Set() : failedMessageIds(result);
    } catch (error) {
      options.onError(error);
      return;
    }
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (done.length === 0) return;
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  return {
    stop: async () => {
      abort.abort();
      await loop;
      client.destroy();
    },
  };
}

function failedMessageIds(result: unknown): Set<string> {
  const failures = (result as Partial<SQSBatchResponse> | undefined)?.batchItemFailures ?? [];
  return new Set(failures.map((failure) => failure.itemIdentifier));
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? LOCAL.account,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL.region,
  };
}
