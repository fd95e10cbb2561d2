import { API_LATENCY_TARGETS_MS, PIPELINE_TARGETS_MS } from '../lib/config/latency-targets';
import type { SmokeTimings } from './checks';
import { median } from '../bench/lib/stats';

/** One stage's measured time beside its target (lib/config/latency-targets.ts). */
export interface LatencyRow {
  readonly stage: string;
  readonly targetMs: number;
  /** Median of the samples; undefined when the stage could not be measured (see `note`). */
  readonly measuredMs?: number;
  readonly samples: number;
  readonly met?: boolean;
  readonly note?: string;
}

/**
 * The seed's six targets against what this run saw. Times are the client's, network included, and the
 * pipeline stages are read off the pushed statuses: an upper bound of what the handlers and engines took.
 */
export function latencyRows(timings: SmokeTimings): LatencyRow[] {
  const fresh = timings.freshNote;
  const unmeasured = fresh === undefined ? 'no fresh note (failed, or served from the cache)' : undefined;
  return [
    row('health', API_LATENCY_TARGETS_MS['GET /health'], timings.health),
    row('upload URL', API_LATENCY_TARGETS_MS['POST /uploads'], timings.uploadUrl),
    row('conversion', PIPELINE_TARGETS_MS.conversion, fresh ? [fresh.phases.normalize] : [], unmeasured),
    row('recognition', PIPELINE_TARGETS_MS.recognition, fresh ? [fresh.phases.transcribe] : [], unmeasured),
    row('translation', PIPELINE_TARGETS_MS.translation, fresh ? [fresh.phases.translate] : [], unmeasured),
    row('whole note', PIPELINE_TARGETS_MS.wholeNote, fresh ? [fresh.wholeNoteMs] : [], unmeasured),
  ];
}

function row(stage: string, targetMs: number, samples: readonly number[], note?: string): LatencyRow {
  if (samples.length === 0) return { stage, targetMs, samples: 0, note: note ?? 'not measured' };
  const measuredMs = median(samples);
  return { stage, targetMs, measuredMs, samples: samples.length, met: measuredMs < targetMs };
}
