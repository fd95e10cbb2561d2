import { describe, expect, it } from 'vitest';
import { API_LATENCY_TARGETS_MS, PIPELINE_TARGETS_MS } from '../../../lib/config/latency-targets';
import { latencyRows } from '../../../smoke/latency';
import type { NoteRun } from '../../../smoke/note-run';
import { renderChecks, renderLatency, renderLoad } from '../../../smoke/render';
import { renderTable } from '../../../smoke/table';

const freshNote: NoteRun = {
  jobId: 'j1',
  createMs: 20,
  uploadMs: 30,
  wholeNoteMs: 12_000,
  phases: { intake: 100, normalize: 400, transcribe: 3000, translate: 200 },
  pushed: true,
  final: { jobId: 'j1', status: 'completed', progress: 100 },
};

describe('renderTable', () => {
  it('pads every column to its widest cell, right-aligning numeric columns', () => {
    const text = renderTable([{ header: 'stage' }, { header: 'ms', align: 'right' }], [['health', '7'], ['whole note', '12000']]);

    expect(text.split('\n')).toEqual([
      'stage          ms',
      '----------  -----',
      'health          7',
      'whole note  12000',
    ]);
  });

  it('measures cells in code points, so arrows and accents keep columns aligned', () => {
    const lines = renderTable([{ header: 'a' }, { header: 'b' }], [['0 → 1', 'x'], ['egoísta', 'y']]).split('\n');

    expect(lines.slice(2).map((line) => [...line].indexOf(line.at(-1)!))).toEqual([9, 9]);
  });
});

describe('the smoke report', () => {
  it('shows each check with PASS, FAIL or SKIP and its detail', () => {
    const text = renderChecks([
      { name: 'health', outcome: 'pass', detail: 'ok' },
      { name: 'usage readable', outcome: 'fail', detail: 'API_KEY_INVALID: Forbidden' },
      { name: 'note completed', outcome: 'skip', detail: 'skipped' },
    ]);

    expect(text).toMatch(/^health\s+PASS\s+ok$/m);
    expect(text).toMatch(/^usage readable\s+FAIL\s+API_KEY_INVALID: Forbidden$/m);
    expect(text).toMatch(/^note completed\s+SKIP\s+skipped$/m);
  });

  it('compares each stage with its target from lib/config/latency-targets.ts', () => {
    const rows = latencyRows({ health: [5, 9, 7], uploadUrl: [150], freshNote });

    expect(rows).toEqual([
      { stage: 'health', targetMs: API_LATENCY_TARGETS_MS['GET /health'], measuredMs: 7, samples: 3, met: true },
      { stage: 'upload URL', targetMs: API_LATENCY_TARGETS_MS['POST /uploads'], measuredMs: 150, samples: 1, met: false },
      { stage: 'conversion', targetMs: PIPELINE_TARGETS_MS.conversion, measuredMs: 400, samples: 1, met: true },
      { stage: 'recognition', targetMs: PIPELINE_TARGETS_MS.recognition, measuredMs: 3000, samples: 1, met: true },
      { stage: 'translation', targetMs: PIPELINE_TARGETS_MS.translation, measuredMs: 200, samples: 1, met: true },
      { stage: 'whole note', targetMs: PIPELINE_TARGETS_MS.wholeNote, measuredMs: 12_000, samples: 1, met: false },
    ]);
    const text = renderLatency(rows);
    expect(text).toMatch(/^upload URL\s+150 ms\s+< 100 ms\s+MISSED$/m);
    expect(text).toMatch(/^conversion\s+400 ms\s+< 2000 ms\s+met$/m);
  });

  it('leaves the pipeline stages unmeasured when no note ran fresh', () => {
    const rows = latencyRows({ health: [3], uploadUrl: [20] });

    expect(rows.slice(2).map((r) => [r.stage, r.measuredMs, r.met])).toEqual([
      ['conversion', undefined, undefined],
      ['recognition', undefined, undefined],
      ['translation', undefined, undefined],
      ['whole note', undefined, undefined],
    ]);
    expect(renderLatency(rows)).toMatch(/^recognition\s+–\s+< 5000 ms\s+no fresh note/m);
  });

  it('reports the load run as throughput and p50/p99 per stage', () => {
    const text = renderLoad({
      notes: 3,
      completed: 3,
      failed: 0,
      cached: 0,
      makespanMs: 12_000,
      notesPerMinute: 15,
      stages: [{ stage: 'whole note', p50Ms: 9000.4, p99Ms: 11_999.6 }],
      errors: [],
    });

    expect(text).toContain('3 notes at once: 3 completed (0 from the cache), 0 failed, all done in 12.0 s → 15.0 notes/min');
    expect(text).toMatch(/^whole note\s+9000 ms\s+12000 ms$/m);
  });
});
