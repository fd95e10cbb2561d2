import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/protocols';

/** What S3 itself answers: a status, headers and (except for HEAD) a body. */
export interface S3HttpAnswer {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * An S3 client whose HTTP layer answers with `answer`, so responses go through the SDK's real deserialiser:
 * errors come out exactly as they would from S3 (for example a HEAD error, which has no body to name it).
 */
export function s3ClientAnswering(answer: S3HttpAnswer): S3Client {
  return new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: answer.statusCode,
          headers: { 'x-amz-request-id': 'REQ1', 'x-amz-id-2': 'EXT2', ...answer.headers },
          body: Readable.from(answer.body === undefined ? [] : [Buffer.from(answer.body)]),
        }),
      }),
    },
  });
}

/**
 * The error the SDK throws for a HEAD that S3 refuses with `statusCode` (no body, as S3 sends it), for
 * aws-sdk-client-mock to reject with. Sent through the SDK's base `send`, which a mocked S3Client does not replace.
 */
export async function headObjectError(statusCode: number): Promise<Error> {
  const client = s3ClientAnswering({ statusCode });
  const unmockedSend = (Object.getPrototypeOf(S3Client.prototype) as { send(command: HeadObjectCommand): Promise<unknown> }).send;
  try {
    await unmockedSend.call(client, new HeadObjectCommand({ Bucket: 'bucket', Key: 'key' }));
  } catch (error) {
    return error as Error;
  } finally {
    client.destroy();
  }
  throw new Error(`HEAD answered ${statusCode} without an error`);
}
