import './pipeline-env';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand } from '@aws-sdk/client-s3';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioValidationService } from '../../../functions/audio/audio-validation';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { audioResultCacheFromEnv } from '../../../functions/pipeline/common/audio-result-cache';
import { jobLifecycleFromEnv } from '../../../functions/pipeline/common/job-lifecycle-from-env';
import { objectStoreFromEnv } from '../../../functions/pipeline/common/object-store';
import { handler, normalize } from '../../../functions/pipeline/normalize';
import type { NormalizeInput } from '../../../functions/pipeline/common/task-schemas';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { TIERS } from '../../../lib/config/tiers';
import { makeAudio, makeTextFile } from '../../helpers/audio-fixtures';
import { headObjectError } from '../../helpers/s3-http-responses';
import { lambdaContext } from '../../events/lambda-context';
import {
  ddb,
  JOB_ID,
  job,
  jobUpdates,
  jobWritesConflict,
  jobWritesSucceed,
  OWNER,
  resetMocks,
  statsUpdates,
  s3mock,
  UPLOADS_BUCKET,
  WORK_BUCKET,
} from './pipeline-mocks';

const upload = { bucket: UPLOADS_BUCKET, key: `uploads/${OWNER}/${JOB_ID}` };
const input: NormalizeInput = {
  jobId: JOB_ID,
  upload,
  targetLanguage: 'es',
  languageHint: null,
  executionStartTime: new Date(Date.now() - 1500).toISOString(),
};
const run = (overrides: Partial<NormalizeInput> = {}) => handler({ ...input, ...overrides }, lambdaContext());
/** The audio-result cache lookups, by key. */
const cacheLookups = () => ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key).filter((k) => String(k?.pk).startsWith('AUDIO#'));
const CACHED = { transcript: 'go forward ten meters', detectedLanguage: 'en', translation: 'avanza diez metros' };

/**
 * The cache holds a result for whatever audio is sent with target `es` and no hint (`…#es#auto`); the
 * tests then check the lookup used the decoded audio's real hash.
 */
function givenCachedResult(expiresAt = Math.floor(Date.now() / 1000) + 3600): void {
  ddb.on(GetCommand).callsFake((get: { Key: { pk: string; sk: string } }) =>
    get.Key.pk.startsWith('AUDIO#') && get.Key.pk.endsWith('#es#auto') ? { Item: { ...get.Key, ...CACHED, expiresAt } } : {},
  );
}

let dir: string;
let wav: string;
let text: string;

/** The upload bucket holds `file` (its real size from HeadObject, its bytes from GetObject). */
async function givenUpload(file: string): Promise<void> {
  const { size } = await stat(file);
  s3mock.on(HeadObjectCommand, { Bucket: upload.bucket, Key: upload.key }).resolves({ ContentLength: size });
  // The SDK's body is a Node Readable in Lambda; the store streams it to disk.
  s3mock.on(GetObjectCommand, { Bucket: upload.bucket, Key: upload.key }).callsFake(() => ({ Body: createReadStream(file) as never }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-unit-normalize-'));
  wav = await makeAudio('wav', dir);
  text = await makeTextFile(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'normalizing' }));
  s3mock.on(PutObjectCommand).resolves({});
  ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
});

