import '../../events/api-env';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createUpload } from '../../../functions/api/create-upload';
import { handler as deleteJob } from '../../../functions/api/delete-job';
import { handler as getJob } from '../../../functions/api/get-job';
import { handler as listJobs } from '../../../functions/api/list-jobs';
import { HistoryCursorCodec } from '../../../functions/jobs/history-cursor';
import { API } from '../../../lib/config/limits';
import { TEST_ENV } from '../../events/api-env';
import { restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { job, JOB_ID } from '../jobs/fixtures';
import { ALICE, ddb, givenJob, givenKey, MALLORY, resetMocks, writeCalls } from './aws-mocks';

/**
 * Every bad input, through the real middleware chain: a clear status and stable code, and nothing written
 * (no job, no quota unit, no deletion). The case count is reported in the closing note of issue 3.
 */
const MiB = 1024 * 1024;
const bodyOf = (r: { body: string }) => JSON.parse(r.body) as { error: { code: string; message: string } };

beforeEach(() => {
  resetMocks();
  ddb.on(GetCommand).resolves({});
  givenKey(ALICE, 'free');
  givenJob(job({ ownerId: ALICE }));
  ddb.on(QueryCommand).resolves({ Items: [] });
});

async function expectRefused(response: { statusCode: number; body: string }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  const { error } = bodyOf(response);
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(10);
  expect(writeCalls()).toBe(0);
  expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0); // the quota meter was not touched
}

const upload = (body: unknown, headers: Record<string, string> = {}, apiKeyId: string | null = ALICE) =>
  createUpload(restEvent({ method: 'POST', resource: '/uploads', body, headers, apiKeyId }), lambdaContext());

