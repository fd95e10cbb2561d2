import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PresignedUpload } from '../../functions/jobs/upload-presigner';
import { S3UploadPresigner } from '../../functions/jobs/s3-upload-presigner';
import { type LocalS3, type S3NotificationRecord, decodeS3Key, startS3 } from '../../local/emulators/s3';
import { localS3Client } from '../helpers/local-s3-client';

/**
 * The local S3 (the S3 gate in front of s3rver) against real SDK clients and browser-style forms: it lets in
 * what real S3 lets in, and refuses the rest with S3's status and error code, storing nothing and firing
 * no event.
 */
const BUCKET = 'vnt-gate-uploads';
const ORIGIN = 'http://127.0.0.1:3000';
const CREDENTIALS = { accessKeyId: 'VNTLOCAL', secretAccessKey: randomBytes(32).toString('base64url') };
const KEY_A = 'uploads/tenant-a/job-a';
const KEY_B = 'uploads/tenant-b/job-b';
const AUDIO_A = Buffer.from('tenant A audio');

let directory: string;
let s3: LocalS3;
let client: S3Client;
let presigner: S3UploadPresigner;
const created: S3NotificationRecord[] = [];
/** What the gate logged as its own failure: a refusal is an answer, never one of these. */
const gateErrors: unknown[] = [];

const clientWith = (options: Partial<S3ClientConfig> = {}) => localS3Client(s3.endpoint, CREDENTIALS, options);

const presign = (key: string, options: { maxBytes?: number; contentType?: string } = {}) =>
  presigner.presign({ key, contentType: options.contentType ?? 'audio/mp4', maxBytes: options.maxBytes ?? 1024, expiresInSeconds: 60 });

/** A browser form upload: the fields in order, then the file. */
async function post(
  upload: Pick<PresignedUpload, 'url' | 'fields'>,
  file: Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string; message?: string; body: string; headers: Headers }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  if (file !== undefined) form.append('file', new Blob([new Uint8Array(file)], { type: 'audio/mp4' }), 'note.m4a');
  const response = await fetch(upload.url, { method: 'POST', body: form, headers });
  return answer(response);
}

async function answer(response: Response) {
  const body = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]+)<\/Message>/.exec(body)?.[1],
    body,
    headers: response.headers,
  };
}

async function objectBody(key: string): Promise<string | undefined> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await object.Body!.transformToString();
  } catch (error) {
    if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return undefined;
    throw error;
  }
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'vnt-s3-gate-'));
  s3 = await startS3({
    directory,
    buckets: [BUCKET],
    cors: { [BUCKET]: [{ AllowedOrigins: ['*'], AllowedMethods: ['POST'], AllowedHeaders: ['*'] }] },
    credentials: CREDENTIALS,
    onObjectCreated: (record) => created.push(record),
    onError: (error) => gateErrors.push(error),
  });
  client = clientWith();
  presigner = new S3UploadPresigner({ client, bucket: BUCKET });
});

afterEach(() => {
  expect(gateErrors).toEqual([]);
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY_A, Body: AUDIO_A, ContentType: 'audio/mp4' }));
  await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY_B }));
  created.length = 0;
});

describe('requests signed by the local principal (what the handlers send)', () => {
  it('put, head, get, list and delete objects, special characters in keys included', async () => {
    const key = 'uploads/tenant a/ünïcode+plus*star.m4a';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x'.repeat(3000), ContentType: 'audio/mp4' }));

    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(3000);
    expect(await objectBody(key)).toBe('x'.repeat(3000));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'uploads/tenant a/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await objectBody(key)).toBeUndefined();
    expect(created.map((r) => decodeS3Key(r.s3.object.key))).toEqual([key]);
  });

  it('are refused when signed with another secret or key id, and nothing is written', async () => {
    const forged = clientWith({ credentials: { ...CREDENTIALS, secretAccessKey: 'S3RVER' } });
    const stranger = clientWith({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

    await expect(forged.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY_A, Body: 'overwritten' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(stranger.send(new ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    expect(await objectBody(KEY_A)).toBe(AUDIO_A.toString());
    expect(created).toEqual([]);
  });

  it('are refused when presigned and expired, or when the signed URL is edited', async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY_A }), { expiresIn: 60 });
    expect(await (await fetch(url)).text()).toBe(AUDIO_A.toString());

    const otherTenant = await answer(await fetch(url.replace(KEY_A, KEY_B)));
    expect(otherTenant).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });

    const signedTwoMinutesAgo = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY_A }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const expired = await answer(await fetch(signedTwoMinutesAgo));
    expect(expired).toMatchObject({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  it('store the body of a presigned PUT', async () => {
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: KEY_B }), { expiresIn: 60 });

    expect((await fetch(url, { method: 'PUT', body: 'presigned body' })).status).toBe(200);
    expect(await objectBody(KEY_B)).toBe('presigned body');
  });
});