describe('normalize', () => {
  it('decodes the real upload to 16 kHz mono WAV in the work bucket and records duration and hash', async () => {
    await givenUpload(wav);

    const addMetric = vi.spyOn(metrics, 'addMetric');

    const output = await run();

    expect(output).toEqual({
      cached: false,
      normalizedKey: `normalized/${JOB_ID}.wav`,
      durationSeconds: expect.closeTo(2.9, 0),
      audioHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      fastPathMaxSeconds: TIERS.free.fastPathMaxSeconds,
      normalizeMs: expect.any(Number),
    });
    const [put] = s3mock.commandCalls(PutObjectCommand);
    expect(put?.args[0].input).toMatchObject({ Bucket: WORK_BUCKET, Key: `normalized/${JOB_ID}.wav`, ContentType: 'audio/wav' });
    const body = put?.args[0].input.Body as Buffer;
    expect(body.subarray(0, 4).toString()).toBe('RIFF');
    expect(body.readUInt32LE(24)).toBe(16_000); // sample rate
    expect(body.readUInt16LE(22)).toBe(1); // mono
    expect(jobUpdates()).toEqual([
      expect.objectContaining({ status: 'normalizing' }),
      expect.objectContaining({ status: 'normalizing', durationSeconds: output.durationSeconds, audioHash: output.audioHash }),
    ]);
    // A cache miss: looked up by the decoded audio's hash, target and hint; nothing completed or counted.
    expect(cacheLookups()).toEqual([keys.audioResult(output.audioHash, 'es', null)]);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.cacheMiss, 'Count', 1);
    expect(addMetric).not.toHaveBeenCalledWith(METRICS.names.notesCompleted, 'Count', 1);
    expect(statsUpdates()).toHaveLength(0);
  });

  it('refuses an empty object before downloading it', async () => {
    s3mock.on(HeadObjectCommand).resolves({ ContentLength: 0 });

    await expect(run()).rejects.toMatchObject({ name: 'EMPTY_AUDIO' });
    expect(s3mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('checks the REAL object size against the tier before downloading it', async () => {
    s3mock.on(HeadObjectCommand).resolves({ ContentLength: TIERS.free.maxUploadBytes + 1 });

    await expect(run()).rejects.toMatchObject({ name: 'UPLOAD_TOO_LARGE', message: expect.stringMatching(/5\.0 MiB/) });
    expect(s3mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('refuses bytes that are not audio, whatever their name', async () => {
    await givenUpload(text);

    await expect(run()).rejects.toMatchObject({ name: 'NOT_AUDIO' });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('stops when the upload no longer exists', async () => {
    s3mock.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));

    await expect(run()).rejects.toMatchObject({ name: 'UPLOAD_MISSING' });
  });

  it('stops the same way on AWS, where S3 answers HEAD on a missing key with a bodiless 403 (no s3:ListBucket)', async () => {
    s3mock.on(HeadObjectCommand).rejects(await headObjectError(403));

    await expect(run()).rejects.toMatchObject({ name: 'UPLOAD_MISSING' });
    expect(s3mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('stops when the job is no longer queued (deleted or already failed)', async () => {
    jobWritesConflict();

    await expect(run()).rejects.toMatchObject({ name: 'JOB_NOT_ACTIVE' });
    expect(s3mock.calls()).toHaveLength(0);
  });

  it('lets S3 errors through for Step Functions to catch', async () => {
    s3mock.on(HeadObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(run()).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses an input that is not a normalise task', async () => {
    await expect(run({ jobId: 'nope' })).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
    await expect(run({ targetLanguage: 'klingon' as never })).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
    await expect(handler({ jobId: JOB_ID, upload }, lambdaContext())).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });

  it('leaves no audio behind in the temp directory, on success or failure', async () => {
    const tempDir = await mkdtemp(path.join(dir, 'tmp-'));
    const task = normalize({
      lifecycle: jobLifecycleFromEnv(),
      objects: objectStoreFromEnv(),
      validation: new AudioValidationService(new FfmpegAudioTools()),
      cache: audioResultCacheFromEnv(),
      workBucket: WORK_BUCKET,
      tempDir,
    });

    await givenUpload(wav);
    await task(input);
    givenCachedResult();
    await task(input);
    await givenUpload(text);
    await expect(task(input)).rejects.toMatchObject({ name: 'NOT_AUDIO' });

    expect(await readdir(tempDir)).toEqual([]);
  });
});

describe('normalize: audio-result cache', () => {
  beforeEach(() => givenUpload(wav));

  it('hits: completes the job from the cache with cached:true, timings and stats, and uploads no WAV', async () => {
    givenCachedResult();
    const addMetric = vi.spyOn(metrics, 'addMetric');

    const output = await run();

    expect(output).toEqual({
      cached: true,
      normalizedKey: null,
      durationSeconds: expect.closeTo(2.9, 0),
      audioHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      fastPathMaxSeconds: TIERS.free.fastPathMaxSeconds,
      normalizeMs: expect.any(Number),
    });
    expect(cacheLookups()).toEqual([keys.audioResult(output.audioHash, 'es', null)]);
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(jobUpdates()).toEqual([
      expect.objectContaining({ status: 'normalizing' }),
      expect.objectContaining({ status: 'normalizing', durationSeconds: output.durationSeconds, audioHash: output.audioHash }),
      expect.objectContaining({
        status: 'completed',
        result: { ...CACHED, cached: true },
        timings: { normalize: output.normalizeMs, total: expect.toSatisfy((ms: number) => ms >= 1500) },
      }),
    ]);
    expect(statsUpdates()[0]?.args[0].input.ExpressionAttributeValues).toEqual(
      expect.objectContaining({ ':c0': 1, ':c1': 1 }), // notesCompleted, cacheHits
    );
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.cacheHit, 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.notesCompleted, 'Count', 1);
  });

  it('still ends the execution cached when the stats write of a hit fails (the job is already completed)', async () => {
    givenCachedResult();
    ddb.on(UpdateCommand, { Key: keys.stats() }).rejects(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(run()).resolves.toMatchObject({ cached: true, normalizedKey: null });
    expect(jobUpdates().at(-1)).toMatchObject({ status: 'completed' });
  });

  it('treats an expired entry (TTL not yet applied) as a miss and uploads the WAV', async () => {
    givenCachedResult(Math.floor(Date.now() / 1000) - 1);

    await expect(run()).resolves.toMatchObject({ cached: false, normalizedKey: `normalized/${JOB_ID}.wav` });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(jobUpdates().map((u) => u.status)).not.toContain('completed');
  });

  it('does not answer a note with a language hint from the hint-less entry (the hint is part of the key)', async () => {
    givenCachedResult();

    const output = await run({ languageHint: 'de' });

    expect(output).toMatchObject({ cached: false });
    expect(cacheLookups()).toEqual([keys.audioResult(output.audioHash, 'es', 'de')]);
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('does not count a hit for a job that became terminal or was deleted meanwhile', async () => {
    givenCachedResult();
    // advance and patch succeed; the completion's condition fails (the watchdog failed it, or its owner deleted it).
    const base = job({ status: 'normalizing' });
    ddb.on(UpdateCommand, { Key: keys.job(JOB_ID) }).callsFake((update: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }) => {
      if (Object.values(update.ExpressionAttributeValues ?? {}).includes('completed')) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      return { Attributes: { ...base, ...keys.job(JOB_ID) } };
    });
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(run()).resolves.toMatchObject({ cached: true, normalizedKey: null });
    expect(statsUpdates()).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.cacheHit, 'Count', 1);
    expect(addMetric).not.toHaveBeenCalledWith(METRICS.names.notesCompleted, 'Count', 1);
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('lets DynamoDB errors of the lookup through for Step Functions to retry or catch', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(run()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
