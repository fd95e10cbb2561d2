import type { CheckResult } from './check-list';
import type { LatencyRow } from './latency';
import type { LoadSummary } from './load-stats';
import { renderTable } from './table';

/** What one smoke run found: the checks, the latencies, and the load run when asked for. */
export interface SmokeReport {
  readonly api: string;
  readonly sample: string;
  readonly checks: readonly CheckResult[];
  readonly latency: readonly LatencyRow[];
  readonly load?: LoadSummary;
}

const OUTCOME = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

const ms = (value: number) => `${Math.round(value)} ms`;

export function renderChecks(checks: readonly CheckResult[]): string {
  return renderTable(
    [{ header: 'check' }, { header: 'result' }, { header: 'detail' }],
    checks.map((c) => [c.name, OUTCOME[c.outcome], c.detail]),
  );
}

export function renderLatency(rows: readonly LatencyRow[]): string {
  return renderTable(
    [{ header: 'stage' }, { header: 'measured', align: 'right' }, { header: 'target', align: 'right' }, { header: 'result' }],
    rows.map((r) => [
      r.stage,
      r.measuredMs === undefined ? '–' : ms(r.measuredMs),
      `< ${ms(r.targetMs)}`,
      r.met === undefined ? (r.note ?? '') : r.met ? 'met' : 'MISSED',
    ]),
  );
}

export function renderLoad(load: LoadSummary): string {
  const summary =
    `${load.notes} ${load.notes === 1 ? 'note' : 'notes'} at once: ${load.completed} completed (${load.cached} from the cache), ${load.failed} failed, ` +
    `all done in ${(load.makespanMs / 1000).toFixed(1)} s → ${load.notesPerMinute.toFixed(1)} notes/min`;
  const table =
    load.stages.length === 0
      ? 'No note was processed fresh: no stage percentiles.'
      : renderTable(
          [{ header: 'stage' }, { header: 'p50', align: 'right' }, { header: 'p99', align: 'right' }],
          load.stages.map((s) => [s.stage, ms(s.p50Ms), ms(s.p99Ms)]),
        );
  return [summary, '', table, ...load.errors.map((e) => `  failed: ${e}`)].join('\n');
}

/** The whole report for a terminal or a CI log. */
export function renderReport(report: SmokeReport, verdict: string): string {
  const sections = [
    `Smoke test of ${report.api} with ${report.sample}`,
    '',
    renderChecks(report.checks),
    '',
    'Latency (client-observed: network included; pipeline stages timed between pushed statuses)',
    '',
    renderLatency(report.latency),
  ];
  if (report.load) sections.push('', 'Load', '', renderLoad(report.load));
  sections.push('', verdict);
  return sections.join('\n');
}
