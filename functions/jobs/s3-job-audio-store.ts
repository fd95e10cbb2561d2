import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { workObjectKeys } from '../shared/work-objects';
import type { JobAudioStore } from './job-audio-store';

export interface S3JobAudioStoreOptions {
  readonly client: S3Client;
  readonly uploadsBucket: string;
  readonly workBucket: string;
}

/** Deletes a job's upload and its working objects by exact key; S3 deletes are idempotent. */
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
      ...workObjectKeys(job.jobId).map((Key) => this.client.send(new DeleteObjectCommand({ Bucket: this.workBucket, Key }))),
    ]);
  }
}
