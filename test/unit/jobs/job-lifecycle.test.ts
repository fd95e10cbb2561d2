import '../pipeline/pipeline-env';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isTerminal, JOB_STATUSES, type Job, type JobError, type JobStatus, type StageTimings, UPLOAD_EXPIRED_ERROR } from '../../../functions/jobs/job';
import { JobLifecycle, JobNotActiveError } from '../../../functions/jobs/job-lifecycle';
import type { JobPatch, JobRepository } from '../../../functions/jobs/job-repository';
import type { PipelineFailureCode } from '../../../functions/shared/errors';
import { logger } from '../../../functions/shared/powertools';
import type { CompletionRecord } from '../../../functions/stats/stats-repository';
import type { QuotaReceipt } from '../../../functions/usage/usage-service';
import { job, JOB_ID, OWNER } from './fixtures';

/**
 * The repository port with the semantics the lifecycle relies on (the DynamoDB adapter's conditional write
 * is tested on its own and on dynalite in test/integration/job-lifecycle.test.ts): a job moves only from
 * one of `from`, and a missing job never moves.
 */
class InMemoryJobs implements Pick<JobRepository, 'get' | 'transition'> {
  readonly stored = new Map<string, Job>();
  readonly transition = vi.fn(async (jobId: string, from: readonly JobStatus[], to: JobStatus, patch: JobPatch = {}) => {
    const current = this.stored.get(jobId);
    if (current === undefined || !from.includes(current.status)) return undefined;
    const updated: Job = { ...current, ...patch, status: to, updatedAt: '2026-03-14T12:00:01.000Z' };
    this.stored.set(jobId, updated);
    return updated;
  });

  async get(jobId: string): Promise<Job | undefined> {
    return this.stored.get(jobId);
  }

  given(stored: Job): Job {
    this.stored.set(stored.jobId, stored);
    return stored;
  }
}

const RESULT = { transcript: 'go forward ten meters', detectedLanguage: 'en', translation: 'avanza diez metros', cached: false } as const;
const TIMINGS = { normalize: 100, transcribe: 900, translate: 200, total: 1300 };
const NO_SPEECH: JobError = { code: 'NO_SPEECH', message: 'No speech was recognised.' };
const INTERNAL: JobError = { code: 'INTERNAL_ERROR', message: 'Internal error.' };
const NON_TERMINAL = JOB_STATUSES.filter((status) => !isTerminal(status));

function sideEffects() {
  return {
    progress: { publish: vi.fn(async (_job: Job) => undefined) },
    stats: {
      recordCompletion: vi.fn(async (_record: CompletionRecord) => undefined),
      recordFailure: vi.fn(async (_code: PipelineFailureCode) => undefined),
    },
    quota: { refund: vi.fn(async (_receipt: QuotaReceipt) => undefined) },
    metrics: { completed: vi.fn((_timings: StageTimings) => undefined), failed: vi.fn((_code: PipelineFailureCode) => undefined) },
  };
}

let jobs: InMemoryJobs;
let deps: ReturnType<typeof sideEffects>;
let lifecycle: JobLifecycle;

beforeEach(() => {
  jobs = new InMemoryJobs();
  deps = sideEffects();
  lifecycle = new JobLifecycle({ jobs, ...deps });
});

function expectNoSideEffects(): void {
  expect(deps.progress.publish).not.toHaveBeenCalled();
  expect(deps.stats.recordCompletion).not.toHaveBeenCalled();
  expect(deps.stats.recordFailure).not.toHaveBeenCalled();
  expect(deps.metrics.completed).not.toHaveBeenCalled();
  expect(deps.metrics.failed).not.toHaveBeenCalled();
  expect(deps.quota.refund).not.toHaveBeenCalled();
}

describe('JobLifecycle.enter', () => {
  it('moves the job into the stage from an allowed status, with its stage data, and pushes the progress', async () => {
    jobs.given(job({ status: 'transcribing' }));

    const moved = await lifecycle.enter(JOB_ID, 'translating', { sourceLanguage: 'en' });

    expect(moved).toMatchObject({ status: 'translating', sourceLanguage: 'en' });
    expect(jobs.transition).toHaveBeenCalledWith(JOB_ID, ['transcribing', 'translating'], 'translating', { sourceLanguage: 'en' });
    expect(deps.progress.publish).toHaveBeenCalledWith(moved);
  });

  it('lets a retried task re-enter the stage its job is already in', async () => {
    jobs.given(job({ status: 'normalizing' }));

    await expect(lifecycle.enter(JOB_ID, 'normalizing')).resolves.toMatchObject({ status: 'normalizing' });
  });

  it.each([
    ['a job that moved past the stage', () => jobs.given(job({ status: 'translating' }))],
    ['a terminal job', () => jobs.given(job({ status: 'failed', error: INTERNAL }))],
    ['a deleted job', () => undefined],
  ])('refuses %s with JobNotActiveError and pushes nothing', async (_, arrange) => {
    arrange();

    await expect(lifecycle.enter(JOB_ID, 'transcribing')).rejects.toBeInstanceOf(JobNotActiveError);
    expect(deps.progress.publish).not.toHaveBeenCalled();
  });

  it('still moves the job when the progress push fails (best-effort)', async () => {
    jobs.given(job({ status: 'queued' }));
    deps.progress.publish.mockRejectedValueOnce(new Error('GoneException storm'));

    await expect(lifecycle.enter(JOB_ID, 'normalizing')).resolves.toMatchObject({ status: 'normalizing' });
  });
});

