import type { JobStatus } from '../client';

/**
 * The pipeline's stages as a client sees them: the time from one pushed status to the next. The public job
 * view carries no stage timings (they stay in the job record, for metrics), so a tool holding only an API
 * key reads the stages off the progress WebSocket, as the smoke test and the bench both do.
 */
export const PHASES = ['intake', 'normalize', 'transcribe', 'translate'] as const;
export type Phase = (typeof PHASES)[number];

export interface StatusEvent {
  readonly status: JobStatus;
  /** performance.now() when the update arrived. */
  readonly at: number;
}

/** Splits observed status events into phases; a status skipped between two observations adds 0. */
export function phasesFrom(uploadDoneAt: number, events: readonly StatusEvent[]): Record<Phase, number> {
  const at = (status: JobStatus) => events.find((e) => e.status === status)?.at;
  const end = at('completed') ?? at('failed') ?? uploadDoneAt;
  const normalizing = at('normalizing') ?? end;
  const transcribing = at('transcribing') ?? normalizing;
  const translating = at('translating') ?? transcribing;
  return {
    intake: Math.max(0, normalizing - uploadDoneAt),
    normalize: Math.max(0, transcribing - normalizing),
    transcribe: Math.max(0, translating - transcribing),
    translate: Math.max(0, end - translating),
  };
}
