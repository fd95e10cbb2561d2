import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from './powertools';

/**
 * AWS SDK clients, made lazily once per container and traced by X-Ray. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local stack points the same code at emulators.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function s3(): S3Client {
  // WHEN_REQUIRED: otherwise presigned URLs carry the CRC32 of an empty body and real S3 rejects uploads.
  s3Client ??= tracer.captureAWSv3Client(
    new S3Client({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
    }),
  );
  return s3Client;
}
