import { describe, expect, it } from 'vitest';
import { signedMaxBytes } from '../../../smoke/upload-policy';

const policy = (conditions: unknown[]) => Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions })).toString('base64');
const upload = (fields: Record<string, string>) => ({ url: 'https://bucket.s3.amazonaws.com/', fields, expiresAt: '2030-01-01T00:00:00Z' });

describe('signedMaxBytes', () => {
  it('reads the upper bound of the POST policy content-length-range', () => {
    const fields = { key: 'uploads/a/b', Policy: policy([{ bucket: 'b' }, ['content-length-range', 1, 5_242_880], ['eq', '$Content-Type', 'audio/mp4']]) };

    expect(signedMaxBytes(upload(fields))).toBe(5_242_880);
  });

  it('is undefined for a policy that does not bound the size, or no policy', () => {
    expect(signedMaxBytes(upload({ Policy: policy([['eq', '$Content-Type', 'audio/mp4']]) }))).toBeUndefined();
    expect(signedMaxBytes(upload({ key: 'k' }))).toBeUndefined();
  });
});
