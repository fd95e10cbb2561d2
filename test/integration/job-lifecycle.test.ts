import '../unit/pipeline/pipeline-env';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoJobRepository } from '../../functions/jobs/dynamo-job-repository';
import { isTerminal, JOB_STATUSES, type Job, UPLOAD_EXPIRED_ERROR } from '../../functions/jobs/job';
import { JobLifecycle, JobNotActiveError } from '../../functions/jobs/job-lifecycle';
import { DynamoStatsRepository } from '../../functions/stats/dynamo-stats-repository';
import { DynamoUsageMeter } from '../../functions/usage/dynamo-usage-meter';
import { UsageService } from '../../functions/usage/usage-service';
import { type DynaliteTable, startDynaliteTable } from '../helpers/dynalite-table';
import { job as jobFixture } from '../unit/jobs/fixtures';

/**
 * JobLifecycle.finish over the real DynamoDB adapters on dynalite: the conditional terminal write from every
 * non-terminal status (what a sweeper relies on), the `/stats` counters, and the quota refund landing on the
 * counter of the day the upload was metered, exactly once.
 */
const OWNER = 'key-lifecycle';
let table: DynaliteTable;
let jobs: DynamoJobRepository;
let stats: DynamoStatsRepository;
let meter: DynamoUsageMeter;
let lifecycle: JobLifecycle;
const pushed: Job[] = [];

beforeAll(async () => {
  table = await startDynaliteTable('vnt-lifecycle-test');
  const options = { client: table.documents, tableName: table.tableName };
  jobs = new DynamoJobRepository(options);
  stats = new DynamoStatsRepository(options);
  meter = new DynamoUsageMeter(options);
  lifecycle = new JobLifecycle({
    jobs,
    progress: { publish: async (job) => void pushed.push(job) },
    stats,
    quota: new UsageService(meter),
    metrics: { completed: vi.fn(), failed: vi.fn() },
  });
});

afterAll(() => table?.stop());

/** A stored job, metered like POST /uploads does: one unit on its owner's counter for its createdAt day. */
async function givenMeteredJob(overrides: Partial<Job>): Promise<Job> {
  const jobId = randomUUID();
  const stored = jobFixture({ jobId, ownerId: OWNER, expiresAt: Math.floor(Date.now() / 1000) + 86_400, ...overrides });
  await new UsageService(meter).consume(OWNER, stored.tier, new Date(stored.createdAt));
  await jobs.create(stored);
  return stored;
}

describe('JobLifecycle.finish on dynalite', () => {
  it.each(JOB_STATUSES.filter((status) => !isTerminal(status)))('fails a job in %s', async (status) => {
    const stored = await givenMeteredJob({ status });

    const outcome = await lifecycle.finish(stored.jobId, { error: { code: 'INTERNAL_ERROR', message: 'x' } });

    expect(outcome).toMatchObject({ status: 'finished', job: { status: 'failed' } });
    expect(await jobs.get(stored.jobId)).toMatchObject({ status: 'failed', error: { code: 'INTERNAL_ERROR' } });
  });

  it('ends an expired upload once: counted once, refunded once on the day it was metered', async () => {
    const day = '2026-03-10';
    const stored = await givenMeteredJob({ status: 'awaiting_upload', createdAt: `${day}T23:59:59.000Z` });
    const otherDay = await givenMeteredJob({ status: 'queued', createdAt: '2026-03-11T00:00:01.000Z' });
    const before = await stats.read();

    const first = await lifecycle.finish(stored.jobId, { error: UPLOAD_EXPIRED_ERROR });
    const second = await lifecycle.finish(stored.jobId, { error: UPLOAD_EXPIRED_ERROR });

    expect(first.status).toBe('finished');
    expect(second.status).toBe('already-terminal');
    expect(await meter.read(OWNER, day)).toBe(0);
    expect(await meter.read(OWNER, '2026-03-11')).toBe(1);
    const after = await stats.read();
    expect(after.notesFailed - before.notesFailed).toBe(1);
    expect((after.failures.UPLOAD_EXPIRED ?? 0) - (before.failures.UPLOAD_EXPIRED ?? 0)).toBe(1);
    expect(pushed.filter((job) => job.jobId === stored.jobId)).toEqual([expect.objectContaining({ status: 'failed', error: UPLOAD_EXPIRED_ERROR })]);
    expect(await jobs.get(otherDay.jobId)).toMatchObject({ status: 'queued' });
  });

  it('keeps the unit of a note that was the problem', async () => {
    const stored = await givenMeteredJob({ status: 'normalizing', createdAt: '2026-03-12T10:00:00.000Z' });

    await lifecycle.finish(stored.jobId, { error: { code: 'NOT_AUDIO', message: 'Not audio.' } });

    expect(await meter.read(OWNER, '2026-03-12')).toBe(1);
  });

  it('completes only from a status that produces a result', async () => {
    const result = { transcript: 'hola', detectedLanguage: 'es', translation: 'hello', cached: false } as const;
    const translating = await givenMeteredJob({ status: 'translating' });
    const queued = await givenMeteredJob({ status: 'queued' });

    await expect(lifecycle.finish(translating.jobId, { result })).resolves.toMatchObject({ status: 'finished', job: { status: 'completed', result } });
    await expect(lifecycle.finish(queued.jobId, { result })).rejects.toBeInstanceOf(JobNotActiveError);
    expect(await jobs.get(queued.jobId)).toMatchObject({ status: 'queued' });
  });

  it('is a no-op on a deleted job', async () => {
    const stored = await givenMeteredJob({ status: 'transcribing' });
    await jobs.delete(stored.jobId);

    await expect(lifecycle.finish(stored.jobId, { error: { code: 'INTERNAL_ERROR', message: 'x' } })).resolves.toEqual({ status: 'gone' });
    expect(await jobs.get(stored.jobId)).toBeUndefined();
  });
});