describe('POST /uploads refuses bad input and changes nothing', () => {
  it.each([
    ['truncated JSON', '{"contentType":"audio/mp4"'],
    ['missing value', '{"contentType":}'],
    ['trailing comma', '{"contentType":"audio/mp4",}'],
    ['single quotes', "{'contentType':'audio/mp4'}"],
    ['plain text', 'contentType=audio/mp4'],
    ['NaN literal', '{"sizeBytes":NaN,"contentType":"audio/mp4"}'],
  ])('malformed JSON (%s) → 400 INVALID_JSON', async (_case, raw) => {
    await expectRefused(await upload(raw), 400, 'INVALID_JSON');
  });

  it.each([
    ['one byte over the limit', 'x'.repeat(API.maxBodyBytes - JSON.stringify({ contentType: 'audio/mp4', pad: '' }).length + 1)],
    ['a megabyte', 'x'.repeat(MiB)],
  ])('huge body (%s) → 413 BODY_TOO_LARGE', async (_case, filler) => {
    await expectRefused(await upload({ contentType: 'audio/mp4', pad: filler }), 413, 'BODY_TOO_LARGE');
  });

  it('huge base64-encoded body → 413 BODY_TOO_LARGE', async () => {
    const raw = Buffer.from(JSON.stringify({ contentType: 'audio/mp4', pad: 'x'.repeat(API.maxBodyBytes) })).toString('base64');
    const event = restEvent({ method: 'POST', resource: '/uploads', body: raw, isBase64Encoded: true });
    await expectRefused(await createUpload(event, lambdaContext()), 413, 'BODY_TOO_LARGE');
  });

  it('a body that is not JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectRefused(
      await upload('contentType=audio%2Fmp4', { 'Content-Type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it.each([
    ['no body', undefined],
    ['null body', 'null'],
    ['array body', []],
    ['string body', '"audio/mp4"'],
    ['number body', '42'],
    ['missing contentType', { sizeBytes: 10 }],
    ['empty contentType', { contentType: '' }],
    ['numeric contentType', { contentType: 5 }],
    ['contentType as array', { contentType: ['audio/mp4'] }],
    ['sizeBytes as string', { contentType: 'audio/mp4', sizeBytes: '100' }],
    ['fractional sizeBytes', { contentType: 'audio/mp4', sizeBytes: 1.5 }],
    ['zero sizeBytes', { contentType: 'audio/mp4', sizeBytes: 0 }],
    ['negative sizeBytes', { contentType: 'audio/mp4', sizeBytes: -1 }],
    ['boolean targetLanguage', { contentType: 'audio/mp4', targetLanguage: true }],
    ['numeric sourceLanguage', { contentType: 'audio/mp4', sourceLanguage: 7 }],
    ['over-long targetLanguage', { contentType: 'audio/mp4', targetLanguage: 'e'.repeat(17) }],
    ['smuggled ownerId', { contentType: 'audio/mp4', ownerId: MALLORY }],
    ['smuggled jobId', { contentType: 'audio/mp4', jobId: JOB_ID }],
    ['smuggled tier', { contentType: 'audio/mp4', tier: 'premium' }],
  ])('wrong shape (%s) → 400 VALIDATION_ERROR', async (_case, body) => {
    await expectRefused(await upload(body), 400, 'VALIDATION_ERROR');
  });

  it.each([
    ['unknown target', { targetLanguage: 'xx' }],
    ['upper-case target', { targetLanguage: 'EN' }],
    ['locale as target', { targetLanguage: 'en-US' }],
    ['unknown source', { sourceLanguage: 'zz' }],
    ['source Transcribe cannot identify', { sourceLanguage: 'bs' }],
    ['script injection as language', { targetLanguage: '<script>' }],
  ])('unknown language (%s) → 400 UNSUPPORTED_LANGUAGE', async (_case, languages) => {
    await expectRefused(await upload({ contentType: 'audio/mp4', ...languages }), 400, 'UNSUPPORTED_LANGUAGE');
  });

  it.each(['video/mp4', 'application/octet-stream', 'text/plain', 'image/png', 'audio/', 'audio/x-unknown', 'audio/mp4x', ' '])(
    'non-audio content type %j → 415 UNSUPPORTED_AUDIO_TYPE',
    async (contentType) => {
      await expectRefused(await upload({ contentType }), 415, 'UNSUPPORTED_AUDIO_TYPE');
    },
  );

  it.each([
    ['free', 5 * MiB + 1],
    ['free', 1e12],
    ['basic', 25 * MiB + 1],
    ['premium', 100 * MiB + 1],
  ] as const)('size over the %s tier limit (%i bytes) → 413 UPLOAD_TOO_LARGE', async (tier, sizeBytes) => {
    givenKey(ALICE, tier);
    await expectRefused(await upload({ contentType: 'audio/mp4', sizeBytes }), 413, 'UPLOAD_TOO_LARGE');
  });

  it('no API key → 403 FORBIDDEN', async () => {
    await expectRefused(await upload({ contentType: 'audio/mp4' }, {}, null), 403, 'FORBIDDEN');
  });
});

describe('job ids in paths are exact', () => {
  const tricks = [
    '../etc/passwd',
    '..%2F..%2Fjobs',
    `${JOB_ID}/../other`,
    `${JOB_ID} `,
    ` ${JOB_ID}`,
    JOB_ID.toUpperCase(),
    `JOB#${JOB_ID}`,
    `${JOB_ID}%00`,
    '0b9d1c1e-3f4a-1b5c-8d6e-7f8091a2b3c4', // version 1, not a v4 id
    '*',
    '',
    'a'.repeat(5000),
  ];

  it.each(tricks)('GET /jobs/%j → 400 INVALID_JOB_ID', async (jobId) => {
    const response = await getJob(restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId } }), lambdaContext());
    await expectRefused(response, 400, 'INVALID_JOB_ID');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it.each(tricks)('DELETE /jobs/%j → 400 INVALID_JOB_ID, nothing deleted', async (jobId) => {
    const response = await deleteJob(
      restEvent({ method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId } }),
      lambdaContext(),
    );
    await expectRefused(response, 400, 'INVALID_JOB_ID');
  });

  it("another tenant's id: GET → 404 JOB_NOT_FOUND", async () => {
    const response = await getJob(
      restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    await expectRefused(response, 404, 'JOB_NOT_FOUND');
  });

  it("another tenant's id: DELETE → 204 and nothing touched", async () => {
    const response = await deleteJob(
      restEvent({ method: 'DELETE', resource: '/jobs/{jobId}', pathParameters: { jobId: JOB_ID }, apiKeyId: MALLORY }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(204);
    expect(writeCalls()).toBe(0);
  });
});

describe('GET /jobs refuses bad paging input and reads nothing', () => {
  const codec = new HistoryCursorCodec(async () => TEST_ENV.CURSOR_SECRET);
  const aliceKey = { pk: `JOB#${JOB_ID}`, sk: 'JOB', gsi1pk: `OWNER#${ALICE}`, gsi1sk: `2026-03-14T11:59:00.000Z#${JOB_ID}` };
  const list = (query: Record<string, string>, apiKeyId = ALICE) =>
    listJobs(restEvent({ resource: '/jobs', query, apiKeyId }), lambdaContext());

  it.each(['0', '101', '-1', 'abc', '1.5', '1e2', '', ' 10', '10abc', '0x10'])('limit=%j → 400 VALIDATION_ERROR', async (limit) => {
    await expectRefused(await list({ limit }), 400, 'VALIDATION_ERROR');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('a cursor longer than the limit → 400 VALIDATION_ERROR', async () => {
    await expectRefused(await list({ cursor: 'v1.'.padEnd(2000, 'a') }), 400, 'VALIDATION_ERROR');
  });

  const forged: [string, () => Promise<string>][] = [
    ['random text', async () => 'not-a-cursor'],
    ['wrong version', async () => (await codec.encode(ALICE, aliceKey)).replace(/^v1/, 'v2')],
    ['missing signature', async () => (await codec.encode(ALICE, aliceKey)).split('.').slice(0, 2).join('.')],
    ['extra segment', async () => `${await codec.encode(ALICE, aliceKey)}.x`],
    [
      'payload swapped to another owner',
      async () => {
        const [v, , sig] = (await codec.encode(ALICE, aliceKey)).split('.');
        const payload = Buffer.from(JSON.stringify({ o: MALLORY, k: { ...aliceKey, gsi1pk: `OWNER#${MALLORY}` } })).toString('base64url');
        return `${v}.${payload}.${sig}`;
      },
    ],
    [
      'one flipped signature character',
      async () => {
        const cursor = await codec.encode(ALICE, aliceKey);
        return cursor.slice(0, -1) + (cursor.endsWith('A') ? 'B' : 'A');
      },
    ],
    ['signed with another secret', async () => new HistoryCursorCodec(async () => 'z'.repeat(40)).encode(ALICE, aliceKey)],
  ];

  it.each(forged)('forged cursor (%s) → 400 INVALID_CURSOR', async (_case, make) => {
    await expectRefused(await list({ cursor: await make() }), 400, 'INVALID_CURSOR');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("another user's genuine cursor → 400 INVALID_CURSOR", async () => {
    const cursor = await codec.encode(ALICE, aliceKey);
    await expectRefused(await list({ cursor }, MALLORY), 400, 'INVALID_CURSOR');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
