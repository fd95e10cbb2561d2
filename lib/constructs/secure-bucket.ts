import { Duration } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface SecureBucketProps
  extends Omit<BucketProps, 'blockPublicAccess' | 'encryption' | 'enforceSSL' | 'publicReadAccess' | 'bucketName'> {
  /**
   * Target of this bucket's S3 server access logs (written under `<construct id>/`).
   * @default - no server access logging (only for the log bucket itself)
   */
  readonly accessLogsBucket?: IBucket;
}

/**
 * A Bucket with our non-negotiable defaults: all public access blocked, SSE-S3, TLS 1.2+ only, ACLs
 * disabled (unless the caller needs them), incomplete multipart uploads cleaned up, and server access logs.
 * SSE-S3 rather than KMS: CloudFront standard logs and S3 server access logs cannot be written to SSE-KMS
 * buckets, and for audio working data a customer key adds cost without changing who can read it.
 */
export class SecureBucket extends Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    const { accessLogsBucket, lifecycleRules, ...rest } = props;
    super(scope, id, {
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...rest,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: accessLogsBucket ? `${id}/` : undefined,
      lifecycleRules: [
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(lifecycleRules ?? []),
      ],
    });
  }
}
