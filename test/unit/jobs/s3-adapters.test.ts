import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3JobAudioStore } from '../../../functions/jobs/s3-job-audio-store';
import { S3UploadPresigner } from '../../../functions/jobs/s3-upload-presigner';
import { JOB_ID, NOW, OWNER } from './fixtures';

const s3mock = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });

beforeEach(() => s3mock.reset());

describe('S3UploadPresigner', () => {
  it('signs a POST policy pinning the key, the exact Content-Type and 1..max bytes', async () => {
    const presigner = new S3UploadPresigner({ client, bucket: 'vnt-uploads', now: () => NOW });

    const upload = await presigner.presign({
      key: `uploads/${OWNER}/${JOB_ID}`,
      contentType: 'audio/mp4',
      maxBytes: 5_242_880,
      expiresInSeconds: 300,
    });

    expect(upload.url).toContain('vnt-uploads');
    expect(upload.expiresAt).toBe('2026-03-14T12:05:00.000Z');
    expect(upload.fields).toMatchObject({ key: `uploads/${OWNER}/${JOB_ID}`, 'Content-Type': 'audio/mp4' });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 5_242_880],
        ['eq', '$Content-Type', 'audio/mp4'],
        { bucket: 'vnt-uploads' },
        { key: `uploads/${OWNER}/${JOB_ID}` },
      ]),
    );
    // The SDK stamps the expiry from its own clock; it must be about five minutes out.
    const lifetime = Date.parse(policy.expiration) - Date.now();
    expect(lifetime).toBeGreaterThan(290_000);
    expect(lifetime).toBeLessThanOrEqual(300_000);
  });
});

describe('S3JobAudioStore', () => {
  const store = new S3JobAudioStore({ client, uploadsBucket: 'vnt-uploads', workBucket: 'vnt-work' });

  it('deletes the raw upload, the normalised audio and the Transcribe output by exact key (no listing)', async () => {
    s3mock.on(DeleteObjectCommand).resolves({});

    await store.deleteJobAudio({ jobId: JOB_ID, uploadKey: `uploads/${OWNER}/${JOB_ID}` });

    expect(s3mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'vnt-uploads', Key: `uploads/${OWNER}/${JOB_ID}` },
      { Bucket: 'vnt-work', Key: `normalized/${JOB_ID}.wav` },
      { Bucket: 'vnt-work', Key: `transcripts/${JOB_ID}.json` },
    ]);
    expect(s3mock.calls()).toHaveLength(3);
  });

  it('fails when a delete fails, so the job record is kept for a retry', async () => {
    s3mock.on(DeleteObjectCommand).resolves({});
    s3mock.on(DeleteObjectCommand, { Bucket: 'vnt-work' }).rejects(new Error('AccessDenied'));

    await expect(store.deleteJobAudio({ jobId: JOB_ID, uploadKey: 'u' })).rejects.toThrow('AccessDenied');
  });
});
