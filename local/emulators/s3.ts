import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver, { type S3rverEvent } from 's3rver';
import type { CorsRule } from '../template/template-bindings';
import { LOCAL } from '../config';
import type { LocalCredentials } from '../local-credentials';
import { S3Gate } from '../s3-gate/s3-gate';

/** A Lambda/SQS-shaped S3 event notification record (what real S3 delivers). */
export type S3NotificationRecord = S3rverEvent['Records'][number];

export interface LocalS3Options {
  readonly directory: string;
  readonly buckets: readonly string[];
  /** CORS rules per bucket name, as the template declares them (browsers upload with presigned POST). @default - none */
  readonly cors?: Readonly<Record<string, readonly CorsRule[]>>;
  /** The only principal let in: what the handlers sign with, and so what upload policies are signed with. */
  readonly credentials: LocalCredentials;
  /** Every object write, as the notification record real S3 would send. */
  onObjectCreated(record: S3NotificationRecord): void;
  onError(error: unknown, context: string): void;
}

export interface LocalS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * The system's temporary directory as the process started, not the stack's scratch directory in the state
 * directory (stack.ts), whose deeper path could take the socket's past the 107 bytes a UNIX socket path allows.
 */
const SOCKET_PARENT = tmpdir();

/** s3rver's built-in account: it checks only this key id, so verified requests are forwarded as it. */
const S3RVER_ACCESS_KEY_ID = 'S3RVER';

/**
 * S3: s3rver on disk behind the S3 gate, which enforces what s3rver does not (signatures, presigned POST
 * policies, no anonymous access). s3rver listens on a UNIX socket in a directory only this user can enter,
 * so every object write, and every `event` it emits in place of bucket notifications, passed the gate.
 */
export async function startS3(options: LocalS3Options): Promise<LocalS3> {
  const privateDirectory = await mkdtemp(join(SOCKET_PARENT, 'vnt-s3-'));
  const spoolDirectory = join(privateDirectory, 'spool');
  const socket = join(privateDirectory, 's3rver.sock');
  const server = new S3rver({
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
  const stop = async (gate?: S3Gate) => {
    await gate?.close();
    server.httpServer?.closeAllConnections();
    if (server.httpServer?.listening) await server.close();
    await rm(privateDirectory, { recursive: true, force: true });
  };
  try {
    await mkdir(spoolDirectory, { mode: 0o700 });
    await server.configureBuckets();
    server.httpServer = await server.listen(socket);
    const gate = await S3Gate.open({
      host: LOCAL.host,
      upstreamSocket: socket,
      upstreamAccessKeyId: S3RVER_ACCESS_KEY_ID,
      credentials: options.credentials,
      region: LOCAL.region,
      spoolDirectory,
      cors: options.cors,
      onError: options.onError,
    });
    return { endpoint: gate.endpoint, stop: () => stop(gate) };
  } catch (error) {
    await stop();
    throw error;
  }
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
