import { describe, expect, it, vi } from 'vitest';
import type { HistoryCursorCodec } from '../../../functions/jobs/history-cursor';
import { HistoryService } from '../../../functions/jobs/history-service';
import type { Job } from '../../../functions/jobs/job';
import type { JobAudioStore } from '../../../functions/jobs/job-audio-store';
import { JobDeletionService } from '../../../functions/jobs/job-deletion-service';
import type { JobRepository } from '../../../functions/jobs/job-repository';
import { JobService } from '../../../functions/jobs/job-service';
import { InvalidCursorError } from '../../../functions/shared/errors';
import { job, JOB_ID, NOW, OTHER_OWNER, OWNER } from './fixtures';

function repository(stored: Job | undefined) {
  return {
    create: vi.fn(),
    get: vi.fn(async () => stored),
    listByOwner: vi.fn(async () => ({ items: [job()], lastKey: { pk: 'last' } })),
    delete: vi.fn(async () => undefined),
    transition: vi.fn(),
  } satisfies JobRepository;
}

describe('JobService.get', () => {
  it("returns the caller's job view", async () => {
    await expect(new JobService(repository(job()), () => NOW).get(OWNER, JOB_ID)).resolves.toMatchObject({
      jobId: JOB_ID,
      status: 'queued',
    });
  });

  it.each([
    ['missing', undefined],
    ["another key's", job({ ownerId: OTHER_OWNER })],
  ])('answers a %s job with the same 404 JOB_NOT_FOUND', async (_case, stored) => {
    const error = await new JobService(repository(stored)).get(OWNER, JOB_ID).catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 404, code: 'JOB_NOT_FOUND', message: `No job ${JOB_ID}.` });
  });
});

describe('HistoryService.list', () => {
  const cursors = {
    encode: vi.fn(async () => 'next-cursor'),
    decode: vi.fn(async () => ({ pk: 'start' })),
  } as unknown as HistoryCursorCodec & { encode: ReturnType<typeof vi.fn>; decode: ReturnType<typeof vi.fn> };

  it('pages the history and signs the next cursor', async () => {
    const jobs = repository(undefined);
    const page = await new HistoryService(jobs, cursors, () => NOW).list(OWNER, 10, 'cursor-in');

    expect(cursors.decode).toHaveBeenCalledWith(OWNER, 'cursor-in');
    expect(jobs.listByOwner).toHaveBeenCalledWith(OWNER, 10, { pk: 'start' });
    expect(cursors.encode).toHaveBeenCalledWith(OWNER, { pk: 'last' });
    expect(page).toEqual({ items: [expect.objectContaining({ jobId: JOB_ID })], nextCursor: 'next-cursor' });
  });

  it('returns a null cursor on the last page', async () => {
    const jobs = repository(undefined);
    jobs.listByOwner.mockResolvedValueOnce({ items: [] } as never);
    await expect(new HistoryService(jobs, cursors).list(OWNER, 10)).resolves.toEqual({ items: [], nextCursor: null });
  });

  it('reads nothing when the cursor is invalid', async () => {
    const jobs = repository(undefined);
    cursors.decode.mockRejectedValueOnce(new InvalidCursorError());
    await expect(new HistoryService(jobs, cursors).list(OWNER, 10, 'forged')).rejects.toBeInstanceOf(InvalidCursorError);
    expect(jobs.listByOwner).not.toHaveBeenCalled();
  });
});

describe('JobDeletionService.delete', () => {
  const audio = () => ({ deleteJobAudio: vi.fn(async () => undefined) }) satisfies JobAudioStore;

  it("deletes the caller's audio, then the job", async () => {
    const jobs = repository(job());
    const store = audio();
    await new JobDeletionService(jobs, store).delete(OWNER, JOB_ID);
    expect(store.deleteJobAudio).toHaveBeenCalledWith(job());
    expect(jobs.delete).toHaveBeenCalledWith(JOB_ID);
    expect(store.deleteJobAudio.mock.invocationCallOrder[0]).toBeLessThan(jobs.delete.mock.invocationCallOrder[0]!);
  });

  it.each([
    ['missing (already deleted)', undefined],
    ["another key's", job({ ownerId: OTHER_OWNER })],
  ])('touches nothing for a %s job', async (_case, stored) => {
    const jobs = repository(stored);
    const store = audio();
    await new JobDeletionService(jobs, store).delete(OWNER, JOB_ID);
    expect(store.deleteJobAudio).not.toHaveBeenCalled();
    expect(jobs.delete).not.toHaveBeenCalled();
  });

  it('keeps the record when deleting the audio fails, so a retry can finish', async () => {
    const jobs = repository(job());
    const store = audio();
    store.deleteJobAudio.mockRejectedValueOnce(new Error('s3 down'));
    await expect(new JobDeletionService(jobs, store).delete(OWNER, JOB_ID)).rejects.toThrow('s3 down');
    expect(jobs.delete).not.toHaveBeenCalled();
  });
});
