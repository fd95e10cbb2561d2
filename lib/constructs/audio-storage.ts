import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethods, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { STORAGE, UPLOAD } from '../config/limits';
import { SecureBucket } from './secure-bucket';

export interface AudioStorageProps {
  /** Receives both buckets' server access logs. */
  readonly accessLogsBucket: IBucket;
  /** Origins allowed to POST uploads from a browser. */
  readonly corsAllowedOrigins: readonly string[];
}

/**
 * The two audio buckets. `uploads` receives clients' presigned POSTs under `uploads/<owner>/<job>`; `work`
 * holds what the pipeline derives (normalised PCM, chunks, Transcribe output). Both expire their data by
 * prefix (STORAGE), so no object outlives its purpose even if a job dies halfway.
 */
export class AudioStorage extends Construct {
  readonly uploadsBucket: SecureBucket;
  readonly workBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: AudioStorageProps) {
    super(scope, id);

    this.uploadsBucket = new SecureBucket(this, 'Uploads', {
      accessLogsBucket: props.accessLogsBucket,
      removalPolicy: RemovalPolicy.RETAIN,
      // ObjectCreated events go to EventBridge: the intake queue lives in the stateless stack, and an S3
      // notification pointing at it would make the stateful stack depend on the stateless one.
      eventBridgeEnabled: true,
      cors: [
        {
          allowedMethods: [HttpMethods.POST],
          allowedOrigins: [...props.corsAllowedOrigins],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: UPLOAD.presignedPostSeconds,
        },
      ],
      lifecycleRules: [
        {
          id: 'ExpireRawUploads',
          prefix: STORAGE.uploadsPrefix,
          expiration: Duration.days(STORAGE.rawAudioRetentionDays),
        },
      ],
    });

    this.workBucket = new SecureBucket(this, 'Work', {
      accessLogsBucket: props.accessLogsBucket,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireNormalizedAudio',
          prefix: STORAGE.normalizedPrefix,
          expiration: Duration.days(STORAGE.normalizedAudioRetentionDays),
        },
        {
          id: 'ExpireTranscripts',
          prefix: STORAGE.transcriptsPrefix,
          expiration: Duration.days(STORAGE.transcriptRetentionDays),
        },
      ],
    });
  }
}
