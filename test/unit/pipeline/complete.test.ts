import './pipeline-env';
import { ApiGatewayManagementApiServiceException, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/pipeline/complete';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, postedMessages, resetMocks, statsUpdates, websocket } from './pipeline-mocks';

const HASH = 'b'.repeat(64);
const input = {
  jobId: JOB_ID,
  audioHash: HASH,
  targetLanguage: 'es',
  languageHint: null,
  transcript: { text: 'go forward ten meters', languageCode: 'en', transcribeMs: 900 },
  translation: { text: 'avanza diez metros', translateMs: 200 },
  normalizeMs: 100,
  executionStartTime: new Date(Date.now() - 2000).toISOString(),
};
const complete = () => handler(input, lambdaContext());

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'translating' }));
  ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
});

describe('complete', () => {
  it('stores the result and timings on the job, caches the note, counts it and emits stage metrics', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(complete()).resolves.toEqual({ status: 'completed' });

    expect(jobUpdates()).toEqual([
      expect.objectContaining({
        status: 'completed',
        result: { transcript: 'go forward ten meters', detectedLanguage: 'en', translation: 'avanza diez metros', cached: false },
        timings: { normalize: 100, transcribe: 900, translate: 200, total: expect.any(Number) },
      }),
    ]);
    const [put] = ddb.commandCalls(PutCommand);
    expect(put?.args[0].input.Item).toMatchObject({
      ...keys.audioResult(HASH, 'es', null),
      transcript: 'go forward ten meters',
      detectedLanguage: 'en',
      translation: 'avanza diez metros',
      expiresAt: expect.any(Number),
    });
    expect(statsUpdates()).toHaveLength(1);
    for (const name of [METRICS.names.notesCompleted]) expect(addMetric).toHaveBeenCalledWith(name, 'Count', 1);
    for (const [name, value] of [
      [METRICS.names.normalizeMs, 100],
      [METRICS.names.transcribeMs, 900],
      [METRICS.names.translateMs, 200],
    ] as const) {
      expect(addMetric).toHaveBeenCalledWith(name, 'Milliseconds', value);
    }
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.totalMs, 'Milliseconds', expect.any(Number));
  });

  it('keeps the cached result no longer than the tier keeps history (free: 7 days)', async () => {
    const before = Math.floor(Date.now() / 1000);

    await complete();

    const expiresAt = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!.expiresAt as number;
    expect(expiresAt - before).toBeGreaterThanOrEqual(7 * 86_400);
    expect(expiresAt - before).toBeLessThanOrEqual(7 * 86_400 + 5);
  });

  it('still succeeds once the job is completed when the cache write fails (best-effort side effects)', async () => {
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(complete()).resolves.toEqual({ status: 'completed' });
    expect(jobUpdates()).toEqual([expect.objectContaining({ status: 'completed' })]);
  });

  it('leaves no copy and counts nothing when the job is already terminal or was deleted', async () => {
    jobWritesConflict();

    await expect(complete()).resolves.toEqual({ status: 'skipped' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(statsUpdates()).toHaveLength(0);
  });

  it('pushes the completed job to its subscribers and drops connections that are gone', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...keys.subscription(JOB_ID, 'live'), connectionId: 'live' },
        { ...keys.subscription(JOB_ID, 'gone'), connectionId: 'gone' },
      ],
    });
    websocket.on(PostToConnectionCommand, { ConnectionId: 'gone' }).rejects(new GoneException({ message: 'Gone', $metadata: {} }));
    websocket.on(PostToConnectionCommand, { ConnectionId: 'live' }).resolves({});

    await complete();

    expect(postedMessages('live')[0]).toMatchObject({
      type: 'job',
      jobId: JOB_ID,
      status: 'completed',
      progress: 100,
      result: { translation: 'avanza diez metros' },
    });
    const [drop] = ddb.commandCalls(BatchWriteCommand);
    expect(JSON.stringify(drop?.args[0].input)).toContain('CONN#gone');
  });

  it('completes the job even when the progress push fails', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...keys.subscription(JOB_ID, 'c1'), connectionId: 'c1' }] });
    websocket
      .on(PostToConnectionCommand)
      .rejects(new ApiGatewayManagementApiServiceException({ name: 'InternalServerError', $fault: 'server', message: 'boom', $metadata: {} }));

    await expect(complete()).resolves.toEqual({ status: 'completed' });
  });

  it('lets a failed job write through for Step Functions to retry or catch', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Internal'), { name: 'InternalServerError' }));

    await expect(complete()).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
