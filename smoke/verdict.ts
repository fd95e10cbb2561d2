import type { CheckResult } from './check-list';
import type { LatencyRow } from './latency';
import type { LoadSummary } from './load-stats';

/** The process's exit codes: CI and scripts switch on them. */
export const EXIT_CODES = { passed: 0, checkFailed: 1, usage: 2, targetMissed: 3 } as const;

export interface VerdictInput {
  readonly checks: readonly CheckResult[];
  readonly latency: readonly LatencyRow[];
  readonly load?: LoadSummary;
  /** Missed latency targets fail the run too (they are measured, not asserted, by default). */
  readonly strict: boolean;
}

export interface Verdict {
  readonly exitCode: (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
  /** One line for the end of the report. */
  readonly summary: string;
}

/**
 * Any functional failure (a check, or a note of the load run) fails the run; a missed latency target only
 * with `strict`, since a shared CI machine or a cold deployment can miss one on a run that works.
 */
export function verdictOf({ checks, latency, load, strict }: VerdictInput): Verdict {
  const failed = checks.filter((c) => c.outcome !== 'pass').length;
  const missed = latency.filter((r) => r.met === false).length;
  const met = latency.filter((r) => r.met === true).length;
  const exitCode =
    failed > 0 || (load?.failed ?? 0) > 0 ? EXIT_CODES.checkFailed : strict && missed > 0 ? EXIT_CODES.targetMissed : EXIT_CODES.passed;
  const summary = [
    exitCode === EXIT_CODES.passed ? 'PASSED' : 'FAILED',
    `${checks.length - failed}/${checks.length} checks passed`,
    `${met}/${latency.length} latency targets met${missed > 0 && !strict ? ' (a missed target fails the run only with --strict)' : ''}`,
    ...(load ? [`${load.completed}/${load.notes} load notes completed`] : []),
  ].join(' · ');
  return { exitCode, summary };
}
