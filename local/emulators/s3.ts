import S3rver, { type S3rverEvent } from 's3rver';
import { LOCAL } from '../config';

/** A Lambda/SQS-shaped S3 event notification record (what real S3 delivers). */
export type S3NotificationRecord = S3rverEvent['Records'][number];

/** Which object events of a bucket are delivered, like a bucket notification configuration with a filter. */
export interface ObjectCreatedRoute {
  readonly bucket: string;
  readonly prefix?: string;
  readonly suffix?: string;
  deliver(record: S3NotificationRecord): void;
}

export interface LocalS3Options {
  readonly directory: string;
  readonly buckets: readonly string[];
  /** Buckets browsers upload to with presigned POST/PUT. */
  readonly corsBuckets: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly routes: readonly ObjectCreatedRoute[];
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
  const cors = corsConfiguration(options.corsOrigins);
  const server = new S3rver({
    address: LOCAL.host,
    port: 0,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: options.corsBuckets.includes(name) ? [cors] : [],
    })),
  });
  server.on('event', (event: S3rverEvent) => {
    for (const raw of event.Records) {
      const record = toNotificationRecord(raw);
      for (const route of options.routes) if (matches(route, record)) route.deliver(record);
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

function matches(route: ObjectCreatedRoute, record: S3NotificationRecord): boolean {
  const key = decodeS3Key(record.s3.object.key);
  return (
    record.eventName.startsWith('ObjectCreated:') &&
    record.s3.bucket.name === route.bucket &&
    key.startsWith(route.prefix ?? '') &&
    key.endsWith(route.suffix ?? '')
  );
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

function corsConfiguration(origins: readonly string[]): string {
  const allowed = origins.map((origin) => `<AllowedOrigin>${origin}</AllowedOrigin>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    allowed +
    '<AllowedMethod>POST</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>' +
    '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>' +
    '</CORSRule></CORSConfiguration>'
  );
}
