import { randomUUID } from 'node:crypto';
import S3rver, { type S3rverEvent } from 's3rver';
import type { CorsRule } from '../template/template-bindings';
import { LOCAL } from '../config';

/** A Lambda/SQS-shaped S3 event notification record (what real S3 delivers). */
export type S3NotificationRecord = S3rverEvent['Records'][number];

export interface LocalS3Options {
  readonly directory: string;
  readonly buckets: readonly string[];
  /** CORS rules per bucket name, as the template declares them (browsers upload with presigned POST). @default - none */
  readonly cors?: Readonly<Record<string, readonly CorsRule[]>>;
  /** Every object write, as the notification record real S3 would send. */
  onObjectCreated(record: S3NotificationRecord): void;
}

export interface LocalS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * s3rver on disk. It takes presigned POST/PUT uploads (without evaluating POST policies: the pipeline
 * re-checks the real object) and emits an `event` per write, which stands in for bucket notifications.
 */
export async function startS3(options: LocalS3Options): Promise<LocalS3> {
  const server = new S3rver({
    address: LOCAL.host,
    port: 0,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: (options.cors?.[name] ?? []).length > 0 ? [corsConfiguration(options.cors![name]!)] : [],
    })),
  });
  server.on('event', (event: S3rverEvent) => {
    for (const raw of event.Records) {
      if (raw.eventName.startsWith('ObjectCreated:')) options.onObjectCreated(toNotificationRecord(raw));
    }
  });
  const address = await server.run();
  return {
    endpoint: `http://${LOCAL.host}:${address.port}`,
    stop: async () => {
      await server.close();
    },
  };
}

/** Whether a notification configuration's key filter lets this record through. */
export function matchesKeyFilter(record: S3NotificationRecord, filter: { prefix?: string; suffix?: string }): boolean {
  const key = decodeS3Key(record.s3.object.key);
  return key.startsWith(filter.prefix ?? '') && key.endsWith(filter.suffix ?? '');
}

/**
 * The EventBridge "Object Created" event S3 sends for the same write when the bucket has EventBridge
 * notifications on (the key is not URL-encoded there).
 */
export function objectCreatedEvent(record: S3NotificationRecord) {
  const reasons: Record<string, string> = {
    'ObjectCreated:Put': 'PutObject',
    'ObjectCreated:Post': 'PostObject',
    'ObjectCreated:Copy': 'CopyObject',
  };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL.account,
    time: record.eventTime,
    region: LOCAL.region,
    resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: record.s3.bucket.name },
      object: {
        key: decodeS3Key(record.s3.object.key),
        size: record.s3.object.size ?? 0,
        etag: record.s3.object.eTag ?? '',
        sequencer: record.s3.object.sequencer,
      },
      'request-id': randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
      requester: LOCAL.account,
      'source-ip-address': LOCAL.host,
      reason: reasons[record.eventName] ?? 'PutObject',
    },
  };
}

/** Fixes what s3rver gets wrong: real records carry `arn:aws:s3:::<bucket>` and a URL-encoded key. */
function toNotificationRecord(raw: S3NotificationRecord): S3NotificationRecord {
  return {
    ...raw,
    eventVersion: '2.1',
    awsRegion: LOCAL.region,
    s3: {
      ...raw.s3,
      bucket: { ...raw.s3.bucket, arn: `arn:aws:s3:::${raw.s3.bucket.name}` },
      object: { ...raw.s3.object, key: encodeS3Key(raw.s3.object.key) },
    },
  };
}

/** S3 notifications encode keys like HTML forms: percent-encoding with `+` for spaces. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
}

export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replaceAll('+', ' '));
}

/** The CORSConfiguration XML s3rver takes, from CloudFormation's CorsRules. */
function corsConfiguration(rules: readonly CorsRule[]): string {
  const elements = (tag: string, values: readonly string[] = []) => values.map((v) => `<${tag}>${v}</${tag}>`).join('');
  const xmlRules = rules.map(
    (rule) =>
      '<CORSRule>' +
      elements('AllowedOrigin', rule.AllowedOrigins) +
      elements('AllowedMethod', rule.AllowedMethods) +
      elements('AllowedHeader', rule.AllowedHeaders) +
      elements('ExposeHeader', rule.ExposedHeaders) +
      (rule.MaxAge === undefined ? '' : `<MaxAgeSeconds>${rule.MaxAge}</MaxAgeSeconds>`) +
      '</CORSRule>',
  );
  return `<CORSConfiguration>${xmlRules.join('')}</CORSConfiguration>`;
}
