import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { LOCAL } from '../../local/config';

/**
 * An SDK client of the local S3, built like the handlers' (path-style, checksums only when required), with one
 * attempt so a refusal surfaces as it is.
 */
export function localS3Client(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  options: Partial<S3ClientConfig> = {},
): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL.region,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...options,
  });
}
