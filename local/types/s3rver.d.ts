/** Minimal typings for s3rver 3.x (the package ships none): only what the local stack uses. */
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  export interface S3rverBucketConfig {
    readonly name: string;
    /** CORSConfiguration / WebsiteConfiguration XML documents. */
    readonly configs?: readonly (string | Buffer)[];
  }

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: readonly S3rverBucketConfig[];
  }

  /** The S3-notification-shaped record s3rver emits as `event` after object writes and deletes. */
  export interface S3rverEvent {
    Records: {
      eventName: string;
      eventTime: string;
      awsRegion: string;
      s3: {
        bucket: { name: string; arn: string };
        object: { key: string; size?: number; eTag?: string; sequencer: string };
      };
      [other: string]: unknown;
    }[];
  }

  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    /** What `run` does before it listens: creates the configured buckets. */
    configureBuckets(): Promise<void>;
    /** Listens with `server.listen(...args)` (e.g. a UNIX socket path); `close` closes `httpServer`. */
    listen(path: string): Promise<Server>;
    httpServer?: Server;
    close(): Promise<void>;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
