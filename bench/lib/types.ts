/** Shapes shared by the benchmark suites, the runner and the report writer. */

export type Comparator = '<' | '<=' | '>=' | '>';

/** A goal from the issue, measured in this run. `ratio` = measured / threshold (≤ 1 passes for upper bounds). */
export interface GoalResult {
  readonly id: string;
  readonly suite: string;
  readonly description: string;
  readonly measured: number;
  readonly unit: string;
  readonly comparator: Comparator;
  readonly threshold: number;
  readonly ratio: number;
  readonly pass: boolean;
  /** What exactly was measured (which cell, which percentile) so a reader can reproduce it. */
  readonly detail?: string;
}

/** A Markdown table: header row and body rows of already formatted cells. */
export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly note?: string;
}

export interface SuiteResult {
  readonly suite: string;
  readonly title: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly durationMs: number;
  readonly goals: readonly GoalResult[];
  readonly tables: readonly Table[];
  /** Findings and caveats in prose, one bullet each. */
  readonly notes: readonly string[];
  /** Raw numbers for report.json. */
  readonly data: unknown;
  readonly error?: string;
}

export interface SuiteContext {
  readonly smoke: boolean;
  log(message: string): void;
}

export function goal(
  suite: string,
  id: string,
  description: string,
  measured: number,
  unit: string,
  comparator: Comparator,
  threshold: number,
  detail?: string,
): GoalResult {
  const pass =
    comparator === '<' ? measured < threshold
    : comparator === '<=' ? measured <= threshold
    : comparator === '>=' ? measured >= threshold
    : measured > threshold;
  return { id, suite, description, measured, unit, comparator, threshold, ratio: threshold === 0 ? Number.POSITIVE_INFINITY : measured / threshold, pass, ...(detail ? { detail } : {}) };
}
