import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/pipeline/common/object-store';
import { s3ClientAnswering } from '../../helpers/s3-http-responses';

const upload = { bucket: 'uploads', key: 'uploads/owner/job' };
const sizeWhenS3Answers = (statusCode: number, headers: Record<string, string> = {}) =>
  new S3ObjectStore(s3ClientAnswering({ statusCode, headers })).size(upload);

describe('S3ObjectStore.size (HEAD, through the SDK’s own deserialiser)', () => {
  it('reads the size S3 reports', async () => {
    expect(await sizeWhenS3Answers(200, { 'content-length': '4096' })).toBe(4096);
  });

  it('treats 404 (a caller allowed to list) as no object', async () => {
    expect(await sizeWhenS3Answers(404)).toBeUndefined();
  });

  it('treats 403 as no object: S3 hides a missing key from callers without s3:ListBucket, which ours never have', async () => {
    expect(await sizeWhenS3Answers(403)).toBeUndefined();
  });

  it('lets other failures through for the task’s retries and catch', async () => {
    await expect(sizeWhenS3Answers(500)).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    await expect(sizeWhenS3Answers(400)).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });
});