describe('JobLifecycle.patch', () => {
  it('adds stage data only while the job is still in that status, without a push', async () => {
    jobs.given(job({ status: 'normalizing' }));

    await expect(lifecycle.patch(JOB_ID, 'normalizing', { audioHash: 'h' })).resolves.toMatchObject({ audioHash: 'h' });
    expect(deps.progress.publish).not.toHaveBeenCalled();
    await expect(lifecycle.patch(JOB_ID, 'transcribing', { durationSeconds: 3 })).rejects.toBeInstanceOf(JobNotActiveError);
  });
});

describe('JobLifecycle.finish with a result', () => {
  it('completes the job, then pushes it, counts it in the stats and records the note metrics; no refund', async () => {
    jobs.given(job({ status: 'translating', targetLanguage: 'es' }));

    const outcome = await lifecycle.finish(JOB_ID, { result: RESULT, timings: TIMINGS });

    expect(outcome).toEqual({ status: 'finished', job: expect.objectContaining({ status: 'completed', result: RESULT, timings: TIMINGS }) });
    expect(jobs.transition).toHaveBeenCalledWith(JOB_ID, ['normalizing', 'translating'], 'completed', { result: RESULT, timings: TIMINGS });
    expect(deps.progress.publish).toHaveBeenCalledWith(expect.objectContaining({ status: 'completed' }));
    expect(deps.stats.recordCompletion).toHaveBeenCalledWith({ detectedLanguage: 'en', targetLanguage: 'es', cached: false });
    expect(deps.metrics.completed).toHaveBeenCalledWith(TIMINGS);
    expect(deps.stats.recordFailure).not.toHaveBeenCalled();
    expect(deps.quota.refund).not.toHaveBeenCalled();
  });

  it('counts a result from the audio cache as a cache hit (the cache-hit path is the same finish)', async () => {
    jobs.given(job({ status: 'normalizing', targetLanguage: 'es' }));

    await lifecycle.finish(JOB_ID, { result: { ...RESULT, cached: true }, timings: { normalize: 80, total: 120 } });

    expect(deps.stats.recordCompletion).toHaveBeenCalledWith({ detectedLanguage: 'en', targetLanguage: 'es', cached: true });
    expect(deps.metrics.completed).toHaveBeenCalledWith({ normalize: 80, total: 120 });
  });

  it.each(['awaiting_upload', 'queued', 'transcribing'] as const)(
    'refuses to complete a job in %s (a bug, not a no-op: the Catch will fail it) and records nothing',
    async (status) => {
      jobs.given(job({ status }));

      await expect(lifecycle.finish(JOB_ID, { result: RESULT })).rejects.toBeInstanceOf(JobNotActiveError);
      expect(jobs.stored.get(JOB_ID)?.status).toBe(status);
      expectNoSideEffects();
    },
  );
});

describe('JobLifecycle.finish with an error', () => {
  it.each(NON_TERMINAL)('fails a job in %s, counts it and records the failed-note metric', async (status) => {
    jobs.given(job({ status }));

    const outcome = await lifecycle.finish(JOB_ID, { error: NO_SPEECH });

    expect(outcome).toMatchObject({ status: 'finished', job: { status: 'failed', error: NO_SPEECH } });
    expect(deps.progress.publish).toHaveBeenCalledWith(expect.objectContaining({ status: 'failed', error: NO_SPEECH }));
    expect(deps.stats.recordFailure).toHaveBeenCalledWith('NO_SPEECH');
    expect(deps.metrics.failed).toHaveBeenCalledWith('NO_SPEECH');
    expect(deps.stats.recordCompletion).not.toHaveBeenCalled();
  });

  it('ends a job whose upload never came (the sweeper’s call) and gives back the unit of the day it was metered', async () => {
    // Created a minute before midnight UTC; the sweeper runs the next day.
    jobs.given(job({ status: 'awaiting_upload', createdAt: '2026-03-13T23:59:00.000Z' }));

    const outcome = await lifecycle.finish(JOB_ID, { error: UPLOAD_EXPIRED_ERROR });

    expect(outcome).toMatchObject({ status: 'finished', job: { status: 'failed', error: UPLOAD_EXPIRED_ERROR } });
    expect(deps.quota.refund).toHaveBeenCalledExactlyOnceWith({ apiKeyId: OWNER, day: '2026-03-13' });
    expect(deps.stats.recordFailure).toHaveBeenCalledWith('UPLOAD_EXPIRED');
  });

  it.each([
    ['INTERNAL_ERROR', true],
    ['SERVICE_BUSY', true],
    ['PIPELINE_TIMEOUT', true],
    ['TRANSCRIPTION_FAILED', true],
    ['UPLOAD_EXPIRED', true],
    ['NOT_AUDIO', false],
    ['AUDIO_TOO_LONG', false],
    ['SILENT_AUDIO', false],
    ['NO_SPEECH', false],
  ] as const)('%s: refunds the quota unit = %s', async (code, refunded) => {
    jobs.given(job({ status: 'normalizing' }));

    await lifecycle.finish(JOB_ID, { error: { code, message: 'x' } });

    expect(deps.quota.refund).toHaveBeenCalledTimes(refunded ? 1 : 0);
  });
});

