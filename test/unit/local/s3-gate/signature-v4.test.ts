import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { HttpRequest } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import type { FormFields } from '../../../../local/s3-gate/post-policy';
import {
  authenticationOf,
  parseQuery,
  type ReceivedRequest,
  type SigningContext,
  verifyPostSignature,
  verifyRequestSignature,
} from '../../../../local/s3-gate/signature-v4';
import { localS3Client } from '../../../helpers/local-s3-client';

/**
 * The gate's SigV4 checks against what the AWS SDK itself sends: requests signed by S3Client (captured
 * before they leave), URLs from the S3 request presigner and forms from createPresignedPost.
 */
const CREDENTIALS = { accessKeyId: 'VNTLOCAL', secretAccessKey: 'per-install-secret' };
const REGION = 'us-east-1';
const ENDPOINT = 'http://127.0.0.1:4569';
const BUCKET = 'uploads';

const context = (overrides: Partial<SigningContext> = {}): SigningContext => ({
  credentials: CREDENTIALS,
  region: REGION,
  now: new Date(),
  ...overrides,
});

const clientWith = (options: Partial<S3ClientConfig> = {}) => localS3Client(ENDPOINT, CREDENTIALS, options);

/** The request an S3Client would put on the wire, as the gate receives it. */
async function signedBy(client: S3Client, command: object): Promise<ReceivedRequest> {
  let captured: HttpRequest | undefined;
  client.config.requestHandler = {
    handle: async (request: HttpRequest) => {
      captured = request;
      throw new Error('captured');
    },
  } as never;
  await client.send(command as never).catch(() => undefined);
  const request = captured!;
  return {
    method: request.method,
    path: request.path,
    query: request.query as ReceivedRequest['query'],
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
}

/** A presigned URL as the gate receives it. */
function fromUrl(url: string, method = 'GET'): ReceivedRequest {
  const parsed = new URL(url);
  return { method, path: parsed.pathname, query: parseQuery(parsed.search.slice(1)), headers: { host: parsed.host } };
}

const getObject = () => signedBy(clientWith(), new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/tenant-a/job-a' }));

describe('authenticationOf', () => {
  it.each([
    ['no credentials', {}, {}, 'none'],
    ['a SigV4 Authorization header', { authorization: 'AWS4-HMAC-SHA256 Credential=…' }, {}, 'header'],
    ['a presigned SigV4 URL', {}, { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' }, 'query'],
    ['a SigV2 Authorization header', { authorization: 'AWS VNTLOCAL:c2ln' }, {}, 'unsupported'],
    ['a SigV4a Authorization header', { authorization: 'AWS4-ECDSA-P256-SHA256 Credential=…' }, {}, 'unsupported'],
    ['a presigned SigV2 URL', {}, { Signature: 'c2ln', AWSAccessKeyId: 'VNTLOCAL', Expires: '1' }, 'unsupported'],
  ])('%s → %s', (_name, headers, query, expected) => {
    expect(authenticationOf({ headers, query })).toBe(expected);
  });

  it('refuses a request that authenticates twice with 400 InvalidArgument', () => {
    expect(() =>
      authenticationOf({ headers: { authorization: 'AWS4-HMAC-SHA256 x' }, query: { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' } }),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument', status: 400 }));
  });
});

describe('verifyRequestSignature: Authorization header', () => {
  it.each([
    ['GetObject', () => getObject()],
    ['PutObject with a body', () => signedBy(clientWith(), new PutObjectCommand({ Bucket: BUCKET, Key: 'a b/ü+*.wav', Body: 'audio', ContentType: 'audio/wav' }))],
    ['ListObjectsV2 with a prefix', () => signedBy(clientWith(), new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'uploads/tenant a/' }))],
  ])('accepts %s as the SDK signs it', async (_name, request) => {
    await expect(verifyRequestSignature(await request(), context())).resolves.toBeUndefined();
  });

  it('accepts headers the client did not sign (proxies and browsers add them)', async () => {
    const request = await getObject();

    await expect(
      verifyRequestSignature({ ...request, headers: { ...request.headers, 'user-agent': 'other', 'x-forwarded-for': '10.0.0.1' } }, context()),
    ).resolves.toBeUndefined();
  });

  it.each<[string, (request: ReceivedRequest) => ReceivedRequest | Promise<ReceivedRequest>, object]>([
    ['another key in the path', (r) => ({ ...r, path: r.path.replace('tenant-a', 'tenant-b') }), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['a query parameter added', (r) => ({ ...r, query: { ...r.query, 'list-type': '2' } }), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['another method', (r) => ({ ...r, method: 'DELETE' }), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['a signed header edited', (r) => ({ ...r, headers: { ...r.headers, host: '127.0.0.1:1' } }), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['another secret', () => signedBy(clientWith({ credentials: { ...CREDENTIALS, secretAccessKey: 'S3RVER' } }), new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['another key id', () => signedBy(clientWith({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }), new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })), { code: 'InvalidAccessKeyId', status: 403, details: { AWSAccessKeyId: 'S3RVER' } }],
    ['another region', () => signedBy(clientWith({ region: 'eu-west-1' }), new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })), { code: 'AuthorizationHeaderMalformed', status: 400 }],
    ['no Signature component', (r) => ({ ...r, headers: { ...r.headers, authorization: String(r.headers.authorization).replace(/, Signature=.*/, '') } }), { code: 'AuthorizationHeaderMalformed', status: 400 }],
    ['no x-amz-content-sha256', (r) => ({ ...r, headers: { ...r.headers, 'x-amz-content-sha256': undefined } }), { code: 'InvalidRequest', status: 400 }],
    ['no x-amz-date', (r) => ({ ...r, headers: { ...r.headers, 'x-amz-date': undefined } }), { code: 'AccessDenied', status: 403 }],
  ])('refuses %s', async (_name, tamper, expected) => {
    const request = await tamper(await getObject());

    await expect(verifyRequestSignature(request, context())).rejects.toMatchObject(expected);
  });

  it('refuses a request signed more than 15 minutes from the clock with 403 RequestTimeTooSkewed', async () => {
    const request = await getObject();

    await expect(verifyRequestSignature(request, context({ now: new Date(Date.now() + 16 * 60_000) }))).rejects.toMatchObject({
      code: 'RequestTimeTooSkewed',
      status: 403,
    });
  });
});

describe('verifyRequestSignature: presigned URL', () => {
  const presignedGet = (options: { expiresIn?: number; signingDate?: Date } = {}) =>
    getSignedUrl(clientWith(), new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/tenant a/ü.m4a' }), { expiresIn: 60, ...options });

  it('accepts a GET and a PUT URL from the S3 request presigner until they expire', async () => {
    const put = await getSignedUrl(clientWith(), new PutObjectCommand({ Bucket: BUCKET, Key: 'k', ContentType: 'audio/mp4' }), { expiresIn: 60 });

    await expect(verifyRequestSignature(fromUrl(await presignedGet()), context())).resolves.toBeUndefined();
    await expect(verifyRequestSignature(fromUrl(put, 'PUT'), context({ now: new Date(Date.now() + 59_000) }))).resolves.toBeUndefined();
  });

  it.each<[string, (url: string) => ReceivedRequest, object]>([
    ['another key', (url) => fromUrl(url.replace('tenant%20a', 'tenant%20b')), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['a longer life written in', (url) => fromUrl(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600')), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['another method', (url) => fromUrl(url, 'PUT'), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['a life over a week', (url) => fromUrl(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801')), { code: 'AuthorizationQueryParametersError', status: 400 }],
    ['no signature', (url) => fromUrl(url.replace(/&X-Amz-Signature=[0-9a-f]+/, '')), { code: 'AuthorizationQueryParametersError', status: 400 }],
  ])('refuses %s', async (_name, tamper, expected) => {
    await expect(verifyRequestSignature(tamper(await presignedGet()), context())).rejects.toMatchObject(expected);
  });

  it('refuses an expired URL with 403 AccessDenied "Request has expired"', async () => {
    const url = await presignedGet({ signingDate: new Date(Date.now() - 61_000) });

    await expect(verifyRequestSignature(fromUrl(url), context())).rejects.toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      details: expect.objectContaining({ 'X-Amz-Expires': '60' }),
    });
  });
});

describe('verifyPostSignature', () => {
  const presignedForm = async (client = clientWith()) =>
    (await createPresignedPost(client, { Bucket: BUCKET, Key: 'uploads/tenant-b/job-b', Conditions: [['content-length-range', 1, 1024]] })).fields;
  const formOf = (fields: Record<string, string>): FormFields =>
    new Map(Object.entries(fields).map(([name, value]) => [name.toLowerCase(), { name, value }]));

  it('accepts the form createPresignedPost signs', async () => {
    await expect(verifyPostSignature(formOf(await presignedForm()), context())).resolves.toBeUndefined();
  });

  it.each<[string, (fields: Record<string, string>) => Record<string, string> | Promise<Record<string, string>>, object]>([
    [
      'a policy edited after signing',
      (f) => ({ ...f, Policy: Buffer.from(Buffer.from(f.Policy!, 'base64').toString().replace('1024', '1073741824')).toString('base64') }),
      { code: 'SignatureDoesNotMatch', status: 403, details: expect.objectContaining({ StringToSign: expect.any(String) }) },
    ],
    ['a signature made with another secret', () => presignedForm(clientWith({ credentials: { ...CREDENTIALS, secretAccessKey: 'S3RVER' } })), { code: 'SignatureDoesNotMatch', status: 403 }],
    ['a credential of another key id', () => presignedForm(clientWith({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })), { code: 'InvalidAccessKeyId', status: 403 }],
    ['a credential for another region', () => presignedForm(clientWith({ region: 'eu-west-1' })), { code: 'InvalidArgument', status: 400 }],
    [
      'no X-Amz-Signature',
      ({ 'X-Amz-Signature': _signature, ...f }) => f,
      { code: 'InvalidArgument', status: 400, message: "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields." },
    ],
    ['SigV2 fields', ({ key }) => ({ key: key!, AWSAccessKeyId: 'VNTLOCAL', signature: 'c2ln', policy: 'e30=' }), { code: 'InvalidRequest', status: 400 }],
    ['no credentials at all', ({ key }) => ({ key: key! }), { code: 'AccessDenied', status: 403, message: 'Access Denied' }],
  ])('refuses %s', async (_name, tamper, expected) => {
    const fields = await tamper(await presignedForm());

    await expect(verifyPostSignature(formOf(fields), context())).rejects.toMatchObject(expected);
  });
});
