import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, type S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import { s3 } from '../../shared/clients';

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** The few object operations the pipeline needs, so tasks stay free of S3 types. */
export interface ObjectStore {
  /**
   * The object's real size in bytes, or undefined if there is no such object (or, on S3, none this function
   * may read: see isMissingOnHead).
   */
  size(location: ObjectLocation): Promise<number | undefined>;
  download(location: ObjectLocation, filePath: string): Promise<void>;
  upload(location: ObjectLocation, filePath: string, contentType: string): Promise<void>;
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async size({ bucket, key }: ObjectLocation): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissingOnHead(error)) return undefined;
      throw error;
    }
  }

  async download({ bucket, key }: ObjectLocation, filePath: string): Promise<void> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    // Streamed to disk: an upload can be 100 MiB and Lambda memory is sized for CPU, not for holding files.
    await pipeline(Body as Readable, createWriteStream(filePath));
  }

  async upload({ bucket, key }: ObjectLocation, filePath: string, contentType: string): Promise<void> {
    // The normalised WAV is at most ~58 MiB (30 min × 32 KB/s): one PutObject, no multipart needed.
    await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(filePath), ContentType: contentType }),
    );
  }
}

/**
 * S3 answers HEAD on a missing key with 404 only to callers allowed s3:ListBucket; our functions may read
 * objects under one prefix and never list, so S3 answers 403. HEAD responses have no body, so the SDK can only
 * give the status (an S3ServiceException with no error code). Both mean "no object this function may read":
 * a missing upload, or one outside the granted prefix, which is not ours to read either.
 */
function isMissingOnHead(error: unknown): boolean {
  if (error instanceof NotFound || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return true;
  return (error as Partial<S3ServiceException> | undefined)?.$metadata?.httpStatusCode === 403;
}

export function objectStoreFromEnv(): S3ObjectStore {
  return new S3ObjectStore(s3());
}
