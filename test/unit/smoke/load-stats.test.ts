import { describe, expect, it } from 'vitest';
import { type LoadOutcome, summariseLoad } from '../../../smoke/load-stats';
import type { NoteRun } from '../../../smoke/note-run';

let ids = 0;
function run(ms: number, overrides: { cached?: boolean; failed?: string } = {}): LoadOutcome {
  const final: NoteRun['final'] = overrides.failed
    ? { jobId: `job-${ids}`, status: 'failed', progress: 100, error: { code: overrides.failed as 'NOT_AUDIO', message: 'no' } }
    : {
        jobId: `job-${ids}`,
        status: 'completed',
        progress: 100,
        result: { transcript: 'hello', detectedLanguage: 'en', translation: 'hola', cached: overrides.cached ?? false },
      };
  return {
    run: {
      jobId: `job-${ids++}`,
      createMs: ms / 100,
      uploadMs: ms / 50,
      wholeNoteMs: ms,
      phases: { intake: ms / 10, normalize: ms / 5, transcribe: ms / 2, translate: ms / 20 },
      pushed: true,
      final,
    },
  };
}

describe('summariseLoad', () => {
  it('gives throughput as completed notes per minute of makespan', () => {
    const summary = summariseLoad([run(1000), run(2000), run(3000), run(4000, { failed: 'INTERNAL_ERROR' })], 30_000);

    expect(summary).toMatchObject({ notes: 4, completed: 3, failed: 1, cached: 0, makespanMs: 30_000, notesPerMinute: 6 });
    expect(summary.errors).toEqual([expect.stringContaining('INTERNAL_ERROR')]);
  });

  it('takes nearest-rank p50 and p99 of each stage over the fresh notes only', () => {
    const fresh = [1000, 2000, 3000, 4000, 5000].map((ms) => run(ms));
    const summary = summariseLoad([...fresh, run(100, { cached: true })], 10_000);

    expect(summary.cached).toBe(1);
    expect(summary.stages.find((s) => s.stage === 'whole note')).toEqual({ stage: 'whole note', p50Ms: 3000, p99Ms: 5000 });
    expect(summary.stages.find((s) => s.stage === 'recognition')).toEqual({ stage: 'recognition', p50Ms: 1500, p99Ms: 2500 });
    expect(summary.stages.find((s) => s.stage === 'conversion')).toEqual({ stage: 'conversion', p50Ms: 600, p99Ms: 1000 });
    expect(summary.stages.map((s) => s.stage)).toEqual(['upload URL', 'upload', 'conversion', 'recognition', 'translation', 'whole note']);
  });

  it('counts a note refused before it ran as failed, with its reason', () => {
    const summary = summariseLoad([run(1000), { error: 'QUOTA_EXCEEDED: used up' }], 1_000);

    expect(summary).toMatchObject({ notes: 2, completed: 1, failed: 1, notesPerMinute: 60 });
    expect(summary.errors).toEqual(['QUOTA_EXCEEDED: used up']);
  });

  it('has no stage percentiles and zero throughput when nothing completed', () => {
    const summary = summariseLoad([{ error: 'API_UNREACHABLE: down' }], 5_000);

    expect(summary).toMatchObject({ completed: 0, notesPerMinute: 0, stages: [] });
  });
});