describe('JobLifecycle.finish: idempotency', () => {
  it('is a no-op on an already terminal job: nothing written, counted, pushed or refunded twice', async () => {
    jobs.given(job({ status: 'transcribing' }));
    await lifecycle.finish(JOB_ID, { error: INTERNAL }); // MarkFailed
    vi.clearAllMocks();

    const second = await lifecycle.finish(JOB_ID, { error: { code: 'PIPELINE_TIMEOUT', message: 'late' } }); // the watchdog

    expect(second).toEqual({ status: 'already-terminal', job: expect.objectContaining({ status: 'failed', error: INTERNAL }) });
    expectNoSideEffects();
  });

  it('does not complete a failed job, nor fail a completed one', async () => {
    jobs.given(job({ status: 'completed', result: RESULT }));
    await expect(lifecycle.finish(JOB_ID, { error: INTERNAL })).resolves.toMatchObject({ status: 'already-terminal' });
    jobs.given(job({ status: 'failed', error: INTERNAL }));
    await expect(lifecycle.finish(JOB_ID, { result: RESULT })).resolves.toMatchObject({ status: 'already-terminal' });
    expect(jobs.stored.get(JOB_ID)).toMatchObject({ status: 'failed', error: INTERNAL });
    expectNoSideEffects();
  });

  it('is a no-op on a job its owner deleted', async () => {
    await expect(lifecycle.finish(JOB_ID, { result: RESULT })).resolves.toEqual({ status: 'gone' });
    await expect(lifecycle.finish(JOB_ID, { error: INTERNAL })).resolves.toEqual({ status: 'gone' });
    expectNoSideEffects();
  });

  it('lets a failed terminal write through (the caller retries) and runs no side effect', async () => {
    jobs.given(job({ status: 'translating' }));
    jobs.transition.mockRejectedValueOnce(Object.assign(new Error('Internal'), { name: 'InternalServerError' }));

    await expect(lifecycle.finish(JOB_ID, { result: RESULT })).rejects.toMatchObject({ name: 'InternalServerError' });
    expectNoSideEffects();
  });
});

describe('JobLifecycle.finish: side effects are best-effort', () => {
  const failing: Record<string, () => void> = {
    'the progress push': () => deps.progress.publish.mockRejectedValue(new Error('push failed')),
    'the stats': () => {
      deps.stats.recordFailure.mockRejectedValue(new Error('stats failed'));
      deps.stats.recordCompletion.mockRejectedValue(new Error('stats failed'));
    },
    'the metrics': () => {
      deps.metrics.failed.mockImplementation(() => {
        throw new Error('metrics failed');
      });
      deps.metrics.completed.mockImplementation(() => {
        throw new Error('metrics failed');
      });
    },
    'the quota refund': () => deps.quota.refund.mockRejectedValue(new Error('refund failed')),
  };

  it.each(Object.keys(failing))('a failure still finishes when %s throws, and every other side effect still runs', async (name) => {
    jobs.given(job({ status: 'translating' }));
    failing[name]!();
    const error = vi.spyOn(logger, 'error');
    const warn = vi.spyOn(logger, 'warn');

    await expect(lifecycle.finish(JOB_ID, { error: INTERNAL })).resolves.toMatchObject({ status: 'finished' });

    // Logged instead of thrown.
    expect(error.mock.calls.length + warn.mock.calls.length).toBe(1);

    expect(deps.progress.publish).toHaveBeenCalledOnce();
    expect(deps.stats.recordFailure).toHaveBeenCalledOnce();
    expect(deps.metrics.failed).toHaveBeenCalledOnce();
    expect(deps.quota.refund).toHaveBeenCalledOnce();
  });

  it.each(['the progress push', 'the stats', 'the metrics'])('a completion still finishes when %s throws', async (name) => {
    jobs.given(job({ status: 'translating' }));
    failing[name]!();

    await expect(lifecycle.finish(JOB_ID, { result: RESULT })).resolves.toMatchObject({ status: 'finished' });

    expect(deps.progress.publish).toHaveBeenCalledOnce();
    expect(deps.stats.recordCompletion).toHaveBeenCalledOnce();
    expect(deps.metrics.completed).toHaveBeenCalledOnce();
  });
});