describe('requests without credentials', () => {
  it.each([
    ['GET an object', 'GET', `/${BUCKET}/${KEY_A}`],
    ['LIST the bucket', 'GET', `/${BUCKET}?list-type=2`],
    ['LIST every bucket', 'GET', '/'],
    ['PUT over an object', 'PUT', `/${BUCKET}/${KEY_A}`],
    ['DELETE an object', 'DELETE', `/${BUCKET}/${KEY_A}`],
  ])('%s: 403 AccessDenied, nothing read or written', async (_name, method, target) => {
    const response = await answer(
      await fetch(`${s3.endpoint}${target}`, { method, ...(method === 'PUT' && { body: 'overwritten' }) }),
    );

    expect(response).toMatchObject({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
    expect(response.body).not.toContain(AUDIO_A.toString());
    expect(await objectBody(KEY_A)).toBe(AUDIO_A.toString());
    expect(created).toEqual([]);
  });

  it('still get the CORS preflight a browser sends before its upload', async () => {
    const response = await fetch(`${s3.endpoint}/${BUCKET}`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });
});

describe('browser POST uploads (presigned POST policies)', () => {
  it('store a form that keeps to its policy, and fire one object-created event', async () => {
    const upload = await presign(KEY_B);

    const response = await post(upload, Buffer.from('tenant B audio'));

    expect(response.status).toBe(204);
    expect(await objectBody(KEY_B)).toBe('tenant B audio');
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY_B }));
    expect(head.ContentType).toBe('audio/mp4');
    expect(head.Metadata).toEqual({});
    expect(created.map((r) => [r.eventName, decodeS3Key(r.s3.object.key)])).toEqual([['ObjectCreated:Post', KEY_B]]);
  });

  it.each<[string, (upload: PresignedUpload) => Promise<{ fields: Record<string, string>; file?: Buffer }>, object]>([
    [
      "tenant B's form aimed at tenant A's key",
      async (upload) => ({ fields: { ...upload.fields, key: KEY_A } }),
      { status: 403, code: 'AccessDenied', message: `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${KEY_B}"]` },
    ],
    [
      'a file over the signed maximum',
      async (upload) => ({ fields: upload.fields, file: Buffer.alloc(1025) }),
      { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' },
    ],
    [
      'an empty file',
      async (upload) => ({ fields: upload.fields, file: Buffer.alloc(0) }),
      { status: 400, code: 'EntityTooSmall', message: 'Your proposed upload is smaller than the minimum allowed size' },
    ],
    [
      'another content type',
      async (upload) => ({ fields: { ...upload.fields, 'Content-Type': 'text/html' } }),
      { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "audio/mp4"]' },
    ],
    [
      'an expired policy',
      async () => {
        const past = clientWith({ systemClockOffset: -120_000 });
        return { fields: (await new S3UploadPresigner({ client: past, bucket: BUCKET }).presign({ key: KEY_B, contentType: 'audio/mp4', maxBytes: 1024, expiresInSeconds: 60 })).fields };
      },
      { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
    ],
    [
      'a signature that is not the policy’s',
      async (upload) => ({ fields: { ...upload.fields, 'X-Amz-Signature': '0'.repeat(64) } }),
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'a policy rewritten to allow 1 GB, with the original signature',
      async (upload) => {
        const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString()) as { conditions: unknown[] };
        policy.conditions = policy.conditions.map((c) => (Array.isArray(c) && c[0] === 'content-length-range' ? [c[0], 1, 1e9] : c));
        return { fields: { ...upload.fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') } };
      },
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'a policy signed with the public s3rver secret',
      async () => {
        const forged = clientWith({ credentials: { ...CREDENTIALS, secretAccessKey: 'S3RVER' } });
        return { fields: (await createPresignedPost(forged, { Bucket: BUCKET, Key: KEY_A, Conditions: [['content-length-range', 1, 1e9]] })).fields };
      },
      { status: 403, code: 'SignatureDoesNotMatch' },
    ],
    [
      'an extra field no condition covers',
      async (upload) => ({ fields: { ...upload.fields, 'x-amz-meta-owner': 'tenant-a' } }),
      { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner' },
    ],
    [
      'a form with no credentials at all',
      async () => ({ fields: { key: KEY_A } }),
      { status: 403, code: 'AccessDenied', message: 'Access Denied' },
    ],
    [
      'a form without its file',
      async (upload) => ({ fields: upload.fields, file: undefined }),
      { status: 400, code: 'IncorrectNumberOfFilesInPostRequest' },
    ],
  ])('refuse %s with S3’s error, and store nothing', async (_name, tamper, expected) => {
    const upload = await presign(KEY_B);
    const form = await tamper(upload);
    const file = 'file' in form ? form.file : Buffer.from('tenant B audio');

    const response = await post({ url: upload.url, fields: form.fields }, file, { origin: ORIGIN });

    expect(response).toMatchObject(expected);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await objectBody(KEY_A)).toBe(AUDIO_A.toString());
    expect(await objectBody(KEY_B)).toBeUndefined();
    expect(created).toEqual([]);
  });

  it('refuse a field sent twice, so what is checked is what would be stored', async () => {
    const upload = await presign(KEY_B);
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('key', KEY_A);
    form.append('file', new Blob(['tenant B audio']), 'note.m4a');

    const response = await answer(await fetch(upload.url, { method: 'POST', body: form }));

    expect(response).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await objectBody(KEY_A)).toBe(AUDIO_A.toString());
    expect(created).toEqual([]);
  });

  it('refuse a body that is not a multipart form', async () => {
    const response = await answer(await fetch(`${s3.endpoint}/${BUCKET}`, { method: 'POST', body: 'key=x' }));

    expect(response).toMatchObject({ status: 400, code: 'RequestIsNotMultiPartContent' });
  });

  it('drop an upload whose client goes away mid-file, store nothing and keep serving', async () => {
    const upload = await presign(KEY_B);
    const boundary = 'vnt-test-boundary';
    const head = Object.entries(upload.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const url = new URL(upload.url);

    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
            `Content-Length: 100000\r\n\r\n${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\npartial`,
        );
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 100);
      });
    });

    expect(await objectBody(KEY_B)).toBeUndefined();
    expect((await post(await presign(KEY_B), Buffer.from('tenant B audio'))).status).toBe(204);
    expect(created).toHaveLength(1);
  });
});

describe('malformed requests', () => {
  it.each([
    ['a bad percent-encoding in the path', 'GET', '/%E0/key', 403, 'AccessDenied'],
    ['a bad percent-encoding in the query', 'GET', `/${BUCKET}?prefix=%E0`, 400, 'InvalidArgument'],
    ['prototype names in the query', 'GET', `/${BUCKET}?__proto__=x&constructor=y`, 403, 'AccessDenied'],
    ['a form posted to a bad bucket name', 'POST', '/%E0', 400, 'RequestIsNotMultiPartContent'],
  ])('answer %s with S3’s error and keep serving', async (_name, method, target, status, code) => {
    const response = await answer(await fetch(`${s3.endpoint}${target}`, { method, ...(method === 'POST' && { body: 'x' }) }));

    expect(response).toMatchObject({ status, code });
    expect(await objectBody(KEY_A)).toBe(AUDIO_A.toString());
  });
});
