import './pipeline-env';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/pipeline/check-result-cache';
import { metrics } from '../../../functions/shared/powertools';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobUpdates, jobWritesConflict, jobWritesSucceed, resetMocks } from './pipeline-mocks';

const HASH = 'a'.repeat(64);
const input = {
  jobId: JOB_ID,
  audioHash: HASH,
  targetLanguage: 'es',
  languageHint: null,
  executionStartTime: new Date(Date.now() - 1500).toISOString(),
  normalizeMs: 120,
};
const check = () => handler(input, lambdaContext());
const statsUpdates = () => ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk === 'STATS');

function givenCachedResult(expiresAt = Math.floor(Date.now() / 1000) + 3600): void {
  ddb.on(GetCommand, { Key: keys.audioResult(HASH, 'es', null) }).resolves({
    Item: { ...keys.audioResult(HASH, 'es', null), transcript: 'go forward ten meters', detectedLanguage: 'en', translation: 'avanza diez metros', expiresAt },
  });
}

beforeEach(() => {
  resetMocks();
  jobWritesSucceed(job({ status: 'normalizing' }));
  ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});
});

describe('check-result-cache', () => {
  it('misses: the pipeline goes on, nothing is written', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(check()).resolves.toEqual({ cached: false });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.cacheMiss, 'Count', 1);
  });

  it('hits: completes the job from the cache with cached:true, timings and stats', async () => {
    givenCachedResult();
    const addMetric = vi.spyOn(metrics, 'addMetric');

    await expect(check()).resolves.toEqual({ cached: true });

    expect(jobUpdates()).toEqual([
      expect.objectContaining({
        status: 'completed',
        result: { transcript: 'go forward ten meters', detectedLanguage: 'en', translation: 'avanza diez metros', cached: true },
        timings: { normalize: 120, total: expect.any(Number) },
      }),
    ]);
    expect(jobUpdates()[0]?.timings).toMatchObject({ total: expect.toSatisfy((ms: number) => ms >= 1500) });
    expect(statsUpdates()[0]?.args[0].input.ExpressionAttributeValues).toEqual(
      expect.objectContaining({ ':c0': 1, ':c1': 1 }), // notesCompleted, cacheHits
    );
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.cacheHit, 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith(METRICS.names.notesCompleted, 'Count', 1);
  });

  it('treats an expired entry (TTL not yet applied) as a miss', async () => {
    givenCachedResult(Math.floor(Date.now() / 1000) - 1);

    await expect(check()).resolves.toEqual({ cached: false });
  });

  it('does not count a hit for a job that is already terminal or deleted', async () => {
    givenCachedResult();
    jobWritesConflict();

    await expect(check()).resolves.toEqual({ cached: true });
    expect(statsUpdates()).toHaveLength(0);
  });

  it('lets DynamoDB errors through for Step Functions to retry or catch', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(check()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('refuses a malformed input', async () => {
    await expect(handler({ ...input, targetLanguage: 'klingon' }, lambdaContext())).rejects.toMatchObject({ name: 'VALIDATION_ERROR' });
  });

  it('does not answer a note with a language hint from the hint-less entry (the hint is part of the key)', async () => {
    givenCachedResult();

    await expect(handler({ ...input, languageHint: 'de' }, lambdaContext())).resolves.toEqual({ cached: false });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual(keys.audioResult(HASH, 'es', 'de'));
  });
});
