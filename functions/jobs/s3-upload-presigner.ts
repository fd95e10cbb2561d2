import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { PresignedUpload, PresignRequest, UploadPresigner } from './upload-presigner';

export interface S3UploadPresignerOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/**
 * S3 presigned POST. The policy pins the exact key, the exact Content-Type and a 1..maxBytes
 * content-length-range, so S3 itself refuses anything else (a presigned PUT cannot bound the size).
 */
export class S3UploadPresigner implements UploadPresigner {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly now: () => Date;

  constructor(options: S3UploadPresignerOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.now = options.now ?? (() => new Date());
  }

  async presign({ key, contentType, maxBytes, expiresInSeconds }: PresignRequest): Promise<PresignedUpload> {
    const signedAt = this.now();
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Expires: expiresInSeconds,
      Fields: { 'Content-Type': contentType },
      Conditions: [
        ['content-length-range', 1, maxBytes],
        ['eq', '$Content-Type', contentType],
      ],
    });
    return { url, fields, expiresAt: new Date(signedAt.getTime() + expiresInSeconds * 1000).toISOString() };
  }
}
