import './pipeline-env';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AudioValidationService } from '../../../functions/audio/audio-validation';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { jobLifecycleFromEnv } from '../../../functions/pipeline/common/job-lifecycle';
import { objectStoreFromEnv } from '../../../functions/pipeline/common/object-store';
import { handler, normalize } from '../../../functions/pipeline/normalize';
import { TIERS } from '../../../lib/config/tiers';
import { makeAudio, makeTextFile } from '../../helpers/audio-fixtures';
import { lambdaContext } from '../../events/lambda-context';
import {
  JOB_ID,
  job,
  jobUpdates,
  jobWritesConflict,
  jobWritesSucceed,
  OWNER,
  resetMocks,
  s3mock,
  UPLOADS_BUCKET,
  WORK_BUCKET,
} from './pipeline-mocks';

const upload = { bucket: UPLOADS_BUCKET, key: `uploads/${OWNER}/${JOB_ID}` };
const run = () => handler({ jobId: JOB_ID, upload }, lambdaContext());

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
});

describe('normalize', () => {
  it('decodes the real upload to 16 kHz mono WAV in the work bucket and records duration and hash', async () => {
    await givenUpload(wav);

    const output = await run();

    expect(output).toEqual({
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
    await expect(handler({ jobId: 'nope', upload }, lambdaContext())).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });

  it('leaves no audio behind in the temp directory, on success or failure', async () => {
    const tempDir = await mkdtemp(path.join(dir, 'tmp-'));
    const task = normalize({
      lifecycle: jobLifecycleFromEnv(),
      objects: objectStoreFromEnv(),
      validation: new AudioValidationService(new FfmpegAudioTools()),
      workBucket: WORK_BUCKET,
      tempDir,
    });

    await givenUpload(wav);
    await task({ jobId: JOB_ID, upload });
    await givenUpload(text);
    await expect(task({ jobId: JOB_ID, upload })).rejects.toMatchObject({ name: 'NOT_AUDIO' });

    expect(await readdir(tempDir)).toEqual([]);
  });
});
