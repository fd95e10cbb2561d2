import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../../lib/config/metric-names';
import type { StageTimings } from '../../jobs/job';
import type { NoteMetrics } from '../../jobs/job-lifecycle';
import type { PipelineFailureCode } from '../../shared/errors';
import { metrics } from '../../shared/powertools';

const STAGE_METRICS = {
  normalize: METRICS.names.normalizeMs,
  transcribe: METRICS.names.transcribeMs,
  translate: METRICS.names.translateMs,
  total: METRICS.names.totalMs,
} as const;

/** EMF metrics of a completed note (from the cache or not): the count and each stage's duration. */
function recordCompletedNote(timings: StageTimings): void {
  metrics.addMetric(METRICS.names.notesCompleted, MetricUnit.Count, 1);
  for (const [stage, name] of Object.entries(STAGE_METRICS)) {
    const value = timings[stage as keyof StageTimings];
    if (value !== undefined) metrics.addMetric(name, MetricUnit.Milliseconds, value);
  }
}

/** The audio-result cache outcome, counted once per note by the cache check. */
export function recordCacheLookup(hit: boolean): void {
  metrics.addMetric(hit ? METRICS.names.cacheHit : METRICS.names.cacheMiss, MetricUnit.Count, 1);
}

/**
 * A failed note: the total (alarms) and, as its own EMF document with an extra dimension, the count by
 * failure code (the dashboard's "failures by code" widget).
 */
function recordFailedNote(code: PipelineFailureCode): void {
  metrics.addMetric(METRICS.names.notesFailed, MetricUnit.Count, 1);
  const byCode = metrics.singleMetric();
  byCode.addDimension(METRICS.failureCodeDimension, code);
  byCode.addMetric(METRICS.names.notesFailed, MetricUnit.Count, 1);
}

/** The metrics JobLifecycle.finish records for every finished note, whoever finishes it. */
export const pipelineNoteMetrics: NoteMetrics = { completed: recordCompletedNote, failed: recordFailedNote };
