import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { STORAGE } from '../../lib/config/limits';
import type { JobAudioStore } from './job-audio-store';

export interface S3JobAudioStoreOptions {
  readonly client: S3Client;
  readonly uploadsBucket: string;
  readonly workBucket: string;
}

/**
 * Prefixes of a job's working objects in the work bucket: normalised audio (`normalized/<jobId>.wav`, and
 * any chunk files named after it) and Transcribe output (`transcripts/<jobId>.json`). Prefixes rather than
 * exact keys so a new derived file cannot be forgotten; job ids are fixed-length UUIDs, so no prefix can
 * match another job's objects.
 */
export function workObjectPrefixes(jobId: string): readonly string[] {
  return [`${STORAGE.normalizedPrefix}${jobId}`, `${STORAGE.transcriptsPrefix}${jobId}`];
}

export class S3JobAudioStore implements JobAudioStore {
  private readonly client: S3Client;
  private readonly uploadsBucket: string;
  private readonly workBucket: string;

  constructor(options: S3JobAudioStoreOptions) {
    this.client = options.client;
    this.uploadsBucket = options.uploadsBucket;
    this.workBucket = options.workBucket;
  }

  async deleteJobAudio(job: { readonly jobId: string; readonly uploadKey: string }): Promise<void> {
    await Promise.all([
      this.client.send(new DeleteObjectCommand({ Bucket: this.uploadsBucket, Key: job.uploadKey })),
      ...workObjectPrefixes(job.jobId).map((prefix) => this.deletePrefix(prefix)),
    ]);
  }

  private async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.workBucket, Prefix: prefix, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length > 0) {
        const { Errors } = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.workBucket, Delete: { Objects: objects, Quiet: true } }),
        );
        if (Errors && Errors.length > 0) {
          throw new Error(`Could not delete ${Errors.length} work object(s) under ${prefix}: ${Errors[0]?.Code}`);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
