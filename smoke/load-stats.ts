import { percentile } from '../bench/lib/stats';
import type { NoteRun } from './note-run';

/** The stages the load report gives percentiles for, and how each is read off a note. */
export const LOAD_STAGES = {
  'upload URL': (run: NoteRun) => run.createMs,
  upload: (run: NoteRun) => run.uploadMs,
  conversion: (run: NoteRun) => run.phases.normalize,
  recognition: (run: NoteRun) => run.phases.transcribe,
  translation: (run: NoteRun) => run.phases.translate,
  'whole note': (run: NoteRun) => run.wholeNoteMs,
} as const satisfies Record<string, (run: NoteRun) => number>;
export type LoadStage = keyof typeof LOAD_STAGES;

export interface StagePercentiles {
  readonly stage: LoadStage;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadSummary {
  /** Notes sent at once. */
  readonly notes: number;
  readonly completed: number;
  /** Notes that ended failed, or whose request or upload was refused (their reasons in `errors`). */
  readonly failed: number;
  /** Completed notes answered from the audio cache: left out of the stage percentiles. */
  readonly cached: number;
  /** First POST /uploads → last note ended. */
  readonly makespanMs: number;
  /** Completed notes per minute over the makespan. */
  readonly notesPerMinute: number;
  /** Over the completed notes processed fresh; empty when there were none. */
  readonly stages: readonly StagePercentiles[];
  readonly errors: readonly string[];
}

/** A load run's outcome per note: the run, or why it did not get one. */
export type LoadOutcome = { readonly run: NoteRun } | { readonly error: string };

/** Throughput and nearest-rank p50/p99 per stage of notes sent together. */
export function summariseLoad(outcomes: readonly LoadOutcome[], makespanMs: number): LoadSummary {
  const runs = outcomes.flatMap((o) => ('run' in o ? [o.run] : []));
  const completed = runs.filter((r) => r.final.status === 'completed');
  const fresh = completed.filter((r) => r.final.result?.cached !== true);
  const errors = [
    ...outcomes.flatMap((o) => ('error' in o ? [o.error] : [])),
    ...runs.filter((r) => r.final.status !== 'completed').map((r) => `job ${r.jobId}: ${r.final.error?.code ?? r.final.status}`),
  ];
  return {
    notes: outcomes.length,
    completed: completed.length,
    failed: outcomes.length - completed.length,
    cached: completed.length - fresh.length,
    makespanMs,
    notesPerMinute: makespanMs > 0 ? (completed.length / makespanMs) * 60_000 : 0,
    stages:
      fresh.length === 0
        ? []
        : (Object.keys(LOAD_STAGES) as LoadStage[]).map((stage) => {
            const samples = fresh.map(LOAD_STAGES[stage]);
            return { stage, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
          }),
    errors,
  };
}
