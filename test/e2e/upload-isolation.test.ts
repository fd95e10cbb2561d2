/**
 * Tenant isolation at the storage layer, on the embedded local stack over real HTTP: the presigned POST that
 * POST /uploads hands out is enforced the way S3 enforces it, and the bucket refuses anonymous access. Every
 * refusal is S3's status and error code at upload time, stores nothing and starts no pipeline.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresignedUpload } from '../../functions/jobs/upload-presigner';
import { S3UploadPresigner } from '../../functions/jobs/s3-upload-presigner';
import { TIERS } from '../../lib/config/tiers';
import { LOCAL } from '../../local/config';
import { stateLayout } from '../../local/state-dir';
import { GOFORWARD_TEXT, makeAudio } from '../helpers/audio-fixtures';
import { localS3Client } from '../helpers/local-s3-client';
import { startTestStack, type TestStack } from '../helpers/local-stack';

let stack: TestStack;
let dir: string;
let tenantA: string;
let tenantB: string;
let noteA: string;
let noteB: string;
let s3: S3Client;
let bucketUrl: string;
/** SDK clients of the local S3 signed by the install's own principal (what the handlers sign with). */
let principalClient: (options?: { systemClockOffset?: number }) => S3Client;
/** Tenant A's upload, stored and processed before any attack. */
let uploadA: { jobId: string; key: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-isolation-'));
  // Free keys (the smallest upload limit); their rate limit is not under test here.
  stack = await startTestStack({ throttleOverrides: { free: { rateLimitPerSecond: 100, burstLimit: 200 } } });
  [tenantA, tenantB] = [(await stack.createKey('free', 'tenant-a')).value, (await stack.createKey('free', 'tenant-b')).value];
  [noteA, noteB] = await Promise.all([makeAudio('m4a', dir, { name: 'tenant-a' }), makeAudio('m4a', dir, { name: 'tenant-b' })]);
  const created = await stack.createUpload(noteA, tenantA);
  bucketUrl = created.upload.url;
  // The install's own principal, read where the stack keeps it: what the handlers sign with.
  const secretAccessKey = (await readFile(stateLayout(stack.stateDir).secretAccessKey, 'utf8')).trim();
  principalClient = (options = {}) =>
    localS3Client(new URL(bucketUrl).origin, { accessKeyId: LOCAL.accessKeyId, secretAccessKey }, options);
  s3 = principalClient();
  await stack.upload(created.upload, noteA);
  uploadA = { jobId: created.jobId, key: created.upload.fields.key! };
  expect((await stack.waitForJob(uploadA.jobId, tenantA)).result?.transcript).toBe(GOFORWARD_TEXT);
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function storedBytes(key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucketOf(bucketUrl), Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

function bucketOf(url: string): string {
  return new URL(url).pathname.split('/')[1]!;
}

/** The form a browser sends: the fields in order, then the file. */
async function postForm(url: string, fields: Record<string, string>, file: Uint8Array) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file)], { type: 'audio/mp4' }), 'note.m4a');
  const response = await fetch(url, { method: 'POST', body: form });
  const body = await response.text();
  return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1], message: /<Message>([^<]+)</.exec(body)?.[1] };
}

describe('the uploads bucket, locally as in S3', () => {
  it('keeps the file the signed form was for: the stored object is tenant A’s note', async () => {
    expect(uploadA.key).toMatch(/^uploads\/.+\/.+/);
    expect(await storedBytes(uploadA.key)).toEqual(await readFile(noteA));
  });

  it.each<[string, (upload: PresignedUpload) => Promise<{ fields: Record<string, string>; file?: Uint8Array }>, object]>([
    [
      "tenant B's form aimed at tenant A's key",
      async (upload) => ({ fields: { ...upload.fields, key: uploadA.key } }),
      { status: 403, code: 'AccessDenied', message: expect.stringContaining('Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/') },
    ],
    [
      'a file one byte over the tier’s maximum',
      async (upload) => ({ fields: upload.fields, file: new Uint8Array(TIERS.free.maxUploadBytes + 1) }),
      { status: 400, code: 'EntityTooLarge' },
    ],
    [
      'another content type than the one signed',
      async (upload) => ({ fields: { ...upload.fields, 'Content-Type': 'text/html' } }),
      { status: 403, code: 'AccessDenied', message: expect.stringContaining('$Content-Type') },
    ],
    [
      'an expired policy (signed by the install’s own principal, in the past)',
      async () => {
        const past = principalClient({ systemClockOffset: -10 * 60_000 });
        const presigner = new S3UploadPresigner({ client: past, bucket: bucketOf(bucketUrl) });
        const fields = (await presigner.presign({ key: uploadA.key, contentType: 'audio/mp4', maxBytes: 1024, expiresInSeconds: 60 })).fields;
        return { fields };
      },
      { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
    ],
    [
      'a tampered signature',
      async (upload) => ({ fields: { ...upload.fields, 'X-Amz-Signature': 'f'.repeat(64) } }),
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'an extra field the policy does not sign',
      async (upload) => ({ fields: { ...upload.fields, 'x-amz-meta-owner': 'tenant-a' } }),
      { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner' },
    ],
  ])('refuses %s at upload time with S3’s error; nothing is stored and no job starts', async (_name, tamper, expected) => {
    const { jobId, upload } = await stack.createUpload(noteB, tenantB);
    const form = await tamper(upload);

    const answer = await postForm(upload.url, form.fields, form.file ?? (await readFile(noteB)));

    expect(answer).toMatchObject(expected);
    expect(await storedBytes(uploadA.key)).toEqual(await readFile(noteA));
    expect(await storedBytes(upload.fields.key!)).toBeUndefined();
    expect((await stack.request('GET', `/jobs/${jobId}`, { key: tenantB })).body.status).toBe('awaiting_upload');
  });

  it.each([
    ['GET tenant A’s audio', 'GET', () => `${bucketUrl}/${uploadA.key}`],
    ['LIST the bucket', 'GET', () => `${bucketUrl}?list-type=2`],
    ['PUT over tenant A’s audio', 'PUT', () => `${bucketUrl}/${uploadA.key}`],
  ])('refuses an unsigned %s with 403 AccessDenied', async (_name, method, target) => {
    const response = await fetch(target(), { method, ...(method === 'PUT' && { body: 'overwritten' }) });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    expect(await storedBytes(uploadA.key)).toEqual(await readFile(noteA));
  });

  it('keeps the per-install secret private to its owner', async () => {
    const { mode } = await stat(stateLayout(stack.stateDir).secretAccessKey);
    expect(mode & 0o077).toBe(0);
  });
});
