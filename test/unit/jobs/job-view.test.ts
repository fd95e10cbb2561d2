import { describe, expect, it } from 'vitest';
import { toPublicJob } from '../../../functions/jobs/job-view';
import { job, JOB_ID, NOW } from './fixtures';

describe('toPublicJob', () => {
  it('shows only public fields with the progress of the status', () => {
    const view = toPublicJob(job({ status: 'transcribing', sourceLanguage: 'es', audioHash: 'h', timings: { total: 1 } }), NOW);
    expect(view).toEqual({
      jobId: JOB_ID,
      status: 'transcribing',
      progress: 50,
      createdAt: '2026-03-14T11:59:00.000Z',
      updatedAt: '2026-03-14T11:59:30.000Z',
      sourceLanguage: 'es',
      targetLanguage: 'en',
    });
  });

  it('includes the result of a completed job', () => {
    const result = { transcript: 'hola', detectedLanguage: 'es', translation: 'hello', cached: true } as const;
    expect(toPublicJob(job({ status: 'completed', result }), NOW)).toMatchObject({ status: 'completed', progress: 100, result });
  });

  it('includes the error of a failed job', () => {
    const error = { code: 'NO_SPEECH', message: 'No speech.' } as const;
    expect(toPublicJob(job({ status: 'failed', error }), NOW)).toMatchObject({ status: 'failed', error });
  });

  it('keeps a recent awaiting_upload job as it is', () => {
    const view = toPublicJob(job({ status: 'awaiting_upload', createdAt: '2026-03-14T11:01:00.000Z' }), NOW);
    expect(view).toMatchObject({ status: 'awaiting_upload', progress: 0 });
    expect(view.error).toBeUndefined();
  });

  it('shows an awaiting_upload job older than the expiry as failed UPLOAD_EXPIRED', () => {
    const view = toPublicJob(job({ status: 'awaiting_upload', createdAt: '2026-03-14T10:59:59.000Z' }), NOW);
    expect(view).toMatchObject({ status: 'failed', progress: 100, error: { code: 'UPLOAD_EXPIRED' } });
  });
});
