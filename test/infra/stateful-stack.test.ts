import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORAGE, UPLOAD } from '../../lib/config/limits';
import { TABLE } from '../../lib/config/table-design';
import { resources, resourcesOfType } from './helpers/template';
import { synthesize } from './helpers/synth';

let stateful: Template;

beforeAll(() => {
  ({ stateful } = synthesize());
});

describe('stateful stack', () => {
  it('pins the logical IDs of every data resource', () => {
    const types = Object.fromEntries(Object.entries(resources(stateful)).map(([id, r]) => [id, r.Type]));
    expect(types).toMatchObject({
      DataTable: 'AWS::DynamoDB::GlobalTable',
      UploadsBucket: 'AWS::S3::Bucket',
      WorkBucket: 'AWS::S3::Bucket',
      AccessLogsBucket: 'AWS::S3::Bucket',
      CursorSecret: 'AWS::SecretsManager::Secret',
    });
  });

  it('retains every data resource when the stack or resource goes away', () => {
    for (const id of ['DataTable', 'UploadsBucket', 'WorkBucket', 'AccessLogsBucket', 'CursorSecret']) {
      expect(resources(stateful)[id], id).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  describe('table', () => {
    it('follows the single-table design: pk/sk, GSI1, the in-flight GSI2, TTL on expiresAt', () => {
      stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE.gsi1.name,
            KeySchema: [
              { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            // Pinned: the job sweeper Queries it; renaming or rekeying it replaces the index (a rebuild).
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    it('is on-demand, encrypted with KMS and has point-in-time recovery', () => {
      stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: false,
          }),
        ],
      });
    });
  });

  describe('buckets', () => {
    it('block public access, encrypt, and refuse plain HTTP on every bucket', () => {
      const buckets = resourcesOfType(stateful, 'AWS::S3::Bucket');
      expect(buckets.length).toBe(3);
      for (const [id, bucket] of buckets) {
        expect(bucket.Properties, id).toMatchObject({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        });
        stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('allows browser POST uploads to the uploads bucket and sends its events to EventBridge', () => {
      stateful.hasResourceProperties('AWS::S3::Bucket', {
        CorsConfiguration: {
          CorsRules: [Match.objectLike({ AllowedMethods: ['POST'], MaxAge: UPLOAD.presignedPostSeconds })],
        },
      });
      stateful.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: { Ref: 'UploadsBucket' },
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      });
    });

    it('expires raw uploads, normalised audio and transcripts by prefix', () => {
      const rules = (id: string) =>
        resources(stateful)[id]!.Properties!.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[];
      expect(rules('UploadsBucket')).toContainEqual(
        expect.objectContaining({ Prefix: STORAGE.uploadsPrefix, ExpirationInDays: STORAGE.rawAudioRetentionDays }),
      );
      expect(rules('WorkBucket')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Prefix: STORAGE.normalizedPrefix, ExpirationInDays: STORAGE.normalizedAudioRetentionDays }),
          expect.objectContaining({ Prefix: STORAGE.transcriptsPrefix, ExpirationInDays: STORAGE.transcriptRetentionDays }),
        ]),
      );
    });

    it('logs access to the audio buckets into the access-log bucket', () => {
      for (const id of ['UploadsBucket', 'WorkBucket']) {
        expect(resources(stateful)[id]!.Properties!.LoggingConfiguration).toEqual({
          DestinationBucketName: { Ref: 'AccessLogsBucket' },
          LogFilePrefix: expect.any(String),
        });
      }
    });
  });

  it('exports the data resources under stable names for the stateless stack', () => {
    const exports = Object.values(stateful.toJSON().Outputs as Record<string, { Export?: { Name: string } }>)
      .map((o) => o.Export?.Name)
      .filter(Boolean);
    expect(exports).toEqual(
      expect.arrayContaining([
        'VoiceNoteTranslator-dev-Stateful:TableName',
        'VoiceNoteTranslator-dev-Stateful:UploadsBucketArn',
        'VoiceNoteTranslator-dev-Stateful:WorkBucketName',
        'VoiceNoteTranslator-dev-Stateful:CursorSecretArn',
      ]),
    );
  });

  it('generates the cursor secret instead of storing a value in the template', () => {
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });
});
